/**
 * The responder process. The parent starts it with `unshare --net`, so it is born in a fresh
 * network namespace that nothing else holds: the namespace (bridge, veths, NAT rules) lives
 * exactly as long as this process, and a crash of either side leaves nothing behind. It sets the
 * namespace up, serves DNS and the catch-all, and reports events on stdout as JSON lines.
 */
import { execFile } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { tcpCatcher, udpCatcher, type CatcherContext } from './catcher.js';
import { OriginalDestinations } from './conntrack.js';
import { AddressBook } from './dns.js';
import { initNetns, netnsOf } from './netns.js';
import { dnsTcpServer, dnsUdpServer } from './dns-server.js';
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
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(input);
  });
}

/** Addresses, bridge and NAT of the (fresh, empty) namespace this process runs in. */
async function setUpNamespace(cfg: ChildConfig): Promise<void> {
  // No forwarding and no IPv6 at all: with no route and no interface towards the host this is
  // already closed, these make it closed twice.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0');
  for (const scope of ['all', 'default']) writeFileSync(`/proc/sys/net/ipv6/conf/${scope}/disable_ipv6`, '1');
  const bridge = runWithInput(
    'ip',
    ['-batch', '-'],
    [
      'link set lo up',
      `link add ${BRIDGE_NAME} type bridge`,
      `addr add ${cfg.responderIp}/${cfg.prefixLength} dev ${BRIDGE_NAME}`,
      `link set ${BRIDGE_NAME} up`,
      '',
    ].join('\n'),
  );
  const br = `-i ${BRIDGE_NAME}`;
  // Rules name the bridge by name, so they can go in while it is being made.
  const nat = runWithInput(
    'iptables-restore',
    [],
    [
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
    ].join('\n'),
  );
  await Promise.all([bridge, nat]);
  if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '0') die('ip_forward is on');
  // /proc/net/route: destination 00000000 is a default route; there must be none.
  const routes = readFileSync('/proc/self/net/route', 'utf8').split('\n').slice(1);
  if (routes.some((r) => r.split('\t')[1] === '00000000')) die('unexpected default route');
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

/** Listens (TCP) or binds (UDP) on every address of the responder namespace. */
function openOn(endpoint: Server | UdpSocket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    endpoint.once('error', reject);
    if ('listen' in endpoint) endpoint.listen(port, '0.0.0.0', resolve);
    else endpoint.bind(port, '0.0.0.0', resolve);
  });
}

async function main(): Promise<void> {
  const raw = process.argv[process.argv.indexOf(CHILD_MARKER) + 1];
  const cfg = JSON.parse(raw ?? 'null') as ChildConfig | null;
  if (!cfg) die('no configuration');
  // Fail closed: never listen, route or rewrite anything in the namespace we were started from.
  const netns = netnsOf('self');
  if (netns === cfg.hostNetns || netns === initNetns()) die('not in a fresh network namespace');

  const [tls] = await Promise.all([selfSignedContext(), setUpNamespace(cfg)]);
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
    book: new AddressBook(cfg.responderIp),
    originals: new OriginalDestinations(),
    tls,
    pending: new Set(),
  };
  let refused = 0;
  const tcp = tcpCatcher(ctx, () => refused++);
  const dnsTcp = dnsTcpServer(ctx);
  const udp = udpCatcher(ctx, UDP_CATCH_PORT);
  const dnsUdp = dnsUdpServer(ctx);
  await Promise.all([
    openOn(tcp.server, TCP_CATCH_PORT),
    openOn(dnsTcp, DNS_PORT),
    openOn(udp, UDP_CATCH_PORT),
    openOn(dnsUdp, DNS_PORT),
  ]);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    tcp.server.close();
    dnsTcp.close();
    udp.close();
    dnsUdp.close();
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
  send({ t: 'ready', netns, tls: tls !== null });
}

main().catch((err: unknown) => die(err instanceof Error ? err.message : String(err)));
