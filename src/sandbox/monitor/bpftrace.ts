/**
 * The bpftrace monitor. tracefs is not mounted on this host, so bpftrace runs in a private mount
 * namespace that mounts it (`unshare -m`: nothing leaks into the host's mount table). Start-up
 * returns only after the script's BEGIN line, i.e. once every probe is attached, so the
 * orchestrator can `runc start` without losing the container's first exec.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpftraceParser } from './bpftrace-parse.js';
import { bpftraceScript } from './bpftrace-script.js';
import { cgroupDirs } from './cgroup.js';
import { describeProcess, endChild, sleep, traceSession, type RawMonitor } from './proc.js';

export interface BpftraceMonitorOptions {
  pid: number;
  cgroupPath: string;
  workDir: string;
  bpftrace?: string;
  maxTraceBytes?: number;
  maxEvents?: number;
  /** Compiling the script takes seconds (much longer on a loaded machine). */
  attachTimeoutMs?: number;
}

const DEFAULT_MAX_TRACE_BYTES = 512 * 1024 * 1024;

function head(path: string, bytes: number): string {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export async function startBpftrace(options: BpftraceMonitorOptions): Promise<RawMonitor> {
  const cg = cgroupDirs(options.cgroupPath).unified;
  if (!cg || !existsSync(cg)) throw new Error(`no cgroup-v2 directory for ${options.cgroupPath}`);
  const token = randomBytes(6).toString('hex');
  const scriptPath = join(options.workDir, 'monitor.bt');
  const out = join(options.workDir, 'bpftrace.log');
  writeFileSync(scriptPath, bpftraceScript(token, cg));
  const root = describeProcess(options.pid);
  const startNs = process.hrtime.bigint();
  const startEpochMs = Date.now();
  const outFd = openSync(out, 'w');
  const stderr: string[] = [];
  let child: ChildProcess;
  try {
    child = spawn(
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" "$1"',
        options.bpftrace ?? 'bpftrace',
        scriptPath,
      ],
      // Longer strings than the default 64 bytes; 200 is what fits the 512-byte BPF stack.
      { stdio: ['ignore', outFd, 'pipe'], env: { ...process.env, BPFTRACE_STRLEN: '200' } },
    );
  } finally {
    closeSync(outFd);
  }
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.join('').length < 8192) stderr.push(d);
  });
  let failed: Error | null = null;
  child.once('error', (e) => (failed = e));

  const deadline = Date.now() + (options.attachTimeoutMs ?? 60_000);
  while (!head(out, 65536).includes(`${token} READY`)) {
    if (failed || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await endChild(child, 'SIGKILL', 100);
      const err = stderr
        .join('')
        .split('\n')
        .filter((l) => l.trim() && !/RLIMIT_MEMLOCK/.test(l))
        .join(' ')
        .slice(0, 300);
      const why = failed
        ? (failed as Error).message
        : err || (Date.now() > deadline ? 'timed out' : 'exited');
      throw new Error(`bpftrace did not attach: ${why}`);
    }
    await sleep(20);
  }
  const attachMs = Date.now() - startEpochMs;

  return traceSession({
    out,
    cap: options.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES,
    tracer: child,
    startEpochMs,
    attachMs,
    graceMs: 5000,
    parser: () => new BpftraceParser({ token, startNs, root, maxEvents: options.maxEvents }),
  });
}
