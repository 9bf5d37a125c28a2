/**
 * One sandbox run: the image unpacked under runc (src/sandbox/runtime), its network namespace
 * wired to a fake internet (src/sandbox/fakenet) and its processes watched (src/sandbox/monitor)
 * from the moment the container exists until it ends or its time is up; then the behaviour rules
 * (src/sandbox/rules) judge what was seen. Everything the run made is removed, whatever happens.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInTree } from '../analyze/config/resolve.js';
import type { PlacedFile } from '../facts/types.js';
import type { ImageSource, ResolvedImage } from '../image/types.js';
import {
  cleanupStaleFakenets,
  fakeHosts,
  fakeResolvConf,
  startFakeInternet,
  type FakeInternet,
} from './fakenet/index.js';
import { startMonitor, type Monitor } from './monitor/index.js';
import { judgeBehavior } from './rules/index.js';
import {
  cleanupStaleRuns,
  collectChanges,
  dispose,
  prepareRun,
  runPrepared,
  type PreparedRun,
  type SandboxLimits,
} from './runtime/index.js';
import { decoyEnv, decoyFiles, decoyPaths, decoySecrets, withoutDecoys } from './runtime/decoys.js';
import type { BehaviorReport, Observations } from './types.js';

export interface SandboxOptions {
  /** Observation window. Default 30 s. */
  timeoutMs?: number;
  limits?: Partial<SandboxLimits>;
  monitor?: 'bpftrace' | 'strace';
  signal?: AbortSignal;
  /** Parent of the run's private work dir. Default the OS temp dir. */
  workRoot?: string;
}

const MAX_REPORTED_PROCESSES = 500;
const MAX_REPORTED_FILES = 2000;

/** Does a container path exist in the image? (Symlinks such as Debian's `/bin` are followed.) */
export function imagePathTest(tree: ReadonlyMap<string, PlacedFile>): (path: string) => boolean {
  return (path: string) => {
    const rel = path.replace(/^\/+/, '');
    if (rel === '') return true;
    if (tree.has(rel)) return true;
    return resolveInTree(tree, `/${rel}`) !== null;
  };
}

function emptyObservations(warning: string): Observations {
  return {
    monitor: 'strace',
    processes: [],
    files: [],
    connects: [],
    memfds: [],
    stdioSockets: [],
    cpu: [],
    warnings: [warning],
  };
}

export async function runSandbox(
  source: ImageSource,
  image: ResolvedImage,
  tree: ReadonlyMap<string, PlacedFile>,
  options: SandboxOptions = {},
): Promise<BehaviorReport> {
  const warnings: string[] = [];
  // What a crashed earlier run left behind goes first, so runs never pile up.
  const stale = cleanupStaleRuns();
  if (stale.problems.length) warnings.push(...stale.problems.map((p) => `stale run cleanup: ${p}`));
  cleanupStaleFakenets();

  const workDir = await mkdtemp(join(options.workRoot ?? tmpdir(), 'shipshape-sandbox-'));
  // The container's root is an unprivileged host uid: it must be able to pass through (not list).
  await chmod(workDir, 0o711);
  const decoys = decoyEnv();
  let fakenet: FakeInternet | null = null;
  let prepared: PreparedRun | null = null;
  let monitor: Monitor | null = null;
  try {
    // The fake internet boots while the image unpacks: neither needs the other until attach.
    const starting = startFakeInternet({ workDir, ...(options.signal ? { signal: options.signal } : {}) });
    const preparing = prepareRun(source, image, {
      workRoot: workDir,
      decoyEnv: decoys,
      decoyFiles: decoyFiles(),
      resolvConf: fakeResolvConf(),
      hosts: fakeHosts(),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const [net, prep] = await Promise.allSettled([starting, preparing]);
    if (net.status === 'fulfilled') fakenet = net.value;
    if (prep.status === 'fulfilled') prepared = prep.value;
    if (net.status === 'rejected') throw net.reason;
    if (prep.status === 'rejected') throw prep.reason;
    if (!fakenet || !prepared) throw new Error('sandbox set-up did not finish');
    warnings.push(...prepared.warnings);
    const fake = fakenet;
    const run = await runPrepared(prepared, {
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
      onCreated: async (created) => {
        await mkdir(join(workDir, 'monitor'), { recursive: true, mode: 0o700 });
        // The container is paused until this returns: plumbing its network and attaching the
        // tracer are independent, so both happen at once.
        const [attached, started] = await Promise.allSettled([
          fake.attach(created.pid),
          startMonitor({
            pid: created.pid,
            cgroupPath: created.cgroupPath,
            workDir: join(workDir, 'monitor'),
            // strace attaches in tens of ms, bpftrace in seconds here: the default keeps a run's
            // overhead low; bpftrace is there for samples that behave differently when traced.
            prefer: options.monitor ?? 'strace',
          }),
        ]);
        // A started monitor is kept even when the network failed, so the finally block stops it.
        if (started.status === 'fulfilled') monitor = started.value;
        if (attached.status === 'rejected') throw attached.reason;
        if (started.status === 'rejected') throw started.reason;
        started.value.markStart();
      },
    });
    // The container has ended: the tracer, the responder and the walk of the writable layer are
    // independent, so they wind down together.
    const [observations, , changes] = await Promise.all([
      monitor ? (monitor as Monitor).stop() : emptyObservations('the monitor did not start'),
      fakenet.stop(),
      collectChanges(prepared.upperDir),
    ]);
    const network = fakenet.events();
    warnings.push(...fakenet.warnings(), ...observations.warnings, ...changes.warnings);
    if (run.runtimeError) warnings.push(`runtime: ${run.runtimeError}`);
    const inImage = imagePathTest(tree);
    const files = observations.files.map((f) => ({ ...f, inImage: inImage(f.path) }));
    const dropped = withoutDecoys(changes.dropped, prepared.decoys);
    const planted = decoyPaths(prepared.decoys);
    const findings = judgeBehavior(
      {
        observations: { ...observations, files },
        network,
        dropped,
        inImage,
        decoys: { env: decoys, files: planted, fileSecrets: decoySecrets(prepared.decoys) },
        durationMs: run.durationMs,
      },
      { cpuLimitPercent: Math.round((options.limits?.cpus ?? 1) * 100) },
    );
    if (observations.processes.length > MAX_REPORTED_PROCESSES)
      warnings.push(
        `${observations.processes.length} processes seen; the first ${MAX_REPORTED_PROCESSES} are listed`,
      );
    if (files.length > MAX_REPORTED_FILES)
      warnings.push(`${files.length} file events seen; the first ${MAX_REPORTED_FILES} are listed`);
    return {
      ran: run.exitCode !== null || run.timedOut,
      durationMs: run.durationMs,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      processes: observations.processes.slice(0, MAX_REPORTED_PROCESSES),
      network,
      files: files.slice(0, MAX_REPORTED_FILES),
      findings,
      dropped,
      monitor: observations.monitor,
      decoys: { env: Object.keys(decoys), files: planted },
      warnings,
    };
  } finally {
    const m = monitor as Monitor | null;
    if (m) await m.stop().catch(() => undefined);
    if (fakenet) await fakenet.stop().catch(() => undefined);
    if (prepared) {
      const problems = await dispose(prepared).catch((e: unknown) => [String(e)]);
      if (problems.length) warnings.push(...problems.map((p) => `cleanup: ${p}`));
    }
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
