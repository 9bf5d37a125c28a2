/**
 * The strace monitor: `strace -f -p <init pid>` attached from outside the container (after
 * `runc create`, before `runc start`), so the sample cannot see a tracer in its PID namespace
 * and every child is followed. Output goes to a file whose size is capped; when the cap is hit
 * strace is told to detach (SIGINT) and the run goes on untraced, with a warning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeProcess, endChild, sleep, traceSession, tracerPid, type RawMonitor } from './proc.js';

export type { RawMonitor } from './proc.js';
import { StraceParser } from './strace-parse.js';

/** The syscalls the behaviour rules need; see strace-parse.ts for how each is used. */
export const STRACE_SYSCALLS = [
  'execve',
  'execveat',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'exit_group',
  'open',
  'openat',
  'creat',
  'unlink',
  'unlinkat',
  'rename',
  'renameat',
  'renameat2',
  'chmod',
  'fchmod',
  'fchmodat',
  'mkdir',
  'mkdirat',
  'chdir',
  'fchdir',
  'connect',
  'sendto',
  'memfd_create',
  'dup2',
  'dup3',
];

export interface StraceMonitorOptions {
  pid: number;
  workDir: string;
  strace?: string;
  maxTraceBytes?: number;
  maxEvents?: number;
  attachTimeoutMs?: number;
}

const DEFAULT_MAX_TRACE_BYTES = 512 * 1024 * 1024;

export function straceArgs(pid: number, out: string): string[] {
  return [
    '-f',
    '-ttt',
    '-yy',
    '-q',
    // Container processes live in their own pid namespace: translate the pids clone() returns.
    '--decode-pids=pidns',
    '-s',
    '256',
    '-e',
    `trace=${STRACE_SYSCALLS.join(',')}`,
    '-e',
    'signal=none',
  ].concat(['-o', out, '-p', String(pid)]);
}

export async function startStrace(options: StraceMonitorOptions): Promise<RawMonitor> {
  const out = join(options.workDir, 'strace.log');
  const root = describeProcess(options.pid);
  const startEpochMs = Date.now();
  const stderr: string[] = [];
  const child: ChildProcess = spawn(options.strace ?? 'strace', straceArgs(options.pid, out), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.join('').length < 4096) stderr.push(d);
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let failed: Error | null = null;
  void spawnError.then((e) => (failed = e));

  const deadline = Date.now() + (options.attachTimeoutMs ?? 5000);
  while (tracerPid(options.pid) !== child.pid) {
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      await endChild(child, 'SIGKILL', 100);
      const why = failed ? (failed as Error).message : stderr.join('').trim() || 'timed out';
      throw new Error(`strace could not attach to pid ${options.pid}: ${why}`);
    }
    await sleep(5);
  }
  const attachMs = Date.now() - startEpochMs;

  // SIGINT makes strace detach cleanly: tracees keep running, none are left stopped.
  return traceSession({
    out,
    cap: options.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES,
    tracer: child,
    startEpochMs,
    attachMs,
    graceMs: 3000,
    parser: () => new StraceParser({ startEpochMs, root, maxEvents: options.maxEvents }),
    notes: () => {
      const err = stderr.join('').trim();
      return err ? [`strace: ${err.slice(0, 300)}`] : [];
    },
  });
}
