/**
 * The shapes the sandbox's parts share (issue 6): the runtime runs the image under runc, the
 * fake internet answers and records everything the container sends, the monitors record what
 * its processes do, and the behaviour rules judge it all. `behavior` in the scan report
 * (CONTRACT.md) is `BehaviorReport`.
 */

export type BehaviorSeverity = 'critical' | 'high' | 'medium' | 'low';

export const BEHAVIOR_CATEGORIES = [
  'miner',
  'dropper',
  'compile-exec',
  'reverse-shell',
  'persistence',
  'escape',
  'scan',
  'credential-access',
  'suspicious',
] as const;
export type BehaviorCategory = (typeof BEHAVIOR_CATEGORIES)[number];

/** A process the container ran. Times are milliseconds since the container started. */
export interface ProcessEvent {
  /** Host pid (pids wrap: `startMs` disambiguates). */
  pid: number;
  ppid: number;
  argv: string[];
  /** The executable, as the container sees it (`/tmp/kworkerd`). */
  path: string;
  startMs: number;
  /** When the monitor saw it end, if it did. */
  exitMs?: number;
  /** CPU time in ms, when sampled. */
  cpuMs?: number;
}

export type FileOp = 'write' | 'chmod' | 'unlink' | 'rename' | 'exec' | 'read' | 'mkdir';

export interface FileEvent {
  op: FileOp;
  /** Container-relative absolute path (`/tmp/x`). */
  path: string;
  /** rename: the new path. */
  target?: string;
  /** chmod: the mode set. */
  mode?: number;
  pid: number;
  ms: number;
  /** Whether the path exists in the image (filled in by the orchestrator from the image tree). */
  inImage?: boolean;
}

/** A socket the container opened towards somewhere (from the syscall side). */
export interface ConnectEvent {
  pid: number;
  ms: number;
  family: 'inet' | 'inet6' | 'unix';
  /** IP or unix socket path. */
  address: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'unknown';
}

/** What the monitors saw (strace or bpftrace: same shape). */
export interface Observations {
  monitor: 'bpftrace' | 'strace';
  processes: ProcessEvent[];
  files: FileEvent[];
  connects: ConnectEvent[];
  /** memfd_create calls (fileless execution). */
  memfds: { pid: number; ms: number; name: string }[];
  /** Processes whose stdin/stdout/stderr were made a socket (dup2/dup3 of a socket onto 0–2). */
  stdioSockets: { pid: number; ms: number; fd: number }[];
  /** Cgroup CPU usage sampled over time: ms since start → CPU % of one core (100 = one core busy). */
  cpu: { ms: number; percent: number }[];
  warnings: string[];
}

/** What the fake internet saw (the network side; the contract's `network[]`). */
export interface NetworkEvent {
  kind: 'dns' | 'tcp' | 'udp' | 'http' | 'tls';
  /** DNS: the name asked; HTTP: Host header; TLS: SNI. */
  host: string | null;
  ip: string | null;
  port: number | null;
  /** First bytes sent by the container, printable-escaped, at most 512 chars. */
  firstBytes: string;
  ms: number;
  /** HTTP: method and path; DNS: query type. */
  detail?: string;
}

export interface BehaviorFinding {
  category: BehaviorCategory;
  rule: string;
  severity: BehaviorSeverity;
  evidence: string;
}

/** The report's `behavior` section. */
export interface BehaviorReport {
  ran: boolean;
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
  processes: ProcessEvent[];
  network: NetworkEvent[];
  files: FileEvent[];
  findings: BehaviorFinding[];
  /** Files the container left in its writable layer (path, size, sha256), what it dropped. */
  dropped: { path: string; size: number; sha256: string | null }[];
  monitor: Observations['monitor'] | null;
  /** The decoy credentials planted for this run: env variable names and file paths. */
  decoys?: { env: string[]; files: string[] };
  warnings: string[];
}

/** What the behaviour rules get: everything seen, plus the image's own file list. */
export interface BehaviorInput {
  observations: Observations;
  network: NetworkEvent[];
  dropped: BehaviorReport['dropped'];
  /** Does this container-absolute path exist in the image? */
  inImage(path: string): boolean;
  /** Planted decoy credentials (env names and file paths) the sandbox gave the container. */
  decoys: {
    env: Record<string, string>;
    files: string[];
    /** The secret values inside the planted files, so one seen on the network names its file. */
    fileSecrets?: { path: string; name: string; value: string }[];
  };
  durationMs: number;
}
