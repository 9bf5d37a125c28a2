/** Small, failure-tolerant readers of /proc and of child processes shared by the monitors. */
import { type ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync, readlinkSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Observations } from '../types.js';

export function readText(path: string, max = 1 << 20): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > max ? text.slice(0, max) : text;
  } catch {
    return null;
  }
}

export function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** What the traced process is right now: argv, executable and cwd (as its own root sees them). */
export function describeProcess(pid: number): { pid: number; argv: string[]; path: string; cwd: string } {
  const argv = (readText(`/proc/${pid}/cmdline`, 65536) ?? '')
    .split('\0')
    .filter((a, i, all) => a || i < all.length - 1);
  return { pid, argv, path: readLink(`/proc/${pid}/exe`) ?? '', cwd: readLink(`/proc/${pid}/cwd`) ?? '/' };
}

export function tracerPid(pid: number): number {
  const m = /^TracerPid:\s*(\d+)/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) : 0;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Signals a child we started, waits for it, and escalates to SIGKILL after `graceMs`. */
export async function endChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/**
 * Stops a tracer (SIGINT: it detaches or exits cleanly) once its output file passes `cap` bytes,
 * noting when in `warnings`. Returns the function that ends the watch.
 */
export function capTraceFile(
  out: string,
  cap: number,
  tracer: ChildProcess,
  startEpochMs: number,
  warnings: string[],
): () => void {
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(out).size;
    } catch {
      return;
    }
    if (size > cap && tracer.exitCode === null) {
      warnings.push(`trace file passed ${cap} bytes at ${Date.now() - startEpochMs} ms: stopped tracing`);
      tracer.kill('SIGINT');
    }
  }, 250);
  return () => clearInterval(watch);
}

/** Streams a trace file into a line parser, line by line (the file may be large). */
export async function feedLines(
  path: string,
  sink: { line(s: string): void; warn(s: string): void },
): Promise<void> {
  try {
    const lines = createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) sink.line(line);
  } catch (e) {
    sink.warn(`could not read ${path}: ${(e as Error).message}`);
  }
}

/** A tracer that is attached and writing its trace file. */
export interface RawMonitor {
  /** Epoch ms that the monitor's `ms` values count from. */
  startEpochMs: number;
  attachMs: number;
  stop(): Promise<Observations>;
}

interface TraceParser {
  line(s: string): void;
  warn(s: string): void;
  finish(): Observations;
}

/**
 * The running half shared by both tracers: cap the trace file while it runs; on stop, end the
 * tracer with SIGINT (strace detaches, bpftrace exits) and parse what it wrote.
 */
export function traceSession(o: {
  out: string;
  cap: number;
  tracer: ChildProcess;
  startEpochMs: number;
  attachMs: number;
  graceMs: number;
  parser: () => TraceParser;
  notes?: () => string[];
}): RawMonitor {
  const warnings: string[] = [];
  const unwatch = capTraceFile(o.out, o.cap, o.tracer, o.startEpochMs, warnings);
  return {
    startEpochMs: o.startEpochMs,
    attachMs: o.attachMs,
    async stop() {
      unwatch();
      await endChild(o.tracer, 'SIGINT', o.graceMs);
      const parser = o.parser();
      for (const w of [...warnings, ...(o.notes?.() ?? [])]) parser.warn(w);
      await feedLines(o.out, parser);
      return parser.finish();
    },
  };
}
