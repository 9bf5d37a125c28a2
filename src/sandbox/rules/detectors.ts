/**
 * The stateful behaviour rules: the ones that relate events to each other (written → chmod →
 * exec; downloader beside a shell; a compiler's output run later). Each takes the judgement
 * context and its parameters from the rule data, and returns evidence strings. Pure.
 */
import type { DetectorName, DetectorParams } from './load.js';
import { basenameLower, evidence, type Ctx } from './context.js';
import { endpoints } from './match.js';
import type { FileEvent, ProcessEvent } from '../types.js';

export interface DetectorOptions {
  /** The container's CPU limit in percent of one core (100 = one core). */
  cpuLimitPercent: number;
}

type Detector = (ctx: Ctx, params: DetectorParams, options: DetectorOptions) => string[];

const num = (p: DetectorParams, k: string, d: number): number =>
  typeof p[k] === 'number' ? (p[k] as number) : d;
const list = (p: DetectorParams, k: string): Set<string> =>
  new Set(Array.isArray(p[k]) ? (p[k] as string[]) : []);

/** Paths that name an fd or memory rather than a file the image could contain. */
const NOT_A_FILE = /^\/(proc|dev\/fd)\/|^\/memfd:/;
const EXEC_BITS = 0o111;

function isShell(ctx: Ctx, p: ProcessEvent | undefined, shells: Set<string>): boolean {
  return ctx.names(p).some((n) => shells.has(n));
}

/** Pids that ran under a compiler or build tool (the tool itself and everything it spawned). */
function compilerTree(ctx: Ctx, compilers: Set<string>): Set<number> {
  const out = new Set<number>();
  if (compilers.size === 0) return out;
  for (const p of ctx.processes) {
    if (ctx.ancestors(p.pid, p.startMs).some((a) => isCompiler(ctx, a, compilers))) out.add(p.pid);
  }
  return out;
}

function isCompiler(ctx: Ctx, p: ProcessEvent, compilers: Set<string>): boolean {
  const names = ctx.names(p);
  if (!names.some((n) => compilers.has(n))) return false;
  // `go version` or `cargo --version` compile nothing.
  if (names.includes('go')) return /^(build|run|install|test|generate)$/.test(p.argv[1] ?? '');
  if (names.includes('cargo')) return /^(build|run|install|test|b|r)$/.test(p.argv[1] ?? '');
  return !p.argv.slice(1).every((a) => /^--?(v|version|help|dumpversion|dumpmachine|print-[a-z-]+)$/.test(a));
}

function madeExecutable(ctx: Ctx, path: string, from: number, to: number): FileEvent | undefined {
  return ctx.files.find(
    (f) =>
      f.op === 'chmod' && f.path === path && f.ms >= from && f.ms <= to && ((f.mode ?? 0) & EXEC_BITS) !== 0,
  );
}

function describe(ctx: Ctx, pid: number, ms: number): string {
  return ctx.names(ctx.processAt(pid, ms))[0] ?? `pid ${pid}`;
}

/** Execs of files written during the run, split by whether they were also made executable. */
function droppedExecs(ctx: Ctx, params: DetectorParams) {
  const compiled = compilerTree(ctx, list(params, 'compilers'));
  const chained: string[] = [];
  const plain: string[] = [];
  const seen = new Set<string>();
  for (const f of ctx.files) {
    if (f.op !== 'exec' || NOT_A_FILE.test(f.path) || seen.has(f.path)) continue;
    seen.add(f.path);
    const w = ctx.written.get(f.path);
    if (w && w.ms <= f.ms) {
      if (compiled.has(w.pid)) continue;
      const chmod = madeExecutable(ctx, f.path, w.ms, f.ms);
      const createdExec = ((w.mode ?? 0) & EXEC_BITS) !== 0;
      if (chmod || createdExec || ctx.inImage(f.path)) {
        const how = chmod
          ? `chmod ${(chmod.mode ?? 0).toString(8)} by ${describe(ctx, chmod.pid, chmod.ms)}`
          : 'created executable';
        chained.push(
          evidence(
            `${f.path} (written by ${describe(ctx, w.pid, w.ms)}, ${how}, run by ${describe(ctx, f.pid, f.ms)})`,
          ),
        );
        continue;
      }
    }
    if (!ctx.inImage(f.path)) plain.push(evidence(`${f.path} (run by ${describe(ctx, f.pid, f.ms)})`));
  }
  return { chained, plain };
}

/** `file=tool` pairs: reads of a decoy ending in `/file` by `tool` are its own use. */
function ownReaders(pairs: Set<string>): [string, string][] {
  return [...pairs].flatMap((p) => {
    const eq = p.lastIndexOf('=');
    return eq > 0 ? [[p.slice(0, eq), p.slice(eq + 1)] as [string, string]] : [];
  });
}

/**
 * How a secret can look on the wire: as is, URL-encoded, hex, and base64 whether it starts the
 * encoded text or sits at any offset in it (the middle of a base64'd file): for each of the
 * three alignments, the characters that depend on the secret alone.
 */
function encodings(value: string): Set<string> {
  const bytes = Buffer.from(value);
  const out = new Set([value, encodeURIComponent(value), bytes.toString('hex')]);
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Each character holds 6 bits: only those wholly within the secret's bytes are certain.
    out.add(b64.slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + bytes.length) * 8) / 6)));
  }
  return out;
}

/** A shell that reads its commands from standard input (no script, no -c). */
function readsStdin(p: ProcessEvent): boolean {
  const args = p.argv.slice(1);
  if (args.length === 0) return true;
  if (args.some((a) => a === '-c' || /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a))) return false;
  const operand = args.find((a) => !a.startsWith('-') && !a.startsWith('+'));
  return operand === undefined || /^\/(dev\/(fd\/\d+|stdin)|proc\/self\/fd\/\d+)$/.test(operand);
}

/** A forked copy of its parent (no exec of its own): same argv and executable. */
function isForkCopy(ctx: Ctx, p: ProcessEvent): boolean {
  const parent = ctx.processAt(p.ppid, p.startMs);
  return !!parent && parent.path === p.path && parent.argv.join('\0') === p.argv.join('\0');
}

const detectors: Record<DetectorName, Detector> = {
  'cpu-sustained': (ctx, params, options) => {
    const samples = ctx.input.observations.cpu;
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last || last.ms - first.ms < num(params, 'minWindowMs', 10_000)) return [];
    const threshold = (options.cpuLimitPercent * num(params, 'minPercentOfLimit', 80)) / 100;
    const busy = samples.filter((s) => s.percent >= threshold).length / samples.length;
    if (busy < num(params, 'minFraction', 0.6)) return [];
    const top = [...ctx.processes].sort((a, b) => (b.cpuMs ?? 0) - (a.cpuMs ?? 0))[0];
    const who = top?.cpuMs
      ? `, busiest ${ctx.names(top)[0] ?? top.pid} (${Math.round(top.cpuMs / 1000)} s)`
      : '';
    return [
      `CPU ≥ ${Math.round(threshold)}% for ${Math.round(busy * 100)}% of ${Math.round((last.ms - first.ms) / 1000)} s${who}`,
    ];
  },

  'written-executable-executed': (ctx, params) => droppedExecs(ctx, params).chained,

  'exec-not-in-image': (ctx, params) => droppedExecs(ctx, params).plain,

  'interpreter-runs-dropped-script': (ctx, params) => {
    const runners = list(params, 'runners');
    const compiled = compilerTree(ctx, list(params, 'compilers'));
    const out: string[] = [];
    for (const p of ctx.processes) {
      if (!isShell(ctx, p, runners) || isForkCopy(ctx, p)) continue;
      const args = p.argv.slice(1);
      if (args.some((a) => a === '-c' || a === '-e' || a === '-m')) continue;
      const script = args.find((a) => !a.startsWith('-'));
      if (!script || NOT_A_FILE.test(script)) continue;
      for (const [path, w] of ctx.written) {
        const same = script.startsWith('/')
          ? path === script
          : path.endsWith(`/${script.replace(/^\.\//, '')}`);
        if (same && w.ms <= p.startMs && !compiled.has(w.pid) && !ctx.inImage(path)) {
          out.push(evidence(`${ctx.argvText(p)} (script written by ${describe(ctx, w.pid, w.ms)})`));
          break;
        }
      }
    }
    return out;
  },

  'downloader-pipe-shell': (ctx, params) => {
    const shells = list(params, 'shells');
    const downloaders = list(params, 'downloaders');
    const window = num(params, 'windowMs', 2000);
    const out: string[] = [];
    for (const s of ctx.processes) {
      if (!isShell(ctx, s, shells) || !readsStdin(s) || isForkCopy(ctx, s)) continue;
      const d = ctx.processes.find(
        (p) =>
          p.ppid === s.ppid &&
          p.pid !== s.pid &&
          Math.abs(p.startMs - s.startMs) <= window &&
          ctx.names(p).some((n) => downloaders.has(n)),
      );
      if (d) out.push(evidence(`${ctx.argvText(d)} | ${ctx.argvText(s)}`));
    }
    return out;
  },

  'compile-then-exec': (ctx, params) => {
    const compilers = list(params, 'compilers');
    const tree = compilerTree(ctx, compilers);
    const out: string[] = [];
    const seen = new Set<string>();
    for (const f of ctx.files) {
      if (f.op !== 'exec' || seen.has(f.path)) continue;
      const w = ctx.written.get(f.path);
      if (!w || w.ms > f.ms || !tree.has(w.pid)) continue;
      seen.add(f.path);
      // The outermost build tool (the gcc a user typed, not the ld it ran), after the path: a
      // linker's argv alone fills the evidence.
      const tool = ctx
        .ancestors(w.pid, w.ms)
        .filter((a) => isCompiler(ctx, a, compilers))
        .pop();
      out.push(
        evidence(`${f.path} executed, built by ${tool ? ctx.argvText(tool) : describe(ctx, w.pid, w.ms)}`),
      );
    }
    return out;
  },

  'stdio-socket': (ctx, params) => {
    const shells = list(params, 'shells');
    const onlyShells = num(params, 'onlyShells', 1) === 1;
    const byPid = new Map<number, Set<number>>();
    for (const s of ctx.input.observations.stdioSockets) {
      const fds = byPid.get(s.pid) ?? new Set<number>();
      fds.add(s.fd);
      byPid.set(s.pid, fds);
    }
    const out: string[] = [];
    for (const [pid, fds] of byPid) {
      const images = ctx.imagesOf(pid);
      const shell = images.find((p) => isShell(ctx, p, shells));
      if (onlyShells !== !!shell) continue;
      // A shell takes its commands from stdin: only a socket there makes it remote-controlled.
      // `echo data > /dev/tcp/host/port` puts a socket on fd 1 alone, which is a send, not a
      // shell. Any other program needs both directions on the socket to be a shell stand-in.
      if (shell ? !fds.has(0) : !(fds.has(0) && fds.has(1))) continue;
      const p = shell ?? images[images.length - 1];
      out.push(
        evidence(
          `fd ${[...fds].sort().join(',')} of ${p ? ctx.argvText(p) || p.path : `pid ${pid}`} is a network socket`,
        ),
      );
    }
    return out;
  },

  'connect-fanout': (ctx, params) => {
    const windowMs = num(params, 'windowMs', 10_000);
    const minAddresses = num(params, 'minAddresses', 16);
    const minEndpoints = num(params, 'minEndpoints', 24);
    const eps = endpoints(ctx)
      .filter((e) => e.family !== 'unix')
      .sort((a, b) => a.ms - b.ms);
    let start = 0;
    for (let end = 0; end < eps.length; end++) {
      while ((eps[start]?.ms ?? 0) < (eps[end]?.ms ?? 0) - windowMs) start++;
      const slice = eps.slice(start, end + 1);
      const addresses = new Set(slice.map((e) => e.address));
      const ends = new Set(slice.map((e) => `${e.address}:${e.port}`));
      if (addresses.size >= minAddresses || ends.size >= minEndpoints) {
        const ports = new Set(slice.map((e) => e.port));
        const sample = [...ends].slice(0, 5).join(', ');
        return [
          evidence(
            `${ends.size} endpoints on ${addresses.size} addresses, ${ports.size} ports within ${windowMs / 1000} s: ${sample}`,
          ),
        ];
      }
      if (end - start > 5000) start = end - 5000;
    }
    return [];
  },

  'decoy-file-read': (ctx, params) => {
    const owners = ownReaders(list(params, 'ownReaders'));
    const interpreters = list(params, 'interpreters');
    const out: string[] = [];
    for (const f of ctx.files) {
      if (f.op !== 'read' || !ctx.decoyFiles.has(f.path)) continue;
      const p = ctx.processAt(f.pid, f.ms);
      const names = ctx.names(p);
      // npm reads ~/.npmrc on every run, ssh its key: the tool a credential is for is not a thief.
      const own = owners.filter(([file]) => f.path.endsWith(`/${file}`)).map(([, tool]) => tool);
      const interpreted = names.some((n) => interpreters.has(n)) && p?.argv[1] !== undefined;
      const script = interpreted ? basenameLower(p.argv[1] ?? '') : '';
      if (own.some((tool) => names.includes(tool) || tool === script)) continue;
      out.push(evidence(`read ${f.path} by ${names[0] ?? `pid ${f.pid}`}`));
    }
    return out;
  },

  'decoy-value-sent': (ctx, params) => {
    const minLength = num(params, 'minLength', 8);
    const forms: { name: string; needle: string }[] = [];
    const secrets = [
      ...Object.entries(ctx.input.decoys.env).map(([name, value]) => ({ name, value })),
      ...(ctx.input.decoys.fileSecrets ?? []).map((s) => ({ name: `${s.path} (${s.name})`, value: s.value })),
    ];
    for (const { name, value } of secrets) {
      if (value.length < minLength) continue;
      for (const needle of encodings(value)) if (needle.length >= minLength) forms.push({ name, needle });
    }
    const out: string[] = [];
    for (const n of ctx.input.network) {
      const hay = `${n.host ?? ''}\n${n.detail ?? ''}\n${n.firstBytes}`;
      const lower = hay.toLowerCase();
      // `base64` wraps its output: the escaped line breaks go before matching.
      const joined = hay.replace(/\\[rn]|%0[ad]/gi, '');
      const hit = forms.find(
        (f) =>
          hay.includes(f.needle) ||
          joined.includes(f.needle) ||
          (n.kind === 'dns' && lower.includes(f.needle.toLowerCase())),
      );
      if (hit)
        out.push(
          evidence(
            `${hit.name} sent to ${n.kind} ${n.host ?? n.ip ?? '?'}${n.port !== null ? `:${n.port}` : ''}`,
          ),
        );
    }
    return out;
  },

  'proc-environ-other': (ctx) => {
    const out: string[] = [];
    for (const f of ctx.files) {
      const m = /^\/proc\/(\d+)\/environ$/.exec(f.path);
      if (f.op !== 'read' || !m || Number(m[1]) === f.pid) continue;
      out.push(evidence(`read ${f.path} by ${describe(ctx, f.pid, f.ms)}`));
    }
    return out;
  },

  'memfd-exec': (ctx) => {
    const memfdPids = new Set(ctx.input.observations.memfds.map((m) => m.pid));
    const out: string[] = [];
    for (const f of ctx.files) {
      if (f.op !== 'exec') continue;
      const viaFd = /^\/(proc\/(self|\d+)|dev)\/fd\/\d+/.test(f.path);
      const fromMemfdOwner =
        ctx.ancestors(f.pid, f.ms).some((a) => memfdPids.has(a.pid)) || memfdPids.has(f.pid);
      if (/^\/memfd:/.test(f.path) || (viaFd && fromMemfdOwner)) {
        out.push(evidence(`${f.path} executed by pid ${f.pid}`));
      }
    }
    return out;
  },

  'self-deleting': (ctx) => {
    const out: string[] = [];
    for (const u of ctx.files) {
      if (u.op !== 'unlink' || NOT_A_FILE.test(u.path)) continue;
      const running = ctx.processes.find(
        (p) => p.path === u.path && p.startMs <= u.ms && (p.exitMs === undefined || p.exitMs > u.ms),
      );
      if (running)
        out.push(
          evidence(`${u.path} deleted by ${describe(ctx, u.pid, u.ms)} while pid ${running.pid} ran it`),
        );
    }
    return out;
  },
};

export function runDetector(
  name: DetectorName,
  ctx: Ctx,
  params: DetectorParams,
  options: DetectorOptions,
): string[] {
  return detectors[name](ctx, params, options);
}
