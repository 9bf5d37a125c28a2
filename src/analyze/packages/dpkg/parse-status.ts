/**
 * dpkg's package database: `var/lib/dpkg/status`, or one file per package under
 * `var/lib/dpkg/status.d/` (distroless images, written from each .deb's control fields).
 * Which packages count follows `dpkg-query -W`: every paragraph whose status is not
 * `not-installed` (so `config-files` and half-installed packages are listed, marked by their
 * status). Source name and version are derived as dpkg-query's `${source:Package}` and
 * `${source:Version}` do.
 */
import { parseParagraphs, type ParseResult } from './control.js';

export interface DpkgRecord {
  name: string;
  /** As written, with its epoch (`1:2.38.1-5`). */
  version: string;
  arch?: string;
  sourceName: string;
  sourceVersion: string;
  /** The third word of `Status:` (`installed`, `config-files`, `half-configured`, ...). */
  status: string;
}

export interface DpkgStatusOptions {
  /**
   * status.d paragraphs are control files copied out of .deb archives and carry no `Status:`
   * field; their packages are installed. In the status file, a paragraph without one is not.
   */
  missingStatusMeansInstalled: boolean;
  maxPackages: number;
}

const WANTED = new Set(['package', 'status', 'version', 'architecture', 'source']);
const WANT_WORDS = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const ERROR_WORDS = new Set(['ok', 'reinstreq']);
const STATUS_WORDS = new Set([
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);
// dpkg's pkg_name_is_illegal: an alphanumeric first, then alphanumerics and "-+._".
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+\-._]*$/;
const MAX_FIELD_LENGTH = 4096;

/** `Status: want error status` → the status word, or an explanation of what is wrong. */
function statusWord(value: string): { word: string } | { problem: string } {
  const words = value.split(/\s+/).filter(Boolean);
  if (words.length !== 3) return { problem: `Status ${JSON.stringify(value)} is not three words` };
  const [want, error, status] = words as [string, string, string];
  if (!WANT_WORDS.has(want) || !ERROR_WORDS.has(error) || !STATUS_WORDS.has(status)) {
    return { problem: `Status ${JSON.stringify(value)} has an unknown word` };
  }
  return { word: status };
}

/**
 * `Source: name` or `Source: name (version)`. Like dpkg-query: the name is what precedes the
 * first space, the version what the parentheses hold, else the binary's own version.
 */
export function sourceOf(source: string | undefined, name: string, version: string) {
  if (source === undefined || source === '') return { sourceName: name, sourceVersion: version };
  const space = source.indexOf(' ');
  const sourceName = space < 0 ? source : source.slice(0, space);
  const open = source.indexOf('(');
  if (open < 0) return { sourceName, sourceVersion: version };
  const close = source.indexOf(')', open);
  const inner = source.slice(open + 1, close < 0 ? undefined : close).trim();
  return { sourceName, sourceVersion: inner || version };
}

export function parseDpkgStatus(text: string, opts: DpkgStatusOptions): ParseResult<DpkgRecord> {
  const parsed = parseParagraphs(text, WANTED, { maxParagraphs: opts.maxPackages });
  const problems = parsed.problems;
  const records: DpkgRecord[] = [];
  for (const p of parsed.records) {
    const where = `paragraph at line ${p.line}`;
    const rawName = p.fields.get('package');
    if (rawName === undefined) {
      problems.push(`${where}: no Package field`);
      continue;
    }
    if (!PACKAGE_NAME.test(rawName) || rawName.length > MAX_FIELD_LENGTH) {
      problems.push(`${where}: invalid package name ${JSON.stringify(rawName.slice(0, 100))}`);
      continue;
    }
    const name = rawName.toLowerCase();
    const statusField = p.fields.get('status');
    let status = 'installed';
    if (statusField === undefined) {
      if (!opts.missingStatusMeansInstalled) continue;
    } else {
      const s = statusWord(statusField);
      if ('problem' in s) {
        problems.push(`${where} (${name}): ${s.problem}`);
        continue;
      }
      status = s.word;
    }
    if (status === 'not-installed') continue;
    const version = p.fields.get('version');
    if (!version || /\s/.test(version) || version.length > MAX_FIELD_LENGTH) {
      problems.push(`${where} (${name}): ${version ? 'invalid' : 'no'} Version`);
      continue;
    }
    const arch = p.fields.get('architecture');
    const source = p.fields.get('source');
    const record: DpkgRecord = {
      name,
      version,
      ...sourceOf(source?.slice(0, MAX_FIELD_LENGTH), name, version),
      status,
    };
    if (arch) record.arch = arch.slice(0, MAX_FIELD_LENGTH);
    records.push(record);
  }
  return { records, problems };
}
