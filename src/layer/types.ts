export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One tar entry (or one file of a rootfs directory), after path normalisation. */
export interface EntryHeader {
  /** Relative to the image root, no leading '/', no '.' or '..' segments, no trailing '/'. */
  path: string;
  type: EntryType;
  /** Permission bits incl. setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  size: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch, when the archive says. */
  mtime?: number;
  /** Symlink: the target as written (may be absolute; resolved inside the image root).
   *  Hard link: the normalised path of the file it links to. */
  linkTarget?: string;
}

/** Limits for one pass over one layer; exceeding any is an error naming the layer. */
export interface LayerBudgets {
  /** Uncompressed bytes a layer may hold. */
  maxUncompressedBytes: number;
  /** Once past `ratioFloorBytes`, uncompressed/compressed may not exceed this (compression bombs). */
  maxCompressionRatio: number;
  ratioFloorBytes: number;
  maxEntries: number;
  /** Wall-clock seconds for one layer. */
  maxSeconds: number;
  /** Longest path accepted. */
  maxPathLength: number;
}

export const DEFAULT_BUDGETS: LayerBudgets = {
  maxUncompressedBytes: 32 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioFloorBytes: 256 * 1024 ** 2,
  maxEntries: 2_000_000,
  maxSeconds: 1800,
  maxPathLength: 4096,
};
