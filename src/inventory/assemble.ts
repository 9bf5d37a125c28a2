/**
 * Builds the image's inventory from the package facts of all layers:
 * - only records read from files that are in the final tree count (a package database that a
 *   later layer deleted or replaced describes nothing that runs);
 * - each package is attributed to the layer that introduced it: the oldest layer in the unbroken
 *   chain of rewrites of its database file that already listed it at the same version;
 * - a language package that an OS package installed is folded into the OS package's record
 *   (one record, both identities); compiled-in modules of a binary an OS package owns stay
 *   separate, marked `ownedBy`;
 * - the same package found at several paths is one record listing every path.
 */
import type { DetectedOs } from '../analyze/os/detect.js';
import {
  isOwnedFilesFact,
  isPackageFact,
  type OwnedFilesFact,
  type PackageFact,
  type PackageType,
} from '../analyze/packages/types.js';
import type { ImageFacts, PlacedFile } from '../facts/types.js';
import { purlFor } from './purl.js';
import type { Package } from './types.js';

const OS_TYPES = new Set<PackageType>(['deb', 'apk', 'rpm']);
/** Metadata records a package manager wrote for a package it installed. */
const FOLDABLE = new Set<PackageType>(['npm', 'pypi', 'gem', 'composer', 'nuget', 'conda', 'maven']);
/** Modules compiled into a binary: the OS package does not install them as packages. */
const COMPILED_IN = new Set<PackageType>(['golang', 'cargo']);

function identity(p: PackageFact): string {
  return [p.type, p.namespace ?? '', p.name, p.version, p.arch ?? '', p.innerPath ?? ''].join('\u0000');
}

/**
 * dpkg keeps records of removed packages whose config files remain (`deinstall ok
 * config-files`): nothing of them runs, so they are not inventory (and must not match
 * advisories). rpm lists imported signing keys as `gpg-pubkey` packages: not software.
 */
function isInstalled(p: PackageFact): boolean {
  const status = p.metadata?.status;
  if (
    p.type === 'deb' &&
    typeof status === 'string' &&
    !/ installed$/.test(status) &&
    status !== 'installed'
  ) {
    return /half-configured|unpacked|half-installed|triggers-(awaited|pending)/.test(status);
  }
  if (p.type === 'rpm' && p.name === 'gpg-pubkey') return false;
  return true;
}

type FactsByPath<T> = Map<string, T[]>;

function factsByLayerAndPath(image: ImageFacts): {
  packages: FactsByPath<PackageFact>[];
  owned: FactsByPath<OwnedFilesFact>[];
} {
  const packages: FactsByPath<PackageFact>[] = [];
  const owned: FactsByPath<OwnedFilesFact>[] = [];
  for (const layer of image.layers) {
    const p: FactsByPath<PackageFact> = new Map();
    const o: FactsByPath<OwnedFilesFact> = new Map();
    for (const facts of Object.values(layer.facts)) {
      for (const f of facts) {
        if (isPackageFact(f)) push(p, f.path, f);
        else if (isOwnedFilesFact(f)) push(o, f.path, f);
      }
    }
    packages.push(p);
    owned.push(o);
  }
  return { packages, owned };
}

function push<T>(m: Map<string, T[]>, key: string, value: T): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/** The writers of `path`, newest first, while each directly replaced the one before it. */
function rewriteChain(history: Map<string, PlacedFile[]>, final: PlacedFile): number[] {
  const writers = history.get(final.path) ?? [];
  const chain = [final.layer];
  let current = final.layer;
  for (let i = writers.length - 1; i >= 0; i--) {
    const w = writers[i]!;
    if (w.layer >= current) continue;
    if (w.removedIn !== current) break; // deleted in between: the chain is broken
    chain.push(w.layer);
    current = w.layer;
  }
  return chain;
}

function introducedIn(p: PackageFact, chain: number[], byLayer: FactsByPath<PackageFact>[]): number {
  const key = identity(p);
  let layer = chain[0]!;
  for (const l of chain.slice(1)) {
    if (!(byLayer[l]!.get(p.path) ?? []).some((q) => identity(q) === key)) break;
    layer = l;
  }
  return layer;
}

function toPackage(p: PackageFact, layer: number, os: DetectedOs | null): Package {
  return {
    name: p.name,
    version: p.version,
    type: p.type,
    purl: purlFor(p, os),
    ...(p.namespace ? { namespace: p.namespace } : {}),
    ...(p.sourceName ? { sourceName: p.sourceName } : {}),
    ...(p.sourceVersion ? { sourceVersion: p.sourceVersion } : {}),
    ...(p.arch ? { arch: p.arch } : {}),
    ...(p.epoch ? { epoch: p.epoch } : {}),
    ...(p.licenses?.length ? { licenses: p.licenses } : {}),
    layer,
    paths: [p.path],
    ...(p.innerPath ? { innerPath: p.innerPath } : {}),
    ...(p.files ? { fileCount: p.files.length } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
  };
}

export interface Inventory {
  packages: Package[];
  /** path → `type:name` of the OS package that owns it (integrity and attribution use it). */
  ownership: Map<string, string>;
}

export function assembleInventory(image: ImageFacts, os: DetectedOs | null): Inventory {
  const { packages: byLayer, owned: ownedByLayer } = factsByLayerAndPath(image);
  const history = new Map<string, PlacedFile[]>();
  for (const f of image.history) push(history, f.path, f);

  const found: { fact: PackageFact; layer: number }[] = [];
  const ownedFiles = new Map<string, Set<string>>();
  for (const [path, file] of image.tree) {
    const facts = byLayer[file.layer]?.get(path);
    if (facts) {
      const chain = rewriteChain(history, file);
      for (const fact of facts) found.push({ fact, layer: introducedIn(fact, chain, byLayer) });
    }
    for (const o of ownedByLayer[file.layer]?.get(path) ?? []) {
      const name = o.package.split(':')[0]!;
      let set = ownedFiles.get(name);
      if (!set) ownedFiles.set(name, (set = new Set()));
      for (const f of o.files ?? Object.keys(o.md5 ?? {})) set.add(f.replace(/^\/+/, ''));
    }
  }

  const ownership = new Map<string, string>();
  const osRecords = new Map<string, Package>();
  const records = new Map<string, Package>();
  for (const { fact, layer } of found) {
    if (typeof fact.name !== 'string' || !fact.name.trim() || typeof fact.version !== 'string') continue;
    if (!isInstalled(fact)) continue;
    const key = identity(fact);
    const existing = records.get(key);
    if (existing) {
      // A lockfile names what will be installed; the layer that installed it added the package,
      // and the installed location is where a user looks first.
      const installed = fact.metadata?.source === 'installed';
      const existingFromLockfile = existing.metadata?.source === 'lockfile';
      if (!existing.paths.includes(fact.path)) {
        if (installed && existingFromLockfile) existing.paths.unshift(fact.path);
        else existing.paths.push(fact.path);
      }
      if (installed && existingFromLockfile) {
        existing.layer = layer;
        existing.metadata = { ...existing.metadata, ...fact.metadata };
      } else if (!(existing.metadata?.source === 'installed' && fact.metadata?.source === 'lockfile')) {
        existing.layer = Math.min(existing.layer, layer);
      }
      continue;
    }
    const pkg = toPackage(fact, layer, os);
    records.set(key, pkg);
    if (OS_TYPES.has(fact.type)) {
      const owner = `${fact.type}:${fact.name}`;
      osRecords.set(owner, pkg);
      const files = fact.type === 'deb' ? [...(ownedFiles.get(fact.name) ?? [])] : (fact.files ?? []);
      if (fact.type === 'deb' && files.length) pkg.fileCount = files.length;
      for (const f of files) ownership.set(f.replace(/^\/+/, ''), owner);
    }
  }

  const ownerOf = (path: string): string | undefined => {
    for (let p = path; p; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
      const o = ownership.get(p);
      if (o) return o;
    }
    return undefined;
  };

  const out: Package[] = [];
  for (const pkg of records.values()) {
    if (!OS_TYPES.has(pkg.type)) {
      const owner = pkg.paths.map(ownerOf).find(Boolean);
      const osPkg = owner ? osRecords.get(owner) : undefined;
      if (osPkg && FOLDABLE.has(pkg.type)) {
        (osPkg.alsoKnownAs ??= []).push({
          type: pkg.type,
          name: pkg.name,
          version: pkg.version,
          purl: pkg.purl,
          path: pkg.paths[0]!,
        });
        continue;
      }
      if (owner && COMPILED_IN.has(pkg.type)) pkg.ownedBy = owner;
    }
    out.push(pkg);
  }
  out.sort(
    (a, b) =>
      a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
  return { packages: out, ownership };
}
