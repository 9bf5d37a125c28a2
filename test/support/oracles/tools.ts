/**
 * Running the real version tools as oracles: one process per batch, pairs on stdin or in a
 * file, one answer per line. Missing tools fail the test with the package to install
 * (scripts/install-test-deps.sh installs them all); SHIPSHAPE_SKIP_ORACLES=1 skips instead.
 */
import { spawn, spawnSync } from 'node:child_process';

export const skipOracles = process.env.SHIPSHAPE_SKIP_ORACLES === '1';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a command with `input` on stdin; rejects on timeout or a failed exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; cwd?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} timed out`));
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      };
      if (code !== 0 && !opts.allowFailure)
        reject(new Error(`${cmd} exited ${code}: ${r.stderr.slice(0, 2000)}`));
      else resolve(r);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** True when `cmd args` runs and exits 0. */
export function works(cmd: string, args: string[]): boolean {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
  } catch {
    return false;
  }
}

/** Throws a message naming the Debian package when a tool is missing. */
export function requireTool(ok: boolean, what: string, debianPackage: string): void {
  if (!ok)
    throw new Error(
      `${what} is not available: apt-get install ${debianPackage} (scripts/install-test-deps.sh)`,
    );
}

/** Lines of a tool's answer, one per pair, checked for count. */
export function answerLines(stdout: string, expected: number): string[] {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== expected) throw new Error(`expected ${expected} answers, got ${lines.length}`);
  return lines;
}
