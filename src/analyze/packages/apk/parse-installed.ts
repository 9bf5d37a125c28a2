/**
 * apk's installed database (`lib/apk/db/installed`): one `X:value` line per field, packages
 * separated by blank lines. P name, V version, A arch, o origin (the source package), L license;
 * `F:dir` names a directory and the `R:file` lines after it are its files (a/M/Z/C lines about
 * modes and checksums are not needed here).
 */

export interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  license?: string;
  /** Files (`R:` lines), relative to the root. */
  files: string[];
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
      draft = { line: lineNo, dir: '', files: [], filesCapped: false };
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
        break;
      case 'R': {
        const name = stripSlashes(value);
        if (name === '' || name.includes('\0')) {
          problems.push(`line ${lineNo}: empty or invalid file name`);
        } else if (draft.files.length >= limits.maxFilesPerPackage) {
          draft.filesCapped = true;
        } else {
          draft.files.push(joinPath(draft.dir, name));
        }
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
