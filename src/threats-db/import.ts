/**
 * Imports a known-bad hash feed file into the deny-list: streamed line by line, written in
 * batches, so a feed of millions of lines costs a few MB. Bad lines are counted, the first few
 * quoted in the summary; they never stop the import.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { ShipshapeError, errorMessage, printable } from '../errors.js';
import type { Db } from '../store/sqlite.js';
import { HashListParser, LineSplitter, type DeniedHashEntry, type HashListFormat } from './parse.js';
import { addDeniedHashes } from './store.js';

export interface ImportHashesOptions {
  /** Who lists these hashes (shown in findings); default the file's name. */
  source?: string;
  /** Now, as ISO time (tests pin it). */
  now?: string;
}

export interface ImportHashesSummary {
  path: string;
  source: string;
  format: HashListFormat;
  lines: number;
  /** Valid entries read (a hash listed twice counts twice). */
  entries: number;
  /** Hashes the deny-list did not hold before. */
  added: number;
  bad: number;
  /** The first few bad lines: `line N: reason`. */
  badSamples: string[];
}

const MAX_LINE_BYTES = 64 * 1024;
const BATCH = 5000;
const BAD_SAMPLES = 10;
const MAX_SOURCE_LENGTH = 100;

export async function importHashFile(
  db: Db,
  path: string,
  options: ImportHashesOptions = {},
): Promise<ImportHashesSummary> {
  const source = printable((options.source ?? basename(path)).trim(), MAX_SOURCE_LENGTH);
  if (source === '') throw new ShipshapeError('BAD_ARGUMENT', 'import-hashes: the source name is empty');
  const added = options.now ?? new Date().toISOString();
  const parser = new HashListParser();
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  const summary: ImportHashesSummary = {
    path,
    source,
    format: 'list',
    lines: 0,
    entries: 0,
    added: 0,
    bad: 0,
    badSamples: [],
  };
  let batch: DeniedHashEntry[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    summary.added += addDeniedHashes(db, batch, source, added);
    batch = [];
  };
  const take = (line: string | null) => {
    summary.lines++;
    const r =
      line === null
        ? ({ kind: 'bad', reason: `longer than ${MAX_LINE_BYTES} bytes` } as const)
        : parser.line(line);
    if (r.kind === 'entry') {
      summary.entries++;
      batch.push(r.entry);
      if (batch.length >= BATCH) flush();
    } else if (r.kind === 'bad') {
      summary.bad++;
      if (summary.badSamples.length < BAD_SAMPLES)
        summary.badSamples.push(`line ${summary.lines}: ${r.reason}`);
    }
  };
  try {
    for await (const chunk of createReadStream(path)) {
      for (const line of splitter.push(chunk as Buffer)) take(line);
    }
  } catch (e) {
    throw new ShipshapeError('BAD_ARGUMENT', `import-hashes: cannot read ${path}: ${errorMessage(e)}`);
  }
  for (const line of splitter.end()) take(line);
  flush();
  summary.format = parser.format;
  return summary;
}
