/**
 * What the OS package databases of an image say each package-owned file should hash to:
 * dpkg `info/<pkg>.md5sums` (md5), apk `Z:` checksums (sha1), rpm FILEDIGESTS (sha256, md5 on
 * old rpm). Only databases as they stand in the final tree count, each from the layer that last
 * wrote it: a package upgraded in a later layer is judged by its new digests, one removed is not
 * judged at all. Files the package means to change (dpkg conffiles, rpm %config, apk's
 * protected etc/) are listed apart.
 */
import type { ImageFacts } from '../../facts/types.js';
import { APK_ANALYZER } from '../packages/apk/index.js';
import { DPKG_FILES_ANALYZER } from '../packages/dpkg/index.js';
import { RPM_ANALYZER } from '../packages/rpm/index.js';
import type { Fact } from '../types.js';
import { DPKG_INTEGRITY_ANALYZER, type Diversion } from './dpkg-meta.js';

export type PackageManager = 'dpkg' | 'apk' | 'rpm';

export interface Expectation {
  manager: PackageManager;
  package: string;
  /** `md5`, `sha1`, `sha256`, ... */
  algo: string;
  /** Lower-case hex. */
  digest: string;
  /** The layer that wrote the database entry. */
  layer: number;
}

export interface Manifests {
  /** Path as the database lists it → what it should hash to (several packages may list one path). */
  expected: Map<string, Expectation[]>;
  /** Paths (as listed) that their package marks as configuration. */
  config: Set<string>;
}

/** Config by convention where the database does not say: apk protects etc/, distroless dpkg keeps no conffiles. */
const CONVENTIONAL_CONFIG_DIR = 'etc/';
const DPKG_STATUS_D = 'var/lib/dpkg/status.d/';

function isStringRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isDiversion(v: unknown): v is Diversion {
  return (
    isStringRecord(v) && typeof v.from === 'string' && typeof v.to === 'string' && typeof v.by === 'string'
  );
}

/** `algo:hex` → its parts, or null. */
function splitDigest(value: unknown): { algo: string; digest: string } | null {
  if (typeof value !== 'string') return null;
  const colon = value.indexOf(':');
  if (colon <= 0) return null;
  return { algo: value.slice(0, colon), digest: value.slice(colon + 1).toLowerCase() };
}

/** dpkg diversion package names have no `:arch`; md5sums file names may. */
function basePackage(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

export function collectManifests(facts: ImageFacts): Manifests {
  const expected = new Map<string, Expectation[]>();
  const config = new Set<string>();
  const add = (path: string, e: Expectation) => {
    const list = expected.get(path);
    if (list) list.push(e);
    else expected.set(path, [e]);
  };
  // A database file counts only from the layer whose copy is the one in the final tree.
  const current = (f: Fact, layer: number): boolean =>
    typeof f.path === 'string' && facts.tree.get(f.path)?.layer === layer;

  let diversions: Diversion[] = [];
  const dpkgSums: { fact: Fact; layer: number }[] = [];
  facts.layers.forEach((lf, layer) => {
    for (const f of lf.facts[DPKG_INTEGRITY_ANALYZER] ?? []) {
      if (!current(f, layer)) continue;
      if (f.kind === 'dpkg-conffiles') for (const p of stringList(f.files)) config.add(p);
      else if (f.kind === 'dpkg-diversions' && Array.isArray(f.diversions))
        diversions = f.diversions.filter(isDiversion);
    }
    for (const f of lf.facts[DPKG_FILES_ANALYZER] ?? []) {
      if (f.kind === 'owned-files' && isStringRecord(f.md5) && current(f, layer))
        dpkgSums.push({ fact: f, layer });
    }
    for (const name of [APK_ANALYZER, RPM_ANALYZER]) {
      const manager: PackageManager = name === APK_ANALYZER ? 'apk' : 'rpm';
      for (const f of lf.facts[name] ?? []) {
        if (f.kind !== 'package' || !isStringRecord(f.fileDigests) || !current(f, layer)) continue;
        const pkg = String(f.name);
        for (const p of stringList(f.configFiles)) config.add(p);
        for (const [path, value] of Object.entries(f.fileDigests)) {
          const d = splitDigest(value);
          if (!d) continue;
          if (manager === 'apk' && path.startsWith(CONVENTIONAL_CONFIG_DIR)) config.add(path);
          add(path, { manager, package: pkg, ...d, layer });
        }
      }
    }
  });

  // Diversions are applied once all are known: they may come from a later layer than the sums.
  const diverted = new Map(diversions.map((d) => [d.from, d]));
  for (const { fact, layer } of dpkgSums) {
    const pkg = String(fact.package);
    const distroless = String(fact.path).startsWith(DPKG_STATUS_D);
    for (const [listed, md5] of Object.entries(fact.md5 as Record<string, unknown>)) {
      if (typeof md5 !== 'string') continue;
      const d = diverted.get(listed);
      // The diverted package's file sits at the diversion's target; the diverter's at the path.
      const path = d && d.by !== basePackage(pkg) ? d.to : listed;
      if (distroless && path.startsWith(CONVENTIONAL_CONFIG_DIR)) config.add(path);
      add(path, { manager: 'dpkg', package: pkg, algo: 'md5', digest: md5.toLowerCase(), layer });
    }
  }
  return { expected, config };
}
