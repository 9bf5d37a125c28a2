/**
 * Unpacks an image's layers into one directory, the overlay's lower dir, with the layer engine's
 * decompression, strict tar reader and entry policy: whatever the scan refuses is not unpacked
 * either. Nothing is written outside the root: names are normalised ('..' and absolute names
 * refused), a write below a symlink of the same layer is refused, and a parent that is a symlink
 * from a lower layer is resolved inside the root the way the kernel would in a chroot, so what
 * is written lands where `docker run` would put it. Ownership is shifted into the user
 * namespace's range, so the container's root owns what the image's root owned.
 */
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  chmodSync,
  chownSync,
  writeSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ShipshapeError, withTarget } from '../../errors.js';
import type { ImageSource, LayerDescriptor, ResolvedImage } from '../../image/types.js';
import { LayerBudget, resolveBudgets } from '../../layer/budget.js';
import { openDecompressed } from '../../layer/decompress.js';
import { EntryPolicy } from '../../layer/entry-policy.js';
import { PassControl } from '../../layer/pass-control.js';
import { parentOf, quoteName, resolveInRoot } from '../../layer/paths.js';
import { TarReader, type BodyConsumer, type RawEntry } from '../../layer/tar-reader.js';
import type { EntryHeader } from '../../layer/types.js';
import { Warnings } from '../../layer/warnings.js';
import { DEFAULT_ID_MAP, type IdMap, type UnpackBudgets } from './types.js';

/** Bump when what an unpack writes changes: cached unpacked images of other formats are ignored. */
export const UNPACK_FORMAT = 1;
const DEFAULT_MAX_TOTAL_BYTES = 8 * 1024 ** 3;
const DEFAULT_MAX_TOTAL_ENTRIES = 2_000_000;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface UnpackOptions {
  budgets?: UnpackBudgets;
  idMap?: IdMap;
  signal?: AbortSignal;
}

export interface UnpackResult {
  entries: number;
  bytes: number;
  warnings: string[];
}

/** Unpacks every layer of `image`, base first, into `rootfs` (an empty directory). */
export async function unpackImage(
  source: ImageSource,
  image: ResolvedImage,
  rootfs: string,
  options: UnpackOptions = {},
): Promise<UnpackResult> {
  if (source.kind === 'dir') {
    throw new ShipshapeError('UNSUPPORTED', 'the sandbox runs images, not root filesystem directories');
  }
  const tree = new RootfsTree(rootfs, options.idMap ?? DEFAULT_ID_MAP, options.budgets ?? {});
  tree.prepareRoot();
  for (const layer of image.layers) {
    const label = layer.digest ?? `layer ${layer.index}`;
    try {
      await unpackLayer(source, layer, tree, options);
    } catch (err) {
      throw withTarget(err, label);
    }
  }
  return { entries: tree.entries, bytes: tree.bytes, warnings: tree.warnings.list() };
}

async function unpackLayer(
  source: ImageSource,
  layer: LayerDescriptor,
  tree: RootfsTree,
  options: UnpackOptions,
): Promise<void> {
  const control = new PassControl();
  control.followSignal(options.signal);
  const budget = new LayerBudget(resolveBudgets(options.budgets?.layer));
  control.followClock(budget);
  try {
    const blob = await control.race(source.openLayer(layer));
    control.track(blob.stream);
    const layerStream = await control.race(openDecompressed(blob.stream));
    control.track(layerStream.stream);
    const writer = tree.beginLayer(budget);
    const reader = new TarReader({
      onEntry: (raw) => writer.entry(raw),
      onUnsupported: (name, kind) => writer.unsupported(name, kind),
    });
    let uncompressed = 0;
    const sink = new Writable({
      highWaterMark: 4 << 20,
      write(chunk: Buffer, _encoding, callback) {
        try {
          uncompressed += chunk.length;
          budget.checkVolume(uncompressed, layerStream.compressedBytes());
          reader.write(chunk);
        } catch (err) {
          callback(err as Error);
          return;
        }
        callback();
      },
      final(callback) {
        try {
          reader.end();
          writer.finish();
        } catch (err) {
          callback(err as Error);
          return;
        }
        callback();
      },
    });
    control.track(sink);
    await control.race(Promise.all([pipeline(layerStream.stream, sink), layerStream.completion]));
  } catch (err) {
    control.stop(err);
    throw control.stopReason ?? err;
  } finally {
    control.dispose();
  }
}

/** The unpacked tree as the layers build it up, and what is known about it without touching the disk. */
class RootfsTree {
  readonly warnings = new Warnings();
  entries = 0;
  bytes = 0;
  /** Every symlink on disk, path → target: nothing else in the tree can redirect a write. */
  readonly symlinks = new Map<string, string>();
  private readonly maxBytes: number;
  private readonly maxEntries: number;

  constructor(
    readonly root: string,
    private readonly idMap: IdMap,
    budgets: UnpackBudgets,
  ) {
    this.maxBytes = budgets.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
    this.maxEntries = budgets.maxTotalEntries ?? DEFAULT_MAX_TOTAL_ENTRIES;
  }

  prepareRoot(): void {
    mkdirSync(this.root, { recursive: true });
    chownSync(this.root, this.hostUid(0), this.hostGid(0));
    chmodSync(this.root, 0o755);
  }

  beginLayer(budget: LayerBudget): LayerWriter {
    return new LayerWriter(this, budget);
  }

  countEntry(): void {
    if (++this.entries > this.maxEntries) {
      throw new ShipshapeError(
        'BUDGET_EXCEEDED',
        `budget maxTotalEntries exceeded: more than ${this.maxEntries} entries`,
      );
    }
  }

  countBytes(n: number): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) {
      throw new ShipshapeError(
        'BUDGET_EXCEEDED',
        `budget maxTotalBytes exceeded: more than ${this.maxBytes} bytes`,
      );
    }
  }

  /** Ids outside the map show up as nobody inside, as an unmapped id would. */
  hostUid(uid: number): number {
    return this.idMap.hostUid + (uid >= 0 && uid < this.idMap.size ? uid : 65_534);
  }

  hostGid(gid: number): number {
    return this.idMap.hostGid + (gid >= 0 && gid < this.idMap.size ? gid : 65_534);
  }

  /**
   * Where `path`'s parent really is: lower layers' symlinks among its ancestors are followed
   * inside the root. The result has no symlink ancestor, so joining it to the root is safe.
   */
  placeOf(path: string): string {
    if (this.symlinks.size === 0) return path;
    const parent = parentOf(path);
    const resolvedParent = parent === '' ? '' : resolveInRoot(parent, (p) => this.symlinks.get(p));
    if (resolvedParent === null) {
      throw new ShipshapeError('UNSAFE_PATH', `entry ${quoteName(path)}: too many symlinks in its parents`);
    }
    const name = path.slice(parent === '' ? 0 : parent.length + 1);
    return resolvedParent === '' ? name : `${resolvedParent}/${name}`;
  }

  abs(path: string): string {
    return join(this.root, path);
  }

  /*
   * Placed paths this unpack made and that still exist, and which of them are directories. The
   * root starts empty and nothing else writes to it, so these answer "is something there?"
   * without a syscall: asking (lstat, a forced rm of what is not there) cost a third of the
   * unpack of Debian minbase.
   */
  private readonly present = new Set<string>();
  private readonly presentDirs = new Set<string>();

  noteCreated(path: string, isDir: boolean): void {
    this.present.add(path);
    if (isDir) this.presentDirs.add(path);
    else this.presentDirs.delete(path);
  }

  isDir(path: string): boolean {
    return this.presentDirs.has(path);
  }

  exists(path: string): boolean {
    return this.present.has(path);
  }

  /** Removes whatever is at `path` (a placed path) and forgets the symlinks it held. */
  remove(path: string): void {
    if (!this.present.has(path)) return;
    rmSync(this.abs(path), { recursive: true, force: true });
    this.present.delete(path);
    if (this.presentDirs.delete(path)) {
      const prefix = `${path}/`;
      for (const p of this.present) {
        if (p.startsWith(prefix)) {
          this.present.delete(p);
          this.presentDirs.delete(p);
        }
      }
    }
    this.forgetBelow(path);
  }

  forgetBelow(path: string): void {
    if (this.symlinks.size === 0) return;
    const prefix = `${path}/`;
    for (const link of this.symlinks.keys()) {
      if (link === path || link.startsWith(prefix)) this.symlinks.delete(link);
    }
  }

  /** Makes the parent directories of a placed path, owned by the container's root. */
  ensureParents(path: string): void {
    const parent = parentOf(path);
    if (parent === '') return;
    if (this.presentDirs.has(parent)) return;
    if (this.present.has(parent)) this.remove(parent);
    this.ensureParents(parent);
    mkdirSync(this.abs(parent), { mode: 0o755 });
    chownSync(this.abs(parent), this.hostUid(0), this.hostGid(0));
    this.noteCreated(parent, true);
  }
}

class LayerWriter {
  private readonly policy = new EntryPolicy({ allowDevices: true });
  /** Placed paths this layer wrote, with their ancestors: what an opaque dir keeps. */
  private readonly written = new Set<string>();
  private readonly opaqueDirs: string[] = [];

  constructor(
    private readonly tree: RootfsTree,
    private readonly budget: LayerBudget,
  ) {}

  entry(raw: RawEntry): BodyConsumer | undefined {
    this.tree.countEntry();
    this.budget.countEntry();
    this.budget.checkPathLength(raw.name);
    if (raw.linkname !== undefined) this.budget.checkPathLength(raw.linkname);
    const decision = this.policy.decide(raw);
    switch (decision.kind) {
      case 'skip':
        return undefined;
      case 'whiteout':
        this.tree.remove(this.tree.placeOf(decision.target));
        return undefined;
      case 'opaque':
        // Applied at the end of the layer, so entries of this layer are kept wherever the marker sits.
        this.opaqueDirs.push(decision.dir === '' ? '' : this.tree.placeOf(decision.dir));
        return undefined;
      case 'entry':
        if (decision.warning !== undefined)
          this.tree.warnings.add(`${decision.header.path}: ${decision.warning}`);
        return this.write(decision.header);
    }
  }

  unsupported(name: string, kind: string): void {
    this.tree.countEntry();
    this.tree.warnings.add(`skipped ${kind} entry ${quoteName(name)}`);
  }

  finish(): void {
    for (const dir of this.opaqueDirs) this.clearLower(dir);
  }

  private write(header: EntryHeader): BodyConsumer | undefined {
    if (header.type === 'char' || header.type === 'block' || header.type === 'fifo') {
      // Devices come from the runtime's own /dev; a fifo is left out rather than faked.
      this.tree.warnings.add(`skipped ${header.type} entry ${quoteName(header.path)}`);
      return undefined;
    }
    const tree = this.tree;
    const path = tree.placeOf(header.path);
    this.markWritten(path);
    tree.ensureParents(path);
    const abs = tree.abs(path);
    const uid = tree.hostUid(header.uid);
    const gid = tree.hostGid(header.gid);
    if (header.type === 'dir') {
      if (!this.replaceUnlessDir(path)) {
        mkdirSync(abs, { mode: 0o700 });
        tree.noteCreated(path, true);
      }
      chownSync(abs, uid, gid);
      // After chown, which clears setuid/setgid bits.
      chmodSync(abs, header.mode);
      return undefined;
    }
    tree.remove(path);
    if (header.type === 'symlink') {
      const target = header.linkTarget ?? '';
      symlinkSync(target, abs);
      tree.noteCreated(path, false);
      lchownSync(abs, uid, gid);
      if (header.mtime !== undefined) lutimesSync(abs, header.mtime, header.mtime);
      tree.symlinks.set(path, target);
      return undefined;
    }
    if (header.type === 'hardlink') {
      const target = tree.placeOf(header.linkTarget ?? '');
      if (tree.symlinks.has(target)) tree.symlinks.set(path, tree.symlinks.get(target)!);
      linkSync(tree.abs(target), abs);
      tree.noteCreated(path, false);
      return undefined;
    }
    const consumer = this.writeFile(abs, header, uid, gid);
    tree.noteCreated(path, false);
    return consumer;
  }

  private writeFile(abs: string, header: EntryHeader, uid: number, gid: number): BodyConsumer {
    const tree = this.tree;
    const fd = openSync(abs, WRITE_FLAGS, 0o600);
    let open = true;
    const close = () => {
      if (open) closeSync(fd);
      open = false;
    };
    try {
      fchownSync(fd, uid, gid);
      fchmodSync(fd, header.mode);
    } catch (err) {
      close();
      throw err;
    }
    if (header.size === 0) {
      this.finishFile(fd, header);
      close();
    }
    return {
      write(chunk: Buffer) {
        tree.countBytes(chunk.length);
        try {
          for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
        } catch (err) {
          close();
          throw err;
        }
      },
      end: () => {
        if (!open) return;
        try {
          this.finishFile(fd, header);
        } finally {
          close();
        }
      },
    };
  }

  /** Keeps mtimes: Python compares a .pyc's recorded source mtime, and a mismatch writes new ones. */
  private finishFile(fd: number, header: EntryHeader): void {
    if (header.mtime !== undefined) futimesSync(fd, header.mtime, header.mtime);
  }

  /** True when a directory is already there (a lower layer's, or an implicit parent). */
  private replaceUnlessDir(path: string): boolean {
    if (this.tree.isDir(path)) return true;
    this.tree.remove(path);
    return false;
  }

  private markWritten(path: string): void {
    for (let p = path; p !== '' && !this.written.has(p); p = parentOf(p)) this.written.add(p);
  }

  /** Removes what lower layers put in `dir`, keeping what this layer wrote. */
  private clearLower(dir: string): void {
    let names: string[];
    try {
      names = readdirSync(this.tree.abs(dir));
    } catch {
      return;
    }
    for (const name of names) {
      const child = dir === '' ? name : `${dir}/${name}`;
      if (!this.written.has(child)) {
        this.tree.remove(child);
        continue;
      }
      if (!this.tree.symlinks.has(child) && this.tree.isDir(child)) this.clearLower(child);
    }
  }
}
