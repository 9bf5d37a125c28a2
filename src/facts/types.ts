import type { EntryType } from '../layer/types.js';
import type { Fact } from '../analyze/types.js';
import type { Compression } from '../image/types.js';

/** One entry of a layer, kept for every entry so the image's file history can be rebuilt. */
export interface FileRecord {
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  linkTarget?: string;
}

/** What one pass over one layer learned. Cached by layer digest + analyzer versions. */
export interface LayerFacts {
  /** sha256 of the uncompressed tar, computed during the pass (null for a rootfs dir). */
  diffId: string | null;
  compression: Compression;
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  files: FileRecord[];
  /** Paths removed from lower layers by `.wh.NAME` entries. */
  whiteouts: string[];
  /** Directories whose lower-layer content is hidden by `.wh..wh..opq`. */
  opaqueDirs: string[];
  /** Analyzer name → its facts for this layer. */
  facts: Record<string, Fact[]>;
  /** Analyzer name → version that produced the facts. */
  analyzers: Record<string, number>;
  warnings: string[];
}

/** A file of the final tree, or of any layer, with the layer that put it there. */
export interface PlacedFile extends FileRecord {
  layer: number;
  /** For files of the history: the layer that deleted or replaced it, if any. */
  removedIn?: number;
}

export interface ImageFacts {
  /** The file tree a container of this image starts with. */
  tree: Map<string, PlacedFile>;
  /** Every file that existed in any layer, including those deleted or replaced later. */
  history: PlacedFile[];
  layers: LayerFacts[];
}
