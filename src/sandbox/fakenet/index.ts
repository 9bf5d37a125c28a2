/**
 * The sandbox's fake internet. `startFakeInternet` starts a responder process in a network
 * namespace of its own (see child.ts): a bridge, DNS that resolves every name, and catch-all
 * TCP/UDP listeners that answer and record whatever a container sends over IPv4 or IPv6, with no
 * route, no forwarding and no interface towards the host. `attach(pid)` gives a container (after
 * `runc create`, before `runc start`) an eth0 on that bridge and default routes to it.
 *
 * Why a process-held namespace rather than a file-backed one: the namespace dies with the
 * responder process, and the responder dies with us (stdin closes, parent pid changes), so a
 * crash leaves no mount, no bridge and no veth behind, and nothing is named in the host
 * namespace, so concurrent runs cannot collide (each has the same 172.17.0.0/16 and
 * fd17:ac11::/64, privately).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NetworkEvent } from '../types.js';
import { closeQuietly, initNetns, ipBatchIn, markedProcesses, netnsOf, openNetns } from './netns.js';
import {
  BRIDGE_NAME,
  CHILD_MARKER,
  VETH_PREFIX,
  type ChildConfig,
  type ChildEvent,
  type ChildMessage,
} from './protocol.js';

export interface FakeInternetOptions {
  /** Where resolv.conf and hosts are written (a fresh `fakenet-*` folder inside it). */
  workDir: string;
  /** Aborting stops the fake internet (or the start). */
  signal?: AbortSignal;
}

export interface FakeInternet {
  /** The responder's address: gateway, DNS server, and the fallback answer. */
  readonly responderIp: string;
  /** Its IPv6 address (the IPv6 gateway), or null when IPv6 is off in the sandbox. */
  readonly responderIp6: string | null;
  /** `nameserver <responderIp>`: mount read-only over the container's /etc/resolv.conf. */
  readonly resolvConfPath: string;
  /** A Docker-like /etc/hosts (localhost only): mount read-only over /etc/hosts. */
  readonly hostsPath: string;
  /** Gives the container whose init is `pid` an eth0 on the fake internet. */
  attach(pid: number): Promise<void>;
  /** Everything recorded so far; `ms` counts from the first attach. Complete after stop(). */
  events(): NetworkEvent[];
  /** Limits hit and other things the report should mention. */
  warnings(): string[];
  /** Ends the responder; its namespace, bridge and veths go with it. Idempotent. */
  stop(): Promise<void>;
}

const SUBNET_PREFIX = '172.17.0.';
const PREFIX_LENGTH = 16;
const RESPONDER_IP = `${SUBNET_PREFIX}1`;
/** A unique local (ULA) subnet, private to each run's namespaces like 172.17.0.0/16 (ac11 = 172.17). */
const SUBNET6_PREFIX = 'fd17:ac11::';
const PREFIX6_LENGTH = 64;
const RESPONDER_IP6 = `${SUBNET6_PREFIX}1`;
const FIRST_HOST = 2;
const LAST_HOST = 254;
const MAX_EVENTS = 10_000;
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3000;
const KINDS = new Set<NetworkEvent['kind']>(['dns', 'tcp', 'udp', 'http', 'tls']);

/**
 * The files a container gets, known before the responder starts: the orchestrator prepares the
 * container's bundle while the fake internet boots (each takes about a second).
 */
export function fakeResolvConf(): string {
  return `nameserver ${RESPONDER_IP}\n`;
}

export function fakeHosts(): string {
  return HOSTS;
}

const HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
  '',
].join('\n');

/** Responder processes of this process, killed on exit whatever else happens. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function childCommand(cfg: ChildConfig): string[] {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const entry = join(dirname(here), `child${ext}`);
  // Under tsx (tests, dev) the child needs the same loader; the built package runs .js.
  const loader = ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];
  return ['--net', '--', process.execPath, ...loader, entry, CHILD_MARKER, JSON.stringify(cfg)];
}

function clampString(v: unknown, max: number): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

/** The child's event, checked field by field (it parsed hostile input; trust its shape only). */
function toEvent(e: ChildEvent, ms: number): NetworkEvent | null {
  if (!KINDS.has(e.kind)) return null;
  const port = typeof e.port === 'number' && Number.isInteger(e.port) ? e.port : null;
  const event: NetworkEvent = {
    kind: e.kind,
    host: clampString(e.host, 1024),
    ip: clampString(e.ip, 64),
    port,
    firstBytes: clampString(e.firstBytes, 512) ?? '',
    ms,
  };
  const detail = clampString(e.detail, 4096);
  if (detail !== null) event.detail = detail;
  return event;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startFakeInternet(options: FakeInternetOptions): Promise<FakeInternet> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (process.getuid?.() !== 0) throw new Error('the fake internet needs root (network namespaces)');
  installExitHook();

  mkdirSync(options.workDir, { recursive: true });
  const dir = mkdtempSync(join(options.workDir, 'fakenet-'));
  const resolvConfPath = join(dir, 'resolv.conf');
  const hostsPath = join(dir, 'hosts');
  writeFileSync(resolvConfPath, fakeResolvConf(), { mode: 0o644 });
  writeFileSync(hostsPath, HOSTS, { mode: 0o644 });

  const hostNetns = netnsOf('self');
  const cfg: ChildConfig = {
    responderIp: RESPONDER_IP,
    prefixLength: PREFIX_LENGTH,
    responderIp6: RESPONDER_IP6,
    prefixLength6: PREFIX6_LENGTH,
    hostNetns,
    ownerPid: process.pid,
  };
  const startedAt = Date.now();
  const child = spawn('unshare', childCommand(cfg), { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.stdin.on('error', () => undefined);

  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4096);
  });

  const raw: { at: number; event: ChildEvent }[] = [];
  const warnings: string[] = [];
  let overflow = 0;
  let origin: number | null = null;
  let bye: () => void = () => undefined;
  const byeSeen = new Promise<void>((resolve) => (bye = resolve));

  const ready = new Promise<{ netns: string; tls: boolean; ipv6: boolean }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('fake internet: responder not ready in time')),
      READY_TIMEOUT_MS,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`fake internet: ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code, sig) => fail(`responder exited (${code ?? sig})`));
    signal?.addEventListener('abort', () => fail('aborted'), { once: true });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: ChildMessage;
      try {
        msg = JSON.parse(line) as ChildMessage;
      } catch {
        return;
      }
      if (msg.t === 'ready') {
        clearTimeout(timer);
        resolve({ netns: msg.netns, tls: msg.tls, ipv6: msg.ipv6 === true });
      } else if (msg.t === 'event') {
        if (raw.length < MAX_EVENTS) raw.push({ at: msg.at, event: msg.event });
        else overflow++;
      } else if (msg.t === 'warn') {
        if (warnings.length < 100) warnings.push(String(msg.message).slice(0, 500));
      } else if (msg.t === 'bye') {
        bye();
      }
    });
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end('stop\n');
        await Promise.race([byeSeen, waitExit(child, STOP_TIMEOUT_MS)]);
        if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
          child.kill('SIGKILL');
          await waitExit(child, STOP_TIMEOUT_MS);
        }
      }
      live.delete(child);
    })();
    return stopping;
  };

  let info: { netns: string; tls: boolean; ipv6: boolean };
  try {
    info = await ready;
    if (child.pid === undefined) throw new Error('fake internet: no responder pid');
    // Fail closed: the responder must be in a namespace of its own, the one it says it is in.
    const actual = netnsOf(child.pid);
    if (actual !== info.netns || actual === hostNetns)
      throw new Error(`fake internet: responder in ${actual}, expected ${info.netns}`);
  } catch (err) {
    child.kill('SIGKILL');
    await waitExit(child, STOP_TIMEOUT_MS);
    live.delete(child);
    throw err;
  }
  child.on('exit', (code, sig) => {
    if (!stopping) warnings.push(`the fake internet's responder exited unexpectedly (${code ?? sig})`);
  });
  if (!info.tls) warnings.push('openssl unavailable: TLS is recorded (SNI) but not completed');
  signal?.addEventListener('abort', () => void stop(), { once: true });
  const responderPid = child.pid;
  const responderNetns = info.netns;
  let nextHost = FIRST_HOST;
  const attached = new Set<string>();

  const attach = async (pid: number): Promise<void> => {
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`fake internet: bad pid ${pid}`);
    if (stopping) throw new Error('fake internet: stopped');
    if (nextHost > LAST_HOST) throw new Error('fake internet: no addresses left');
    const container = openNetns(pid);
    let responder: { fd: number; name: string } | null = null;
    try {
      if (
        container.name === hostNetns ||
        container.name === initNetns() ||
        container.name === responderNetns
      ) {
        throw new Error(
          `fake internet: pid ${pid} is not in a network namespace of its own (${container.name})`,
        );
      }
      if (attached.has(container.name))
        throw new Error(`fake internet: ${container.name} is already attached`);
      responder = openNetns(responderPid);
      if (responder.name !== responderNetns) throw new Error('fake internet: the responder is gone');
      const n = nextHost++;
      const responderFd = responder.fd;
      await plumbVeth(responderFd, container.fd, n, info.ipv6).catch(async (err: unknown) => {
        if (!info.ipv6) throw err;
        const why = err instanceof Error ? err.message : String(err);
        warnings.push(`IPv6 could not be set up in the container, it has IPv4 only: ${why}`);
        await plumbVeth(responderFd, container.fd, n, false);
      });
      attached.add(container.name);
      origin ??= Date.now();
    } finally {
      closeQuietly(container.fd);
      if (responder) closeQuietly(responder.fd);
    }
  };

  return {
    responderIp: RESPONDER_IP,
    responderIp6: info.ipv6 ? RESPONDER_IP6 : null,
    resolvConfPath,
    hostsPath,
    attach,
    events() {
      const base = origin ?? startedAt;
      return raw.flatMap(({ at, event }) => toEvent(event, Math.max(0, at - base)) ?? []);
    },
    warnings() {
      const extra =
        overflow > 0 ? [`${overflow} network events over the limit of ${MAX_EVENTS} were not kept`] : [];
      return [...warnings, ...extra];
    },
    stop,
  };
}

/**
 * A veth from the responder's bridge into the container's namespace as `eth0`, host number `n`
 * on both subnets, with default routes to the responder; undone (the veth pair deleted, with
 * everything on it) when any step fails.
 */
async function plumbVeth(responderFd: number, containerFd: number, n: number, ipv6: boolean): Promise<void> {
  const veth = `${VETH_PREFIX}${n}`;
  await ipBatchIn(
    responderFd,
    [
      `link add ${veth} type veth peer name eth0 netns /proc/self/fd/4`,
      `link set ${veth} master ${BRIDGE_NAME}`,
      `link set ${veth} up`,
    ],
    containerFd,
  );
  try {
    await ipBatchIn(containerFd, [
      'link set lo up',
      // Docker's MAC scheme for its default bridge, so the container looks like any other.
      `link set eth0 address 02:42:ac:11:00:${n.toString(16).padStart(2, '0')}`,
      `addr add ${SUBNET_PREFIX}${n}/${PREFIX_LENGTH} dev eth0`,
      ...(ipv6 ? [`addr add ${SUBNET6_PREFIX}${n.toString(16)}/${PREFIX6_LENGTH} dev eth0 nodad`] : []),
      'link set eth0 up',
      `route add default via ${RESPONDER_IP}`,
      ...(ipv6 ? [`route add ::/0 via ${RESPONDER_IP6}`] : []),
    ]);
  } catch (err) {
    await ipBatchIn(responderFd, [`link del ${veth}`]).catch(() => undefined);
    throw err;
  }
}

/**
 * Ends responder processes a crashed run left (their owner is gone). They normally notice within
 * half a second and exit by themselves, taking their namespace along; this is for the rest.
 */
export function cleanupStaleFakenets(): { killed: number[] } {
  const killed: number[] = [];
  for (const p of markedProcesses(CHILD_MARKER)) {
    if (p.ownerPid !== null && p.ppid === p.ownerPid) continue; // still owned by a live run
    try {
      process.kill(p.pid, 'SIGKILL');
      killed.push(p.pid);
    } catch {
      // gone meanwhile
    }
  }
  return { killed };
}
