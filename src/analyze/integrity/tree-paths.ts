/**
 * Where a path a package database names really is in the image's final tree. Databases list
 * paths as the package shipped them (`bin/ls`), but on a merged-/usr system `bin` is a symlink
 * to `usr/bin` and the file is recorded at `usr/bin/ls`. Directory symlinks along the way are
 * followed inside the image root (`..` stops at the root, absolute targets restart there); the
 * last component is not, since a database digest is about the file itself.
 */
import type { PlacedFile } from '../../facts/types.js';

// As the kernel's MAXSYMLINKS: a loop ends here, not in a hang.
const MAX_HOPS = 40;

export class TreePaths {
  private readonly dirs = new Map<string, string | null>();

  constructor(private readonly tree: ReadonlyMap<string, PlacedFile>) {}

  /** The tree path `path` names, or null when following its directories loops. */
  resolve(path: string): string | null {
    const slash = path.lastIndexOf('/');
    if (slash < 0) return path;
    const base = path.slice(slash + 1);
    const dir = this.resolveDir(path.slice(0, slash));
    if (dir === null || base === '' || base === '.' || base === '..') return null;
    return dir === '' ? base : `${dir}/${base}`;
  }

  private resolveDir(dir: string): string | null {
    let known = this.dirs.get(dir);
    if (known === undefined) {
      known = this.follow(dir.split('/'));
      this.dirs.set(dir, known);
    }
    return known;
  }

  private follow(parts: string[]): string | null {
    const out: string[] = [];
    let queue = parts;
    let at = 0;
    let hops = 0;
    while (at < queue.length) {
      const part = queue[at++]!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        out.pop();
        continue;
      }
      out.push(part);
      const entry = this.tree.get(out.join('/'));
      if (entry?.type !== 'symlink') continue;
      if (++hops > MAX_HOPS) return null;
      out.pop();
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) out.length = 0;
      queue = [...target.split('/'), ...queue.slice(at)];
      at = 0;
    }
    return out.join('/');
  }
}
