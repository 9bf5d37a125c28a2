import type { Readable } from 'node:stream';

/** os/arch[/variant], as in an OCI index's platform object. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** The OCI image config (a Docker config is the same shape for what we read). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Volumes?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export type Compression = 'gzip' | 'zstd' | 'none' | 'unknown';

export interface LayerDescriptor {
  /** Position in the image's layer list, 0 = base. */
  index: number;
  /** Digest of the blob as stored (compressed); for a rootfs directory, null. */
  digest: string | null;
  /** Digest of the uncompressed tar, from the config's rootfs.diff_ids. */
  diffId: string | null;
  /** Size of the blob in bytes as the manifest declares it (0 when unknown). */
  size: number;
  mediaType: string;
  /** The history entry (Dockerfile instruction) that made this layer, when known. */
  createdBy: string | null;
}

export interface PlatformEntry {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface ResolvedImage {
  /** The target as the user gave it. */
  input: string;
  /** Normalised image reference, or null for local inputs without one. */
  ref: string | null;
  /** Digest of the image manifest (the platform-specific one), or null for a rootfs dir. */
  digest: string | null;
  /** Digest of the index the manifest was chosen from, when there was one. */
  indexDigest: string | null;
  /** Platforms offered by the index (empty for a single-platform image). */
  platforms: PlatformEntry[];
  platform: string;
  manifestMediaType: string | null;
  config: ImageConfig;
  configDigest: string | null;
  layers: LayerDescriptor[];
  history: HistoryEntry[];
  /** Registry facts worth reporting, such as Docker Hub's rate limit. */
  notes: string[];
}

/**
 * A layer as a stream of bytes (compressed or not). Sources check the digest and size while the
 * stream is read: a mismatch makes the stream fail before it ends, so a consumer that reached
 * 'end' knows the bytes were the ones the manifest named.
 */
export interface LayerBlob {
  stream: Readable;
  /** True when the stream's bytes are checked against `LayerDescriptor.digest`. */
  verified: boolean;
}

export interface ImageSource {
  readonly kind: 'registry' | 'docker-archive' | 'oci' | 'dir';
  resolve(): Promise<ResolvedImage>;
  /** Opens a layer blob. Not used for `dir` sources, which expose `rootDir` instead. */
  openLayer(layer: LayerDescriptor): Promise<LayerBlob>;
  /**
   * For local blobs: a string that changes whenever the blob's bytes could have changed (path,
   * inode, size, mtime, ctime). Lets a cache trust a blob it verified before without rehashing.
   */
  blobIdentity?(layer: LayerDescriptor): Promise<string | null>;
  /** For `dir` sources: the root filesystem on disk. */
  readonly rootDir?: string;
  close(): Promise<void>;
}
