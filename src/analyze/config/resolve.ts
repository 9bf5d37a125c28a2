/**
 * Finds the file a command names in the final tree, the way exec would: relative names against
 * the working directory, bare names along PATH, symlinks followed at every component (Debian's
 * `/bin` is a link to `usr/bin`), all inside the image root.
 */
import type { ImageFacts, PlacedFile } from '../../facts/types.js';
import type { Fact } from '../types.js';

const MAX_HOPS = 32;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The path (image-relative, no leading '/') of the regular file `abs` names, or null. */
export function resolveInTree(tree: ReadonlyMap<string, PlacedFile>, abs: string): string | null {
  const pending = abs.split('/');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      done.pop();
      continue;
    }
    const here = [...done, c].join('/');
    const f = tree.get(here);
    if (f?.type === 'symlink' && f.linkTarget !== undefined) {
      if (++hops > MAX_HOPS) return null;
      if (f.linkTarget.startsWith('/')) done.length = 0;
      pending.unshift(...f.linkTarget.split('/'));
      continue;
    }
    done.push(c);
  }
  const path = done.join('/');
  const f = tree.get(path);
  if (f?.type === 'hardlink' && f.linkTarget !== undefined)
    return tree.get(f.linkTarget)?.type === 'file' ? f.linkTarget : null;
  return f?.type === 'file' ? path : null;
}

/** What `command` runs: resolved against `workingDir` when it has a slash, else along `pathVar`. */
export function resolveCommand(
  tree: ReadonlyMap<string, PlacedFile>,
  command: string,
  workingDir: string | undefined,
  pathVar: string | undefined,
): string | null {
  if (command.length === 0 || command.length > 4096) return null;
  if (command.includes('/')) {
    const abs = command.startsWith('/') ? command : `${workingDir || '/'}/${command}`;
    return resolveInTree(tree, abs);
  }
  for (const dir of (pathVar ?? DEFAULT_PATH).split(':').slice(0, 64)) {
    if (!dir.startsWith('/')) continue;
    const hit = resolveInTree(tree, `${dir}/${command}`);
    if (hit) return hit;
  }
  return null;
}

/** The facts `analyzer` recorded for the final-tree file at `path` (from the layer that wrote it). */
export function factsOfFile(facts: ImageFacts, analyzer: string, path: string): Fact[] {
  const placed = facts.tree.get(path);
  if (!placed) return [];
  return (facts.layers[placed.layer]?.facts[analyzer] ?? []).filter((f) => f.path === path);
}
