/**
 * What the container left in its writable layer: every regular file of the overlay's upper dir
 * (new or changed) with its size and sha256, and the whiteouts (character devices 0:0), which
 * are deletions of image files. The upper dir is written by the sample, so the walk never
 * follows a link, and its entries, depth and hashed bytes are all bounded.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { printable } from '../../errors.js';
import type { BehaviorReport } from '../types.js';

export interface CollectLimits {
  maxEntries: number;
  maxDepth: number;
  /** Files larger than this get no hash. */
  maxHashBytesPerFile: number;
  /** Total bytes hashed; later files get no hash. */
  maxHashBytes: number;
}

export const DEFAULT_COLLECT_LIMITS: CollectLimits = {
  maxEntries: 20_000,
  maxDepth: 64,
  maxHashBytesPerFile: 256 * 1024 ** 2,
  maxHashBytes: 1024 ** 3,
};

/** Mount points runc makes when the image lacks them: empty, and not the container's doing. */
const RUNTIME_MOUNT_POINTS = new Set(['/etc/resolv.conf', '/etc/hosts']);

export interface WritableLayerChanges {
  dropped: BehaviorReport['dropped'];
  /** Container paths deleted (whiteouts). */
  deleted: string[];
  warnings: string[];
}

/** The files the container dropped (BehaviorReport['dropped']). */
export async function collectDropped(
  upperDir: string,
  limits: Partial<CollectLimits> = {},
): Promise<BehaviorReport['dropped']> {
  return (await collectChanges(upperDir, limits)).dropped;
}

export async function collectChanges(
  upperDir: string,
  partialLimits: Partial<CollectLimits> = {},
): Promise<WritableLayerChanges> {
  const limits = { ...DEFAULT_COLLECT_LIMITS, ...partialLimits };
  const out: WritableLayerChanges = { dropped: [], deleted: [], warnings: [] };
  let entries = 0;
  let hashed = 0;
  const walk = async (dir: string, containerDir: string, depth: number): Promise<void> => {
    if (depth > limits.maxDepth) {
      out.warnings.push(
        `writable layer deeper than ${limits.maxDepth} at ${printable(containerDir)}: not read`,
      );
      return;
    }
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (err) {
      out.warnings.push(`could not read ${printable(containerDir)}: ${(err as Error).message}`);
      return;
    }
    for (const name of names) {
      if (++entries > limits.maxEntries) {
        if (entries === limits.maxEntries + 1)
          out.warnings.push(`writable layer has more than ${limits.maxEntries} entries: the rest not listed`);
        return;
      }
      const abs = join(dir, name);
      const path = containerDir === '/' ? `/${name}` : `${containerDir}/${name}`;
      let st;
      try {
        st = await lstat(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) await walk(abs, path, depth + 1);
      else if (st.isCharacterDevice() && st.rdev === 0) out.deleted.push(path);
      else if (st.isFile()) {
        if (st.size === 0 && RUNTIME_MOUNT_POINTS.has(path)) continue;
        let sha256: string | null = null;
        if (st.size <= limits.maxHashBytesPerFile && hashed + st.size <= limits.maxHashBytes) {
          sha256 = await hashFile(abs);
          hashed += st.size;
        }
        out.dropped.push({ path, size: st.size, sha256 });
      }
    }
  };
  await walk(upperDir, '/', 0);
  return out;
}

async function hashFile(path: string): Promise<string | null> {
  let handle;
  try {
    // O_NOFOLLOW: the name may have been swapped for a link since lstat; O_NONBLOCK: or a fifo.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) return null;
    const hash = createHash('sha256');
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
