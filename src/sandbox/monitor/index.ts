/**
 * Starts watching a container that `runc create` has made but not yet started: a syscall
 * tracer (bpftrace when it attaches here, strace otherwise) plus CPU sampling. Call after
 * `runc create`, `markStart()` right before `runc start`, `stop()` once the container is done.
 */
import type { Observations } from '../types.js';
import { startBpftrace } from './bpftrace.js';
import { startCpuSampler } from './cpu.js';
import type { RawMonitor } from './proc.js';
import { startStrace } from './strace.js';

export interface MonitorOptions {
  /** Host pid of the container's init process (`runc state` → pid). */
  pid: number;
  /** runc's `cgroupsPath` (`/shipshape-x`) or an absolute cgroup directory. */
  cgroupPath?: string;
  /** A private directory for the trace files. */
  workDir: string;
  prefer?: 'bpftrace' | 'strace';
  maxEvents?: number;
  maxTraceBytes?: number;
  cpuIntervalMs?: number;
  attachTimeoutMs?: number;
}

export interface Monitor {
  kind: Observations['monitor'];
  /** How long attaching took. */
  attachMs: number;
  /** Makes later `ms` values count from now (call right before `runc start`). */
  markStart(): void;
  stop(): Promise<Observations>;
}

export async function startMonitor(options: MonitorOptions): Promise<Monitor> {
  const warnings: string[] = [];
  let raw: RawMonitor | null = null;
  let kind: Observations['monitor'] = 'strace';
  const order: Observations['monitor'][] = options.prefer === 'strace' ? ['strace'] : ['bpftrace', 'strace'];
  for (const k of order) {
    try {
      if (k === 'bpftrace') {
        if (!options.cgroupPath) throw new Error('no cgroup to filter on');
        raw = await startBpftrace({ ...options, cgroupPath: options.cgroupPath });
      } else raw = await startStrace(options);
      kind = k;
      break;
    } catch (e) {
      const msg = (e as Error).message;
      if (k === 'strace') throw new Error(`no monitor could attach: ${[...warnings, msg].join('; ')}`);
      warnings.push(`bpftrace unavailable (${msg}): fell back to strace`);
    }
  }
  const tracer = raw as RawMonitor;
  const cpu = startCpuSampler({
    pid: options.pid,
    cgroupPath: options.cgroupPath,
    intervalMs: options.cpuIntervalMs,
    startEpochMs: tracer.startEpochMs,
  });
  let offset = 0;
  return {
    kind,
    attachMs: tracer.attachMs,
    markStart() {
      offset = Date.now() - tracer.startEpochMs;
    },
    async stop() {
      const usage = cpu.stop();
      const obs = await tracer.stop();
      return shift({ ...obs, warnings: [...warnings, ...obs.warnings, ...usage.warnings] }, usage, offset);
    },
  };
}

/** Re-bases times on `markStart()` and attaches per-process CPU time. */
function shift(
  obs: Observations,
  usage: ReturnType<ReturnType<typeof startCpuSampler>['stop']>,
  offset: number,
): Observations {
  const t = (ms: number) => Math.max(0, ms - offset);
  const latest = new Map<number, Observations['processes'][number]>();
  const processes = obs.processes.map((p) => {
    const q = { ...p, startMs: t(p.startMs) };
    if (p.exitMs !== undefined) q.exitMs = t(p.exitMs);
    latest.set(p.pid, q);
    return q;
  });
  // CPU time is per pid and survives exec, so it belongs to the pid's last image.
  for (const [pid, q] of latest) {
    const ms = usage.perPid.get(pid);
    if (ms !== undefined) q.cpuMs = ms;
  }
  return {
    ...obs,
    processes,
    files: obs.files.map((f) => ({ ...f, ms: t(f.ms) })),
    connects: obs.connects.map((c) => ({ ...c, ms: t(c.ms) })),
    memfds: obs.memfds.map((m) => ({ ...m, ms: t(m.ms) })),
    stdioSockets: obs.stdioSockets.map((s) => ({ ...s, ms: t(s.ms) })),
    cpu: usage.cpu.filter((c) => c.ms >= offset).map((c) => ({ ...c, ms: t(c.ms) })),
  };
}
