/**
 * Entry names as a layer writes them, turned into the one form the rest of shipshape uses
 * (relative to the image root, no '.' or '..' segments, no leading or trailing '/'), and the
 * symlink rules that keep every path inside the image root.
 */
import { ShipshapeError, printable } from '../errors.js';

/** Linux gives up after 40 links while resolving one path; so do we. */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Normalises an entry name from a tar header (or a hard link's target). Refuses names that an
 * extractor could be tricked with rather than guessing what they mean: absolute names (GNU tar
 * strips the '/', others do not), any '..' segment (stricter than "does not escape", and no
 * legitimate layer needs one), and NUL bytes (C code would see a shorter name than we do).
 * Returns '' for the root directory itself ('.', './').
 */
export function normalizeEntryPath(name: string): string {
  if (name.includes('\0')) throw unsafe(name, 'contains a NUL byte');
  if (name.startsWith('/')) throw unsafe(name, 'is absolute');
  // Fast path: most names are clean apart from the './' GNU tar puts in front of every one.
  let start = 0;
  while (name.startsWith('./', start)) start += 2;
  const rest = start === 0 ? name : name.slice(start);
  if (isAlreadyClean(rest)) return rest;

  const kept: string[] = [];
  for (const segment of rest.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw unsafe(name, "has a '..' segment");
    kept.push(segment);
  }
  return kept.join('/');
}

function isAlreadyClean(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.endsWith('/') || name.includes('//')) return false;
  if (name === '.' || name === '..' || name.startsWith('./') || name.startsWith('../')) return false;
  return !name.includes('/./') && !name.includes('/../') && !name.endsWith('/.') && !name.endsWith('/..');
}

/** Quotes a name from a layer for a one-line message: control characters shown as \xNN, long names cut. */
export function quoteName(name: string): string {
  return `"${printable(name)}"`;
}

function unsafe(name: string, why: string): ShipshapeError {
  return new ShipshapeError('UNSAFE_PATH', `entry ${quoteName(name)} ${why}`);
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The nearest ancestor of `path` (a normalised path) that `isSymlink` says is a symlink, or
 * undefined. Writing below a symlink is how extraction escapes the root (`evil -> /etc`, then
 * `evil/passwd`), so the engine refuses it within a layer and the merge across layers.
 */
export function findSymlinkAncestor(path: string, isSymlink: (path: string) => boolean): string | undefined {
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const ancestor = path.slice(0, slash);
    if (isSymlink(ancestor)) return ancestor;
  }
  return undefined;
}

export interface ResolveOptions {
  /** Follow a symlink in the last segment too (default true), as open() does; false is lstat(). */
  followFinal?: boolean;
  maxHops?: number;
}

/**
 * Resolves `path` through symlinks the way the kernel would inside a chroot at the image root:
 * absolute targets start again at the root and '..' never climbs above it. `lookupSymlink`
 * returns a symlink's target as written, or undefined when the path is not a symlink. Returns
 * the normalised result ('' is the root), or null after too many hops (a loop).
 */
export function resolveInRoot(
  path: string,
  lookupSymlink: (path: string) => string | undefined,
  options: ResolveOptions = {},
): string | null {
  const followFinal = options.followFinal ?? true;
  const maxHops = options.maxHops ?? MAX_SYMLINK_HOPS;
  const resolved: string[] = [];
  // Segments still to walk, in reverse so the next one is popped cheaply.
  const pending = segmentsOf(path).reverse();
  let hops = 0;

  while (pending.length > 0) {
    const segment = pending.pop()!;
    if (segment === '.') continue;
    if (segment === '..') {
      resolved.pop();
      continue;
    }
    resolved.push(segment);
    const isLast = pending.length === 0;
    if (isLast && !followFinal) break;
    const target = lookupSymlink(resolved.join('/'));
    if (target === undefined) continue;
    if (++hops > maxHops) return null;
    resolved.pop();
    if (target.startsWith('/')) resolved.length = 0;
    for (const next of segmentsOf(target).reverse()) pending.push(next);
  }
  return resolved.join('/');
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}
