/**
 * `pnpm-lock.yaml`. Every version keeps a `packages:` map, keyed differently:
 *   5.x  `/name/1.2.3` or `/@scope/name/1.2.3_peer@1.0.0` (peer suffix after `_`)
 *   6.x  `/name@1.2.3` or `/@scope/name@1.2.3(peer@1.0.0)`
 *   9.x  `name@1.2.3` (peers only in `snapshots:` keys, `name@1.2.3(peer@1.0.0)`)
 * Non-registry packages (git, tarballs) carry `name` and `version` in the entry itself.
 * 5.x and 6.x mark development-only packages with `dev: true`; 9.x dropped the flag, so it is
 * derived here from the importers' dependency graph.
 */
import {
  MalformedFile,
  PackageList,
  cleanString,
  decodeText,
  isRecord,
  langPackage,
  type Warn,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { parseLockfileYaml } from './lockfile-yaml.js';
import { npmName, splitSpec } from './npm-fields.js';

/** Snapshots visited while deriving dev-only packages; past this, 9.x dev flags are left out. */
const MAX_GRAPH_NODES = 200_000;

interface PnpmId {
  name: string;
  version: string;
}

/** Drops a peer-dependency suffix: `(react@18.0.0)(...)` from 6.x+, `_peer@1.0.0` from 5.x. */
function withoutPeers(version: string, slashFormat: boolean): string {
  const paren = version.indexOf('(');
  let v = paren >= 0 ? version.slice(0, paren) : version;
  if (slashFormat) {
    const underscore = v.indexOf('_');
    if (underscore > 0) v = v.slice(0, underscore);
  }
  return v;
}

/** The package a `packages:` key names, per the key formats above. */
export function parsePnpmKey(key: string, slashFormat: boolean): PnpmId | undefined {
  const k = key.startsWith('/') ? key.slice(1) : key;
  if (slashFormat) {
    const paren = k.indexOf('(');
    const bare = paren >= 0 ? k.slice(0, paren) : k;
    const slash = bare.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const name = npmName(bare.slice(0, slash));
    const version = cleanString(withoutPeers(bare.slice(slash + 1), true), 256);
    return name && version ? { name, version } : undefined;
  }
  const spec = splitSpec(k);
  if (!spec) return undefined;
  const version = cleanString(withoutPeers(spec.range, false), 256);
  return version ? { name: spec.name, version } : undefined;
}

function lockfileMajor(v: unknown): number | undefined {
  const major = typeof v === 'string' ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(major) ? major : undefined;
}

/**
 * The snapshot key a dependency reference points to (pnpm's `refToRelative`): `1.2.3` under
 * name `a` is `a@1.2.3`; an alias's `b@1.2.3` is already a key; `link:` points outside the store.
 */
function snapshotKey(name: string, ref: string): string | undefined {
  if (ref.startsWith('link:')) return undefined;
  if (ref.startsWith('@') || ref.startsWith('/')) return ref.replace(/^\//, '');
  const at = ref.indexOf('@');
  if (at < 0) return `${name}@${ref}`;
  const colon = ref.indexOf(':');
  const paren = ref.indexOf('(');
  if ((colon < 0 || at < colon) && (paren < 0 || at < paren)) return ref;
  return `${name}@${ref}`;
}

/** `{ name: ref }` or 9.x importers' `{ name: { specifier, version } }`, as snapshot keys. */
function dependencyKeys(deps: unknown): string[] {
  if (!isRecord(deps)) return [];
  const keys: string[] = [];
  for (const [name, value] of Object.entries(deps)) {
    const ref = isRecord(value) ? value.version : value;
    if (typeof ref !== 'string') continue;
    const key = snapshotKey(name, ref);
    if (key) keys.push(key);
  }
  return keys;
}

/** Snapshot keys reachable from `roots` through `snapshots[*].dependencies`. */
function reachable(
  roots: string[],
  snapshots: Record<string, unknown>,
  budget: { left: number },
): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    if (--budget.left < 0) break;
    seen.add(key);
    const snap = snapshots[key];
    if (!isRecord(snap)) continue;
    stack.push(...dependencyKeys(snap.dependencies), ...dependencyKeys(snap.optionalDependencies));
  }
  return seen;
}

/**
 * 9.x: the `packages:` keys used only by development dependencies, or undefined when the
 * lockfile lacks the graph (or it is too large to walk).
 */
function devOnlyPackages(doc: Record<string, unknown>): Set<string> | undefined {
  const { importers, snapshots } = doc;
  if (!isRecord(importers) || !isRecord(snapshots)) return undefined;
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  for (const importer of Object.values(importers)) {
    if (!isRecord(importer)) continue;
    prodRoots.push(
      ...dependencyKeys(importer.dependencies),
      ...dependencyKeys(importer.optionalDependencies),
    );
    devRoots.push(...dependencyKeys(importer.devDependencies));
  }
  const budget = { left: MAX_GRAPH_NODES };
  const prod = reachable(prodRoots, snapshots, budget);
  const dev = reachable(devRoots, snapshots, budget);
  if (budget.left < 0) return undefined;
  const packageOf = (key: string) => withoutPeers(key, false);
  const prodPackages = new Set([...prod].map(packageOf));
  return new Set([...dev].map(packageOf).filter((p) => !prodPackages.has(p)));
}

export function parsePnpmLock(content: Buffer, path: string, warn: Warn): PackageFact[] {
  const doc = parseLockfileYaml(decodeText(content));
  if (!isRecord(doc)) throw new MalformedFile('not a YAML mapping');
  const major = lockfileMajor(doc.lockfileVersion);
  if (major === undefined) throw new MalformedFile('no lockfileVersion');
  if (doc.packages === undefined) return [];
  if (!isRecord(doc.packages)) throw new MalformedFile('"packages" is not a mapping');
  const slashFormat = major < 6;
  const devOnly = major >= 9 ? devOnlyPackages(doc) : undefined;
  const list = new PackageList(warn);
  for (const [key, entry] of Object.entries(doc.packages)) {
    const e = isRecord(entry) ? entry : {};
    const fromKey = parsePnpmKey(key, slashFormat);
    const name = npmName(e.name) ?? fromKey?.name;
    const version = cleanString(e.version, 256) ?? fromKey?.version;
    if (!name || !version) {
      warn(`entry ${JSON.stringify(key.slice(0, 200))} has no name and version; skipped`);
      continue;
    }
    const dev = major < 9 ? e.dev === 'true' : devOnly?.has(key.replace(/^\//, ''));
    const resolution = isRecord(e.resolution) ? e.resolution : {};
    const fact = langPackage({
      type: 'npm',
      name,
      version,
      path,
      metadata: {
        source: 'lockfile',
        lockfile: 'pnpm',
        lockfileVersion: cleanString(doc.lockfileVersion),
        dev: dev ? true : undefined,
        optional: e.optional === 'true' ? true : undefined,
        resolved: cleanString(resolution.tarball, 2048),
        integrity: cleanString(resolution.integrity, 1024),
      },
    });
    if (!list.add(fact)) break;
  }
  return list.items;
}
