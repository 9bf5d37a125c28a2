/**
 * Parsers for known-bad hash lists, one line at a time so a feed of any size is read in bounded
 * memory: plain lists (`<sha256>[ whitespace name]`, `#` comments, also `sha256sum` output) and
 * MalwareBazaar-style CSV (a header naming `sha256_hash`, quoted fields, `#` comment lines; the
 * dumps write their header as a comment, `# "first_seen_utc","sha256_hash",...`). A line that is
 * neither is counted as bad, never fatal.
 */

export type HashListFormat = 'list' | 'csv';

export interface DeniedHashEntry {
  /** Lower-case hex. */
  sha256: string;
  name?: string;
}

export type LineResult =
  { kind: 'entry'; entry: DeniedHashEntry } | { kind: 'skip' } | { kind: 'bad'; reason: string };

const SHA256 = /^[0-9a-fA-F]{64}$/;
/** Longest name kept: feed names are family labels or file names, never paragraphs. */
export const MAX_NAME_LENGTH = 200;
// CSV fields past this many are not split: no real feed row has anywhere near as many.
const MAX_CSV_FIELDS = 256;
const NO_VALUE = new Set(['', 'n/a', 'na', 'none', 'null', 'unknown', '-']);

/** Control characters out, white space folded, length capped: names end up in reports. */
export function cleanName(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const folded = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ');
  const name = folded.trim().slice(0, MAX_NAME_LENGTH).trim();
  return NO_VALUE.has(name.toLowerCase()) ? undefined : name;
}

function entry(hash: string, name: string | undefined): LineResult {
  const cleaned = name === undefined ? undefined : cleanName(name);
  return {
    kind: 'entry',
    entry: cleaned ? { sha256: hash.toLowerCase(), name: cleaned } : { sha256: hash.toLowerCase() },
  };
}

/** One line of a plain list. */
export function parseListLine(line: string): LineResult {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'skip' };
  const ws = text.search(/\s/);
  let hash = ws < 0 ? text : text.slice(0, ws);
  if (hash.toLowerCase().startsWith('sha256:')) hash = hash.slice(7);
  if (!SHA256.test(hash)) return { kind: 'bad', reason: 'not a sha256 (64 hex digits)' };
  // sha256sum writes `hash *name` for files it read in binary mode.
  const rest = ws < 0 ? undefined : text.slice(ws).trim().replace(/^\*/, '');
  return entry(hash, rest);
}

/**
 * Splits one CSV record: fields separated by commas (white space around them ignored), quoted
 * with `"` and `""` inside. Returns null when a quote is left open (a record spanning lines
 * is not supported: feeds do not write them, and following one would let a line run unbounded),
 * and when it has more fields than any feed writes.
 */
export function splitCsvRecord(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    let value = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const q = line.indexOf('"', i);
        if (q < 0) break;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        closed = true;
        break;
      }
      if (!closed) return null;
      while (i < n && line[i] !== ',') i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      value = line.slice(i, end).trim();
      i = end;
    }
    fields.push(value);
    if (i >= n) return fields;
    if (fields.length >= MAX_CSV_FIELDS) return null;
    i++; // the comma
  }
}

export interface CsvColumns {
  sha256: number;
  signature: number;
  fileName: number;
}

/** The columns of a header record, or null when it names no `sha256_hash`. */
export function csvHeader(line: string): CsvColumns | null {
  let text = line.trim();
  if (text.startsWith('#')) text = text.slice(1);
  if (!/sha256_hash/i.test(text)) return null;
  const fields = splitCsvRecord(text);
  if (!fields) return null;
  const names = fields.map((f) => f.trim().toLowerCase());
  const sha256 = names.indexOf('sha256_hash');
  if (sha256 < 0) return null;
  return { sha256, signature: names.indexOf('signature'), fileName: names.indexOf('file_name') };
}

/** One data line of a CSV feed whose header gave `columns`. */
export function parseCsvLine(line: string, columns: CsvColumns): LineResult {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'skip' };
  const fields = splitCsvRecord(text);
  if (!fields) return { kind: 'bad', reason: 'not a CSV record (a quote left open, or too many fields)' };
  const hash = fields[columns.sha256]?.trim();
  if (hash === undefined) return { kind: 'bad', reason: 'no sha256_hash field' };
  if (!SHA256.test(hash)) return { kind: 'bad', reason: 'sha256_hash is not 64 hex digits' };
  const pick = (i: number) => (i >= 0 ? cleanName(fields[i] ?? '') : undefined);
  // The family label says more than a file name, which is often just the hash again.
  return entry(hash, pick(columns.signature) ?? pick(columns.fileName));
}

/**
 * Reads a feed line by line, deciding its format on the way: a header naming `sha256_hash`
 * (commented or not) before the first data line makes it CSV, anything else a plain list.
 */
export class HashListParser {
  private columns: CsvColumns | null = null;
  private decided = false;

  get format(): HashListFormat {
    return this.columns ? 'csv' : 'list';
  }

  line(line: string): LineResult {
    if (!this.decided) {
      const header = csvHeader(line);
      if (header) {
        this.columns = header;
        this.decided = true;
        return { kind: 'skip' };
      }
      const text = line.trim();
      if (text === '' || text.startsWith('#')) return { kind: 'skip' };
      this.decided = true;
    }
    return this.columns ? parseCsvLine(line, this.columns) : parseListLine(line);
  }
}

/**
 * Cuts a byte stream into lines of at most `maxLineBytes` bytes. A longer line is not kept in
 * memory: it is reported once (as `null`) and skipped up to its newline.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private skipping = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines completed by `chunk`; `null` for each line that was too long. */
  *push(chunk: Buffer): Generator<string | null> {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.skipping) {
        const piece = chunk.subarray(start, end);
        if (this.held + piece.length > this.maxLineBytes) {
          this.parts = [];
          this.held = 0;
          this.skipping = true;
          yield null;
        } else if (piece.length > 0) {
          // Copied: the caller may reuse the chunk's memory once push() returns.
          this.parts.push(Buffer.from(piece));
          this.held += piece.length;
        }
      }
      if (nl < 0) break;
      if (!this.skipping) yield this.take();
      this.skipping = false;
      start = nl + 1;
    }
  }

  /** The last line, when the input does not end with a newline. */
  *end(): Generator<string | null> {
    if (!this.skipping && this.held > 0) yield this.take();
    this.skipping = false;
  }

  private take(): string {
    const text = Buffer.concat(this.parts, this.held).toString('utf8');
    this.parts = [];
    this.held = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}
