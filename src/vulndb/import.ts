/**
 * `shipshape db import PATH`, for air-gapped use: PATH is
 * - an OSV zip (`all.zip` from osv.dev or any zip of `*.json` records),
 * - a folder of OSV JSON files (walked recursively),
 * - a mirror folder in osv.dev's bucket layout (`ecosystems.txt` and/or `<Ecosystem>/all.zip`),
 * - or one OSV JSON file.
 * A zip, folder or file is one transaction; a mirror is one transaction per ecosystem. Import
 * only adds and refreshes records (newer `modified` wins); it never deletes, and it does not
 * reset the delta cursor of an ecosystem that `db update` maintains.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ShipshapeError, errorMessage, printable } from '../errors.js';
import type { Db } from '../store/sqlite.js';
import { isSafeEcosystemName } from './ecosystem.js';
import { readCappedFile, walkJsonFiles } from './files.js';
import { inTransaction, unitResult, type DbProgress, type UnitResult } from './result.js';
import { RecordSink } from './sink.js';
import { VulnStore } from './store.js';
import { VulnWriter } from './writer.js';
import { DEFAULT_MAX_ENTRY_BYTES, zipJsonEntries } from './zip.js';

export interface ImportOptions {
  /** Largest record (zip entry or file) accepted, uncompressed. Default 16 MiB. */
  maxEntryBytes?: number;
  /** For a mirror folder: only these ecosystems (default: all it has). */
  ecosystems?: readonly string[];
  warn?: (message: string) => void;
  onProgress?: (p: DbProgress) => void;
}

export type ImportKind = 'zip' | 'folder' | 'mirror' | 'file';

export interface ImportSummary {
  path: string;
  kind: ImportKind;
  results: UnitResult[];
  seconds: number;
}

async function isZipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
  } finally {
    await fh.close();
  }
}

async function exists(path: string, kind: 'file' | 'dir'): Promise<boolean> {
  try {
    const st = await stat(path);
    return kind === 'file' ? st.isFile() : st.isDirectory();
  } catch {
    return false;
  }
}

/** Ecosystem folders of a bucket-layout mirror, in `ecosystems.txt` order when it has one. */
export async function mirrorEcosystems(dir: string): Promise<string[] | null> {
  const listed = join(dir, 'ecosystems.txt');
  const found: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (
      d.isDirectory() &&
      isSafeEcosystemName(d.name) &&
      (await exists(join(dir, d.name, 'all.zip'), 'file'))
    ) {
      found.push(d.name);
    }
  }
  if (await exists(listed, 'file')) {
    const text = await readCappedFile(listed, 1024 * 1024);
    if (typeof text !== 'string') {
      const names = parseEcosystemsTxt(text.toString('utf8'));
      return names.filter((n) => found.includes(n)).concat(found.filter((n) => !names.includes(n)).sort());
    }
  }
  return found.length ? found.sort() : null;
}

/** `ecosystems.txt`: one name a line; blank and unsafe lines are ignored. */
export function parseEcosystemsTxt(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const name = line.trim();
    if (name && isSafeEcosystemName(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Records the import in `vuln_state`: each ecosystem gets (or keeps) a row; a row that
 * `db update` maintains keeps its source and cursor and only has its counts refreshed.
 */
function recordImportState(
  store: VulnStore,
  writer: VulnWriter,
  ecosystems: Iterable<string>,
  source: string,
): void {
  const set = new Set<string>();
  for (const e of ecosystems) {
    if (store.state(e)?.mode !== 'update') {
      writer.setState(e, { source, mode: 'import', lastModified: null, fullTag: null });
      set.add(e);
    }
  }
  writer.recountTouched(set);
}

export async function importPath(db: Db, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const abs = resolve(path);
  const warn = options.warn ?? (() => {});
  const max = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    throw new ShipshapeError('NOT_FOUND', `${path}: cannot read (${printable(errorMessage(e), 200)})`);
  }
  const store = new VulnStore(db);
  const writer = new VulnWriter(db);
  const results: UnitResult[] = [];
  let kind: ImportKind;

  const one = async (unit: string, feed: (sink: RecordSink) => Promise<void>, stateFor?: string) => {
    const t = performance.now();
    const result = unitResult(unit, 'import');
    await inTransaction(writer, async () => {
      const sink = new RecordSink(writer, warn);
      await feed(sink);
      recordImportState(store, writer, stateFor ? [stateFor] : sink.bases, abs);
      Object.assign(result, sink.counts);
    });
    result.seconds = (performance.now() - t) / 1000;
    results.push(result);
  };

  const zipFeed = (file: string, label: string, unit: string) => async (sink: RecordSink) => {
    for await (const e of zipJsonEntries(file, label, {
      maxEntryBytes: max,
      warn,
      onEntry: (done, total) => options.onProgress?.({ unit, phase: 'import', done, total, what: 'entries' }),
    })) {
      sink.addBytes(e.bytes, `${label}: ${e.name}`);
    }
  };

  if (st.isDirectory()) {
    const mirror = await mirrorEcosystems(abs);
    if (mirror) {
      kind = 'mirror';
      const wanted = options.ecosystems?.length
        ? mirror.filter((e) => options.ecosystems!.includes(e))
        : mirror;
      const missing = (options.ecosystems ?? []).filter((e) => !mirror.includes(e));
      if (missing.length) warn(`${path}: no all.zip for ${missing.join(', ')}; skipped`);
      for (const eco of wanted) {
        const file = join(abs, eco, 'all.zip');
        await one(eco, zipFeed(file, `${eco}/all.zip`, eco), eco);
      }
    } else {
      kind = 'folder';
      await one(path, async (sink) => {
        for await (const f of walkJsonFiles(abs, {
          maxFileBytes: max,
          warn: (m) => warn(`${path}/${m}`),
          onFile: (done) =>
            options.onProgress?.({ unit: path, phase: 'import', done, total: null, what: 'records' }),
        })) {
          sink.addBytes(f.bytes, `${path}/${f.name}`);
        }
      });
    }
  } else if (st.isFile() && (await isZipFile(abs))) {
    kind = 'zip';
    await one(path, zipFeed(abs, printable(path, 200), path));
  } else if (st.isFile() && abs.toLowerCase().endsWith('.json')) {
    kind = 'file';
    await one(path, async (sink) => {
      const r = await readCappedFile(abs, max);
      if (typeof r === 'string') sink.skip(basename(path), null, r);
      else sink.addBytes(r, printable(path, 200));
    });
  } else {
    throw new ShipshapeError(
      'UNSUPPORTED',
      `${path}: not an OSV zip, a folder of OSV JSON files, a mirror folder or an OSV JSON file`,
    );
  }
  return { path, kind, results, seconds: (performance.now() - started) / 1000 };
}
