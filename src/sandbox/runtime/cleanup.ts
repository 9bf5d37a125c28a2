/**
 * Guaranteed cleanup of sandbox runs. What a run leaves on the host: runc state and processes,
 * cgroup directories, a mount-namespace holder process (the overlay and its tmpfs live only in
 * that namespace, so they vanish with it and never appear in the host's mount table) and the
 * work dir. Each run is recorded in a small JSON file under a fixed directory, with our pid and
 * its start time; a later process removes what a crashed one left (`cleanupStaleRuns`).
 * Every step here is synchronous so it can run from a signal or 'exit' handler.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { readMounts } from '../mountinfo.js';

/** Where live runs are recorded (root-only, cleared at boot when /run is a tmpfs). */
export function registryDir(): string {
  return process.env.SHIPSHAPE_SANDBOX_RUNS || '/run/shipshape-sandbox';
}

export interface RunRecord {
  id: string;
  ownerPid: number;
  /** Start time of the owner (clock ticks since boot): pids wrap, this does not repeat. */
  ownerStart: string;
  workDir: string;
  stateRoot: string;
  cgroupPath: string;
  holderPid?: number;
  holderStart?: string;
  createdAt: string;
}

const RUNC = 'runc';
const ID_PATTERN = /^[a-z0-9-]{1,64}$/;

/** Field 22 of /proc/PID/stat, or null when the process is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); a zombie has finished already.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number | undefined, start: string | undefined): boolean {
  return pid !== undefined && start !== undefined && processStartTime(pid) === start;
}

export function writeRecord(record: RunRecord): void {
  mkdirSync(registryDir(), { recursive: true, mode: 0o700 });
  const file = join(registryDir(), `${record.id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  // Renamed into place: a crash never leaves a half-written record that cleanupStaleRuns cannot read.
  renameSync(`${file}.tmp`, file);
}

function removeRecord(id: string): void {
  rmSync(join(registryDir(), `${id}.json`), { force: true });
}

/** Mount points of the cgroup hierarchies: v1 by controller name, v2 as 'unified'. */
export function cgroupHierarchies(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readMounts()) {
    if (m.type === 'cgroup2') out.unified = m.point;
    if (m.type !== 'cgroup') continue;
    for (const opt of m.options.split(',')) {
      if (['rw', 'ro'].includes(opt) || opt.startsWith('release_agent') || opt === 'clone_children') continue;
      out[opt.startsWith('name=') ? opt.slice(5) : opt] = m.point;
    }
  }
  return out;
}

export function cgroupDirsFor(cgroupPath: string): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const [controller, mountPoint] of Object.entries(cgroupHierarchies())) {
    dirs[controller] = join(mountPoint, cgroupPath);
  }
  return dirs;
}

/** Mount points at or below `dir` in our mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readMounts()
    .map((m) => m.point)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function quiet(action: () => void): void {
  try {
    action();
  } catch {
    // Best effort: each step is checked by the ones after it.
  }
}

function runc(stateRoot: string, args: string[]): void {
  execFileSync(RUNC, ['--root', stateRoot, ...args], { stdio: 'ignore', timeout: 10_000 });
}

/** SIGKILLs every process left in the run's cgroups, then removes the cgroup directories. */
export function removeCgroups(cgroupPath: string): string[] {
  const problems: string[] = [];
  if (!/^\/shipshape-[a-z0-9-]+$/.test(cgroupPath)) return [`refusing to touch cgroup ${cgroupPath}`];
  const dirs = Object.values(cgroupDirsFor(cgroupPath)).filter((d) => existsSync(d));
  for (let round = 0; round < 50; round++) {
    let left = 0;
    for (const dir of dirs) {
      let procs: string[] = [];
      quiet(() => {
        procs = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      });
      for (const pid of procs) quiet(() => process.kill(Number(pid), 'SIGKILL'));
      left += procs.length;
    }
    if (left === 0) break;
    sleepSync(20);
  }
  for (const dir of dirs) {
    let removed = false;
    for (let attempt = 0; attempt < 50 && !removed; attempt++) {
      try {
        rmdirSync(dir);
        removed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') removed = true;
        else sleepSync(20);
      }
    }
    if (!removed) problems.push(`could not remove cgroup ${dir}`);
  }
  return problems;
}

/** Removes everything a run made. Returns what could not be removed (empty when all went). */
export function cleanupRun(record: RunRecord): string[] {
  const problems: string[] = [];
  if (!ID_PATTERN.test(record.id)) return [`refusing to clean a run with id ${record.id}`];
  if (existsSync(join(record.stateRoot, record.id))) {
    quiet(() => runc(record.stateRoot, ['kill', record.id, 'KILL']));
    quiet(() => runc(record.stateRoot, ['delete', '-f', record.id]));
  }
  problems.push(...removeCgroups(record.cgroupPath));
  if (record.holderPid !== undefined && isAlive(record.holderPid, record.holderStart)) {
    quiet(() => process.kill(record.holderPid!, 'SIGKILL'));
    for (let i = 0; i < 100 && isAlive(record.holderPid, record.holderStart); i++) sleepSync(10);
  }
  // Mounts of older layouts or a holder that could not make its own namespace: never rm through one.
  for (const mountPoint of mountsUnder(record.workDir)) {
    quiet(() => execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' }));
  }
  const stillMounted = mountsUnder(record.workDir);
  if (stillMounted.length > 0) {
    problems.push(`still mounted, work dir kept: ${stillMounted.join(', ')}`);
  } else {
    try {
      rmSync(record.workDir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      problems.push(`could not remove ${record.workDir}: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0) removeRecord(record.id);
  return problems;
}

export interface StaleCleanup {
  cleaned: string[];
  problems: string[];
}

/** Cleans the runs whose owning process is gone (crashed, SIGKILLed, the machine rebooted). */
export function cleanupStaleRuns(): StaleCleanup {
  const result: StaleCleanup = { cleaned: [], problems: [] };
  let names: string[] = [];
  try {
    names = readdirSync(registryDir());
  } catch {
    return result;
  }
  for (const name of names) {
    const file = join(registryDir(), name);
    if (name.endsWith('.tmp')) {
      quiet(() => unlinkSync(file));
      continue;
    }
    if (!name.endsWith('.json')) continue;
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    } catch {
      result.problems.push(`unreadable run record ${file}`);
      continue;
    }
    if (isAlive(record.ownerPid, record.ownerStart)) continue;
    const problems = cleanupRun(record);
    if (problems.length === 0) result.cleaned.push(record.id);
    else result.problems.push(...problems.map((p) => `${record.id}: ${p}`));
  }
  return result;
}

/** Runs of this process not yet disposed, cleaned on SIGINT/SIGTERM/exit. */
const liveRuns = new Map<string, RunRecord>();
let handlersInstalled = false;

export function trackRun(record: RunRecord): void {
  liveRuns.set(record.id, record);
  writeRecord(record);
  installHandlers();
}

export function updateRun(record: RunRecord): void {
  if (!liveRuns.has(record.id)) return;
  liveRuns.set(record.id, record);
  writeRecord(record);
}

export function releaseRun(id: string): string[] {
  const record = liveRuns.get(id);
  if (!record) return [];
  liveRuns.delete(id);
  return cleanupRun(record);
}

function cleanupAll(): void {
  for (const id of [...liveRuns.keys()]) quiet(() => releaseRun(id));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      cleanupAll();
      // When nobody else handles the signal, die of it as we would have without this handler.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

export function ownRecord(fields: Omit<RunRecord, 'ownerPid' | 'ownerStart' | 'createdAt'>): RunRecord {
  return {
    ...fields,
    ownerPid: process.pid,
    ownerStart: processStartTime(process.pid) ?? '',
    createdAt: new Date().toISOString(),
  };
}
