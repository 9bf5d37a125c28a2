/**
 * What every language cataloger (npm, Python, Ruby, PHP, .NET) shares: decoding a buffered file,
 * accepting only sane strings from hostile metadata, building PackageFacts, and turning a
 * malformed file into one warning that names its path instead of a failed layer.
 */
import { errorMessage } from '../../errors.js';
import type { AnalyzeContext, Fact, FileInput } from '../types.js';
import type { PackageFact, PackageType } from './types.js';

/** Reports a problem with the file being parsed; the caller adds the path. */
export type Warn = (message: string) => void;

/** A file that cannot be parsed at all; the analyzer turns it into a warning. */
export class MalformedFile extends Error {}

/** No single metadata file lists more packages than this; past it the rest is dropped with a warning. */
export const MAX_PACKAGES_PER_FILE = 100_000;

/** A file with more problems than this is reported with this many and a note, not one per entry. */
const MAX_WARNINGS_PER_FILE = 20;

/** Longest name, version or license kept; longer ones are garbage or an attack on the report. */
const MAX_FIELD_LENGTH = 512;

export function decodeText(content: Buffer): string {
  const text = content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON of a metadata file, or MalformedFile saying why not. */
export function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(decodeText(content));
  } catch (err) {
    throw new MalformedFile(`not valid JSON: ${errorMessage(err)}`);
  }
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * `x` trimmed, if it is a non-empty string of reasonable length without control characters;
 * otherwise undefined. Every name, version and license read from a file goes through this.
 */
export function cleanString(x: unknown, max = MAX_FIELD_LENGTH): string | undefined {
  if (typeof x !== 'string') return undefined;
  const s = x.trim();
  if (s.length === 0 || s.length > max) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) return undefined;
  return s;
}

/** Distinct clean strings, in first-seen order. */
export function cleanList(items: Iterable<unknown>, max = 64): string[] {
  const out = new Set<string>();
  for (const item of items) {
    const s = cleanString(item);
    if (s) out.add(s);
    if (out.size >= max) break;
  }
  return [...out];
}

export interface LangPackageFields {
  type: PackageType;
  name: string;
  version: string;
  path: string;
  licenses?: string[];
  files?: string[];
  metadata?: Record<string, unknown>;
}

/** A PackageFact with no empty optional fields (facts are cached as JSON; keep them lean). */
export function langPackage(f: LangPackageFields): PackageFact {
  const fact: PackageFact = { kind: 'package', type: f.type, name: f.name, version: f.version, path: f.path };
  if (f.licenses && f.licenses.length > 0) fact.licenses = f.licenses;
  if (f.files && f.files.length > 0) fact.files = f.files;
  if (f.metadata) {
    const metadata = Object.fromEntries(Object.entries(f.metadata).filter(([, v]) => v !== undefined));
    if (Object.keys(metadata).length > 0) fact.metadata = metadata;
  }
  return fact;
}

/** Collects records up to MAX_PACKAGES_PER_FILE, warning once when a file lists more. */
export class PackageList {
  readonly items: PackageFact[] = [];
  private readonly seen = new Set<string>();
  private full = false;

  constructor(private readonly warn: Warn) {}

  /** Adds `fact` unless an equal identity (see `key`) is already listed. False once full. */
  add(fact: PackageFact, key = `${fact.name}@${fact.version}`): boolean {
    if (this.full) return false;
    if (this.seen.has(key)) return true;
    if (this.items.length >= MAX_PACKAGES_PER_FILE) {
      this.full = true;
      this.warn(`lists more than ${MAX_PACKAGES_PER_FILE} packages; the rest are ignored`);
      return false;
    }
    this.seen.add(key);
    this.items.push(fact);
    return true;
  }
}

export interface CatalogOptions {
  /** What the file is, for messages: "package.json", "yarn.lock" ... */
  what: string;
  /** The format's useful part is at the start (RFC 822 headers): parse a truncated file anyway. */
  headOnly?: boolean;
}

/**
 * Runs `parse` on one buffered file: a file too large to have been read whole, or one the
 * parser rejects, becomes a warning naming its path; nothing else escapes.
 */
export function catalogFile(
  file: FileInput,
  ctx: AnalyzeContext,
  opts: CatalogOptions,
  parse: (content: Buffer, path: string, warn: Warn) => PackageFact[],
): Fact[] {
  const path = file.header.path;
  if (file.truncated && !opts.headOnly) {
    ctx.warn(path, `${opts.what} is larger than the ${file.content.length} bytes read; skipped`);
    return [];
  }
  let warnings = 0;
  const warn: Warn = (message) => {
    warnings++;
    if (warnings <= MAX_WARNINGS_PER_FILE) ctx.warn(path, `${opts.what}: ${oneLine(message)}`);
    else if (warnings === MAX_WARNINGS_PER_FILE + 1)
      ctx.warn(path, `${opts.what}: further problems not reported`);
  };
  try {
    return parse(file.content, path, warn);
  } catch (err) {
    const reason = err instanceof MalformedFile ? err.message : `parser failed: ${errorMessage(err)}`;
    ctx.warn(path, `malformed ${opts.what}: ${oneLine(reason)}`);
    return [];
  }
}

/** Warnings are one line each, whatever a parser's error message quotes from the file. */
function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

/** The parent directory of a path relative to the image root ('' at the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
