/**
 * Unpacked images kept between sandbox runs. Unpacking is most of a run's set-up (Debian minbase:
 * about 1 s of 1.5 s), and the same image is run again and again: by `scan --dynamic` after a
 * change, by CI on every build, by a survey that meets the same image under many tags. So the
 * overlay's lower dir is unpacked once into a cache in memory (a directory on the /dev/shm tmpfs:
 * no mount of our own in the host's table) and bind-mounted read-only by later runs.
 *
 * An entry is keyed by everything that decides its content: the unpacker's format version, the
 * id map the owners were shifted by, and the digests of every layer in order (each layer is
 * verified against its digest while it is read, so equal digests are equal trees). An image with
 * a layer of unknown digest is not cached. What the container writes never reaches an entry: it is
 * the overlay's lower dir, mounted read-only, and the container's writes go to its own upper dir.
 *
 * Entries are made in a private temporary directory and renamed into place when complete, so a
 * crash never leaves a half entry that looks whole, and two runs unpacking the same image at once
 * both end up with a whole one. Past the size limit the entries used least recently go, never one
 * used within the last hour (a run may still have it mounted).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ImageSource, ResolvedImage } from '../../image/types.js';
import type { IdMap } from './types.js';
import { unpackImage, UNPACK_FORMAT, type UnpackOptions, type UnpackResult } from './unpack.js';

export const DEFAULT_IMAGE_CACHE_DIR = '/dev/shm/shipshape-sandbox-images';
export const DEFAULT_IMAGE_CACHE_BYTES = 2 * 1024 ** 3;
/** An entry used this recently may be mounted by a run: it is never evicted. */
const IN_USE_MS = 60 * 60 * 1000;
const META = 'meta.json';
const ROOTFS = 'rootfs';

export interface ImageCacheOptions {
  /** Default SHIPSHAPE_SANDBOX_CACHE, else DEFAULT_IMAGE_CACHE_DIR; `off` there disables it. */
  dir?: string;
  /** Total unpacked bytes kept (default 2 GiB). */
  maxBytes?: number;
}

export interface CachedImage {
  /** The unpacked tree, to bind-mount as the overlay's lower dir. */
  rootfs: string;
  unpacked: UnpackResult;
  /** Whether it was there already (false: this run unpacked it). */
  hit: boolean;
}

interface Meta extends UnpackResult {
  format: number;
  key: string;
}

/** The cache directory in use, or undefined when caching is off or there is no tmpfs for it. */
export function imageCacheDir(options: ImageCacheOptions = {}): string | undefined {
  const dir = options.dir ?? process.env.SHIPSHAPE_SANDBOX_CACHE ?? DEFAULT_IMAGE_CACHE_DIR;
  if (dir === '' || dir === 'off') return undefined;
  const parent = join(dir, '..');
  if (!existsSync(parent)) return undefined;
  return dir;
}

/** The key of an image's unpacked tree, or undefined when a layer has no digest to vouch for it. */
export function imageCacheKey(image: ResolvedImage, idMap: IdMap): string | undefined {
  const digests = image.layers.map((l) => l.digest);
  if (digests.some((d) => typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d))) return undefined;
  return createHash('sha256')
    .update(JSON.stringify({ format: UNPACK_FORMAT, idMap, layers: digests }))
    .digest('hex');
}

/**
 * Where cachedImage() will put the image's tree (before it is there), or undefined when it will
 * not cache it.
 */
export function cachedRootfs(
  image: ResolvedImage,
  idMap: IdMap,
  options: ImageCacheOptions = {},
): string | undefined {
  const dir = imageCacheDir(options);
  const key = imageCacheKey(image, idMap);
  return dir && key && ownDirectory(dir) ? join(dir, key, ROOTFS) : undefined;
}

/**
 * The image unpacked, from the cache or unpacked into it now; undefined when it cannot be cached
 * (the caller unpacks it for this run alone).
 */
export async function cachedImage(
  source: ImageSource,
  image: ResolvedImage,
  idMap: IdMap,
  unpackOptions: UnpackOptions,
  options: ImageCacheOptions = {},
): Promise<CachedImage | undefined> {
  const dir = imageCacheDir(options);
  const key = imageCacheKey(image, idMap);
  if (!dir || !key || !ownDirectory(dir)) return undefined;
  const entry = join(dir, key);
  const found = readEntry(entry, key);
  if (found) {
    touch(entry);
    return { rootfs: join(entry, ROOTFS), unpacked: found, hit: true };
  }
  const temp = join(dir, `tmp-${randomBytes(6).toString('hex')}`);
  mkdirSync(temp, { mode: 0o700 });
  try {
    const unpacked = await unpackImage(source, image, join(temp, ROOTFS), { ...unpackOptions, idMap });
    const meta: Meta = { ...unpacked, format: UNPACK_FORMAT, key };
    writeFileSync(join(temp, META), JSON.stringify(meta));
    // A broken entry left by a crash (no meta) is replaced; a whole one another run just made wins.
    if (existsSync(entry) && !readEntry(entry, key)) rmSync(entry, { recursive: true, force: true });
    try {
      renameSync(temp, entry);
    } catch {
      rmSync(temp, { recursive: true, force: true });
      const theirs = readEntry(entry, key);
      if (!theirs) throw new Error(`the sandbox image cache entry ${entry} could not be stored`);
      return { rootfs: join(entry, ROOTFS), unpacked: theirs, hit: true };
    }
    evict(dir, options.maxBytes ?? DEFAULT_IMAGE_CACHE_BYTES, key);
    return { rootfs: join(entry, ROOTFS), unpacked, hit: false };
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Makes `dir` ours, or says it is not: /dev/shm is writable by every user, and a directory someone
 * else made there could hold a tree of their choosing under an image's key. So it must be a real
 * directory (not a link) owned by this process's user, and it is made private.
 */
export function ownDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.geteuid?.()) return false;
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return true;
}

function readEntry(entry: string, key: string): UnpackResult | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(entry, META), 'utf8')) as Partial<Meta>;
    if (meta.format !== UNPACK_FORMAT || meta.key !== key || !existsSync(join(entry, ROOTFS)))
      return undefined;
    if (typeof meta.entries !== 'number' || typeof meta.bytes !== 'number' || !Array.isArray(meta.warnings)) {
      return undefined;
    }
    return { entries: meta.entries, bytes: meta.bytes, warnings: meta.warnings.map(String) };
  } catch {
    return undefined;
  }
}

function touch(entry: string): void {
  const now = new Date();
  try {
    utimesSync(join(entry, META), now, now);
  } catch {
    // An entry evicted meanwhile by another process: this run still has its tree mounted soon.
  }
}

interface EntryInfo {
  path: string;
  bytes: number;
  usedMs: number;
}

/** Removes least recently used entries past `maxBytes`, and temporary dirs of crashed runs. */
export function evict(dir: string, maxBytes: number, keep?: string): string[] {
  const now = Date.now();
  const entries: EntryInfo[] = [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    let usedMs: number;
    try {
      usedMs = statSync(name.startsWith('tmp-') ? path : join(path, META)).mtimeMs;
    } catch {
      usedMs = 0;
    }
    if (name.startsWith('tmp-') || !readEntry(path, name)) {
      if (now - usedMs > IN_USE_MS) {
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      }
      continue;
    }
    entries.push({ path, bytes: readEntry(path, name)!.bytes, usedMs });
  }
  let total = entries.reduce((n, e) => n + e.bytes, 0);
  for (const e of entries.sort((a, b) => a.usedMs - b.usedMs)) {
    if (total <= maxBytes) break;
    if (e.path.endsWith(`/${keep}`) || now - e.usedMs < IN_USE_MS) continue;
    rmSync(e.path, { recursive: true, force: true });
    removed.push(e.path);
    total -= e.bytes;
  }
  return removed;
}
