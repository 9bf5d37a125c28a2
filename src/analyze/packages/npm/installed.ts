/**
 * npm packages as installed: one record per `node_modules/**\/package.json` that npm (or yarn,
 * or pnpm) put there. This is what runs, so it is the inventory's ground truth for an app;
 * lockfile records (lockfile.ts) cover apps shipped without their node_modules.
 */
import type { Analyzer } from '../../types.js';
import { MalformedFile, catalogFile, cleanString, isRecord, langPackage, parseJson } from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { installedPackageDir } from './installed-path.js';
import { npmLicenses, npmName } from './npm-fields.js';

/** Old npm versions copied the whole README into package.json; a few MiB covers those. */
const MAX_PACKAGE_JSON_BYTES = 32 * 1024 * 1024;
/**
 * npm 5 and 6 wrote `"_id": "name@version"` among the first fields of an installed package.json:
 * a file padded past the limit (a malicious package hiding behind a huge readme) still names
 * itself there.
 */
const NPM_ID =
  /"_id"\s{0,8}:\s{0,8}"((?:@[a-z0-9][\w.~-]{0,213}\/)?[a-z0-9][\w.~-]{0,213})@([0-9][\w.+-]{0,255})"/i;

function fromTruncated(content: Buffer, path: string): PackageFact[] {
  const m = NPM_ID.exec(content.toString('latin1', 0, Math.min(content.length, 64 * 1024)));
  if (!m) return [];
  return [
    langPackage({
      type: 'npm',
      name: m[1]!,
      version: m[2]!,
      path,
      licenses: [],
      metadata: { source: 'installed' },
    }),
  ];
}

/**
 * One installed package.json. `dir` is the directory name it was installed under: when it differs
 * from the `name` inside, the package was installed under an alias (`npm i x@npm:y`).
 */
export function parseInstalledPackageJson(content: Buffer, path: string, dir?: string): PackageFact {
  const pkg = parseJson(content);
  if (!isRecord(pkg)) throw new MalformedFile('not a JSON object');
  const name = npmName(pkg.name);
  const version = cleanString(pkg.version, 256);
  if (!name || !version) throw new MalformedFile('no valid "name" and "version": not an installed package');
  return langPackage({
    type: 'npm',
    name,
    version,
    path,
    licenses: npmLicenses(pkg),
    metadata: {
      source: 'installed',
      alias: dir !== undefined && dir !== name ? dir : undefined,
      private: pkg.private === true ? true : undefined,
    },
  });
}

export const npmInstalledAnalyzer: Analyzer = {
  name: 'npm-installed',
  version: 2,
  wants(header) {
    if (header.type !== 'file' || !header.path.endsWith('/package.json')) return false;
    return installedPackageDir(header.path) ? { mode: 'buffer', maxBytes: MAX_PACKAGE_JSON_BYTES } : false;
  },
  analyze(file, ctx) {
    const dir = installedPackageDir(file.header.path);
    if (file.truncated) {
      const named = fromTruncated(file.content, file.header.path);
      ctx.warn(
        file.header.path,
        `package.json is larger than ${MAX_PACKAGE_JSON_BYTES} bytes: ${named.length > 0 ? 'identified by its "_id" only' : 'skipped'}`,
      );
      return named;
    }
    return catalogFile(file, ctx, { what: 'package.json' }, (content, path) => [
      parseInstalledPackageJson(content, path, dir),
    ]);
  },
};
