/**
 * The OCI runtime config (config.json) of a sandbox run, made in code: every namespace new
 * (user, pid, mount, network, ipc, uts, cgroup), at most Docker's default capabilities, no new
 * privileges, a seccomp profile, Docker's masked and read-only /proc and /sys paths, cgroup
 * limits, and our own read-only /etc/resolv.conf and /etc/hosts.
 */
import { seccompProfile } from './seccomp.js';
import type { IdMap, ProcessSpec, SandboxLimits } from './types.js';

/** Docker's default capability set (moby `oci/caps/defaults.go`). */
export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/** Docker's masked paths: kernel memory, keys, timers and firmware the container has no business reading. */
export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const CPU_PERIOD_US = 100_000;

export interface ConfigInput {
  process: ProcessSpec;
  /** Absolute path of the container's root (the overlay mount). */
  rootfs: string;
  hostname: string;
  limits: SandboxLimits;
  idMap: IdMap;
  cgroupPath: string;
  /** Host files bound read-only over /etc/resolv.conf and /etc/hosts. */
  resolvConfFile: string;
  hostsFile: string;
  /** Runs after the namespaces and cgroup exist, before the entrypoint (OCI createRuntime hook). */
  createdHook: { path: string; args: string[]; timeoutSeconds: number };
}

export function ociConfig(input: ConfigInput): Record<string, unknown> {
  const { process: proc, limits, idMap } = input;
  const caps = [...DOCKER_DEFAULT_CAPS];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: proc.uid, gid: proc.gid, additionalGids: proc.additionalGids },
      args: proc.args,
      env: proc.env,
      cwd: proc.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 },
        { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
      ],
      noNewPrivileges: true,
      // If the host runs short of memory, the sample goes first.
      oomScoreAdj: 1000,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/dev/mqueue',
        type: 'mqueue',
        source: 'mqueue',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: input.resolvConfFile,
        options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
      },
      {
        destination: '/etc/hosts',
        type: 'bind',
        source: input.hostsFile,
        options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
      },
    ],
    hooks: {
      createRuntime: [
        {
          path: input.createdHook.path,
          args: input.createdHook.args,
          timeout: input.createdHook.timeoutSeconds,
        },
      ],
    },
    linux: {
      uidMappings: [{ containerID: 0, hostID: idMap.hostUid, size: idMap.size }],
      gidMappings: [{ containerID: 0, hostID: idMap.hostGid, size: idMap.size }],
      namespaces: ['user', 'pid', 'mount', 'network', 'ipc', 'uts', 'cgroup'].map((type) => ({ type })),
      cgroupsPath: input.cgroupPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: limits.memoryBytes, swap: limits.memoryBytes },
        pids: { limit: limits.pids },
        cpu: { quota: Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US)), period: CPU_PERIOD_US },
      },
      seccomp: seccompProfile(),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
