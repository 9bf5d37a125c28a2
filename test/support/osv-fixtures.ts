/**
 * A fixture OSV mirror in osv.dev's bucket layout, written by the tests themselves:
 * `<Ecosystem>/all.zip`, `<Ecosystem>/modified_id.csv` (newest first), `<Ecosystem>/<id>.json`
 * and `ecosystems.txt`. Records look like the real ones: Debian (source packages, release
 * suffixes, ECOSYSTEM ranges, urgency), Alpine (`Alpine:v3.18`), PyPI (mixed-case names,
 * versions[] lists, GIT ranges), npm (SEMVER), a withdrawn one, aliases and CVSS vectors.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTimestamps } from '../../src/vulndb/timestamp.js';
import type { OsvRecord } from '../../src/vulndb/types.js';
import { zipBuffer } from './zip-writer.js';

export type Mirror = Record<string, OsvRecord[]>;

const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

export function time(day: number, extra = ''): string {
  return `2024-03-${String(day).padStart(2, '0')}T10:00:00${extra}Z`;
}

export function debian(n: number, day: number, pkg = `pkg${n}`): OsvRecord {
  return {
    schema_version: '1.6.0',
    id: `DEBIAN-CVE-2024-${1000 + n}`,
    modified: time(day, '.123456'),
    published: time(1),
    upstream: [`CVE-2024-${1000 + n}`],
    summary: `${pkg}: a bug in ${pkg}`,
    details: `Details of CVE-2024-${1000 + n}.`,
    affected: [12, 11].map((release) => ({
      package: { ecosystem: `Debian:${release}`, name: pkg, purl: `pkg:deb/debian/${pkg}?arch=source` },
      ranges: [
        { type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: `1.${n}-1+deb${release}u1` }] },
      ],
      ecosystem_specific: { urgency: 'medium' },
    })),
    references: [
      { type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/CVE-2024-${1000 + n}` },
    ],
  };
}

export function alpine(n: number, day: number): OsvRecord {
  return {
    id: `ALPINE-CVE-2024-${2000 + n}`,
    modified: time(day),
    aliases: [`CVE-2024-${2000 + n}`],
    affected: [
      {
        package: { ecosystem: 'Alpine:v3.18', name: `apkpkg${n}` },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `2.${n}.1-r0` }] }],
      },
      {
        package: { ecosystem: 'Alpine:v3.19', name: `apkpkg${n}` },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `2.${n}.2-r0` }] }],
      },
    ],
  };
}

export function pypi(n: number, day: number): OsvRecord {
  return {
    id: `PYSEC-2024-${n}`,
    modified: time(day),
    published: time(2),
    aliases: [`CVE-2024-${3000 + n}`, `GHSA-aaaa-bbbb-${String(n).padStart(4, '0')}`],
    summary: `Flaw in Py_Pkg.${n}`,
    severity: [{ type: 'CVSS_V3', score: CVSS }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: `Py_Pkg.${n}`, purl: `pkg:pypi/py-pkg-${n}` },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${n}.0.1` }] },
          {
            type: 'GIT',
            repo: `https://github.com/example/py-pkg-${n}`,
            events: [{ introduced: '0' }, { fixed: 'abc123' }],
          },
        ],
        versions: [`${n}.0.0`, `${n}.0.0rc1`],
      },
    ],
    database_specific: { source: 'fixture' },
  };
}

export function npm(n: number, day: number): OsvRecord {
  return {
    id: `GHSA-npm0-0000-${String(n).padStart(4, '0')}`,
    modified: time(day),
    aliases: [`CVE-2024-${4000 + n}`],
    summary: `Prototype pollution in npm-pkg-${n}`,
    severity: [{ type: 'CVSS_V3', score: CVSS }],
    affected: [
      {
        package: { ecosystem: 'npm', name: `npm-pkg-${n}` },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { last_affected: `1.${n}.0` }] }],
        severity: [{ type: 'CVSS_V3', score: CVSS }],
      },
    ],
  };
}

/** 40 records over four ecosystems; one Debian record is already withdrawn. */
export function fixtureMirror(): Mirror {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const deb = range(12).map((n) => debian(n, 3 + (n % 5)));
  deb[11] = { ...deb[11]!, withdrawn: time(9), modified: time(9) };
  return {
    Debian: deb,
    Alpine: range(8).map((n) => alpine(n, 3 + (n % 4))),
    PyPI: range(12).map((n) => pypi(n, 2 + (n % 6))),
    npm: range(8).map((n) => npm(n, 4 + (n % 3))),
  };
}

/** Writes the mirror in the bucket layout (replacing what was there). */
export function writeMirror(dir: string, mirror: Mirror, options: { perRecordFiles?: boolean } = {}): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ecosystems.txt'), `${Object.keys(mirror).join('\n')}\n`);
  for (const [eco, records] of Object.entries(mirror)) {
    const ecoDir = join(dir, eco);
    mkdirSync(ecoDir, { recursive: true });
    writeFileSync(
      join(ecoDir, 'all.zip'),
      zipBuffer(records.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r, null, 2) }))),
    );
    const newestFirst = [...records].sort((a, b) => compareTimestamps(b.modified, a.modified));
    writeFileSync(
      join(ecoDir, 'modified_id.csv'),
      newestFirst.map((r) => `${r.modified},${r.id}\n`).join(''),
    );
    if (options.perRecordFiles ?? true) {
      for (const r of records) writeFileSync(join(ecoDir, `${r.id}.json`), JSON.stringify(r));
    }
  }
}
