/**
 * `package-lock.json` and `npm-shrinkwrap.json`. Version 1 nests a `dependencies` tree that
 * mirrors node_modules; versions 2 and 3 key a flat `packages` map by install location
 * (`node_modules/a/node_modules/b`), with "" for the app itself. Each record keeps that
 * location, so it can be matched to the package.json npm installed there.
 */
import {
  MalformedFile,
  PackageList,
  cleanString,
  isRecord,
  langPackage,
  parseJson,
  type Warn,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { aliasTarget, npmLicenses, npmName } from './npm-fields.js';

/** npm trees are rarely deeper than 30; a deeper v1 tree is hostile. */
const MAX_TREE_DEPTH = 128;

interface LockEntry {
  /** The name npm installed it under: the last `node_modules/<name>` of its location. */
  installedAs: string;
  /** `name` the entry states (v2+: set when the package's name differs from the directory). */
  name?: unknown;
  version: unknown;
  location: string;
  entry: Record<string, unknown>;
}

function lockPackage(
  e: LockEntry,
  path: string,
  lockfileVersion: unknown,
  warn: Warn,
): PackageFact | undefined {
  let name = e.name === undefined ? e.installedAs : npmName(e.name);
  let version = cleanString(e.version, 1024);
  // v1 writes an alias's version as `npm:real-name@1.2.3`.
  const target = version ? aliasTarget(version) : undefined;
  if (target) {
    name = target.name;
    version = cleanString(target.range, 1024);
  }
  if (!name || !version) {
    warn(`entry ${JSON.stringify(e.location.slice(0, 200))} has no valid name and version; skipped`);
    return undefined;
  }
  const x = e.entry;
  return langPackage({
    type: 'npm',
    name,
    version,
    path,
    licenses: npmLicenses(x),
    metadata: {
      source: 'lockfile',
      lockfile: 'package-lock',
      lockfileVersion: typeof lockfileVersion === 'number' ? lockfileVersion : undefined,
      location: e.location,
      alias: name !== e.installedAs ? e.installedAs : undefined,
      dev: x.dev === true ? true : undefined,
      optional: x.optional === true || x.devOptional === true ? true : undefined,
      bundled: x.inBundle === true || x.bundled === true ? true : undefined,
      resolved: cleanString(x.resolved, 2048),
      integrity: cleanString(x.integrity, 1024),
    },
  });
}

/** The package name at the end of a v2+ location: `.../node_modules/@s/n` → `@s/n`. */
function nameAtLocation(location: string): string | undefined {
  const i = location.lastIndexOf('node_modules/');
  if (i < 0 || (i > 0 && location[i - 1] !== '/')) return undefined;
  return npmName(location.slice(i + 'node_modules/'.length));
}

function fromPackagesMap(
  packages: Record<string, unknown>,
  list: PackageList,
  path: string,
  v: unknown,
  warn: Warn,
) {
  for (const [location, entry] of Object.entries(packages)) {
    // "" is the app; paths outside node_modules are its workspaces: both are the app's own code.
    if (location === '' || !isRecord(entry)) continue;
    if (entry.link === true) continue; // a symlink to a workspace; the target has its own entry
    const installedAs = nameAtLocation(location);
    if (!installedAs) continue;
    const fact = lockPackage(
      { installedAs, name: entry.name, version: entry.version, location, entry },
      path,
      v,
      warn,
    );
    if (fact && !list.add(fact, location)) return;
  }
}

function fromDependencyTree(
  deps: Record<string, unknown>,
  parent: string,
  depth: number,
  list: PackageList,
  path: string,
  v: unknown,
  warn: Warn,
): boolean {
  if (depth > MAX_TREE_DEPTH) {
    warn(`dependency tree deeper than ${MAX_TREE_DEPTH}; deeper entries ignored`);
    return true;
  }
  for (const [key, entry] of Object.entries(deps)) {
    const installedAs = npmName(key);
    if (!installedAs || !isRecord(entry)) continue;
    const location = `${parent}node_modules/${installedAs}`;
    const fact = lockPackage({ installedAs, version: entry.version, location, entry }, path, v, warn);
    if (fact && !list.add(fact, location)) return false;
    if (isRecord(entry.dependencies)) {
      if (!fromDependencyTree(entry.dependencies, `${location}/`, depth + 1, list, path, v, warn))
        return false;
    }
  }
  return true;
}

export function parsePackageLock(content: Buffer, path: string, warn: Warn): PackageFact[] {
  const lock = parseJson(content);
  if (!isRecord(lock)) throw new MalformedFile('not a JSON object');
  const list = new PackageList(warn);
  const v = lock.lockfileVersion;
  // v2 carries both sections for old npm versions; `packages` is the authoritative one.
  if (isRecord(lock.packages)) fromPackagesMap(lock.packages, list, path, v, warn);
  else if (isRecord(lock.dependencies)) fromDependencyTree(lock.dependencies, '', 0, list, path, v, warn);
  else if (lock.lockfileVersion === undefined)
    throw new MalformedFile('neither "packages" nor "dependencies"');
  return list.items;
}
