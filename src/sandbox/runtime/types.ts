/**
 * The sandbox runtime's own shapes: what a caller asks for (limits, decoys, the files bound over
 * /etc/resolv.conf and /etc/hosts) and what a prepared and a finished run are.
 */
import type { LayerBudgets } from '../../layer/types.js';
import type { DecoyFileSpec, PlantedDecoy } from './decoys.js';

/** Container ids 0..size-1 are host ids hostId..hostId+size-1 (the user namespace's map). */
export interface IdMap {
  hostUid: number;
  hostGid: number;
  size: number;
}

export const DEFAULT_ID_MAP: IdMap = { hostUid: 100_000, hostGid: 100_000, size: 65_536 };

export interface SandboxLimits {
  /** Memory, swap included (the container gets no swap). Default 512 MiB. */
  memoryBytes: number;
  /** Processes and threads. Default 256. */
  pids: number;
  /** CPU cores' worth of time (1 = one core busy). Default 1. */
  cpus: number;
  /** Size of the writable layer (a tmpfs holding the overlay's upper dir). Default 256 MiB. */
  writableBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 512 * 1024 ** 2,
  pids: 256,
  cpus: 1,
  writableBytes: 256 * 1024 ** 2,
};

export interface UnpackBudgets {
  /** Per-layer limits of the layer engine (ratio, entries, seconds, path length). */
  layer?: Partial<LayerBudgets>;
  /** Bytes of file content over all layers. Default 8 GiB. */
  maxTotalBytes?: number;
  /** Entries over all layers. Default 2 000 000. */
  maxTotalEntries?: number;
}

export interface PrepareOptions {
  /** Parent of the run's private work dir. Default the OS temp dir. */
  workRoot?: string;
  limits?: Partial<SandboxLimits>;
  /** Decoy credentials put in the environment (after the image's Env, so they win). */
  decoyEnv?: Record<string, string>;
  /** Decoy credential files planted in the user's home, in the writable layer (decoys.ts). */
  decoyFiles?: DecoyFileSpec[];
  /** Content of the read-only /etc/resolv.conf. Default: no name servers. */
  resolvConf?: string;
  /** Content of the read-only /etc/hosts. Default: localhost only. */
  hosts?: string;
  /** Replaces the image's Entrypoint (and then its Cmd too, as `docker run --entrypoint` does). */
  entrypoint?: string[];
  /** Replaces the image's Cmd. */
  cmd?: string[];
  /** Container hostname. Default: 12 random hex digits, like Docker's. */
  hostname?: string;
  budgets?: UnpackBudgets;
  idMap?: IdMap;
  signal?: AbortSignal;
  /**
   * Where unpacked images are kept between runs (image-cache.ts), or false to unpack this run's
   * image for it alone. Default: the cache, with its defaults.
   */
  imageCache?: { dir?: string; maxBytes?: number } | false;
}

/** The process the container runs, resolved from the image config (Docker semantics). */
export interface ProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface PreparedRun {
  /** Unique per run; also the runc container id. */
  id: string;
  /** Private directory holding everything of this run; removed by dispose(). */
  workDir: string;
  bundleDir: string;
  /** The unpacked image (overlay lower dir, never written by the container). */
  rootfsLower: string;
  /**
   * The overlay's upper dir: what the container wrote. It lives on a tmpfs in a private mount
   * namespace, reached through /proc/<holder pid>/root, so it is readable only until dispose().
   */
  upperDir: string;
  /** The OCI runtime config written to bundleDir/config.json. */
  config: Record<string, unknown>;
  process: ProcessSpec;
  /** Cgroup path relative to each hierarchy's root (`/shipshape-<id>`). */
  cgroupPath: string;
  /** The decoy files planted (in the writable layer, so collectChanges lists them). */
  decoys: PlantedDecoy[];
  warnings: string[];
  /** Milliseconds spent unpacking and preparing. */
  prepareMs: number;
  /** `hit`: the unpacked image came from the cache; `stored`: unpacked into it; `off`: not cached. */
  imageCache: 'hit' | 'stored' | 'off';
}

export interface CreatedContainer {
  /** Host pid of the container's init, stopped before it runs the entrypoint. */
  pid: number;
  /** Cgroup path relative to each hierarchy's root. */
  cgroupPath: string;
  /** Absolute cgroup directories by controller (`memory`, `pids`, `cpu`, ..., `unified`). */
  cgroupDirs: Record<string, string>;
  bundle: string;
  id: string;
}

export interface RunOptions {
  /** Observation window in ms; the container is killed after it. Default 30 000. */
  timeoutMs?: number;
  /** Called once the container exists (namespaces and cgroup made) and before it starts. */
  onCreated?: (created: CreatedContainer) => Promise<void> | void;
  /** How long onCreated may take before the run fails. Default 60 000 ms. */
  onCreatedTimeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes of stdout and of stderr kept (the last ones). Default 64 KiB. */
  outputBytes?: number;
}

export interface RunResult {
  /** The entrypoint's exit code, 128+signal when killed, null when it never ran. */
  exitCode: number | null;
  timedOut: boolean;
  /** From start to exit (the observation window actually used). */
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Whether the output was cut to its last `outputBytes`. */
  outputTruncated: boolean;
  /** runc's own error, when the container failed to start (bad entrypoint and the like). */
  runtimeError: string | null;
}
