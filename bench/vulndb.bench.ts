/**
 * Vulnerability database benchmarks:
 * 1. `db import` of the whole shared OSV mirror (../shared/data/osv-mirror, if present):
 *    seconds, records, and the database size.
 * 2. 5,000 package lookups (`VulnStore.affectedFor`, every row's ranges parsed) on a generated database of
 *    500,000 advisories written straight into the store (goal ≤ 0.3 s).
 * Run alone: `node --import tsx bench/vulndb.bench.ts`. BENCH_VULNDB_ADVISORIES sizes the
 * generated database; BENCH_VULNDB_MIRROR points at another mirror.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Db } from '../src/store/sqlite.js';
import { importPath } from '../src/vulndb/import.js';
import { VulnStore } from '../src/vulndb/store.js';
import type { Package } from '../src/inventory/types.js';
import { matchInventory } from '../src/vulndb/match/matcher.js';
import type { OsvRecord } from '../src/vulndb/types.js';
import { VulnWriter } from '../src/vulndb/writer.js';

export const TARGET_LOOKUP_SECONDS = 0.3;
const SHARED_MIRROR = new URL('../../shared/data/osv-mirror', import.meta.url).pathname;

function dbBytes(db: Db, path: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(path).size;
}

/** CPU time (user + system) of this process since `from`: what the wall clock shows on an idle machine. */
function cpuSeconds(from: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(from);
  return `${((d.user + d.system) / 1e6).toFixed(2)} s`;
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A small deterministic PRNG, so every run generates the same database. */
export function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ECOSYSTEMS = [
  { full: ['Debian:11', 'Debian:12'], base: 'Debian', packages: 30_000 },
  { full: ['Ubuntu:22.04:LTS', 'Ubuntu:24.04:LTS'], base: 'Ubuntu', packages: 30_000 },
  { full: ['Alpine:v3.18', 'Alpine:v3.19'], base: 'Alpine', packages: 8_000 },
  { full: ['npm'], base: 'npm', packages: 40_000 },
  { full: ['PyPI'], base: 'PyPI', packages: 20_000 },
  { full: ['Go'], base: 'Go', packages: 15_000 },
  { full: ['Maven'], base: 'Maven', packages: 15_000 },
];

export function packageName(base: string, i: number): string {
  return base === 'Go'
    ? `github.com/org${i % 997}/mod${i}`
    : base === 'Maven'
      ? `org.example${i % 311}:lib${i}`
      : `pkg-${i}`;
}

export function syntheticRecord(n: number, rand: () => number): OsvRecord {
  const eco = ECOSYSTEMS[Math.floor(rand() * ECOSYSTEMS.length)]!;
  const pkg = packageName(eco.base, Math.floor(rand() * eco.packages));
  const fixed = `${1 + Math.floor(rand() * 5)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`;
  return {
    id: `SYN-${eco.base.toUpperCase()}-${n}`,
    modified: '2026-01-01T00:00:00Z',
    published: '2025-06-01T00:00:00Z',
    aliases: [`CVE-2025-${10000 + n}`],
    summary: `Synthetic vulnerability ${n} in ${pkg}`,
    details: `A generated advisory for benchmarking lookups. Package ${pkg} before ${fixed} is affected.`,
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: eco.full.map((e) => ({
      package: { ecosystem: e, name: pkg },
      ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }],
    })),
    references: [{ type: 'ADVISORY', url: `https://example.org/advisories/${n}` }],
  };
}

export interface VulndbBenchFigures {
  [k: string]: string | number | boolean;
}

export async function benchVulndb(
  options: { advisories?: number; mirror?: string; lookups?: number } = {},
): Promise<VulndbBenchFigures> {
  const advisories = options.advisories ?? Number(process.env.BENCH_VULNDB_ADVISORIES ?? 500_000);
  const lookups = options.lookups ?? 5_000;
  const mirror = options.mirror ?? process.env.BENCH_VULNDB_MIRROR ?? SHARED_MIRROR;
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-vulndb-'));
  const figures: VulndbBenchFigures = {};
  try {
    // 1. the shared mirror
    if (existsSync(mirror)) {
      const path = join(dir, 'mirror.sqlite');
      const db = openDatabase(path);
      const t = performance.now();
      const cpu = process.cpuUsage();
      const r = await importPath(db, mirror);
      figures.mirrorImport = s(performance.now() - t);
      figures.mirrorImportCpu = cpuSeconds(cpu);
      figures.mirrorRecords = r.results.reduce((n, u) => n + u.inserted + u.updated + u.unchanged, 0);
      figures.mirrorInvalid = r.results.reduce((n, u) => n + u.invalid, 0);
      figures.mirrorEcosystems = r.results
        .map((u) => `${u.unit} ${u.inserted} in ${u.seconds.toFixed(1)} s`)
        .join(', ');
      figures.mirrorDbSize = mb(dbBytes(db, path));
      db.close();
    } else {
      figures.mirrorImport = `skipped (${mirror} not found)`;
    }

    // 2. a generated database, then lookups
    const path = join(dir, 'big.sqlite');
    const db = openDatabase(path);
    const writer = new VulnWriter(db);
    const rand = rng(42);
    let t = performance.now();
    const batch = 50_000;
    for (let start = 0; start < advisories; start += batch) {
      writer.begin();
      for (let n = start; n < Math.min(advisories, start + batch); n++)
        writer.upsert(syntheticRecord(n, rand));
      writer.commit();
    }
    figures.generatedAdvisories = advisories;
    figures.generate = s(performance.now() - t);
    figures.generatedDbSize = mb(dbBytes(db, path));

    const store = new VulnStore(db);
    const q = rng(7);
    const queries = Array.from({ length: lookups }, () => {
      const eco = ECOSYSTEMS[Math.floor(q() * ECOSYSTEMS.length)]!;
      // a fifth of the names are not in the database at all
      const i = q() < 0.8 ? Math.floor(q() * eco.packages) : eco.packages + Math.floor(q() * 1e6);
      return [eco.base, packageName(eco.base, i)] as const;
    });
    store.affectedFor('npm', 'warm-up');
    let rows = 0;
    let hits = 0;
    t = performance.now();
    let events = 0;
    const cpu = process.cpuUsage();
    for (const [eco, name] of queries) {
      const r = store.affectedFor(eco, name);
      rows += r.length;
      if (r.length) hits++;
      // as the matcher would: every row's ranges and versions parsed
      for (const row of r) events += row.ranges.length + row.versions.length;
    }
    const lookupMs = performance.now() - t;
    figures.lookupCpu = cpuSeconds(cpu);
    figures.lookups = lookups;
    figures.lookupHits = hits;
    figures.lookupRows = rows;
    figures.lookupTime = s(lookupMs);
    figures.lookupRangesParsed = events;
    figures.lookupPerQuery = `${((lookupMs * 1000) / lookups).toFixed(1)} µs`;
    figures.lookupWithinTarget = lookupMs / 1000 <= TARGET_LOOKUP_SECONDS;
    figures.loadAverage = loadavg()[0]!.toFixed(1);
    // 3. the whole matcher: 5,000 packages of a Debian 12 image with npm, PyPI, Go and Maven trees
    const m = rng(11);
    const kinds = ECOSYSTEMS.filter((e) => e.base !== 'Ubuntu' && e.base !== 'Alpine');
    const packages: Package[] = Array.from({ length: lookups }, (_, i) => {
      const eco = kinds[i % kinds.length]!;
      const name = packageName(eco.base, Math.floor(m() * eco.packages));
      const version = `${1 + Math.floor(m() * 5)}.${Math.floor(m() * 20)}.${Math.floor(m() * 10)}`;
      const type = ({ Debian: 'deb', npm: 'npm', PyPI: 'pypi', Go: 'golang', Maven: 'maven' } as const)[
        eco.base as 'Debian' | 'npm' | 'PyPI' | 'Go' | 'Maven'
      ];
      const [group, artifact] = name.split(':');
      return {
        name: type === 'maven' ? artifact! : name,
        ...(type === 'maven' ? { namespace: group! } : {}),
        version: type === 'deb' ? `${version}-1` : version,
        type,
        purl: `pkg:${type}/${name}@${version}`,
        layer: 0,
        paths: [],
      };
    });
    // Best of three, as the other benchmarks report; the first (cold JIT, cold page cache) too.
    const runs: number[] = [];
    let findings = 0;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      findings = matchInventory(packages, { family: 'debian', version: '12', name: null }, store)
        .vulnerabilities.length;
      runs.push(performance.now() - t);
    }
    const matchMs = Math.min(...runs);
    figures.matchPackages = packages.length;
    figures.matchFindings = findings;
    figures.matchFirstRun = s(runs[0]!);
    figures.matchTime = s(matchMs);
    figures.matchWithinTarget = matchMs / 1000 <= TARGET_LOOKUP_SECONDS;
    const ids = queries
      .slice(0, 1000)
      .flatMap(([eco, name]) => store.affectedFor(eco, name).map((r) => r.advisoryId));
    t = performance.now();
    for (const id of ids) store.record(id);
    figures.fullRecordReads = `${ids.length} in ${s(performance.now() - t)}`;
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchVulndb();
  console.log(
    '## Vulnerability database: shared mirror import; 5,000 lookups on a generated DB (goal ≤ 0.3 s)',
  );
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(22)} ${String(v)}`);
}
