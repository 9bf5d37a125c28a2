/**
 * What every behaviour rule needs to ask of the observations: which process did this, what is
 * it called, did the image ship this path, what was written during the run. Built once per
 * judgement; pure.
 */
import { posix } from 'node:path';
import { printable } from '../../errors.js';
import type { BehaviorInput, FileEvent, ProcessEvent } from '../types.js';

const MAX_ARGV_TEXT = 4096;

export interface Ctx {
  input: BehaviorInput;
  processes: ProcessEvent[];
  files: FileEvent[];
  /** The process image `pid` was running at `ms`. */
  processAt(pid: number, ms: number): ProcessEvent | undefined;
  /** Every image a pid ran (exec chains keep the pid). */
  imagesOf(pid: number): ProcessEvent[];
  /** Lower-case basenames of argv[0] and the executable, with and without a version suffix. */
  names(p: ProcessEvent | undefined): string[];
  argvText(p: ProcessEvent): string;
  inImage(path: string): boolean;
  /** Paths written (or renamed onto) during the run, with when and by whom they were first made. */
  written: Map<string, { ms: number; pid: number; mode?: number }>;
  decoyFiles: Set<string>;
  /** The pid and its parents, nearest first. */
  ancestors(pid: number, ms: number): ProcessEvent[];
}

export function basenameLower(p: string): string {
  return posix.basename(p.replace(/ \(deleted\)$/, '')).toLowerCase();
}

/** Printable, short evidence. */
export function evidence(s: string, max = 200): string {
  return printable(s, max);
}

/**
 * Merged-/usr images ship `/bin` as a link to `usr/bin`: a program run as /bin/sh is in the
 * image when /usr/bin/sh is, however the orchestrator's lookup treats links.
 */
const MERGED_USR: [RegExp, string][] = [
  [/^\/(bin|sbin|lib|lib32|lib64|libx32)\//, '/usr/$1/'],
  [/^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)\//, '/$1/'],
];

export function makeCtx(input: BehaviorInput): Ctx {
  const processes = [...input.observations.processes].sort((a, b) => a.startMs - b.startMs);
  const byPid = new Map<number, ProcessEvent[]>();
  for (const p of processes) {
    const list = byPid.get(p.pid) ?? [];
    list.push(p);
    byPid.set(p.pid, list);
  }
  const files = [...input.observations.files].sort((a, b) => a.ms - b.ms);
  const written = new Map<string, { ms: number; pid: number; mode?: number }>();
  for (const f of files) {
    const path = f.op === 'rename' ? f.target : f.op === 'write' ? f.path : undefined;
    if (path === undefined || written.has(path)) continue;
    const entry: { ms: number; pid: number; mode?: number } = { ms: f.ms, pid: f.pid };
    if (f.op === 'write' && f.mode !== undefined) entry.mode = f.mode;
    written.set(path, entry);
  }
  const processAt = (pid: number, ms: number): ProcessEvent | undefined => {
    const list = byPid.get(pid);
    if (!list) return undefined;
    let best: ProcessEvent | undefined = list[0];
    for (const p of list) if (p.startMs <= ms) best = p;
    return best;
  };
  const inImage = (path: string): boolean => {
    const safe = (p: string) => {
      try {
        return input.inImage(p);
      } catch {
        return false;
      }
    };
    if (safe(path)) return true;
    return MERGED_USR.some(([from, to]) => from.test(path) && safe(path.replace(from, to)));
  };
  return {
    input,
    processes,
    files,
    processAt,
    imagesOf: (pid) => byPid.get(pid) ?? [],
    names: (p) => {
      if (!p) return [];
      const out = new Set<string>();
      for (const n of [p.argv[0], p.path]) {
        if (!n) continue;
        const base = basenameLower(n);
        out.add(base);
        // python3.11, gcc-12, php8.2: the versioned name is the same tool.
        const bare = base.replace(/[-.]?[0-9][0-9.]*$/, '');
        if (bare && bare !== base) out.add(bare);
      }
      return [...out];
    },
    argvText: (p) => p.argv.join(' ').slice(0, MAX_ARGV_TEXT),
    inImage,
    written,
    decoyFiles: new Set(input.decoys.files.map((f) => posix.normalize(f))),
    ancestors: (pid, ms) => {
      const out: ProcessEvent[] = [];
      let cur = processAt(pid, ms);
      while (cur && out.length < 64 && !out.includes(cur)) {
        out.push(cur);
        cur = cur.ppid && cur.ppid !== cur.pid ? processAt(cur.ppid, ms) : undefined;
      }
      return out;
    },
  };
}

export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

/** `name` is `entry` or a subdomain of it. */
export function hostMatches(host: string, entries: string[]): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const e of entries) if (h === e || h.endsWith(`.${e}`)) return e;
  return null;
}
