/** The layer engine's public surface: one pass over a layer blob or a root filesystem directory. */
export { scanLayer, type ScanLayerOptions } from './engine.js';
export { scanRootDir, type ScanRootOptions } from './rootfs-walk.js';
export {
  findSymlinkAncestor,
  normalizeEntryPath,
  resolveInRoot,
  MAX_SYMLINK_HOPS,
  type ResolveOptions,
} from './paths.js';
export { classifyWhiteout, type WhiteoutKind } from './whiteout.js';
export {
  openDecompressed,
  sniffCompression,
  type DecompressedLayer,
  type DetectedCompression,
} from './decompress.js';
export { resolveBudgets } from './budget.js';
export { DEFAULT_BUDGETS, type EntryHeader, type EntryType, type LayerBudgets } from './types.js';
