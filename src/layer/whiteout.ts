/**
 * OCI/AUFS whiteouts: names a layer uses to delete or hide content of the layers below it.
 * They are instructions to the merge, not files of the image.
 */
import { ShipshapeError } from '../errors.js';
import { baseName, parentOf, quoteName } from './paths.js';

const WHITEOUT_PREFIX = '.wh.';
/** `.wh..wh.` starts AUFS bookkeeping names (`.wh..wh.plnk`, `.wh..wh.aufs`), and the opaque marker. */
const AUFS_META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutKind =
  /** `dir/.wh.NAME`: `dir/NAME` and everything below it is removed. */
  | { kind: 'whiteout'; target: string }
  /** `dir/.wh..wh..opq`: what lower layers have in `dir` is hidden ('' is the root). */
  | { kind: 'opaque'; dir: string }
  /** AUFS bookkeeping (`.wh..wh.plnk/...` and the like): neither a file nor a deletion. */
  | { kind: 'aufs-meta' };

/**
 * Classifies a normalised path. Returns undefined for an ordinary entry. Throws UNSAFE_PATH for
 * a whiteout whose name would climb out of its directory (`.wh..`, `.wh...`), and MALFORMED for
 * one with no name at all (`.wh.`).
 */
export function classifyWhiteout(path: string): WhiteoutKind | undefined {
  // Cheap test first: almost no entry of a layer has '.wh.' anywhere in its path.
  if (!path.includes(WHITEOUT_PREFIX)) return undefined;
  const base = baseName(path);
  const dir = parentOf(path);

  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith(AUFS_META_PREFIX) || dir.split('/').some((s) => s.startsWith(AUFS_META_PREFIX))) {
    return { kind: 'aufs-meta' };
  }
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;

  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '') throw new ShipshapeError('MALFORMED', `whiteout ${quoteName(path)} names nothing`);
  if (name === '.' || name === '..') {
    throw new ShipshapeError('UNSAFE_PATH', `whiteout ${quoteName(path)} would remove a parent directory`);
  }
  return { kind: 'whiteout', target: dir === '' ? name : `${dir}/${name}` };
}
