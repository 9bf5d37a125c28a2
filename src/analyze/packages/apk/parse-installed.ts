/**
 * apk's installed database (`lib/apk/db/installed`): one `X:value` line per field, packages
 * separated by blank lines. P name, V version, A arch, o origin (the source package), L license;
 * `F:dir` names a directory and the `R:file` lines after it are its files; a `Z:` line after a
 * file is its checksum (`Q1` + base64 SHA-1, `Q2` + base64 SHA-256; hex MD5 in old databases),
 * kept for integrity checks. a/M lines about modes are not needed here.
 */

export interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  license?: string;
  /** Files (`R:` lines), relative to the root. */
  files: string[];
  /** File → `algo:hex` (`sha1:…`, `sha256:…`, `md5:…`), from the `Z:` lines. */
  digests?: Record<string, string>;
}

export interface ApkLimits {
  maxPackages: number;
  maxFilesPerPackage: number;
}

export interface ApkParseResult {
  records: ApkRecord[];
  problems: string[];
}

const MAX_VALUE_LENGTH = 4096;

interface Draft {
  line: number;
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
  dir: string;
  files: string[];
  filesCapped: boolean;
  /** The file the next `Z:` line is about. */
  lastFile: string | null;
  digests: Record<string, string> | null;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX_MD5 = /^[0-9a-fA-F]{32}$/;

/** An apk checksum as `algo:hex`, or null when it is none apk writes. */
export function apkChecksum(value: string): string | null {
  const prefixed = (algo: string, bytes: number): string | null => {
    const b64 = value.slice(2);
    if (!BASE64.test(b64)) return null;
    const raw = Buffer.from(b64, 'base64');
    return raw.length === bytes ? `${algo}:${raw.toString('hex')}` : null;
  };
  if (value.startsWith('Q1')) return prefixed('sha1', 20);
  if (value.startsWith('Q2')) return prefixed('sha256', 32);
  return HEX_MD5.test(value) ? `md5:${value.toLowerCase()}` : null;
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function stripSlashes(p: string): string {
  let start = 0;
  let end = p.length;
  while (start < end && p[start] === '/') start++;
  while (end > start && p[end - 1] === '/') end--;
  return p.slice(start, end);
}

export function parseApkInstalled(text: string, limits: ApkLimits): ApkParseResult {
  const records: ApkRecord[] = [];
  const problems: string[] = [];
  let draft: Draft | null = null;
  let stopped = false;

  const finish = () => {
    if (!draft) return;
    const d = draft;
    draft = null;
    if (!d.name || !d.version) {
      problems.push(`package at line ${d.line}: no ${d.name ? 'V (version)' : 'P (name)'} line`);
      return;
    }
    if (d.filesCapped)
      problems.push(`${d.name}: more than ${limits.maxFilesPerPackage} files; the rest are not listed`);
    const r: ApkRecord = { name: d.name, version: d.version, files: d.files };
    if (d.digests) r.digests = d.digests;
    if (d.arch) r.arch = d.arch;
    if (d.origin) r.origin = d.origin;
    if (d.license) r.license = d.license;
    records.push(r);
  };

  let lineNo = 0;
  let start = 0;
  while (start <= text.length && !stopped) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') {
      finish();
      if (end === text.length) break;
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      problems.push(`line ${lineNo}: not an "X:value" line`);
      continue;
    }
    if (!draft) {
      if (records.length >= limits.maxPackages) {
        problems.push(`more than ${limits.maxPackages} packages; the rest are not read`);
        stopped = true;
        break;
      }
      draft = { line: lineNo, dir: '', files: [], filesCapped: false, lastFile: null, digests: null };
    }
    const key = line[0];
    const value = line.slice(2);
    const short = value.length <= MAX_VALUE_LENGTH;
    switch (key) {
      case 'P':
        if (short) draft.name = value;
        break;
      case 'V':
        if (short) draft.version = value;
        break;
      case 'A':
        if (short) draft.arch = value;
        break;
      case 'o':
        if (short) draft.origin = value;
        break;
      case 'L':
        if (short) draft.license = value;
        break;
      case 'F':
        draft.dir = stripSlashes(value);
        draft.lastFile = null;
        break;
      case 'R': {
        const name = stripSlashes(value);
        draft.lastFile = null;
        if (name === '' || name.includes('\0')) {
          problems.push(`line ${lineNo}: empty or invalid file name`);
        } else if (draft.files.length >= limits.maxFilesPerPackage) {
          draft.filesCapped = true;
        } else {
          draft.lastFile = joinPath(draft.dir, name);
          draft.files.push(draft.lastFile);
        }
        break;
      }
      case 'Z': {
        if (draft.lastFile === null) break;
        const digest = apkChecksum(value);
        if (digest === null) {
          problems.push(`line ${lineNo}: unreadable checksum for ${draft.lastFile.slice(0, 200)}`);
          break;
        }
        // No prototype: a file named `__proto__` is just a file.
        draft.digests ??= Object.create(null) as Record<string, string>;
        draft.digests[draft.lastFile] = digest;
        draft.lastFile = null;
        break;
      }
      default:
        break;
    }
    if (!short && 'PVAoL'.includes(key!))
      problems.push(`line ${lineNo}: ${key} value longer than ${MAX_VALUE_LENGTH}`);
  }
  finish();
  return { records, problems };
}
