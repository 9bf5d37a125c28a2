/**
 * `shipshape db update`: brings each ecosystem up to date from osv.dev's bucket layout.
 *
 * Per ecosystem:
 * - first time (or after an import, a source change, or too many changes): download
 *   `<Ecosystem>/all.zip` (If-None-Match on the last ETag: unchanged costs one 304), import it,
 *   and delete the advisories of this ecosystem that the snapshot no longer has;
 * - afterwards: read `<Ecosystem>/modified_id.csv` (newest first) only down to the last
 *   `modified` applied, and fetch just the records that changed (`<Ecosystem>/<id>.json`).
 *
 * Atomicity: each ecosystem is applied in one SQLite transaction after everything it needs has
 * been downloaded. An interruption or error leaves that ecosystem exactly as it was (the others
 * keep what they committed), and the database is usable throughout (readers see the previous
 * state until the commit). Downloads go to a staging folder (`<stagingDir>/<source hash>/
 * <Ecosystem>/`): a partial all.zip resumes with HTTP Range, complete files (size-verified) are
 * reused by the next run, and the folder is removed once the ecosystem has committed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShipshapeError, errorMessage, printable } from '../errors.js';
import type { Db } from '../store/sqlite.js';
import { DEFAULT_ECOSYSTEMS, isSafeEcosystemName } from './ecosystem.js';
import { readCappedFile } from './files.js';
import type { HttpOptions } from './http.js';
import { parseEcosystemsTxt } from './import.js';
import { parseModifiedLine, type ModifiedEntry } from './modified-csv.js';
import { inTransaction, unitResult, type DbProgress, type UnitResult } from './result.js';
import { parseOsvBytes } from './schema.js';
import { RecordSink } from './sink.js';
import { DEFAULT_SOURCE, openMirrorSource, type MirrorSource } from './source.js';
import { VulnStore, type EcosystemState } from './store.js';
import { compareTimestamps, newestTimestamp } from './timestamp.js';
import { VulnWriter } from './writer.js';
import { DEFAULT_MAX_ENTRY_BYTES, zipJsonEntries } from './zip.js';

export interface UpdateOptions extends HttpOptions {
  /** Base URL or mirror folder. Default: osv.dev's public bucket. */
  source?: string;
  /** Bucket ecosystem names; `all` means every one in the source's `ecosystems.txt`. */
  ecosystems?: readonly string[];
  /** Where downloads are staged (a `<source hash>/<Ecosystem>/` folder under it). */
  stagingDir: string;
  /** More changed records than this since the last update: download all.zip instead. */
  deltaLimit?: number;
  /** Parallel record downloads in a delta. Default 8. */
  concurrency?: number;
  /** Largest record accepted, uncompressed. Default 16 MiB. */
  maxEntryBytes?: number;
  /** A complete staged all.zip younger than this is used without downloading again. Default 24 h. */
  stagingMaxAgeMs?: number;
  /** Refuse a remote source (a local mirror folder is fine). */
  offline?: boolean;
  warn?: (message: string) => void;
  onProgress?: (p: DbProgress) => void;
}

export interface UpdateSummary {
  source: string;
  results: UnitResult[];
  /** Requested ecosystems the source does not publish. */
  notPublished: string[];
  requests: number;
  seconds: number;
}

export const DEFAULT_DELTA_LIMIT = 500;

/** The largest all.zip downloaded (osv.dev's biggest ecosystems are a few hundred MB). */
const MAX_ZIP_BYTES = 4 * 1024 ** 3;

/** Runs `fn` over `items` with at most `n` in flight; the first error stops new work. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== null) throw failed;
}

function sourceHash(label: string): string {
  return createHash('sha256').update(label).digest('hex').slice(0, 16);
}

/** Which ecosystems to update, given the request and what the source publishes. */
function plan(
  requested: readonly string[] | undefined,
  published: string[] | null,
  where: string,
): { todo: string[]; notPublished: string[] } {
  let wanted = requested?.length ? [...new Set(requested)] : [...DEFAULT_ECOSYSTEMS];
  if (wanted.includes('all')) {
    if (!published) {
      throw new ShipshapeError('NOT_FOUND', `--ecosystem all: ${where} has no ecosystems.txt to list them`);
    }
    wanted = published;
  }
  for (const e of wanted) {
    if (!isSafeEcosystemName(e)) {
      throw new ShipshapeError('BAD_ARGUMENT', `--ecosystem ${printable(e)}: not a valid ecosystem name`);
    }
  }
  if (!published) return { todo: wanted, notPublished: [] };
  const notPublished = wanted.filter((e) => !published.includes(e));
  const todo = wanted.filter((e) => published.includes(e));
  if (!todo.length) {
    throw new ShipshapeError(
      'NOT_FOUND',
      `${where} publishes none of the requested ecosystems (${wanted.join(', ')}); it has: ${published.join(', ')}`,
    );
  }
  return { todo, notPublished };
}

/**
 * One `db update` per source at a time: two would write the same staging files. The lock is a
 * file holding the owner's pid; one left by a process that no longer runs is taken over.
 */
async function lockStaging(stageRoot: string): Promise<() => Promise<void>> {
  await mkdir(stageRoot, { recursive: true });
  const lock = join(stageRoot, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new ShipshapeError(
          'BAD_ARGUMENT',
          `another db update (pid ${pid}) is updating from this source; try again later`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new ShipshapeError('BAD_ARGUMENT', `cannot lock ${lock}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

class Updater {
  private readonly store: VulnStore;
  private readonly writer: VulnWriter;
  private readonly warn: (message: string) => void;
  private readonly maxEntryBytes: number;

  constructor(
    db: Db,
    private readonly source: MirrorSource,
    private readonly stageRoot: string,
    private readonly o: UpdateOptions,
  ) {
    this.store = new VulnStore(db);
    this.writer = new VulnWriter(db);
    this.warn = o.warn ?? (() => {});
    this.maxEntryBytes = o.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  async ecosystem(eco: string): Promise<UnitResult> {
    const started = performance.now();
    const requestsBefore = this.source.requests();
    const stage = join(this.stageRoot, encodeURIComponent(eco));
    const state = this.store.state(eco);
    const ours = state?.mode === 'update' && state.source === this.source.label ? state : null;
    let result: UnitResult;
    try {
      if (this.source.remote) await mkdir(stage, { recursive: true });
      result =
        (ours?.lastModified ? await this.delta(eco, ours, stage) : null) ??
        (await this.full(eco, ours, stage));
      await rm(stage, { recursive: true, force: true });
    } catch (e) {
      result = unitResult(eco, 'failed');
      result.error = errorMessage(e);
    }
    result.requests = this.source.requests() - requestsBefore;
    result.seconds = (performance.now() - started) / 1000;
    return result;
  }

  /** The changes since `state.lastModified`, or null when a full download is the better plan. */
  private async delta(eco: string, state: EcosystemState, stage: string): Promise<UnitResult | null> {
    const cursor = state.lastModified!;
    const lines = await this.source.lines([eco, 'modified_id.csv']);
    if (!lines) return null;
    const limit = this.o.deltaLimit ?? DEFAULT_DELTA_LIMIT;
    const changed: ModifiedEntry[] = [];
    const ids = new Set<string>();
    let newest: string | null = null;
    let malformed = 0;
    for await (const line of lines) {
      if (!line.trim()) continue;
      const entry = parseModifiedLine(line);
      if (!entry) {
        malformed++;
        continue;
      }
      if (compareTimestamps(entry.modified, cursor) < 0) break;
      newest = newestTimestamp(newest, entry.modified);
      if (ids.has(entry.id)) continue;
      ids.add(entry.id);
      const stored = this.writer.storedModified(entry.id);
      if (stored !== null && compareTimestamps(stored, entry.modified) >= 0) continue;
      changed.push(entry);
      if (changed.length > limit) return null;
    }
    if (malformed)
      this.warn(`${this.source.where([eco, 'modified_id.csv'])}: ${malformed} malformed lines ignored`);

    const files = new Map<string, string>();
    let bytes = 0;
    if (!this.source.remote) {
      // A local mirror may have only all.zip (no per-record files): then the zip it is.
      for (const entry of changed) {
        const got = await this.source.file([eco, `${entry.id}.json`], '', { resumable: false });
        if (!got || got === 'not-modified') return null;
        files.set(entry.id, got.path);
      }
    } else {
      const recordsDir = join(stage, 'records');
      await mkdir(recordsDir, { recursive: true });
      let fetched = 0;
      await pool(changed, this.o.concurrency ?? 8, async (entry) => {
        const segments = [eco, `${entry.id}.json`];
        const dest = join(recordsDir, `${encodeURIComponent(entry.id)}.json`);
        if (await this.stagedIsCurrent(dest, entry)) {
          files.set(entry.id, dest);
        } else {
          let got;
          try {
            got = await this.source.file(segments, dest, { resumable: false, maxBytes: this.maxEntryBytes });
          } catch (e) {
            if (!(e instanceof ShipshapeError && e.code === 'TOO_LARGE')) throw e;
            this.warn(`${this.source.where(segments)}: ${entry.id}: skipped: ${e.message}`);
          }
          if (got === null) {
            this.warn(
              `${this.source.where(segments)}: ${entry.id}: listed in modified_id.csv but not found; skipped`,
            );
          } else if (got && got !== 'not-modified') {
            files.set(entry.id, got.path);
            bytes += got.bytes;
          }
        }
        this.o.onProgress?.({
          unit: eco,
          phase: 'fetch',
          done: ++fetched,
          total: changed.length,
          what: 'records',
        });
      });
    }

    const result = unitResult(eco, changed.length ? 'delta' : 'unchanged');
    result.bytes = bytes;
    await inTransaction(this.writer, async () => {
      const sink = new RecordSink(this.writer, this.warn);
      for (const entry of changed) {
        const path = files.get(entry.id);
        if (!path) continue;
        const where = this.source.where([eco, `${entry.id}.json`]);
        const r = await readCappedFile(path, this.maxEntryBytes);
        if (typeof r === 'string') sink.skip(where, entry.id, r);
        else sink.addBytes(r, where);
      }
      this.writer.setState(eco, {
        source: this.source.label,
        mode: 'update',
        lastModified: newestTimestamp(cursor, newest ?? cursor),
      });
      this.writer.recountTouched(new Set([eco]));
      Object.assign(result, sink.counts);
    });
    return result;
  }

  /** A record staged by an interrupted run, still as new as the CSV says: no need to fetch it. */
  private async stagedIsCurrent(path: string, entry: ModifiedEntry): Promise<boolean> {
    try {
      const r = await readCappedFile(path, this.maxEntryBytes);
      if (typeof r === 'string') return false;
      const parsed = parseOsvBytes(r);
      return parsed.ok && compareTimestamps(parsed.record.modified, entry.modified) >= 0;
    } catch {
      return false;
    }
  }

  private async full(eco: string, ours: EcosystemState | null, stage: string): Promise<UnitResult> {
    const got = await this.source.file([eco, 'all.zip'], join(stage, 'all.zip'), {
      resumable: true,
      ifTag: ours?.fullTag ?? null,
      reuseMaxAgeMs: this.o.stagingMaxAgeMs ?? 24 * 3600_000,
      maxBytes: MAX_ZIP_BYTES,
      onBytes: (done, total) =>
        this.o.onProgress?.({ unit: eco, phase: 'download', done, total, what: 'bytes' }),
    });
    if (got === null) {
      const r = unitResult(eco, 'skipped');
      r.error = `${this.source.where([eco, 'all.zip'])} not found`;
      this.warn(`${eco}: skipped: ${r.error}`);
      return r;
    }
    if (got === 'not-modified') {
      const r = unitResult(eco, 'unchanged');
      await inTransaction(this.writer, async () => {
        this.writer.setState(eco, { source: this.source.label, mode: 'update' });
      });
      return r;
    }
    const result = unitResult(eco, 'full');
    result.bytes = got.bytes;
    let skippedEntries = 0;
    const warn = (m: string) => {
      skippedEntries++;
      this.warn(m);
    };
    await inTransaction(this.writer, async () => {
      const sink = new RecordSink(this.writer, warn);
      const label = this.source.where([eco, 'all.zip']);
      for await (const e of zipJsonEntries(got.path, label, {
        maxEntryBytes: this.maxEntryBytes,
        warn,
        onEntry: (done, total) =>
          this.o.onProgress?.({ unit: eco, phase: 'import', done, total, what: 'entries' }),
      })) {
        sink.addBytes(e.bytes, `${label}: ${e.name}`);
      }
      // A snapshot with damaged parts deletes nothing: what it lacks may be what was damaged.
      if (skippedEntries === 0) result.pruned = this.writer.prune(eco, sink.seen);
      this.writer.setState(eco, {
        source: this.source.label,
        mode: 'update',
        lastModified: sink.newest,
        fullTag: got.tag,
      });
      this.writer.recountTouched(new Set([eco]));
      Object.assign(result, sink.counts);
    });
    return result;
  }
}

export async function updateDatabase(db: Db, options: UpdateOptions): Promise<UpdateSummary> {
  const started = performance.now();
  const source = await openMirrorSource(options.source ?? DEFAULT_SOURCE, options);
  if (source.remote && options.offline) {
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      `db update needs the network to reach ${source.label} (--offline); use --source with a mirror folder, or db import`,
    );
  }
  const listed = await source.text(['ecosystems.txt']);
  const { todo, notPublished } = plan(
    options.ecosystems,
    listed === null ? null : parseEcosystemsTxt(listed),
    source.where(['ecosystems.txt']),
  );
  if (notPublished.length) {
    options.warn?.(`not published by ${source.label} (ecosystems.txt), skipped: ${notPublished.join(', ')}`);
  }
  const stageRoot = join(options.stagingDir, sourceHash(source.label));
  const unlock = await lockStaging(stageRoot);
  const results: UnitResult[] = [];
  try {
    const updater = new Updater(db, source, stageRoot, options);
    for (const eco of todo) results.push(await updater.ecosystem(eco));
  } finally {
    await unlock();
    // Only empty folders go: a failed ecosystem keeps its downloads for the next run.
    await rmdir(stageRoot).catch(() => {});
    await rmdir(options.stagingDir).catch(() => {});
  }
  return {
    source: source.label,
    results,
    notPublished,
    requests: source.requests(),
    seconds: (performance.now() - started) / 1000,
  };
}
