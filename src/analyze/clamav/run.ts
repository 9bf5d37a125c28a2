/**
 * Runs ClamAV over a spool directory: `clamdscan` when a clamd socket is given or answers at
 * its default place (its signatures are loaded once, in the daemon), else `clamscan` with the
 * user's signatures (`-d`). ClamAV is an external process: its output is read line by line with
 * every line and the stderr kept bounded, and a timeout or abort kills it.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, open, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { errorMessage, printable } from '../../errors.js';
import { isLimitSignature, parseClamavLine, type ClamavHit } from './parse.js';
import { CLAMAV_MAX_FILE_BYTES, DEFAULT_SPOOL_BUDGETS } from './spool.js';

export type ClamavEngine = 'clamdscan' | 'clamscan';

export interface ClamavInfo {
  engine: ClamavEngine;
  /** The scanner executable. */
  path: string;
  /** `ClamAV 1.4.6`. */
  version: string;
  /** The signature database version ClamAV reports (`27512`), when it reports one. */
  signatures?: string;
  /** The clamd socket, for clamdscan. */
  socket?: string;
}

export interface RunClamavOptions {
  /** A clamd unix socket: scan with clamdscan through it. */
  socket?: string;
  /** A signature file or directory for clamscan (`-d`); clamd uses its own. */
  database?: string;
  signal?: AbortSignal;
  /** Default 30 minutes. */
  timeoutMs?: number;
  /** Files up to this size are scanned whole (default: the spool's per-file limit). */
  maxFileBytes?: number;
}

export interface ClamavRunResult {
  hits: ClamavHit[];
  /** Files ClamAV did not finish (`Heuristics.Limits.Exceeded.*`): scan gaps, not malware. */
  limits: ClamavHit[];
  warnings: string[];
  engine: ClamavEngine;
  /** ClamAV ran to the end (exit 0 or 1): only then does "no hits" mean "scanned, clean". */
  complete: boolean;
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;
const MAX_LINE = 64 * 1024;
const MAX_STDERR = 64 * 1024;
const MAX_HITS = 100_000;
const MAX_WARNINGS = 10;
const PROBE_TIMEOUT_MS = 2000;
const DEFAULT_SOCKETS = ['/var/run/clamav/clamd.ctl', '/run/clamav/clamd.ctl'];
const CLAMD_CONF = '/etc/clamav/clamd.conf';

/** Which ClamAV scanner this machine can use, or null when none is installed (or reachable). */
export async function clamavAvailable(opts: { socket?: string } = {}): Promise<ClamavInfo | null> {
  const socket = opts.socket ?? (await defaultClamdSocket());
  if (socket !== undefined) {
    const path = await onPath('clamdscan');
    const answer = await clamdCommand(socket, 'VERSION');
    if (path && answer?.startsWith('ClamAV '))
      return { engine: 'clamdscan', path, ...versionOf(answer), socket };
    if (opts.socket !== undefined) return null;
  }
  const path = await onPath('clamscan');
  if (!path) return null;
  let version = '';
  const run = await runProcess(path, ['--version'], {
    timeoutMs: PROBE_TIMEOUT_MS * 5,
    onLine: (l) => (version ||= l),
  });
  if (run.failed || !version.startsWith('ClamAV ')) return null;
  return { engine: 'clamscan', path, ...versionOf(version.trim()) };
}

/** Scans every file of `spoolDir` (see spool.ts) and returns what ClamAV found, by spool name. */
export async function runClamav(spoolDir: string, opts: RunClamavOptions = {}): Promise<ClamavRunResult> {
  opts.signal?.throwIfAborted();
  const warnings: string[] = [];
  const dir = await realpath(spoolDir);
  const socket = opts.socket ?? (opts.database === undefined ? await defaultClamdSocket() : undefined);
  if (socket !== undefined && opts.database !== undefined) {
    warnings.push(`ClamAV: clamd at ${printable(socket)} uses its own signatures; --clamav-db is ignored`);
  }
  const engine: ClamavEngine = socket !== undefined ? 'clamdscan' : 'clamscan';
  const executable = await onPath(engine);
  if (!executable) {
    const missing = `ClamAV: ${engine} is not installed`;
    return { hits: [], limits: [], warnings: [...warnings, missing], engine, complete: false };
  }
  let confDir: string | undefined;
  try {
    let args: string[];
    if (socket !== undefined) {
      if (printable(socket, Infinity) !== socket) {
        warnings.push(`ClamAV: the clamd socket path ${printable(socket)} has control characters`);
        return { hits: [], limits: [], warnings, engine, complete: false };
      }
      // clamdscan takes its socket only from a config file.
      confDir = await mkdtemp(join(tmpdir(), 'shipshape-clamdscan-'));
      const conf = join(confDir, 'clamd.conf');
      await writeFile(conf, `LocalSocket ${socket}\n`, { mode: 0o600 });
      // --fdpass: clamd may run as another user, who cannot open our 0700 spool.
      args = ['-c', conf, '--fdpass', '--no-summary', '--infected', '--allmatch', dir];
    } else {
      args = clamscanArgs(dir, opts);
    }
    return { ...(await scan(executable, args, dir, opts, warnings)), engine };
  } finally {
    if (confDir !== undefined) await rm(confDir, { recursive: true, force: true });
  }
}

function clamscanArgs(dir: string, opts: RunClamavOptions): string[] {
  const fileBytes = Math.min(
    CLAMAV_MAX_FILE_BYTES,
    Math.max(1, Math.floor(opts.maxFileBytes ?? DEFAULT_SPOOL_BUDGETS.maxFileBytes)),
  );
  // Archive members count against the scan size too: leave room for what a file unpacks to.
  const scanBytes = Math.min(CLAMAV_MAX_FILE_BYTES, fileBytes * 4);
  return [
    '--no-summary',
    '--infected',
    '--allmatch',
    // Without this, a file over a limit is reported clean ("Data scanned: 0.00 MB").
    '--alert-exceeds-max=yes',
    `--max-filesize=${fileBytes}`,
    `--max-scansize=${scanBytes}`,
    '--max-recursion=16',
    '--recursive',
    ...(opts.database !== undefined ? [`--database=${opts.database}`] : []),
    dir,
  ];
}

async function scan(
  executable: string,
  args: string[],
  dir: string,
  opts: RunClamavOptions,
  warnings: string[],
): Promise<Omit<ClamavRunResult, 'engine'>> {
  const hits: ClamavHit[] = [];
  const limits: ClamavHit[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const run = await runProcess(executable, args, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onLine(line) {
      const parsed = parseClamavLine(line, dir);
      if (parsed.kind === 'error') {
        addWarning(warnings, `ClamAV could not scan ${parsed.spoolName}: ${parsed.message}`);
        return;
      }
      if (parsed.kind !== 'found') return;
      const key = `${parsed.hit.spoolName}\0${parsed.hit.signature}`;
      if (seen.has(key)) return;
      if (seen.size >= MAX_HITS) {
        dropped++;
        return;
      }
      seen.add(key);
      (isLimitSignature(parsed.hit.signature) ? limits : hits).push(parsed.hit);
    },
  });
  if (run.aborted) throw abortReason(opts.signal);
  if (dropped > 0) warnings.push(`ClamAV: ${dropped} more detections not listed (over ${MAX_HITS})`);
  if (run.failed) warnings.push(`ClamAV: could not run ${executable}: ${run.failed}`);
  else if (run.timedOut) {
    warnings.push(
      `ClamAV: stopped after ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s (timeout); its results are incomplete`,
    );
  } else if (run.code === 2) warnings.push(`ClamAV: ${explainError(run.stderr)}`);
  else if (run.code !== 0 && run.code !== 1) {
    warnings.push(
      `ClamAV: ${executable} ended with ${run.code === null ? `signal ${run.signal}` : `exit code ${run.code}`}`,
    );
  }
  if (!run.timedOut && run.code !== 2) {
    for (const line of stderrNotices(run.stderr)) addWarning(warnings, `ClamAV: ${line}`);
  }
  const complete = !run.failed && !run.timedOut && (run.code === 0 || run.code === 1);
  return { hits, limits, warnings, complete };
}

/** The first line of stderr that says what went wrong, in the user's terms when we know them. */
export function explainError(stderr: string): string {
  if (/No supported database files found|cli_loaddb|Can't open file or directory.*\.c[lv]d/i.test(stderr)) {
    return 'no signatures: pass --clamav-db DIR (a directory of .cvd/.cld files or local .hdb/.hsb/.ndb/.ldb/.yar signatures)';
  }
  const first = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return first ? printable(first) : 'the scan failed (exit code 2) without saying why';
}

/** ClamAV's warnings about the signatures it dropped (YARA rules using modules, bad lines). */
function stderrNotices(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(LibClamAV (Warning|Error)|WARNING|ERROR):/.test(l))
    .map((l) => printable(l));
}

function addWarning(warnings: string[], warning: string): void {
  if (warnings.length < MAX_WARNINGS && !warnings.includes(warning)) warnings.push(warning);
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(reason === undefined ? 'The operation was aborted' : String(reason));
  err.name = 'AbortError';
  return err;
}

function versionOf(answer: string): { version: string; signatures?: string } {
  // `ClamAV 1.4.6/27512/Mon Jan 6 09:35:00 2025`, or just `ClamAV 1.4.6` with no database.
  const [version = answer, signatures] = answer.replace(/\0/g, '').trim().split('/');
  return signatures && /^\d+$/.test(signatures) ? { version, signatures } : { version };
}

interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the process could not be started. */
  failed?: string;
}

interface ProcessOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onLine(line: string): void;
}

/** Runs a process without a shell, feeding stdout lines (each bounded) to `onLine`. */
function runProcess(executable: string, args: string[], opts: ProcessOptions): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(executable, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stderr = '';
    let partial = '';
    let overlong = false;
    let timedOut = false;
    let aborted = false;
    let failed: string | undefined;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      let at = 0;
      while (at < text.length) {
        const nl = text.indexOf('\n', at);
        const piece = text.slice(at, nl < 0 ? text.length : nl);
        at = nl < 0 ? text.length : nl + 1;
        // A line past MAX_LINE is not ours (our paths are short): skip it to its end.
        if (!overlong && partial.length + piece.length <= MAX_LINE) partial += piece;
        else overlong = true;
        if (nl < 0) break;
        if (!overlong) opts.onLine(partial);
        partial = '';
        overlong = false;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < MAX_STDERR) stderr += text.slice(0, MAX_STDERR - stderr.length);
    });
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial !== '' && !overlong) opts.onLine(partial);
      resolve({ code, signal, stderr, timedOut, aborted, ...(failed !== undefined ? { failed } : {}) });
    };
    child.on('error', (err) => {
      failed = errorMessage(err);
      // A process that never started sends no 'close' on every Node version.
      if (child.pid === undefined) settle(null, null);
    });
    child.on('close', settle);
  });
}

/** `name` on PATH, executable, or undefined. */
async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** The socket of a clamd that answers PING, from clamd.conf or Debian's default places. */
async function defaultClamdSocket(): Promise<string | undefined> {
  const configured = await configuredSocket();
  for (const socket of configured ? [configured, ...DEFAULT_SOCKETS] : DEFAULT_SOCKETS) {
    if ((await clamdCommand(socket, 'PING')) === 'PONG') return socket;
  }
  return undefined;
}

async function configuredSocket(): Promise<string | undefined> {
  let text: string;
  try {
    const file = await open(CLAMD_CONF, 'r');
    try {
      const buffer = Buffer.alloc(256 * 1024);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const match = /^\s*LocalSocket\s+(\S+)\s*$/m.exec(text);
  return match?.[1];
}

/** Sends one `z`-command to clamd and returns its answer, or undefined if it does not answer. */
function clamdCommand(socket: string, command: 'PING' | 'VERSION'): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const conn = connect(socket);
    const done = (value: string | undefined) => {
      conn.destroy();
      resolve(value);
    };
    conn.setTimeout(PROBE_TIMEOUT_MS, () => done(undefined));
    conn.on('error', () => done(undefined));
    conn.on('connect', () => conn.write(`z${command}\0`));
    conn.setEncoding('utf8');
    conn.on('data', (text: string) => {
      answer += text;
      const end = answer.indexOf('\0');
      if (end >= 0) done(answer.slice(0, end));
      else if (answer.length > 4096) done(undefined);
    });
    conn.on('end', () => done(answer === '' ? undefined : answer.replace(/\0.*$/s, '')));
  });
}
