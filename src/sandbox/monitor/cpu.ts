/**
 * CPU sampling from the host: the cgroup's total (cpuacct.usage on v1, cpu.stat usage_usec on
 * v2) every 250 ms, and utime+stime of each process in the cgroup from /proc/<pid>/stat. Without
 * a cgroup (tests), the traced process and its descendants stand in for it.
 */
import { readdirSync } from 'node:fs';
import { cgroupDirs } from './cgroup.js';
import { readText } from './proc.js';

export interface CpuSamplerOptions {
  pid: number;
  cgroupPath?: string;
  intervalMs?: number;
  /** Epoch ms that sample times count from. */
  startEpochMs: number;
  maxSamples?: number;
}

export interface CpuResult {
  cpu: { ms: number; percent: number }[];
  /** Host pid → CPU ms used, as last sampled. */
  perPid: Map<number, number>;
  warnings: string[];
}

export interface CpuSampler {
  stop(): CpuResult;
}

const CLK_TCK = 100;
const MAX_PIDS = 512;

/** utime + stime of a process in ms (fields 14 and 15, after the parenthesised comm). */
export function processCpuMs(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const f = statText.slice(close + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLK_TCK : null;
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length && out.length < MAX_PIDS) {
    const p = queue.shift() as number;
    out.push(p);
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`).slice(0, MAX_PIDS);
    } catch {
      // gone already
    }
    for (const tid of tids) {
      const kids = readText(`/proc/${p}/task/${tid}/children`) ?? '';
      for (const k of kids.split(/\s+/).filter(Boolean)) queue.push(Number(k));
    }
  }
  return out;
}

export function startCpuSampler(options: CpuSamplerOptions): CpuSampler {
  const dirs = options.cgroupPath ? cgroupDirs(options.cgroupPath) : null;
  const usageNs = (): number | null => {
    if (dirs?.cpuacct) {
      const v = readText(`${dirs.cpuacct}/cpuacct.usage`);
      if (v !== null && /^\d+/.test(v)) return Number(v.trim());
    }
    if (dirs?.unified) {
      const m = /^usage_usec (\d+)/m.exec(readText(`${dirs.unified}/cpu.stat`) ?? '');
      if (m) return Number(m[1]) * 1000;
    }
    return null;
  };
  const pids = (): number[] => {
    for (const d of [dirs?.procs, dirs?.unified]) {
      if (!d) continue;
      const t = readText(`${d}/cgroup.procs`);
      if (t !== null) return t.split('\n').filter(Boolean).map(Number).slice(0, MAX_PIDS);
    }
    return descendants(options.pid);
  };

  const cpu: CpuResult['cpu'] = [];
  const perPid = new Map<number, number>();
  const warnings: string[] = [];
  const max = options.maxSamples ?? 20_000;
  let prev: { wall: number; usage: number | null; perPid: Map<number, number> } | null = null;

  const tick = () => {
    const wall = Date.now();
    const usage = usageNs();
    const now = new Map<number, number>();
    for (const p of pids()) {
      const ms = processCpuMs(readText(`/proc/${p}/stat`) ?? '');
      if (ms === null) continue;
      now.set(p, ms);
      perPid.set(p, Math.max(perPid.get(p) ?? 0, ms));
    }
    if (prev && wall > prev.wall) {
      let usedMs: number;
      if (usage !== null && prev.usage !== null) usedMs = (usage - prev.usage) / 1e6;
      else {
        usedMs = 0;
        for (const [p, ms] of now) usedMs += ms - (prev.perPid.get(p) ?? ms);
      }
      const percent = Math.max(0, Math.round((usedMs / (wall - prev.wall)) * 1000) / 10);
      if (cpu.length < max) cpu.push({ ms: wall - options.startEpochMs, percent });
      else if (!warnings.length) warnings.push(`CPU sample cap (${max}) reached`);
    }
    prev = { wall, usage, perPid: now };
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 250);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { cpu, perPid, warnings };
    },
  };
}
