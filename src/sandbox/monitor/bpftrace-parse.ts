/**
 * Parser for the output of bpftrace-script.ts. Lines from different CPUs arrive slightly out of
 * order, so records are collected, paired (EXEC+EXE, RENAME+RENAMETO, ARGV before EXEC) and
 * sorted by their kernel timestamp before they reach the builder. Lines without the run's token
 * are continuations of a string that contained a newline (argv, a memfd name) and are glued
 * back onto the line before; they can never start a record of their own.
 */
import { ObservationBuilder, type BuilderOptions } from './builder.js';
import type { Observations } from '../types.js';

export interface BpftraceParseOptions extends Omit<BuilderOptions, 'monitor'> {
  token: string;
  /** CLOCK_MONOTONIC nanoseconds when monitoring started (bpftrace's `nsecs` uses the same clock). */
  startNs: bigint;
}

const MAX_RECORDS = 400_000;
const MAX_TEXT = 8192;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;

interface Rec {
  kind: string;
  ns: bigint;
  pid: number;
  nums: number[];
  text: string;
  exe?: string;
  target?: string;
  seq: number;
}

/** Number of numeric fields after `ns pid` for each kind; the rest of the line is text. */
const NUMS: Record<string, number> = {
  EXEC: 2,
  EXE: 0,
  ARGV: 0,
  FORK: 1,
  EXIT: 0,
  OPEN: 4,
  UNLINK: 1,
  RENAME: 2,
  RENAMETO: 0,
  CHMOD: 2,
  MKDIR: 1,
  CHDIR: 0,
  CONN: 3,
  SENDTO: 3,
  MEMFD: 0,
  DUP: 2,
};
const HAS_TEXT = new Set([
  'EXEC',
  'EXE',
  'ARGV',
  'OPEN',
  'UNLINK',
  'RENAME',
  'RENAMETO',
  'CHMOD',
  'MKDIR',
  'CHDIR',
  'CONN',
  'SENDTO',
  'MEMFD',
]);

export class BpftraceParser {
  private readonly records: Rec[] = [];
  private last: Rec | null = null;
  private lost = 0;
  private bad = 0;
  private overflow = 0;
  private readonly extraWarnings: string[] = [];

  constructor(private readonly options: BpftraceParseOptions) {}

  warn(message: string): void {
    this.extraWarnings.push(message);
  }

  line(raw: string): void {
    const prefix = `${this.options.token} `;
    if (!raw.startsWith(prefix)) {
      const lost = /^Lost (\d+) events/.exec(raw);
      if (lost) this.lost += Number(lost[1]);
      else if (this.last && HAS_TEXT.has(this.last.kind) && this.last.text.length < MAX_TEXT) {
        this.last.text = `${this.last.text}\n${raw}`.slice(0, MAX_TEXT);
      }
      return;
    }
    this.last = null;
    const rest = raw.slice(prefix.length);
    if (rest === 'READY' || rest === 'END') return;
    const head = /^([A-Z]+) (\d{1,20}) (-?\d{1,10})/.exec(rest);
    const kind = head?.[1] ?? '';
    const want = NUMS[kind];
    if (!head || want === undefined) {
      this.bad++;
      return;
    }
    let text = rest.slice(head[0].length);
    const nums: number[] = [];
    for (let i = 0; i < want; i++) {
      const m = /^ (-?\d{1,20})/.exec(text);
      if (!m) {
        this.bad++;
        return;
      }
      nums.push(Number(m[1]));
      text = text.slice(m[0].length);
    }
    if (this.records.length >= MAX_RECORDS) {
      this.overflow++;
      return;
    }
    const rec: Rec = {
      kind,
      ns: BigInt(head[2] ?? '0'),
      pid: Number(head[3]),
      nums,
      text: text.startsWith(' ') ? text.slice(1, MAX_TEXT + 1) : text.slice(0, MAX_TEXT),
      seq: this.records.length,
    };
    this.records.push(rec);
    this.last = rec;
  }

  finish(): Observations {
    const b = new ObservationBuilder({ ...this.options, monitor: 'bpftrace' });
    for (const w of this.extraWarnings) b.warn(w);
    const recs = [...this.records].sort((x, y) => (x.ns < y.ns ? -1 : x.ns > y.ns ? 1 : x.seq - y.seq));
    // Pair the second half of split records with the latest first half of the same pid.
    const lastOf = new Map<string, Rec>();
    for (const r of recs) {
      if (r.kind === 'EXE') {
        const e = lastOf.get(`EXEC|${r.pid}`);
        if (e && e.exe === undefined) e.exe = r.text;
      } else if (r.kind === 'RENAMETO') {
        const e = lastOf.get(`RENAME|${r.pid}`);
        if (e && e.target === undefined) e.target = r.text;
      } else lastOf.set(`${r.kind}|${r.pid}`, r);
    }
    const argv = new Map<number, string[]>();
    for (const r of recs) this.apply(b, r, argv);
    if (this.lost > 0) b.warn(`bpftrace lost ${this.lost} events (perf buffer full)`);
    if (this.overflow > 0)
      b.warn(`bpftrace record cap (${MAX_RECORDS}) reached: ${this.overflow} lines dropped`);
    if (this.bad > 0) b.warn(`${this.bad} bpftrace lines could not be parsed`);
    return b.finish();
  }

  private ms(r: Rec): number {
    return Number((r.ns - this.options.startNs) / 1_000_000n);
  }

  /** A dirfd-relative name cannot be resolved without the fd table; the cwd is the best guess. */
  private path(b: ObservationBuilder, r: Rec, raw: string): string {
    return b.resolveFor(r.pid, raw, this.ms(r));
  }

  private apply(b: ObservationBuilder, r: Rec, argv: Map<number, string[]>): void {
    const ms = this.ms(r);
    const [n0 = 0, n1 = 0, n2 = 0] = r.nums;
    switch (r.kind) {
      case 'ARGV':
        argv.set(r.pid, r.text.split('\x1f'));
        return;
      case 'EXEC': {
        let path = r.text;
        if (r.exe?.startsWith('memfd:')) path = `/${r.exe}`;
        if (n1 === 0 && !path.endsWith(' (deleted)')) path = `${path} (deleted)`;
        // The exec line knows the parent even when the fork was missed.
        b.proc(r.pid, ms, n0);
        b.exec(r.pid, path, argv.get(r.pid) ?? [path], ms);
        argv.delete(r.pid);
        return;
      }
      case 'FORK':
        b.fork(r.pid, n0, ms, false);
        return;
      case 'EXIT':
        b.exit(r.pid, ms);
        return;
      case 'CHDIR':
        b.chdir(r.pid, r.text, ms);
        return;
      case 'OPEN': {
        const [ret, flags, mode] = [n0, n1, n2];
        const path = this.path(b, r, r.text);
        if ((flags & 0x243) !== 0) {
          if (ret === -2) return;
          b.file('write', r.pid, path, ms, (flags & 0x40) !== 0 ? { mode } : {});
        } else if (ret >= 0) b.read(r.pid, path, ms);
        return;
      }
      case 'UNLINK':
        b.file('unlink', r.pid, this.path(b, r, r.text), ms);
        return;
      case 'RENAME':
        if (r.target !== undefined) {
          const from = this.path(b, r, r.text);
          b.file('rename', r.pid, from, ms, { target: this.path(b, r, r.target) });
        }
        return;
      case 'CHMOD':
        b.file('chmod', r.pid, this.path(b, r, r.text), ms, { mode: n1 });
        return;
      case 'MKDIR':
        b.file('mkdir', r.pid, this.path(b, r, r.text), ms);
        return;
      case 'CONN':
      case 'SENDTO': {
        const family = n0 === 2 ? 'inet' : n0 === 10 ? 'inet6' : n0 === 1 ? 'unix' : null;
        if (!family) return;
        const protocol =
          family === 'unix' ? 'unknown' : n1 === SOCK_STREAM ? 'tcp' : n1 === SOCK_DGRAM ? 'udp' : 'unknown';
        const address = family === 'unix' && r.text === '' ? '@' : r.text;
        b.connect(r.pid, { ms, family, address, port: n2, protocol }, r.kind === 'SENDTO');
        return;
      }
      case 'MEMFD':
        b.memfd(r.pid, r.text, ms);
        return;
      case 'DUP':
        if (n1 === 2 || n1 === 10) b.stdioSocket(r.pid, n0, ms);
        return;
      default:
        return;
    }
  }
}

export function parseBpftrace(text: string, options: BpftraceParseOptions): Observations {
  const p = new BpftraceParser(options);
  for (const line of text.split('\n')) p.line(line);
  return p.finish();
}
