/**
 * PHP packages Composer installed: `vendor/composer/installed.json`. Composer 1 writes a JSON
 * array of packages; Composer 2 writes `{ "packages": [...], "dev": bool, "dev-package-names":
 * [...] }`. Names are `vendor/package`. The version is kept as written (`v5.4.0`, `dev-main`);
 * Composer's own normalised form (`5.4.0.0`) goes in metadata for version comparison.
 */
import type { Analyzer } from '../../types.js';
import {
  MalformedFile,
  PackageList,
  catalogFile,
  cleanList,
  cleanString,
  isRecord,
  langPackage,
  parseJson,
  type Warn,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';

/** Composer's package name rule: `vendor/name`, lower case, with . _ - separators. */
const COMPOSER_NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/i;
const MAX_INSTALLED_JSON_BYTES = 16 * 1024 * 1024;

/** `v1.2.3` → `1.2.3`, when Composer did not write its own normalised version. */
function normalisedVersion(pkg: Record<string, unknown>, version: string): string {
  return cleanString(pkg.version_normalized, 256) ?? version.replace(/^v(?=\d)/i, '');
}

export function parseComposerInstalled(content: Buffer, path: string, warn: Warn): PackageFact[] {
  const doc = parseJson(content);
  const packages = Array.isArray(doc) ? doc : isRecord(doc) ? doc.packages : undefined;
  if (!Array.isArray(packages)) throw new MalformedFile('neither a package array nor { "packages": [...] }');
  const devNames = new Set(
    isRecord(doc) && Array.isArray(doc['dev-package-names'])
      ? cleanList(doc['dev-package-names'], 100_000)
      : [],
  );
  const list = new PackageList(warn);
  let skipped = 0;
  for (const pkg of packages) {
    const name = isRecord(pkg) ? cleanString(pkg.name, 256) : undefined;
    const version = isRecord(pkg) ? cleanString(pkg.version, 256) : undefined;
    if (!isRecord(pkg) || !name || !COMPOSER_NAME.test(name) || !version) {
      skipped++;
      continue;
    }
    const source = isRecord(pkg.source) ? pkg.source : {};
    const fact = langPackage({
      type: 'composer',
      name,
      version,
      path,
      licenses: cleanList(Array.isArray(pkg.license) ? pkg.license : [pkg.license]),
      metadata: {
        versionNormalized: normalisedVersion(pkg, version),
        dev: devNames.has(name) ? true : undefined,
        packageType: cleanString(pkg.type, 64),
        sourceReference: cleanString(source.reference, 128),
      },
    });
    if (!list.add(fact)) break;
  }
  if (skipped > 0) warn(`${skipped} entries without a valid name and version skipped`);
  return list.items;
}

export const composerInstalledAnalyzer: Analyzer = {
  name: 'composer-installed',
  version: 1,
  wants(header) {
    // The vendor directory can be renamed (`config.vendor-dir`); composer/installed.json stays.
    const p = header.path;
    return header.type === 'file' && p.endsWith('/composer/installed.json')
      ? { mode: 'buffer', maxBytes: MAX_INSTALLED_JSON_BYTES }
      : false;
  },
  analyze(file, ctx) {
    return catalogFile(file, ctx, { what: 'composer installed.json' }, parseComposerInstalled);
  },
};
