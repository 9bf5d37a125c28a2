/**
 * The responder process. The parent starts it with `unshare --net`, so it is born in a fresh
 * network namespace that nothing else holds: the namespace (bridge, veths, NAT rules) lives
 * exactly as long as this process, and a crash of either side leaves nothing behind. It sets the
 * namespace up, serves DNS and the catch-all, and reports events on stdout as JSON lines.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { tcpCatcher, udpCatcher, type CatcherContext, type UdpHandler } from './catcher.js';
import { OriginalDestinations } from './conntrack.js';
import { AddressBook } from './dns.js';
import { initNetns, netnsOf } from './netns.js';
import { dnsTcpListener, dnsUdpHandler } from './dns-server.js';
import {
  BRIDGE_NAME,
  CHILD_MARKER,
  DNS_PORT,
  TCP_CATCH_PORT,
  UDP_CATCH_PORT,
  type ChildConfig,
  type ChildMessage,
} from './protocol.js';

const run = promisify(execFile);
const MAX_EVENTS = 20_000;

function send(msg: ChildMessage, then?: () => void): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`, then);
}

function die(message: string): never {
  process.stderr.write(`fakenet responder: ${message}\n`);
  process.exit(3);
}

function runWithInput(cmd: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`${[cmd, ...args].join(' ')}: ${(stderr || err.message).trim()}`)) : resolve(),
    );
    // A command that fails before reading its input closes the pipe: its exit status tells.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** Every TCP/UDP flow in from the bridge goes to our listeners; nothing is forwarded. */
function netfilterRules(): string {
  const br = `-i ${BRIDGE_NAME}`;
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `-A PREROUTING ${br} -p udp --dport ${DNS_PORT} -j REDIRECT --to-ports ${DNS_PORT}`,
    `-A PREROUTING ${br} -p tcp --dport ${DNS_PORT} -j REDIRECT --to-ports ${DNS_PORT}`,
    `-A PREROUTING ${br} -p tcp -j REDIRECT --to-ports ${TCP_CATCH_PORT}`,
    `-A PREROUTING ${br} -p udp -j REDIRECT --to-ports ${UDP_CATCH_PORT}`,
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    'COMMIT',
    '',
  ].join('\n');
}

const IPV6_CONF = '/proc/sys/net/ipv6/conf';

/**
 * IPv6 on (no forwarding, no router advertisements or autoconfiguration learned from a
 * container), or off; returns why it could not be turned on, null when it is on.
 */
function setIpv6(on: boolean): string | null {
  if (!existsSync(IPV6_CONF)) return 'the kernel has no IPv6 (/proc/sys/net/ipv6 missing)';
  const settings = on
    ? { forwarding: '0', accept_ra: '0', autoconf: '0', accept_redirects: '0', disable_ipv6: '0' }
    : { disable_ipv6: '1' };
  try {
    for (const scope of ['all', 'default'])
      for (const [key, value] of Object.entries(settings))
        writeFileSync(`${IPV6_CONF}/${scope}/${key}`, value);
    return null;
  } catch (err) {
    return `IPv6 settings not writable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** /proc/net/ipv6_route: a route to ::/0 that is not the kernel's built-in "unreachable" (RTF_REJECT). */
function hasIpv6DefaultRoute(): boolean {
  const zero = '0'.repeat(32);
  return readFileSync('/proc/self/net/ipv6_route', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some((f) => f[0] === zero && f[1] === '00' && (parseInt(f[8] ?? '0', 16) & 0x0200) === 0);
}

/**
 * Addresses, bridge and NAT of the (fresh, empty) namespace this process runs in. IPv6 is on
 * when the kernel and ip6tables allow it; returns why it is off otherwise (null when on).
 */
async function setUpNamespace(cfg: ChildConfig): Promise<string | null> {
  // No forwarding in either family: with no route and no interface towards the host this is
  // already closed, these (and FORWARD DROP) make it closed twice.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0');
  let ipv6Off = setIpv6(true);
  if (ipv6Off !== null) setIpv6(false);
  const bridge = runWithInput(
    'ip',
    ['-batch', '-'],
    [
      'link set lo up',
      `link add ${BRIDGE_NAME} type bridge`,
      `addr add ${cfg.responderIp}/${cfg.prefixLength} dev ${BRIDGE_NAME}`,
      // No duplicate address detection: the address is usable at once, and the bridge is ours.
      ...(ipv6Off ? [] : [`addr add ${cfg.responderIp6}/${cfg.prefixLength6} dev ${BRIDGE_NAME} nodad`]),
      `link set ${BRIDGE_NAME} up`,
      '',
    ].join('\n'),
  );
  // Rules name the bridge by name, so they can go in while it is being made.
  const rules = netfilterRules();
  const nat = runWithInput('iptables-restore', [], rules);
  const nat6 = ipv6Off
    ? Promise.resolve()
    : runWithInput('ip6tables-restore', [], rules).catch((err: unknown) => {
        ipv6Off = err instanceof Error ? err.message : String(err);
        setIpv6(false);
      });
  await Promise.all([bridge, nat, nat6]);
  if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '0') die('ip_forward is on');
  // /proc/net/route: destination 00000000 is a default route; there must be none.
  const routes = readFileSync('/proc/self/net/route', 'utf8').split('\n').slice(1);
  if (routes.some((r) => r.split('\t')[1] === '00000000')) die('unexpected default route');
  if (existsSync(IPV6_CONF)) {
    const v6 = (key: string) => readFileSync(`${IPV6_CONF}/all/${key}`, 'utf8').trim();
    if (ipv6Off === null && v6('forwarding') !== '0') die('IPv6 forwarding is on');
    if (ipv6Off !== null && v6('disable_ipv6') !== '1') die('IPv6 could not be turned off');
    if (hasIpv6DefaultRoute()) die('unexpected IPv6 default route');
  }
  return ipv6Off;
}

/** A throwaway self-signed certificate so a sample that ignores certificate errors talks on. */
async function selfSignedContext(): Promise<SecureContext | null> {
  const dir = await mkdtemp(join(tmpdir(), 'shipshape-fakenet-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '30',
      ].concat(['-subj', '/CN=localhost', '-keyout', key, '-out', cert]),
      { timeout: 10_000 },
    );
    return createSecureContext({ key: await readFile(key), cert: await readFile(cert) });
  } catch {
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Family = 4 | 6;

/** A TCP server per family on every address of the responder namespace (IPv6: IPv6 only). */
async function listenTcp(
  port: number,
  families: Family[],
  listener: (sock: Socket) => void,
): Promise<Server[]> {
  return Promise.all(
    families.map(
      (family) =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer(listener);
          server.once('error', reject);
          const host = family === 4 ? '0.0.0.0' : '::';
          server.listen({ port, host, ipv6Only: family === 6 }, () => resolve(server));
        }),
    ),
  );
}

/** A UDP socket per family, bound like `listenTcp`'s servers. */
async function bindUdp(port: number, families: Family[], handler: UdpHandler): Promise<UdpSocket[]> {
  return Promise.all(
    families.map(
      (family) =>
        new Promise<UdpSocket>((resolve, reject) => {
          const sock = createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6 });
          sock.once('error', reject);
          sock.on('message', (msg, rinfo) => handler(sock, msg, rinfo));
          sock.bind(port, family === 4 ? '0.0.0.0' : '::', () => {
            sock.removeListener('error', reject);
            sock.on('error', () => undefined);
            resolve(sock);
          });
        }),
    ),
  );
}

async function main(): Promise<void> {
  const raw = process.argv[process.argv.indexOf(CHILD_MARKER) + 1];
  const cfg = JSON.parse(raw ?? 'null') as ChildConfig | null;
  if (!cfg) die('no configuration');
  // Fail closed: never listen, route or rewrite anything in the namespace we were started from.
  const netns = netnsOf('self');
  if (netns === cfg.hostNetns || netns === initNetns()) die('not in a fresh network namespace');

  const [tls, ipv6Off] = await Promise.all([selfSignedContext(), setUpNamespace(cfg)]);
  const families: Family[] = ipv6Off === null ? [4, 6] : [4];
  let emitted = 0;
  let dropped = 0;
  const ctx: CatcherContext = {
    emit(event) {
      if (emitted >= MAX_EVENTS) {
        dropped++;
        return;
      }
      emitted++;
      send({ t: 'event', at: Date.now(), event });
    },
    book: new AddressBook({ v4: cfg.responderIp, v6: cfg.responderIp6 }),
    originals: new OriginalDestinations(),
    tls,
    pending: new Set(),
  };
  let refused = 0;
  const tcp = tcpCatcher(ctx, () => refused++);
  const [servers, sockets] = await Promise.all([
    Promise.all([
      listenTcp(TCP_CATCH_PORT, families, tcp.listener),
      listenTcp(DNS_PORT, families, dnsTcpListener(ctx)),
    ]),
    Promise.all([
      bindUdp(UDP_CATCH_PORT, families, udpCatcher(ctx, UDP_CATCH_PORT)),
      bindUdp(DNS_PORT, families, dnsUdpHandler(ctx)),
    ]),
  ]);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const server of servers.flat()) server.close();
    for (const sock of sockets.flat()) sock.close();
    // Connections still open are recorded now with what they sent so far.
    tcp.destroyAll();
    await new Promise((r) => setImmediate(r));
    await Promise.race([Promise.allSettled([...ctx.pending]), new Promise((r) => setTimeout(r, 1000))]);
    if (dropped > 0)
      send({
        t: 'warn',
        message: `${dropped} network events over the limit of ${MAX_EVENTS} were not recorded`,
      });
    if (refused > 0)
      send({
        t: 'warn',
        message: `${refused} connections over the limit of concurrent connections were refused`,
      });
    send({ t: 'bye' }, () => process.exit(0));
  };
  process.stdin.on('data', (d: Buffer) => {
    if (d.includes('stop')) void stop();
  });
  process.stdin.on('end', () => void stop());
  process.stdin.on('error', () => void stop());
  // The parent gone (a crash, SIGKILL): go too, taking the namespace with us.
  setInterval(() => {
    if (process.ppid !== cfg.ownerPid) void stop();
  }, 500).unref();
  if (ipv6Off !== null)
    send({
      t: 'warn',
      message: `IPv6 is off in the sandbox (${ipv6Off}): AAAA is answered, IPv6 connections fail`,
    });
  send({ t: 'ready', netns, tls: tls !== null, ipv6: ipv6Off === null });
}

main().catch((err: unknown) => die(err instanceof Error ? err.message : String(err)));
