/**
 * Parser for `strace -f -ttt -yy -s N -q` output (strace 6.1): one line per syscall, prefixed
 * with the tid and an epoch timestamp, `<unfinished ...>` / `<... NAME resumed>` pairs when
 * threads interleave, C-escaped strings, and `-yy` decorations (`3</tmp/x>`,
 * `AT_FDCWD</app>`, `5<TCP:[1.2.3.4:5->6.7.8.9:10]>`) that give paths and socket kinds without
 * our own fd tables. Input is whatever the traced sample made strace print: every line is
 * hostile, nothing here throws, and state is bounded.
 */
import { ObservationBuilder, type BuilderOptions } from './builder.js';
import type { Observations } from '../types.js';

export interface StraceParseOptions extends Omit<BuilderOptions, 'monitor'> {
  /** Epoch ms when monitoring started: strace's `-ttt` stamps are made relative to it. */
  startEpochMs: number;
}

const MAX_LINE = 256 * 1024;
const MAX_PENDING = 4096;

/** Decodes a C-escaped strace string body (without the quotes) into text. */
export function unescapeStrace(body: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x5c || i + 1 >= body.length) {
      if (c < 0x80) bytes.push(c);
      else for (const b of Buffer.from(body[i] ?? '', 'utf8')) bytes.push(b);
      continue;
    }
    const n = body[++i] ?? '';
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, b: 8, a: 7, e: 27 };
    if (n in simple) bytes.push(simple[n] ?? 0);
    else if (n === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1, i + 3))?.[0] ?? '';
      bytes.push(hex ? parseInt(hex, 16) : 0x78);
      i += hex.length;
    } else if (n >= '0' && n <= '7') {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i, i + 3))?.[0] ?? n;
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else bytes.push(n.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Splits the argument list that starts at `text[from]` (just after `(`) into top-level
 * arguments, honouring strings, brackets and `<...>` decorations. Returns the index just after
 * the closing `)`, or -1 when the list is cut off.
 */
export function splitArgs(text: string, from: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '<') {
      i = skipDecoration(text, i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ')') {
      if (depth === 0) {
        const last = text.slice(start, i).trim();
        if (last || args.length) args.push(last);
        return { args, end: i + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  args.push(text.slice(start).trim());
  return { args, end: -1 };
}

/** Index just after the `>` closing the decoration that opens at `text[at]`. */
function skipDecoration(text: string, at: number): number {
  let angle = 0;
  let square = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '[') square++;
    else if (c === ']') square = Math.max(0, square - 1);
    else if (square > 0) continue;
    else if (c === '<') angle++;
    else if (c === '>') {
      angle--;
      if (angle === 0) return i + 1;
    }
  }
  return text.length;
}

/** `"abc"...` → `abc` (null when the argument is not a string, e.g. a NULL pointer). */
export function parseString(arg: string | undefined): string | null {
  if (!arg) return null;
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(arg);
  return m ? unescapeStrace(m[1] ?? '') : null;
}

/** `3</tmp/x>` / `AT_FDCWD</app>` / `7` → fd number (AT_FDCWD = -100) and decoded decoration. */
export function parseFd(arg: string | undefined): { fd: number; decor: string | null } | null {
  if (!arg) return null;
  const m = /^(-?\d+|AT_FDCWD)(<[\s\S]*>)?/.exec(arg);
  if (!m) return null;
  const fd = m[1] === 'AT_FDCWD' ? -100 : Number(m[1]);
  const decor = m[2] ? decodeDecoration(m[2]) : null;
  return { fd, decor };
}

function decodeDecoration(d: string): string {
  // `</dev/null<char 1:3>>`: keep the path part only.
  const inner = d.slice(1, skipDecoration(d, 0) - 1);
  const nested = inner.search(/<(?:char|block) /);
  return unescapeStrace(nested >= 0 ? inner.slice(0, nested) : inner);
}

/** `["a", "b"...]` → strings; a trailing `...` (truncated list) is dropped. */
export function parseStringArray(arg: string | undefined): string[] {
  if (!arg?.startsWith('[')) return [];
  const inner = splitArgs(`${arg.slice(1).replace(/\](?:\.\.\.)?$/, '')})`, 0).args;
  const out: string[] = [];
  for (const a of inner) {
    const s = parseString(a);
    if (s !== null) out.push(s);
  }
  return out;
}

export interface StraceReturn {
  value: number | null;
  decor: string | null;
  errno: string | null;
}

export function parseReturn(ret: string): StraceReturn {
  const m = /^(-?\d+|0x[0-9a-f]+|\?)(<[\s\S]*?>(?=\s|$|\())?(?:[^A-Z]*?\s([A-Z][A-Z0-9_]+)\b)?/.exec(
    ret.trim(),
  );
  if (!m) return { value: null, decor: null, errno: null };
  // With --decode-pids=pidns a pid a process sees inside its namespace comes with the pid the
  // rest of the trace uses: `= 6 /* 25270 in strace's PID NS */`. The second is the one to keep.
  const translated = /\/\* (\d+) in strace's PID NS \*\//.exec(ret);
  const value = translated ? Number(translated[1]) : m[1] === '?' ? null : Number(m[1]);
  return {
    value: Number.isFinite(value) ? value : null,
    decor: m[2] ? decodeDecoration(m[2]) : null,
    errno: m[3] ?? null,
  };
}

export interface Sockaddr {
  family: 'inet' | 'inet6' | 'unix';
  address: string;
  port: number;
}

export function parseSockaddr(arg: string | undefined): Sockaddr | null {
  if (!arg) return null;
  const fam = /sa_family=(AF_\w+)/.exec(arg)?.[1];
  if (fam === 'AF_INET') {
    const port = /sin_port=htons\((\d+)\)/.exec(arg)?.[1];
    const addr = /inet_addr\("([^"]{1,64})"\)/.exec(arg)?.[1];
    return addr ? { family: 'inet', address: addr, port: Number(port ?? 0) } : null;
  }
  if (fam === 'AF_INET6') {
    const port = /sin6_port=htons\((\d+)\)/.exec(arg)?.[1];
    const addr = /inet_pton\(AF_INET6,\s*"([^"]{1,64})"/.exec(arg)?.[1];
    return addr ? { family: 'inet6', address: addr, port: Number(port ?? 0) } : null;
  }
  if (fam === 'AF_UNIX') {
    const m = /sun_path=(@?)"((?:[^"\\]|\\.)*)"/.exec(arg);
    return m ? { family: 'unix', address: `${m[1] ?? ''}${unescapeStrace(m[2] ?? '')}`, port: 0 } : null;
  }
  return null;
}

function protocolOf(decor: string | null): 'tcp' | 'udp' | 'unknown' {
  if (!decor) return 'unknown';
  if (/^TCP(v6)?:/.test(decor)) return 'tcp';
  if (/^UDP(v6)?:|^UDPLITE/.test(decor)) return 'udp';
  return 'unknown';
}

const WRITE_FLAGS = /\bO_(WRONLY|RDWR|CREAT|TRUNC)\b/;

function isWriteFlags(flags: string): boolean {
  if (WRITE_FLAGS.test(flags)) return true;
  const num = /^(0x[0-9a-f]+|0[0-7]*|\d+)$/i.exec(flags.trim())?.[1];
  return num
    ? (Number(num.startsWith('0') && !num.startsWith('0x') ? parseInt(num, 8) : num) & 0x243) !== 0
    : false;
}

function parseMode(arg: string | undefined): number | undefined {
  const m = /^0?([0-7]{1,6})$/.exec((arg ?? '').trim());
  return m ? parseInt(m[1] ?? '0', 8) : undefined;
}

/** A failure that still shows intent: everything except "there was no such file". */
function attempted(r: StraceReturn): boolean {
  return r.value === null || r.value >= 0 || r.errno !== 'ENOENT';
}

export class StraceParser {
  private readonly b: ObservationBuilder;
  private readonly pending = new Map<number, string>();
  private readonly start: number;
  private bad = 0;

  constructor(options: StraceParseOptions) {
    this.b = new ObservationBuilder({ ...options, monitor: 'strace' });
    this.start = options.startEpochMs;
  }

  warn(message: string): void {
    this.b.warn(message);
  }

  line(raw: string): void {
    try {
      this.handle(raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw);
    } catch {
      this.bad++;
    }
  }

  private handle(raw: string): void {
    const m = /^(\d{1,10})\s+(\d{1,12}(?:\.\d{1,9})?)\s+([\s\S]*)$/.exec(raw);
    if (!m) {
      if (raw.trim()) this.bad++;
      return;
    }
    const tid = Number(m[1]);
    const ms = Math.round(Number(m[2]) * 1000 - this.start);
    let body = m[3] ?? '';
    if (body.startsWith('+++ ')) {
      if (/^\+\+\+ (exited|killed)/.test(body)) this.b.exit(tid, ms);
      return;
    }
    if (body.startsWith('---')) return;
    const resumed = /^<\.\.\. ([a-z0-9_]+) resumed>([\s\S]*)$/.exec(body);
    if (resumed) {
      const head = this.pending.get(tid);
      this.pending.delete(tid);
      body = (head ?? `${resumed[1]}(`) + (resumed[2] ?? '');
    } else if (body.endsWith('<unfinished ...>')) {
      if (this.pending.size < MAX_PENDING)
        this.pending.set(tid, body.slice(0, -'<unfinished ...>'.length).trimEnd());
      return;
    }
    this.call(tid, ms, body);
  }

  private call(tid: number, ms: number, body: string): void {
    const nm = /^([a-z0-9_]+)\(/.exec(body);
    if (!nm) {
      this.bad++;
      return;
    }
    const name = nm[1] ?? '';
    const { args, end } = splitArgs(body, nm[0].length);
    if (end < 0) {
      this.bad++;
      return;
    }
    const retText = /^\s*=\s*([\s\S]*)$/.exec(body.slice(end))?.[1];
    if (retText === undefined) return;
    const r = parseReturn(retText);
    this.dispatch(tid, ms, name, args, r, body);
  }

  private base(tid: number, ms: number, dirArg: string | undefined): string | undefined {
    const fd = parseFd(dirArg);
    if (!fd?.decor || !fd.decor.startsWith('/')) return undefined;
    // AT_FDCWD<dir> is the process's cwd right now: better than what we tracked.
    if (fd.fd === -100) this.b.chdir(tid, fd.decor, ms);
    return fd.decor;
  }

  private path(tid: number, ms: number, arg: string | undefined, dirArg?: string): string | null {
    const p = parseString(arg);
    if (p === null) return null;
    const base = dirArg === undefined ? undefined : this.base(tid, ms, dirArg);
    return this.b.resolveFor(tid, p, ms, base);
  }

  private dispatch(tid: number, ms: number, name: string, a: string[], r: StraceReturn, body: string): void {
    const b = this.b;
    const ok = r.value !== null && r.value >= 0;
    switch (name) {
      case 'clone':
      case 'clone3':
      case 'fork':
      case 'vfork':
        if (ok && r.value) b.fork(tid, r.value, ms, /\bCLONE_THREAD\b/.test(body));
        return;
      case 'execve':
      case 'execveat': {
        if (r.value !== 0) return;
        const at = name === 'execveat';
        let p = parseString(at ? a[1] : a[0]) ?? '';
        const dir = at ? parseFd(a[0]) : null;
        if (at && p === '' && dir) p = dir.decor ?? `/proc/self/fd/${dir.fd}`;
        const base = at ? this.base(tid, ms, a[0]) : undefined;
        b.exec(tid, base && !p.startsWith('/') ? `${base}/${p}` : p, parseStringArray(at ? a[2] : a[1]), ms);
        return;
      }
      case 'exit_group':
        b.exit(tid, ms);
        return;
      case 'open':
      case 'openat':
      case 'creat': {
        const at = name === 'openat';
        const path = at ? this.path(tid, ms, a[1], a[0]) : this.path(tid, ms, a[0]);
        if (path === null) return;
        const flags = name === 'creat' ? 'O_CREAT|O_WRONLY|O_TRUNC' : ((at ? a[2] : a[1]) ?? '');
        if (isWriteFlags(flags)) {
          if (!attempted(r)) return;
          const mode = /O_CREAT/.test(flags)
            ? parseMode(name === 'creat' ? a[1] : at ? a[3] : a[2])
            : undefined;
          b.file('write', tid, path, ms, mode === undefined ? {} : { mode });
        } else if (ok && !/O_DIRECTORY/.test(flags)) b.read(tid, path, ms);
        return;
      }
      case 'unlink':
      case 'unlinkat': {
        const path = name === 'unlink' ? this.path(tid, ms, a[0]) : this.path(tid, ms, a[1], a[0]);
        if (path !== null && attempted(r)) b.file('unlink', tid, path, ms);
        return;
      }
      case 'rename':
      case 'renameat':
      case 'renameat2': {
        const at = name !== 'rename';
        const from = at ? this.path(tid, ms, a[1], a[0]) : this.path(tid, ms, a[0]);
        const to = at ? this.path(tid, ms, a[3], a[2]) : this.path(tid, ms, a[1]);
        if (from !== null && to !== null && attempted(r)) b.file('rename', tid, from, ms, { target: to });
        return;
      }
      case 'chmod':
      case 'fchmodat':
      case 'fchmod': {
        let path: string | null;
        if (name === 'fchmod') {
          const d = parseFd(a[0])?.decor;
          path = d?.startsWith('/') ? d : null;
        } else path = name === 'chmod' ? this.path(tid, ms, a[0]) : this.path(tid, ms, a[1], a[0]);
        const mode = parseMode(name === 'fchmodat' ? a[2] : a[1]);
        if (path !== null && attempted(r)) b.file('chmod', tid, path, ms, mode === undefined ? {} : { mode });
        return;
      }
      case 'mkdir':
      case 'mkdirat': {
        const path = name === 'mkdir' ? this.path(tid, ms, a[0]) : this.path(tid, ms, a[1], a[0]);
        if (path !== null && ok) b.file('mkdir', tid, path, ms);
        return;
      }
      case 'chdir':
      case 'fchdir': {
        if (!ok) return;
        const p = name === 'chdir' ? parseString(a[0]) : (parseFd(a[0])?.decor ?? null);
        if (p !== null) b.chdir(tid, p, ms);
        return;
      }
      case 'connect':
      case 'sendto': {
        const sa = parseSockaddr(name === 'connect' ? a[1] : a[4]);
        if (!sa) return;
        const protocol = sa.family === 'unix' ? 'unknown' : protocolOf(parseFd(a[0])?.decor ?? null);
        b.connect(
          tid,
          { ms, family: sa.family, address: sa.address, port: sa.port, protocol },
          name === 'sendto',
        );
        return;
      }
      case 'memfd_create': {
        const n = parseString(a[0]);
        if (n !== null && ok) b.memfd(tid, n, ms);
        return;
      }
      case 'dup2':
      case 'dup3': {
        const from = parseFd(a[0]);
        const to = Number(a[1]?.match(/^\d+/)?.[0] ?? -1);
        if (ok && from && protocolOf(from.decor) !== 'unknown') b.stdioSocket(tid, to, ms);
        return;
      }
      default:
        return;
    }
  }

  finish(): Observations {
    if (this.pending.size > 0)
      this.b.warn(`${this.pending.size} syscalls were still unfinished when tracing ended`);
    if (this.bad > 0) this.b.warn(`${this.bad} strace lines could not be parsed`);
    return this.b.finish();
  }
}

/** Parses a whole strace log (tests and small traces; the monitor streams line by line). */
export function parseStrace(text: string, options: StraceParseOptions): Observations {
  const p = new StraceParser(options);
  for (const line of text.split('\n')) p.line(line);
  return p.finish();
}
