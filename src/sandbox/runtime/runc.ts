/**
 * One container's life under runc, with a private state root. `runc run` rather than
 * `create`/`start`: a detached container's exit status is lost (only a subreaper parent could
 * wait for it), while `runc run` waits and exits with it. The pause between "created" and
 * "started" that the fake internet and the monitors need comes from an OCI createRuntime hook
 * (namespaces and cgroup exist, the entrypoint has not run): it hands us the init pid and waits
 * for our go-ahead on a fifo.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ShipshapeError, printable } from '../../errors.js';
import { handlesOf } from './bundle.js';
import { cgroupDirsFor } from './cleanup.js';
import type { CreatedContainer, PreparedRun, RunOptions, RunResult } from './types.js';

const run = promisify(execFile);
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ON_CREATED_TIMEOUT_MS = 60_000;
const DEFAULT_OUTPUT_BYTES = 64 * 1024;
const POLL_MS = 5;
/** After the kill, how long runc may take to notice and exit. */
const EXIT_GRACE_MS = 10_000;

export async function runPrepared(prepared: PreparedRun, options: RunOptions = {}): Promise<RunResult> {
  const h = handlesOf(prepared);
  if (h.disposed) throw new ShipshapeError('BAD_ARGUMENT', 'the run was disposed');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outputBytes = options.outputBytes ?? DEFAULT_OUTPUT_BYTES;
  const stdout = new TailBuffer(outputBytes);
  const stderr = new TailBuffer(outputBytes);
  // Held open read-write from before the hook can look: opening never blocks, and the go-ahead
  // cannot be lost in the moment between the hook finding its state file and opening the fifo.
  const fifoFd = openSync(h.fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const runcArgs = ['--root', h.stateRoot, '--log', h.logFile, '--log-format', 'json'];
  const child = spawn(
    'nsenter',
    [
      `--mount=/proc/${h.record.holderPid}/ns/mnt`,
      '--',
      'runc',
      ...runcArgs,
      'run',
      '--bundle',
      prepared.bundleDir,
      prepared.id,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    },
  );
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exitInfo = e));

  const kill = async () => {
    await run('runc', [...runcArgs, 'kill', prepared.id, 'KILL'], { timeout: 10_000 }).catch(() => undefined);
  };
  const answer = (word: 'go' | 'abort') => {
    try {
      writeSync(fifoFd, `${word}\n`);
    } catch {
      // The hook is gone already: runc run's exit tells the rest.
    }
  };

  let startedAt: number | undefined;
  let timedOut = false;
  try {
    const created = await waitForCreated(h.createdFile, () => exitInfo !== undefined, options.signal);
    if (created) {
      const container: CreatedContainer = {
        pid: created.pid,
        cgroupPath: prepared.cgroupPath,
        cgroupDirs: cgroupDirsFor(prepared.cgroupPath),
        bundle: prepared.bundleDir,
        id: prepared.id,
      };
      try {
        await withTimeout(
          Promise.resolve(options.onCreated?.(container)),
          options.onCreatedTimeoutMs ?? DEFAULT_ON_CREATED_TIMEOUT_MS,
          'onCreated',
        );
      } catch (err) {
        answer('abort');
        throw err;
      }
      options.signal?.throwIfAborted();
      startedAt = Date.now();
      answer('go');
      timedOut = await waitForExit(exited, timeoutMs, options.signal, kill);
    }
    const end = await exited;
    const durationMs = startedAt === undefined ? 0 : Date.now() - startedAt;
    const runtimeError = runcError(h.logFile);
    const exitCode = runtimeError && startedAt === undefined ? null : exitCodeOf(end);
    return {
      exitCode,
      timedOut,
      durationMs,
      stdout: stdout.text(),
      stderr: stderr.text(),
      outputTruncated: stdout.truncated || stderr.truncated,
      runtimeError,
    };
  } catch (err) {
    answer('abort');
    await kill();
    await Promise.race([exited, delay(EXIT_GRACE_MS)]);
    if (exitInfo === undefined) child.kill('SIGKILL');
    throw err;
  } finally {
    closeSync(fifoFd);
  }
}

/** Resolves with the created container's state, or null when runc exited without creating it. */
async function waitForCreated(
  file: string,
  runcExited: () => boolean,
  signal: AbortSignal | undefined,
): Promise<{ pid: number } | null> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      const state = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown };
      if (typeof state.pid !== 'number' || !Number.isSafeInteger(state.pid) || state.pid <= 1) {
        throw new ShipshapeError('UNSUPPORTED', 'runc gave the hook a state without a pid');
      }
      return { pid: state.pid };
    } catch (err) {
      if (err instanceof ShipshapeError) throw err;
    }
    if (runcExited()) return null;
    await delay(POLL_MS);
  }
}

/** Waits for runc to exit; kills the container at the timeout or on abort. True when it timed out. */
async function waitForExit(
  exited: Promise<unknown>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  kill: () => Promise<void>,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<'timeout' | 'abort'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    onAbort = () => resolve('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([exited.then(() => 'exited' as const), stop]);
    if (first === 'exited') return false;
    await kill();
    if (first === 'abort') throw signal?.reason ?? new Error('aborted');
    return true;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function exitCodeOf(end: { code: number | null; signal: NodeJS.Signals | null }): number | null {
  if (end.code !== null) return end.code;
  return null;
}

/** The last error runc logged (its log is JSON lines), when it failed rather than the container. */
function runcError(logFile: string): string | null {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8').slice(-65_536);
  } catch {
    return null;
  }
  let last: string | null = null;
  for (const line of text.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' || entry.level === 'fatal') last = printable(entry.msg ?? '', 500);
    } catch {
      // A line cut by the slice above.
    }
  }
  return last;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_r, reject) => {
        timer = setTimeout(
          () => reject(new ShipshapeError('TIMEOUT', `${what} took longer than ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the last `limit` bytes of a stream. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    if (all.length <= this.limit) return all.toString('utf8');
    this.truncated = true;
    return all.subarray(all.length - this.limit).toString('utf8');
  }
}
