/**
 * A directory on disk as the files of one image layer, the way `COPY dir /prefix` would put it:
 * regular files with their content and mode, directories, symlinks as links (targets as is).
 * For packing real installs (npm, site-packages) into fixture images.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSpec } from '../../src/fixtures/builder.js';

export interface DirLayerOptions {
  /** Path inside the image the directory lands at, without leading or trailing '/'. */
  prefix: string;
  /** Relative paths (from `root`, '/'-separated) to leave out, with everything below them. */
  skip?: (relative: string) => boolean;
  /** Regular files to include (default all); directories and links are always kept. */
  keepFile?: (relative: string) => boolean;
}

export function dirLayerFiles(root: string, opts: DirLayerOptions): FileSpec[] {
  const files: FileSpec[] = [];
  const walk = (relative: string) => {
    const names = readdirSync(join(root, relative)).sort();
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      if (opts.skip?.(rel)) continue;
      const abs = join(root, rel);
      const st = lstatSync(abs);
      const path = opts.prefix ? `${opts.prefix}/${rel}` : rel;
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) files.push({ path, type: 'symlink', target: readlinkSync(abs) });
      else if (st.isDirectory()) {
        files.push({ path, type: 'dir', mode });
        walk(rel);
      } else if (st.isFile() && (opts.keepFile?.(rel) ?? true))
        files.push({ path, content: readFileSync(abs), mode });
    }
  };
  walk('');
  return files;
}
