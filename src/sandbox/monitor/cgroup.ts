/**
 * Where a container's cgroup lives on this host. runc takes one `cgroupsPath` (`/shipshape-x`)
 * and creates it under every hierarchy: each v1 controller's mount and the v2 (unified) mount,
 * which on a hybrid host like ours sits at /sys/fs/cgroup/unified. bpftrace filters on the v2
 * id; CPU accounting reads cpuacct (v1) or cpu.stat (v2).
 */
import { join, posix } from 'node:path';
import { readMounts } from '../mountinfo.js';

export interface CgroupDirs {
  /** The cgroup-v2 directory (bpftrace's `cgroupid()` wants this), if the host has v2 mounted. */
  unified: string | null;
  /** v1 cpuacct directory (cpuacct.usage), if mounted. */
  cpuacct: string | null;
  /** A directory whose cgroup.procs lists the container's processes. */
  procs: string | null;
}

/**
 * Accepts runc's `cgroupsPath` (`/shipshape-x`) or an absolute directory under a cgroup mount;
 * returns the directories for each use.
 */
export function cgroupDirs(cgroupPath: string): CgroupDirs {
  const all = readMounts().filter((m) => m.type === 'cgroup' || m.type === 'cgroup2');
  let rel = posix.normalize(`/${cgroupPath}`);
  const owner = all
    .filter((m) => rel === m.point || rel.startsWith(`${m.point}/`))
    .sort((a, b) => b.point.length - a.point.length)[0];
  if (owner) rel = rel.slice(owner.point.length) || '/';
  const v2 = all.find((m) => m.type === 'cgroup2');
  const cpuacct = all.find((m) => m.type === 'cgroup' && m.options.split(',').includes('cpuacct'));
  const pids =
    all.find((m) => m.type === 'cgroup' && m.options.split(',').includes('pids')) ?? cpuacct ?? v2 ?? null;
  return {
    unified: v2 ? join(v2.point, rel) : null,
    cpuacct: cpuacct ? join(cpuacct.point, rel) : null,
    procs: pids ? join(pids.point, rel) : null,
  };
}
