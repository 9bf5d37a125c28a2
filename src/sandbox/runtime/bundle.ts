/**
 * Prepares one run: a private work dir, the image unpacked as the overlay's lower dir, and an OCI
 * bundle whose rootfs is an overlay mount. The overlay and the size-capped tmpfs under its upper
 * dir are mounted by a holder process in its own mount namespace (`unshare -m`): the host's mount
 * table never sees them, and they disappear when the holder and the container are gone, however
 * this process ends. The holder also waits on its stdin: when we close it or die, it kills the
 * container before it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShipshapeError } from '../../errors.js';
import type { ImageSource, ResolvedImage } from '../../image/types.js';
import { plantDecoys } from './decoys.js';
import { ociConfig } from './oci-config.js';
import { processSpec } from './process-spec.js';
import { ownRecord, processStartTime, releaseRun, trackRun, updateRun, type RunRecord } from './cleanup.js';
import {
  DEFAULT_ID_MAP,
  DEFAULT_LIMITS,
  type PrepareOptions,
  type PreparedRun,
  type SandboxLimits,
} from './types.js';
import { cachedImage, cachedRootfs } from './image-cache.js';
import { unpackImage } from './unpack.js';

const DEFAULT_RESOLV_CONF = '# shipshape sandbox: no name servers\n';
const DEFAULT_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
const HOLDER_READY_MS = 10_000;
const HOLDER_EXIT_MS = 5_000;
/** The image lives in memory (a tmpfs): metadata-heavy unpacking on disk was 5-10× slower here. */
const DEFAULT_MAX_IMAGE_BYTES = 4 * 1024 ** 3;
const DEFAULT_MAX_IMAGE_ENTRIES = 1_000_000;
const holderOf = new Map<string, Holder>();
/** How long the createRuntime hook waits for the go-ahead; beyond it runc gives up on the container. */
export const HOOK_TIMEOUT_SECONDS = 300;

/**
 * The holder, in its own mount namespace: mounts a tmpfs for the unpacked image (or binds the
 * cached one, see image-cache.ts) and one for the writable layer, and says `lower`; once told `mount`, mounts the writable layer's tmpfs and the overlay and says `ready`;
 * then waits for stdin to close. Afterwards it makes sure the container is gone (the go-ahead
 * fifo is answered `abort` in case runc still waits in the hook) and exits, taking every mount
 * with it.
 */
const HOLDER_SCRIPT = `
set -eu
scratch=$1 merged=$2 lower=$3 size=$4 fifo=$5 state=$6 id=$7 lowersize=$8 lowerinodes=$9 cached=\${10:-}
trap '' INT TERM HUP
mkfifo -m 0600 "$fifo"
[ -n "$cached" ] || mount -t tmpfs -o "size=$lowersize,nr_inodes=$lowerinodes,mode=0711,nosuid,nodev" shipshape-image "$lower"
mount -t tmpfs -o "size=$size,mode=0711,nosuid,nodev" shipshape-scratch "$scratch"
echo lower
read -r next
[ "$next" = mount ]
# The cached image is complete by now (it is unpacked while the holder starts).
[ -z "$cached" ] || mount --bind "$cached" "$lower"
mount -o remount,ro,bind "$lower"
mount -t overlay shipshape-rootfs -o "lowerdir=$lower,upperdir=$scratch/upper,workdir=$scratch/work" "$merged"
echo ready
set +e
read -r _
exec 3<>"$fifo"
echo abort >&3
if [ -d "$state/$id" ]; then
  runc --root "$state" kill "$id" KILL 2>/dev/null
  runc --root "$state" delete -f "$id" 2>/dev/null
fi
exit 0
`;

/**
 * The createRuntime hook: hands the container's state (its init pid) to us through a file, then
 * waits for `go` on the fifo. Anything else, or no answer within the hook's timeout, makes runc
 * fail the run and tear the container down.
 */
const HOOK_SCRIPT = 'cat > "$1.tmp" && mv "$1.tmp" "$1" && read -r answer < "$2" && [ "$answer" = go ]';

/** Internal handles of a prepared run (not part of PreparedRun's public shape). */
export interface RunHandles {
  record: RunRecord;
  holder: ChildProcess;
  holderExited: Promise<void>;
  stateRoot: string;
  fifo: string;
  createdFile: string;
  logFile: string;
  disposed: boolean;
}

const handles = new WeakMap<PreparedRun, RunHandles>();

export function handlesOf(prepared: PreparedRun): RunHandles {
  const h = handles.get(prepared);
  if (!h) throw new ShipshapeError('BAD_ARGUMENT', 'not a run made by prepareRun');
  return h;
}

export function resolveLimits(partial: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ShipshapeError('BAD_ARGUMENT', `sandbox limit ${key} must be a positive number`);
    }
  }
  return limits;
}

export async function prepareRun(
  source: ImageSource,
  image: ResolvedImage,
  options: PrepareOptions = {},
): Promise<PreparedRun> {
  const started = Date.now();
  const limits = resolveLimits(options.limits);
  const idMap = options.idMap ?? DEFAULT_ID_MAP;
  const id = `sbx-${randomBytes(6).toString('hex')}`;
  const workDir = mkdtempSync(join(options.workRoot ?? tmpdir(), 'shipshape-sandbox-'));
  if (!/^[A-Za-z0-9/._-]+$/.test(workDir)) {
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      `sandbox work dir ${workDir} has characters overlay options cannot hold`,
    );
  }
  const stateRoot = join(workDir, 'state');
  const cgroupPath = `/shipshape-${id}`;
  const record = ownRecord({ id, workDir, stateRoot, cgroupPath });
  trackRun(record);
  try {
    // The container's root (an unprivileged host uid) must reach the rootfs through these.
    chmodSync(workDir, 0o711);
    const lower = join(workDir, 'lower');
    const bundleDir = join(workDir, 'bundle');
    const merged = join(bundleDir, 'rootfs');
    const scratch = join(workDir, 'scratch');
    mkdirSync(bundleDir, { mode: 0o711 });
    chmodSync(bundleDir, 0o711);
    mkdirSync(merged, { mode: 0o755 });
    mkdirSync(scratch, { mode: 0o700 });
    mkdirSync(lower, { mode: 0o700 });
    mkdirSync(stateRoot, { mode: 0o700 });
    const fifo = join(workDir, 'go.fifo');

    const maxBytes = options.budgets?.maxTotalBytes ?? DEFAULT_MAX_IMAGE_BYTES;
    const maxEntries = options.budgets?.maxTotalEntries ?? DEFAULT_MAX_IMAGE_ENTRIES;
    const unpackOptions = {
      budgets: { ...options.budgets, maxTotalBytes: maxBytes, maxTotalEntries: maxEntries },
      idMap,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    // The holder starts while a cacheable image is unpacked into the cache; it binds it at `mount`.
    const cacheAt = options.imageCache === false ? undefined : cachedRootfs(image, idMap, options.imageCache);
    const caching = cacheAt
      ? cachedImage(source, image, idMap, unpackOptions, options.imageCache || {})
      : Promise.resolve(undefined);
    // Settled below; a failure meanwhile must not go unhandled.
    caching.catch(() => undefined);
    const holder = startHolder([
      scratch,
      merged,
      lower,
      String(limits.writableBytes),
      fifo,
      stateRoot,
      id,
      // Room for directories and small-file rounding on top of the content budget.
      String(Math.ceil(maxBytes * 1.25) + maxEntries * 1024),
      String(maxEntries + 1024),
      cacheAt ?? '',
    ]);
    record.holderPid = holder.child.pid;
    record.holderStart = processStartTime(holder.child.pid ?? 0) ?? '';
    updateRun(record);
    holderOf.set(id, holder);
    await holder.waitFor('lower');
    const cached = await caching;
    if (cacheAt && cached?.rootfs !== cacheAt) {
      throw new ShipshapeError('UNSUPPORTED', `the sandbox image cache did not give ${cacheAt}`);
    }
    // The image's tmpfs exists only in the holder's mount namespace; we reach it through its root.
    const inHolder = (path: string) => `/proc/${holder.child.pid}/root${path}`;
    // A cached image is bound at `lower` only once the holder mounts the overlay.
    const lowerView = cached ? cached.rootfs : inHolder(lower);
    // Every spawned command costs: the upper and work dirs are made from here, not by the holder.
    const upperView = inHolder(`${scratch}/upper`);
    mkdirSync(upperView, { mode: 0o755 });
    chownSync(upperView, idMap.hostUid, idMap.hostGid);
    mkdirSync(inHolder(`${scratch}/work`), { mode: 0o700 });
    const unpacked = cached?.unpacked ?? (await unpackImage(source, image, lowerView, unpackOptions));
    const hostname = options.hostname ?? randomBytes(6).toString('hex');
    const proc = processSpec(lowerView, image.config, {
      ...(options.entrypoint ? { entrypoint: options.entrypoint } : {}),
      ...(options.cmd ? { cmd: options.cmd } : {}),
      ...(options.decoyEnv ? { decoyEnv: options.decoyEnv } : {}),
      hostname,
    });
    const resolvConfFile = join(bundleDir, 'resolv.conf');
    const hostsFile = join(bundleDir, 'hosts');
    writeFileSync(resolvConfFile, options.resolvConf ?? DEFAULT_RESOLV_CONF, { mode: 0o644 });
    writeFileSync(hostsFile, options.hosts ?? DEFAULT_HOSTS, { mode: 0o644 });
    const createdFile = join(workDir, 'created.json');
    const config = ociConfig({
      process: proc,
      rootfs: merged,
      hostname,
      limits,
      idMap,
      cgroupPath,
      resolvConfFile,
      hostsFile,
      createdHook: {
        path: '/bin/sh',
        args: ['sh', '-c', HOOK_SCRIPT, 'shipshape-hook', createdFile, fifo],
        timeoutSeconds: HOOK_TIMEOUT_SECONDS,
      },
    });
    writeFileSync(join(bundleDir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o644 });
    holder.child.stdin!.write('mount\n');
    await holder.waitFor('ready');
    // Through the mounted overlay, before the container exists: the decoys land in the writable layer.
    const decoys = plantDecoys(inHolder(merged), proc, options.decoyFiles ?? [], idMap);
    const prepared: PreparedRun = {
      id,
      workDir,
      bundleDir,
      // The read-only view in the holder's namespace (a cached image's own directory is writable).
      rootfsLower: inHolder(lower),
      upperDir: upperView,
      config,
      process: proc,
      cgroupPath,
      decoys: decoys.planted,
      warnings: [...unpacked.warnings, ...decoys.warnings],
      prepareMs: Date.now() - started,
      imageCache: cached ? (cached.hit ? 'hit' : 'stored') : 'off',
    };
    handles.set(prepared, {
      record,
      holder: holder.child,
      holderExited: holder.exited,
      stateRoot,
      fifo,
      createdFile,
      logFile: join(workDir, 'runc.log'),
      disposed: false,
    });
    return prepared;
  } catch (err) {
    const holder = holderOf.get(id);
    if (holder) {
      holder.child.stdin?.end();
      await Promise.race([holder.exited, delay(HOLDER_EXIT_MS)]);
    }
    releaseRun(id);
    throw err;
  } finally {
    holderOf.delete(id);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

interface Holder {
  child: ChildProcess;
  exited: Promise<void>;
  /** Resolves once the holder printed `word`; rejects when it exits or stalls first. */
  waitFor(word: string): Promise<void>;
  stderr(): string;
}

function startHolder(args: string[]): Holder {
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOLDER_SCRIPT, 'shipshape-holder', ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  let closed = false;
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  child.once('error', () => undefined);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  // A closed pipe when it exits on its own must not become an uncaught EPIPE here.
  child.stdin!.on('error', () => undefined);
  const said: string[] = [];
  const waiters: (() => void)[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    said.push(...lines.map((l) => l.trim()));
    for (const wake of waiters.splice(0)) wake();
  });
  void exited.then(() => {
    for (const wake of waiters.splice(0)) wake();
  });
  const waitFor = async (word: string): Promise<void> => {
    const deadline = Date.now() + HOLDER_READY_MS;
    while (!said.includes(word)) {
      if (closed || Date.now() > deadline) {
        throw new ShipshapeError(
          'UNSUPPORTED',
          `could not mount the sandbox's file systems (${stderr.trim().split('\n').pop() || 'unshare failed'}); run \`shipshape doctor\``,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { child, exited, waitFor, stderr: () => stderr };
}

/** Stops the holder (its mount namespace goes with it) and removes everything of the run. */
export async function dispose(prepared: PreparedRun): Promise<string[]> {
  const h = handlesOf(prepared);
  if (h.disposed) return [];
  h.disposed = true;
  h.holder.stdin?.end();
  await Promise.race([h.holderExited, delay(HOLDER_EXIT_MS)]);
  return releaseRun(prepared.id);
}
