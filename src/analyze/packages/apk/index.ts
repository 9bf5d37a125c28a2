/**
 * The apk cataloger (Alpine, Wolfi, Chainguard): every package of the installed database,
 * with its origin as the source package, the files it owns and their checksums.
 */
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../../types.js';
import type { PackageFact } from '../types.js';
import { parseApkInstalled } from './parse-installed.js';

export const APK_ANALYZER = 'apk-installed';

/** An apk package fact with the checksum of each file (src/analyze/integrity compares them). */
export interface ApkPackageFact extends PackageFact {
  /** File → `algo:hex` (`sha1:…` for `Q1` checksums). */
  fileDigests?: Record<string, string>;
}

// apk-tools 3 may keep its database under usr/ (usr-merged systems); older ones under lib/.
export const APK_INSTALLED_PATHS = new Set(['lib/apk/db/installed', 'usr/lib/apk/db/installed']);

const MAX_BYTES = 64 * 1024 * 1024;
const MAX_WARNINGS_PER_FILE = 20;

function reportProblems(ctx: AnalyzeContext, path: string, problems: readonly string[]): void {
  for (const p of problems.slice(0, MAX_WARNINGS_PER_FILE)) ctx.warn(path, p);
  if (problems.length > MAX_WARNINGS_PER_FILE) {
    ctx.warn(path, `... and ${problems.length - MAX_WARNINGS_PER_FILE} more problems`);
  }
}

/** The text up to the last blank line: a package cut by the size limit is left out. */
function completePackagesOnly(text: string): string {
  const cut = text.lastIndexOf('\n\n');
  return cut < 0 ? '' : text.slice(0, cut + 1);
}

export const apkInstalledAnalyzer: Analyzer = {
  name: APK_ANALYZER,
  version: 2,
  wants(header) {
    return header.type === 'file' && APK_INSTALLED_PATHS.has(header.path)
      ? { mode: 'buffer', maxBytes: MAX_BYTES }
      : false;
  },
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    let text = file.content.toString('utf8');
    if (file.truncated) {
      ctx.warn(path, `larger than ${MAX_BYTES} bytes: only the packages in the first part are listed`);
      text = completePackagesOnly(text);
    }
    const { records, problems } = parseApkInstalled(text, {
      maxPackages: 100_000,
      maxFilesPerPackage: 1_000_000,
    });
    reportProblems(ctx, path, problems);
    return records.map((r) => {
      const fact: ApkPackageFact = {
        kind: 'package',
        type: 'apk',
        name: r.name,
        version: r.version,
        path,
        files: r.files,
      };
      if (r.arch) fact.arch = r.arch;
      // An origin package is built at the same version as its subpackages.
      fact.sourceName = r.origin ?? r.name;
      fact.sourceVersion = r.version;
      if (r.license) fact.licenses = [r.license];
      if (r.digests) fact.fileDigests = r.digests;
      return fact;
    });
  },
};

export const apkAnalyzers: Analyzer[] = [apkInstalledAnalyzer];
