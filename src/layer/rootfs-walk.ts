/**
 * A root filesystem on disk, read as if it were a single layer: the same entry checks, records
 * and analyzer dispatch as a tar pass. Symlinks are never followed (lstat, O_NOFOLLOW), and only
 * the bytes some analyzer wants are read. A file that cannot be read is a warning, not a failure.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShipshapeError, errorMessage, withTarget } from '../errors.js';
import type { LayerFacts } from '../facts/types.js';
import { LayerBudget, resolveBudgets } from './budget.js';
import type { BodyReceiver } from './dispatch.js';
import type { ScanLayerOptions } from './engine.js';
import { LayerRecorder } from './layer-recorder.js';
import { PassControl } from './pass-control.js';
import type { RawEntry } from './tar-reader.js';
import type { EntryType } from './types.js';

/**
 * The options of scanLayer. Of the budgets, maxUncompressedBytes and the compression ratio do
 * not apply: the walk reads only what analyzers want, not every byte.
 */
export type ScanRootOptions = ScanLayerOptions;

const READ_CHUNK = 1 << 18;

/** Walks `dir` (depth first, names in byte order, as a tar of it would list them) and returns its facts. */
export async function scanRootDir(dir: string, options: ScanRootOptions): Promise<LayerFacts> {
  const control = new PassControl();
  control.followSignal(options.signal);
  try {
    return await walkRoot(dir, options, control);
  } catch (err) {
    control.stop(err);
    throw withTarget(control.stopReason ?? err, options.label);
  } finally {
    control.dispose();
  }
}

async function walkRoot(dir: string, options: ScanRootOptions, control: PassControl): Promise<LayerFacts> {
  const budget = new LayerBudget(resolveBudgets(options.budgets));
  control.followClock(budget);
  const root = await stat(dir).catch((err: unknown) => {
    throw new ShipshapeError('NOT_FOUND', `cannot read root filesystem ${dir}: ${errorMessage(err)}`);
  });
  if (!root.isDirectory()) throw new ShipshapeError('NOT_FOUND', `${dir} is not a directory`);
  const recorder = new LayerRecorder({
    analyzers: options.analyzers,
    budget,
    allowDevices: options.allowDevices ?? false,
  });
  const walk = new RootWalk(dir, control, recorder);
  await control.race(walk.walkDirectory(''));
  const recorded = await control.race(recorder.finish());
  return {
    diffId: null,
    compression: 'none',
    compressedBytes: 0,
    uncompressedBytes: walk.fileBytes,
    ...recorded,
  };
}

class RootWalk {
  /** Sum of regular file sizes: what the layer would hold uncompressed, give or take headers. */
  fileBytes = 0;
  /** dev:ino → first path, for files with more than one link: the others become hard links, as in a tar. */
  private readonly firstPathOfInode = new Map<string, string>();

  constructor(
    private readonly rootDir: string,
    private readonly control: PassControl,
    private readonly recorder: LayerRecorder,
  ) {}

  async walkDirectory(relDir: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(join(this.rootDir, relDir));
    } catch (err) {
      this.recorder.warn(`${relDir || '/'}: directory not readable: ${errorMessage(err)}`);
      return;
    }
    names.sort(compareBytes);
    for (const name of names) {
      this.throwIfStopped();
      const relPath = relDir === '' ? name : `${relDir}/${name}`;
      const absPath = join(this.rootDir, relPath);
      let st: Stats;
      try {
        st = await lstat(absPath);
      } catch (err) {
        this.recorder.warn(`${relPath}: not readable: ${errorMessage(err)}`);
        continue;
      }
      const raw = await this.rawEntryOf(relPath, absPath, st);
      if (!raw) continue;
      const receiver = this.recorder.entry(raw);
      if (receiver) await this.readBody(absPath, st, receiver);
      if (raw.type === 'dir') await this.walkDirectory(relPath);
    }
  }

  private async rawEntryOf(relPath: string, absPath: string, st: Stats): Promise<RawEntry | undefined> {
    const type = entryTypeOf(st);
    if (type === undefined) {
      this.recorder.unsupported(relPath, st.isSocket() ? 'socket' : 'unknown');
      return undefined;
    }
    const raw: RawEntry = {
      name: relPath,
      type,
      size: type === 'file' ? st.size : 0,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (type === 'symlink') {
      try {
        raw.linkname = await readlink(absPath);
      } catch (err) {
        this.recorder.warn(`${relPath}: symlink not readable: ${errorMessage(err)}`);
        return undefined;
      }
    }
    if (type === 'file' && st.nlink > 1) {
      const inode = `${st.dev}:${st.ino}`;
      const first = this.firstPathOfInode.get(inode);
      if (first === undefined) {
        this.firstPathOfInode.set(inode, relPath);
      } else {
        return { ...raw, type: 'hardlink', size: 0, linkname: first };
      }
    }
    if (type === 'file') this.fileBytes += st.size;
    return raw;
  }

  /**
   * Reads the bytes the analyzers want. Opened without following a symlink and checked to be
   * the same regular file lstat saw, so a tree changed under the walk cannot redirect the read.
   */
  private async readBody(absPath: string, st: Stats, receiver: BodyReceiver): Promise<void> {
    if (receiver.bytesWanted === 0) {
      receiver.end();
      return;
    }
    let handle;
    try {
      handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      receiver.abandon(`not readable: ${errorMessage(err)}`);
      return;
    }
    try {
      const opened = await handle.stat();
      if (!opened.isFile() || opened.ino !== st.ino || opened.dev !== st.dev) {
        receiver.abandon('changed while it was being read');
        return;
      }
      let left = receiver.bytesWanted;
      while (left > 0) {
        this.throwIfStopped();
        // A fresh buffer per read: sinks may keep the chunks they are given.
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        receiver.write(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
        left -= bytesRead;
      }
      receiver.end();
      const wait = this.recorder.waitForCapacity();
      if (wait) await wait;
    } catch (err) {
      if (err instanceof ShipshapeError || this.control.stopReason) throw err;
      receiver.abandon(`read failed: ${errorMessage(err)}`);
    } finally {
      await handle.close();
    }
  }

  private throwIfStopped(): void {
    const reason = this.control.stopReason;
    if (reason) throw reason;
  }
}

function entryTypeOf(st: Stats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined;
}

/** Byte order of the UTF-8 names, which is what `LC_ALL=C sort` and most tar writers use. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
