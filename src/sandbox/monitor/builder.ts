/**
 * Turns low-level tracer events (strace lines, bpftrace lines) into `Observations`: one process
 * table keyed by thread-group id, cwd tracking so relative paths become container-absolute, and
 * hard caps so a sample that floods the tracer cannot exhaust memory. Both monitors feed the
 * same builder, which is why their outputs have the same shape and the same quirks.
 */
import { posix } from 'node:path';
import type { ConnectEvent, FileEvent, FileOp, Observations, ProcessEvent } from '../types.js';

export interface BuilderOptions {
  monitor: Observations['monitor'];
  /** Cap on processes + file events + connects + memfds + stdio sockets. */
  maxEvents?: number;
  /** Separate, smaller cap on distinct read paths: reads are the noisiest event by far. */
  maxReads?: number;
  /** The traced process as it was when monitoring began (`runc init`, or a test shell). */
  root?: { pid: number; argv: string[]; path: string; cwd: string };
}

interface Proc {
  pid: number;
  ppid: number;
  cwd: string;
  current: ProcessEvent;
  execd: boolean;
}

const DEFAULT_MAX_EVENTS = 50_000;
const DEFAULT_MAX_READS = 5_000;
const MAX_ARGV = 64;
const MAX_ARG_CHARS = 1024;
const MAX_PATH_CHARS = 4096;
const MAX_WARNINGS = 50;

/**
 * Reads under these prefixes are every program's start-up (loader, libraries, locale data) and
 * say nothing about intent; keeping them would crowd the interesting reads out of the cap.
 */
const NOISE_READ = [
  /^\/(usr\/)?lib(32|64|x32)?\//,
  /^\/usr\/(local\/)?(share|include)\//,
  /^\/usr\/local\/lib\//,
  /^\/etc\/ld\.so\.cache$/,
  /^\/etc\/(localtime|nsswitch\.conf|host\.conf|gai\.conf|locale\.alias)$/,
  /^\/proc\/(self|thread-self)\/(maps|stat|status|cgroup|mountinfo|auxv|cmdline|limits|fd\/?)/,
  /^\/sys\//,
  /^\/dev\/(null|zero|u?random|tty|pts\/|full)/,
];

/** Redirections to the terminal or the bit bucket are not files anybody keeps. */
const NOISE_WRITE =
  /^\/dev\/(null|zero|tty\d*|pts\/\d+|console|stdout|stderr|full)$|^\/proc\/self\/fd\/[0-2]$/;

export function isNoiseRead(path: string): boolean {
  return NOISE_READ.some((re) => re.test(path));
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function clipArgv(argv: string[]): string[] {
  return argv.slice(0, MAX_ARGV).map((a) => clip(a, MAX_ARG_CHARS));
}

/** `/a/./b/../c` → `/a/c`; relative paths are resolved against `base` (itself absolute). */
export function resolvePath(base: string, p: string): string {
  const abs = p.startsWith('/') ? p : posix.join(base.startsWith('/') ? base : '/', p);
  return clip(posix.normalize(abs), MAX_PATH_CHARS).replace(/(.)\/$/, '$1');
}

export class ObservationBuilder {
  private readonly procs = new Map<number, Proc>();
  /** Thread id → thread-group id, for threads we saw being created. */
  private readonly tgids = new Map<number, number>();
  /** Child tid → parent tgid, from forks seen before the child did anything. */
  private readonly forkParents = new Map<number, number>();
  private readonly processes: ProcessEvent[] = [];
  private readonly files: FileEvent[] = [];
  private readonly connects: ConnectEvent[] = [];
  private readonly memfds: Observations['memfds'] = [];
  private readonly stdioSockets: Observations['stdioSockets'] = [];
  private readonly warnings: string[] = [];
  private readonly readPaths = new Set<string>();
  private readonly sendtoKeys = new Set<string>();
  private readonly maxEvents: number;
  private readonly maxReads: number;
  private events = 0;
  private dropped = 0;
  private droppedReads = 0;

  constructor(private readonly options: BuilderOptions) {
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxReads = options.maxReads ?? DEFAULT_MAX_READS;
    const root = options.root;
    if (root) {
      const ev: ProcessEvent = {
        pid: root.pid,
        ppid: 0,
        argv: clipArgv(root.argv),
        path: root.path,
        startMs: 0,
      };
      this.procs.set(root.pid, { pid: root.pid, ppid: 0, cwd: root.cwd || '/', current: ev, execd: false });
      this.push(this.processes, ev);
    }
  }

  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS && !this.warnings.includes(message)) this.warnings.push(message);
  }

  private push<T>(list: T[], item: T): boolean {
    if (this.events >= this.maxEvents) {
      this.dropped++;
      return false;
    }
    this.events++;
    list.push(item);
    return true;
  }

  tgidOf(tid: number): number {
    return this.tgids.get(tid) ?? tid;
  }

  /** The process for `tid`, created on first sight (a child can speak before its parent's fork returns). */
  proc(tid: number, ms: number, parentHint?: number): Proc {
    const pid = this.tgidOf(tid);
    const known = this.procs.get(pid);
    if (known) return known;
    const ppid = this.forkParents.get(pid) ?? parentHint ?? 0;
    const parent = this.procs.get(ppid);
    const ev: ProcessEvent = {
      pid,
      ppid,
      argv: parent ? [...parent.current.argv] : [],
      path: parent?.current.path ?? '',
      startMs: Math.max(0, ms),
    };
    const p: Proc = { pid, ppid, cwd: parent?.cwd ?? '/', current: ev, execd: false };
    if (this.procs.size < this.maxEvents) this.procs.set(pid, p);
    this.push(this.processes, ev);
    return p;
  }

  hasProc(tid: number): boolean {
    return this.procs.has(this.tgidOf(tid));
  }

  fork(parentTid: number, childTid: number, ms: number, thread: boolean): void {
    if (childTid <= 0 || childTid === parentTid) return;
    const parent = this.proc(parentTid, ms);
    if (thread) {
      this.tgids.set(childTid, parent.pid);
      return;
    }
    const existing = this.procs.get(childTid);
    if (existing) {
      // The child spoke first (strace prints its events before the parent's clone returns).
      if (existing.ppid === 0 || existing.ppid === childTid) {
        existing.ppid = parent.pid;
        existing.current.ppid = parent.pid;
        if (!existing.execd) {
          existing.current.argv = [...parent.current.argv];
          existing.current.path = parent.current.path;
        }
      }
      return;
    }
    if (this.forkParents.size < this.maxEvents) this.forkParents.set(childTid, parent.pid);
    this.proc(childTid, ms);
  }

  exec(tid: number, rawPath: string, argv: string[], ms: number): void {
    const p = this.proc(tid, ms);
    const path = this.resolve(p, rawPath);
    const args = clipArgv(argv);
    if (!p.execd) {
      p.current.argv = args;
      p.current.path = path;
    } else {
      const ev: ProcessEvent = { pid: p.pid, ppid: p.ppid, argv: args, path, startMs: Math.max(0, ms) };
      p.current = ev;
      this.push(this.processes, ev);
    }
    p.execd = true;
    this.push(this.files, { op: 'exec', path, pid: p.pid, ms });
  }

  exit(tid: number, ms: number): void {
    const pid = this.tgidOf(tid);
    if (pid !== tid) return;
    const p = this.procs.get(pid);
    if (p && p.current.exitMs === undefined) p.current.exitMs = Math.max(p.current.startMs, ms);
  }

  chdir(tid: number, rawPath: string, ms: number): void {
    const p = this.proc(tid, ms);
    p.cwd = this.resolve(p, rawPath);
  }

  resolve(p: Proc, rawPath: string, base?: string): string {
    if (rawPath.startsWith('/')) return resolvePath('/', rawPath);
    return resolvePath(base ?? p.cwd, rawPath);
  }

  resolveFor(tid: number, rawPath: string, ms: number, base?: string): string {
    return this.resolve(this.proc(tid, ms), rawPath, base);
  }

  file(
    op: FileOp,
    tid: number,
    path: string,
    ms: number,
    extra: { target?: string; mode?: number } = {},
  ): void {
    if (op === 'write' && NOISE_WRITE.test(path)) return;
    const p = this.proc(tid, ms);
    const ev: FileEvent = { op, path: clip(path, MAX_PATH_CHARS), pid: p.pid, ms };
    if (extra.target !== undefined) ev.target = clip(extra.target, MAX_PATH_CHARS);
    if (extra.mode !== undefined) ev.mode = extra.mode;
    this.push(this.files, ev);
  }

  /** A read worth keeping: not start-up noise, and the first time this path was read. */
  read(tid: number, path: string, ms: number): void {
    if (isNoiseRead(path) || this.readPaths.has(path)) return;
    if (this.readPaths.size >= this.maxReads) {
      this.droppedReads++;
      return;
    }
    this.readPaths.add(path);
    this.file('read', tid, path, ms);
  }

  connect(tid: number, ev: Omit<ConnectEvent, 'pid'>, viaSendto = false): void {
    const p = this.proc(tid, ev.ms);
    const normal = normaliseAddress(ev);
    if (viaSendto) {
      // A resolver sends many datagrams to one server; one event per destination is enough.
      const key = `${p.pid}|${normal.family}|${normal.address}|${normal.port}`;
      if (this.sendtoKeys.has(key)) return;
      if (this.sendtoKeys.size < this.maxEvents) this.sendtoKeys.add(key);
    }
    this.push(this.connects, { pid: p.pid, ...normal, address: clip(normal.address, 512) });
  }

  memfd(tid: number, name: string, ms: number): void {
    const p = this.proc(tid, ms);
    this.push(this.memfds, { pid: p.pid, ms, name: clip(name, 256) });
  }

  stdioSocket(tid: number, fd: number, ms: number): void {
    if (fd < 0 || fd > 2) return;
    const p = this.proc(tid, ms);
    this.push(this.stdioSockets, { pid: p.pid, ms, fd });
  }

  finish(): Observations {
    if (this.dropped > 0) this.warn(`event cap (${this.maxEvents}) reached: ${this.dropped} events dropped`);
    if (this.droppedReads > 0) {
      this.warn(`read cap (${this.maxReads} distinct paths) reached: ${this.droppedReads} reads dropped`);
    }
    const byMs = <T extends { ms: number }>(a: T, b: T) => a.ms - b.ms;
    return {
      monitor: this.options.monitor,
      processes: [...this.processes].sort((a, b) => a.startMs - b.startMs),
      files: [...this.files].sort(byMs),
      connects: [...this.connects].sort(byMs),
      memfds: [...this.memfds].sort(byMs),
      stdioSockets: [...this.stdioSockets].sort(byMs),
      cpu: [],
      warnings: [...this.warnings],
    };
  }
}

/** `::ffff:10.0.0.1` is an IPv4 connection; reporting it as one keeps address rules simple. */
function normaliseAddress(ev: Omit<ConnectEvent, 'pid'>): Omit<ConnectEvent, 'pid'> {
  if (ev.family === 'inet6') {
    const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ev.address);
    if (m?.[1]) return { ...ev, family: 'inet', address: m[1] };
  }
  return ev;
}
