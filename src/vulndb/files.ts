/**
 * A folder of OSV JSON files, walked recursively in name order. Symbolic links are not
 * followed (no loops, nothing outside the folder), files over the size cap are refused
 * before they are read, and every skip is a warning.
 */
import { open, opendir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { errorMessage, printable } from '../errors.js';

const MAX_DEPTH = 32;

export interface JsonFile {
  /** Path relative to the walked folder (printable form). */
  name: string;
  bytes: Buffer;
}

export interface WalkOptions {
  maxFileBytes: number;
  warn: (message: string) => void;
  onFile?: (done: number) => void;
}

/** Reads a whole file if it is at most `max` bytes; null (and the reason) otherwise. */
export async function readCappedFile(path: string, max: number): Promise<Buffer | string> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) return 'not a regular file';
    if (st.size > max) return `${st.size} bytes, over the ${max}-byte limit`;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

export async function* walkJsonFiles(root: string, options: WalkOptions): AsyncGenerator<JsonFile> {
  let done = 0;
  async function* walk(dir: string, depth: number): AsyncGenerator<JsonFile> {
    const label = printable(relative(root, dir) || '.', 200);
    if (depth > MAX_DEPTH) {
      options.warn(`${label}: skipped: nested deeper than ${MAX_DEPTH} folders`);
      return;
    }
    const entries: { name: string; kind: 'dir' | 'file' | 'other' }[] = [];
    try {
      for await (const d of await opendir(dir)) {
        entries.push({ name: d.name, kind: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other' });
      }
    } catch (e) {
      options.warn(`${label}: skipped: cannot list (${printable(errorMessage(e), 200)})`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      const name = printable(relative(root, path), 200);
      if (e.kind === 'dir') {
        yield* walk(path, depth + 1);
      } else if (!e.name.toLowerCase().endsWith('.json')) {
        continue;
      } else if (e.kind !== 'file') {
        options.warn(`${name}: skipped: not a regular file (symbolic links are not followed)`);
      } else {
        let r: Buffer | string;
        try {
          r = await readCappedFile(path, options.maxFileBytes);
        } catch (err) {
          r = `unreadable (${printable(errorMessage(err), 200)})`;
        }
        if (typeof r === 'string') options.warn(`${name}: skipped: ${r}`);
        else yield { name, bytes: r };
        options.onFile?.(++done);
      }
    }
  }
  yield* walk(root, 0);
}
