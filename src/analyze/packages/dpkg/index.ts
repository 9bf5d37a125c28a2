/**
 * The dpkg catalogers: packages from the status database (`status`, or distroless
 * `status.d/*`), and the files each package owns (`info/*.list`, `info/*.md5sums`, and the
 * distroless `status.d/*.md5sums`). The inventory joins the two by package name.
 */
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../../types.js';
import type { OwnedFilesFact, PackageFact } from '../types.js';
import { completeParagraphsOnly } from './control.js';
import { parseDpkgList, parseDpkgMd5sums } from './parse-owned-files.js';
import { parseDpkgStatus } from './parse-status.js';

export const DPKG_STATUS_ANALYZER = 'dpkg-status';
export const DPKG_FILES_ANALYZER = 'dpkg-files';

export const DPKG_STATUS_PATH = 'var/lib/dpkg/status';
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d';
const STATUS_D_ENTRY = /^var\/lib\/dpkg\/status\.d\/([^/]+)$/;
const INFO_ENTRY = /^var\/lib\/dpkg\/info\/([^/]+)\.(list|md5sums)$/;
const OWNED_SUFFIX = /^(.+)\.(list|md5sums)$/;
// wants() is asked about every file of every layer: most are turned away by this prefix alone.
const DPKG_DIR = 'var/lib/dpkg/';

const MAX_STATUS_BYTES = 64 * 1024 * 1024;
const MAX_FILES_BYTES = 32 * 1024 * 1024;
const MAX_PACKAGES = 200_000;
const MAX_FILES_PER_PACKAGE = 1_000_000;
const MAX_WARNINGS_PER_FILE = 20;

function reportProblems(ctx: AnalyzeContext, path: string, problems: readonly string[]): void {
  for (const p of problems.slice(0, MAX_WARNINGS_PER_FILE)) ctx.warn(path, p);
  if (problems.length > MAX_WARNINGS_PER_FILE) {
    ctx.warn(path, `... and ${problems.length - MAX_WARNINGS_PER_FILE} more problems`);
  }
}

/** A status.d entry that is a package's control paragraph, not one of its file lists. */
function isStatusDParagraphFile(path: string): boolean {
  const m = STATUS_D_ENTRY.exec(path);
  return m !== null && !OWNED_SUFFIX.test(m[1]!);
}

/** The package (`name` or `name:arch`) and kind of a file-ownership database file. */
function ownedFilesTarget(path: string): { pkg: string; kind: 'list' | 'md5sums' } | null {
  const info = INFO_ENTRY.exec(path);
  if (info) return { pkg: info[1]!, kind: info[2] as 'list' | 'md5sums' };
  const d = STATUS_D_ENTRY.exec(path);
  const owned = d ? OWNED_SUFFIX.exec(d[1]!) : null;
  return owned ? { pkg: owned[1]!, kind: owned[2] as 'list' | 'md5sums' } : null;
}

export const dpkgStatusAnalyzer: Analyzer = {
  name: DPKG_STATUS_ANALYZER,
  version: 1,
  wants(header) {
    if (header.type !== 'file' || !header.path.startsWith(DPKG_DIR)) return false;
    if (header.path === DPKG_STATUS_PATH || isStatusDParagraphFile(header.path)) {
      return { mode: 'buffer', maxBytes: MAX_STATUS_BYTES };
    }
    return false;
  },
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    let text = file.content.toString('utf8');
    if (file.truncated) {
      ctx.warn(path, `larger than ${MAX_STATUS_BYTES} bytes: only the packages in the first part are listed`);
      text = completeParagraphsOnly(text);
    }
    const { records, problems } = parseDpkgStatus(text, {
      missingStatusMeansInstalled: path !== DPKG_STATUS_PATH,
      maxPackages: MAX_PACKAGES,
    });
    reportProblems(ctx, path, problems);
    return records.map((r) => {
      const fact: PackageFact = {
        kind: 'package',
        type: 'deb',
        name: r.name,
        version: r.version,
        path,
        sourceName: r.sourceName,
        sourceVersion: r.sourceVersion,
      };
      if (r.arch !== undefined) fact.arch = r.arch;
      // Everything but `installed` is unusual (config files only, an interrupted install):
      // said, so the inventory and matching can decide how much such a package counts.
      if (r.status !== 'installed') fact.metadata = { status: r.status };
      return fact;
    });
  },
};

export const dpkgOwnedFilesAnalyzer: Analyzer = {
  name: DPKG_FILES_ANALYZER,
  version: 1,
  wants(header) {
    return header.type === 'file' && header.path.startsWith(DPKG_DIR) && ownedFilesTarget(header.path)
      ? { mode: 'buffer', maxBytes: MAX_FILES_BYTES }
      : false;
  },
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    const target = ownedFilesTarget(path);
    if (!target) return [];
    let text = file.content.toString('utf8');
    if (file.truncated) {
      ctx.warn(path, `larger than ${MAX_FILES_BYTES} bytes: only the paths in the first part are listed`);
      text = text.slice(0, text.lastIndexOf('\n') + 1);
    }
    const fact: OwnedFilesFact = { kind: 'owned-files', type: 'deb', package: target.pkg, path };
    if (target.kind === 'list') {
      const { records, problems } = parseDpkgList(text, MAX_FILES_PER_PACKAGE);
      reportProblems(ctx, path, problems);
      fact.files = records;
    } else {
      const { records, problems } = parseDpkgMd5sums(text, MAX_FILES_PER_PACKAGE);
      reportProblems(ctx, path, problems);
      const md5: Record<string, string> = {};
      for (const e of records) {
        // A path named `__proto__` is just a path, not the object's prototype.
        if (e.path === '__proto__') {
          Object.defineProperty(md5, e.path, {
            value: e.md5,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else md5[e.path] = e.md5;
      }
      fact.md5 = md5;
    }
    return [fact];
  },
};

export const dpkgAnalyzers: Analyzer[] = [dpkgStatusAnalyzer, dpkgOwnedFilesAnalyzer];
