/**
 * What one entry of a layer is, and whether it is safe: the rules an extractor needs to keep
 * every write inside the image root, applied while reading so a scan never accepts a layer that
 * could not be extracted safely. Knows the entries seen so far in this layer only; the merge
 * applies the same symlink rule across layers.
 */
import { ShipshapeError } from '../errors.js';
import { findSymlinkAncestor, normalizeEntryPath, parentOf, quoteName } from './paths.js';
import type { RawEntry } from './tar-reader.js';
import type { EntryHeader, EntryType } from './types.js';
import { classifyWhiteout } from './whiteout.js';

export type EntryDecision =
  | { kind: 'entry'; header: EntryHeader; warning?: string }
  | { kind: 'whiteout'; target: string }
  | { kind: 'opaque'; dir: string }
  /** Nothing to record: the root directory itself, or AUFS bookkeeping. */
  | { kind: 'skip' };

export interface EntryPolicyOptions {
  /** Record device files instead of refusing the layer. */
  allowDevices: boolean;
}

type SeenKind = EntryType | 'aufs-meta';

export class EntryPolicy {
  /** Path → what the latest entry of this layer at that path was. */
  private readonly seen = new Map<string, SeenKind>();
  /** Symlink entries so far; a change means a parent checked before may now lead through one. */
  private symlinkCount = 0;
  private checkedParent: string | undefined;
  private symlinkCountAtCheck = 0;
  private readonly isSymlink = (path: string) => this.seen.get(path) === 'symlink';

  constructor(private readonly options: EntryPolicyOptions) {}

  /** Throws UNSAFE_PATH or MALFORMED for entries that must not be extracted. */
  decide(raw: RawEntry): EntryDecision {
    const path = normalizeEntryPath(raw.name);
    if (path === '') {
      if (raw.type === 'dir') return { kind: 'skip' };
      throw new ShipshapeError('MALFORMED', `${raw.type} entry ${quoteName(raw.name)} names the image root`);
    }
    this.checkNotThroughSymlink(path, raw.name);

    const whiteout = classifyWhiteout(path);
    if (whiteout?.kind === 'whiteout') return { kind: 'whiteout', target: whiteout.target };
    if (whiteout?.kind === 'opaque') return { kind: 'opaque', dir: whiteout.dir };
    if (whiteout?.kind === 'aufs-meta') {
      // Old AUFS layers hard-link files to these hidden copies; remember them for that.
      this.seen.set(path, 'aufs-meta');
      return { kind: 'skip' };
    }

    let linkTarget: string | undefined;
    let warning: string | undefined;
    switch (raw.type) {
      case 'char':
      case 'block':
        if (!this.options.allowDevices) {
          throw new ShipshapeError('UNSAFE_PATH', `device file ${quoteName(raw.name)} in layer`);
        }
        break;
      case 'symlink':
        // Kept as written: an absolute target is normal and means "inside the image root".
        linkTarget = raw.linkname;
        break;
      case 'hardlink':
        ({ linkTarget, warning } = this.checkHardLink(raw));
        break;
      default:
        break;
    }

    this.seen.set(path, raw.type);
    if (raw.type === 'symlink') this.symlinkCount++;
    const header: EntryHeader = {
      path,
      type: raw.type,
      mode: raw.mode,
      // Only regular files have content; other kinds' bodies (if any) are not read.
      size: raw.type === 'file' ? raw.size : 0,
      uid: raw.uid,
      gid: raw.gid,
    };
    if (raw.mtime !== undefined) header.mtime = raw.mtime;
    if (linkTarget !== undefined) header.linkTarget = linkTarget;
    return warning === undefined ? { kind: 'entry', header } : { kind: 'entry', header, warning };
  }

  /**
   * Refuses a path below a symlink of this layer. Tars list a directory's entries together, so
   * the parent just found free of symlinks is remembered until a symlink is added.
   */
  private checkNotThroughSymlink(path: string, name: string): void {
    if (this.symlinkCount === 0) return;
    const parent = parentOf(path);
    if (parent === this.checkedParent && this.symlinkCount === this.symlinkCountAtCheck) return;
    const link = findSymlinkAncestor(path, this.isSymlink);
    if (link !== undefined) {
      throw new ShipshapeError(
        'UNSAFE_PATH',
        `entry ${quoteName(name)} is written through symlink ${quoteName(link)} from earlier in this layer`,
      );
    }
    this.checkedParent = parent;
    this.symlinkCountAtCheck = this.symlinkCount;
  }

  /**
   * A hard link shares the inode of a file extracted before it, so its target must be an
   * earlier non-directory entry of the same layer: a link to anything else would make the
   * extractor link to a file outside the layer (or outside the root).
   */
  private checkHardLink(raw: RawEntry): { linkTarget: string; warning?: string } {
    const written = raw.linkname ?? '';
    let target: string;
    try {
      target = normalizeEntryPath(written);
    } catch (err) {
      if (err instanceof ShipshapeError) {
        throw new ShipshapeError(
          'UNSAFE_PATH',
          `hard link ${quoteName(raw.name)} points outside the root: ${err.message}`,
        );
      }
      throw err;
    }
    const kind = this.seen.get(target);
    if (kind === undefined) {
      throw new ShipshapeError(
        'MALFORMED',
        `hard link ${quoteName(raw.name)} points to ${quoteName(written)}, which is no earlier file of this layer`,
      );
    }
    if (kind === 'dir') {
      throw new ShipshapeError(
        'MALFORMED',
        `hard link ${quoteName(raw.name)} points to directory ${quoteName(written)}`,
      );
    }
    if (kind === 'aufs-meta') {
      return {
        linkTarget: target,
        warning: `hard link ${quoteName(raw.name)} points to AUFS metadata; its content is not recorded`,
      };
    }
    return { linkTarget: target };
  }
}
