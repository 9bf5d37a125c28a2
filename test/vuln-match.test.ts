import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Package } from '../src/inventory/types.js';
import { queriesFor } from '../src/vulndb/match/ecosystem.js';
import { matchInventory, type AdvisoryLookup, type AffectedEntry } from '../src/vulndb/match/matcher.js';
import { evaluateAffected, evaluateRange } from '../src/vulndb/match/ranges.js';
import { cvssBaseScore, severityOf } from '../src/vulndb/match/severity.js';
import type { OsvRecord } from '../src/vulndb/types.js';
import { schemeFor } from '../src/vulndb/versions/index.js';

const semver = schemeFor('npm')!;
const dpkg = schemeFor('Debian:12')!;

test('ranges: introduced / fixed / last_affected / limit, in the ecosystem order', () => {
  const r = (events: object[]) => ({ type: 'SEMVER' as const, events });
  const affected = (v: string, events: object[]) => evaluateRange(v, r(events), semver).affected;
  const intro0fixed = [{ introduced: '0' }, { fixed: '1.2.3' }];
  assert.equal(affected('0.0.1', intro0fixed), true);
  assert.equal(affected('1.2.2', intro0fixed), true);
  assert.equal(affected('1.2.3', intro0fixed), false);
  assert.equal(affected('1.3.0', intro0fixed), false);
  assert.equal(evaluateRange('1.0.0', r(intro0fixed), semver).fixed, '1.2.3');
  // Two affected windows in one range.
  const two = [{ introduced: '1.0.0' }, { fixed: '1.0.5' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }];
  assert.deepEqual(
    ['0.9.0', '1.0.0', '1.0.5', '1.9.9', '2.0.0', '2.0.9', '2.1.0'].map((v) => affected(v, two)),
    [false, true, false, false, true, true, false],
  );
  assert.equal(evaluateRange('2.0.1', r(two), semver).fixed, '2.1.0');
  const last = [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }];
  assert.deepEqual(
    ['1.4.0', '1.4.1'].map((v) => affected(v, last)),
    [true, false],
  );
  assert.equal(evaluateRange('1.4.0', r(last), semver).fixed, null);
  const limited = [{ introduced: '0' }, { limit: '2.0.0' }];
  assert.deepEqual(
    ['1.9.9', '2.0.0'].map((v) => affected(v, limited)),
    [true, false],
  );
  // Prereleases sort below their release (semver), so 2.0.0-rc1 is affected by "< 2.0.0".
  assert.equal(affected('2.0.0-rc.1', [{ introduced: '0' }, { fixed: '2.0.0' }]), true);
  // GIT ranges never match by version.
  assert.equal(
    evaluateRange('1.0.0', { type: 'GIT', events: [{ introduced: '0' }] }, semver).affected,
    false,
  );
});

test('ranges: dpkg order (epochs, tildes) and versions-only records', () => {
  const events = [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }];
  const eco = { type: 'ECOSYSTEM' as const, events };
  assert.equal(evaluateRange('3.0.11-1~deb12u2', eco, dpkg).affected, true);
  assert.equal(evaluateRange('3.0.13-1', eco, dpkg).affected, false);
  assert.equal(evaluateRange('1:1.0-1', eco, dpkg).affected, false, 'an epoch outranks the version');
  const listed = { versions: ['3.3.6'] };
  assert.equal(evaluateAffected('3.3.6', listed, semver).affected, true);
  assert.equal(evaluateAffected('3.3.7', listed, semver).affected, false);
});

test('severity: CVSS v3.1 and v4 base scores computed from vectors; source ratings otherwise', () => {
  assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
  assert.equal(cvssBaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'), 5.5);
  assert.equal(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), 9.3);
  assert.equal(cvssBaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P'), 7.5);
  assert.equal(cvssBaseScore('CVSS:3.1/garbage'), null);
  const rec = (o: Partial<OsvRecord>): OsvRecord => ({ id: 'X', modified: '2024-01-01T00:00:00Z', ...o });
  assert.deepEqual(
    severityOf(
      rec({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N' }] }),
    ),
    {
      severity: 'medium',
      cvss: { score: 5.5, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N' },
    },
  );
  assert.equal(severityOf(rec({ database_specific: { severity: 'MODERATE' } })).severity, 'medium');
  assert.equal(severityOf(rec({ severity: [{ type: 'Ubuntu', score: 'high' }] })).severity, 'high');
  assert.equal(severityOf(rec({})).severity, 'unknown');
});

test('queries: OS packages by source and release, language packages by registry', () => {
  const deb: Package = {
    name: 'libssl3',
    version: '3.0.11-1~deb12u2',
    type: 'deb',
    purl: 'p',
    sourceName: 'openssl',
    sourceVersion: '3.0.11-1~deb12u2',
    layer: 0,
    paths: [],
  };
  const [q] = queriesFor(deb, { family: 'debian', version: '12', name: null });
  assert.equal(q?.ecosystem, 'Debian');
  assert.equal(q?.name, 'openssl');
  assert.equal(q?.releaseMatches('Debian:12'), true);
  assert.equal(q?.releaseMatches('Debian:11'), false);
  const [a] = queriesFor(
    { ...deb, type: 'apk', name: 'libcrypto3', sourceName: 'openssl' },
    { family: 'alpine', version: '3.20.3', name: null },
  );
  assert.equal(a?.name, 'openssl');
  assert.equal(a?.releaseMatches('Alpine:v3.20'), true);
  assert.equal(a?.releaseMatches('Alpine:v3.2'), false);
  const [u] = queriesFor(deb, { family: 'ubuntu', version: '22.04', name: null });
  assert.equal(u?.releaseMatches('Ubuntu:22.04:LTS'), true);
  assert.equal(u?.releaseMatches('Ubuntu:Pro:22.04:LTS'), false);
  const [m] = queriesFor(
    {
      name: 'log4j-core',
      namespace: 'org.apache.logging.log4j',
      version: '2.14.1',
      type: 'maven',
      purl: 'p',
      layer: 0,
      paths: [],
    },
    null,
  );
  assert.deepEqual([m?.ecosystem, m?.name], ['Maven', 'org.apache.logging.log4j:log4j-core']);
  const [p] = queriesFor(
    { name: 'Flask_Login', version: '0.6.3', type: 'pypi', purl: 'p', layer: 0, paths: [] },
    null,
  );
  assert.deepEqual([p?.ecosystem, p?.name], ['PyPI', 'flask-login']);
  assert.deepEqual(queriesFor(deb, null), [], 'no OS, no OS advisories');
});

function lookup(records: OsvRecord[]): AdvisoryLookup {
  return {
    affectedFor(ecosystem, name) {
      const out: AffectedEntry[] = [];
      for (const r of records) {
        for (const a of r.affected ?? []) {
          if (a.package && a.package.ecosystem.split(':')[0] === ecosystem && a.package.name === name) {
            out.push({ advisoryId: r.id, ecosystem: a.package.ecosystem, affected: a });
          }
        }
      }
      return out;
    },
    record: (id) => records.find((r) => r.id === id) ?? null,
  };
}

test('matcher: one finding per (package, CVE), aliases merged, withdrawn ignored, MAL- becomes malware', () => {
  const modified = '2024-01-01T00:00:00Z';
  const records: OsvRecord[] = [
    {
      id: 'GHSA-aaaa-bbbb-cccc',
      modified,
      aliases: ['CVE-2021-44906'],
      summary: 'Prototype pollution in minimist',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'minimist' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.6' }] }],
        },
      ],
    },
    {
      id: 'OSV-2021-999',
      modified,
      aliases: ['CVE-2021-44906'],
      affected: [{ package: { ecosystem: 'npm', name: 'minimist' }, versions: ['1.2.5'] }],
    },
    {
      id: 'GHSA-withdrawn',
      modified,
      withdrawn: '2024-02-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'minimist' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
        },
      ],
    },
    {
      id: 'MAL-2018-1',
      modified,
      summary: 'Malicious code in flatmap-stream (npm)',
      affected: [{ package: { ecosystem: 'npm', name: 'flatmap-stream' }, versions: ['0.1.1'] }],
    },
    {
      // GitHub's older malware advisories are ordinary GHSAs: CWE-506 says what they are.
      id: 'GHSA-mh6f-8j2x-4483',
      modified,
      summary: 'Critical severity vulnerability that affects event-stream and flatmap-stream',
      database_specific: { cwe_ids: ['CWE-506'], severity: 'CRITICAL' },
      affected: [{ package: { ecosystem: 'npm', name: 'event-stream' }, versions: ['3.3.6'] }],
    },
    {
      id: 'GHSA-pjwm-rvh2-c87w',
      modified,
      summary: 'Embedded malware in ua-parser-js',
      affected: [{ package: { ecosystem: 'npm', name: 'ua-parser-js' }, versions: ['0.7.29'] }],
    },
    {
      // A flaw worded with "malicious code" stays a vulnerability.
      id: 'GHSA-injection-flaw',
      modified,
      summary: 'ua-parser-js allows injection of malicious code through a crafted user agent',
      affected: [{ package: { ecosystem: 'npm', name: 'ua-parser-js' }, versions: ['0.7.29'] }],
    },
    {
      id: 'GHSA-xss-only',
      modified,
      summary: 'Cross-site scripting in ua-parser-js (not malware)',
      database_specific: { cwe_ids: ['CWE-79'] },
      affected: [{ package: { ecosystem: 'npm', name: 'ua-parser-js' }, versions: ['0.7.29'] }],
    },
    {
      id: 'DEBIAN-CVE-2024-0727',
      modified,
      upstream: ['CVE-2024-0727'],
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'openssl' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
        },
        {
          package: { ecosystem: 'Debian:11', name: 'openssl' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        },
      ],
    },
  ];
  const pkgs: Package[] = [
    {
      name: 'minimist',
      version: '1.2.5',
      type: 'npm',
      purl: 'pkg:npm/minimist@1.2.5',
      layer: 2,
      paths: ['app/node_modules/minimist/package.json'],
    },
    {
      name: 'flatmap-stream',
      version: '0.1.1',
      type: 'npm',
      purl: 'pkg:npm/flatmap-stream@0.1.1',
      layer: 3,
      paths: ['app/node_modules/event-stream/node_modules/flatmap-stream/package.json'],
    },
    {
      name: 'event-stream',
      version: '3.3.6',
      type: 'npm',
      purl: 'pkg:npm/event-stream@3.3.6',
      layer: 3,
      paths: [
        'app/node_modules/event-stream/package.json',
        'usr/local/lib/node_modules/event-stream/package.json',
      ],
    },
    {
      name: 'ua-parser-js',
      version: '0.7.29',
      type: 'npm',
      purl: 'pkg:npm/ua-parser-js@0.7.29',
      layer: 1,
      paths: ['app/node_modules/ua-parser-js/package.json'],
    },
    {
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      type: 'deb',
      sourceName: 'openssl',
      purl: 'pkg:deb/debian/libssl3',
      layer: 0,
      paths: ['var/lib/dpkg/status'],
    },
  ];
  const r = matchInventory(pkgs, { family: 'debian', version: '12', name: null }, lookup(records));
  assert.deepEqual(
    r.vulnerabilities.map((v) => [v.id, v.package.name, v.severity, v.fixedVersion, v.status, v.layer]),
    [
      ['CVE-2021-44906', 'minimist', 'critical', '1.2.6', 'fixed', 2],
      ['CVE-2024-0727', 'libssl3', 'unknown', '3.0.13-1~deb12u1', 'fixed', 0],
      ['GHSA-injection-flaw', 'ua-parser-js', 'unknown', null, 'unfixed', 1],
      ['GHSA-xss-only', 'ua-parser-js', 'unknown', null, 'unfixed', 1],
    ],
  );
  const minimist = r.vulnerabilities[0]!;
  assert.deepEqual(minimist.aliases, ['GHSA-aaaa-bbbb-cccc', 'OSV-2021-999']);
  assert.equal(minimist.cvss?.score, 9.8);
  assert.match(minimist.match.range, /< 1\.2\.6/);
  assert.deepEqual(r.malware, [
    {
      category: 'malicious-package',
      rule: 'MAL-2018-1',
      severity: 'critical',
      path: 'app/node_modules/event-stream/node_modules/flatmap-stream/package.json',
      layer: 3,
      sha256: null,
      evidence: 'flatmap-stream@0.1.1: Malicious code in flatmap-stream (npm)',
    },
    ...[
      'app/node_modules/event-stream/package.json',
      'usr/local/lib/node_modules/event-stream/package.json',
    ].map((path) => ({
      category: 'malicious-package' as const,
      rule: 'GHSA-mh6f-8j2x-4483',
      severity: 'critical' as const,
      path,
      layer: 3,
      sha256: null,
      evidence:
        'event-stream@3.3.6: Critical severity vulnerability that affects event-stream and flatmap-stream',
    })),
    {
      category: 'malicious-package',
      rule: 'GHSA-pjwm-rvh2-c87w',
      severity: 'critical',
      path: 'app/node_modules/ua-parser-js/package.json',
      layer: 1,
      sha256: null,
      evidence: 'ua-parser-js@0.7.29: Embedded malware in ua-parser-js',
    },
  ]);
});

test('os-eol: releases past their end of support get a finding; current ones do not', async () => {
  const { osEolFinding } = await import('../src/vulndb/eol/os-eol.js');
  const now = new Date('2026-11-29T00:00:00Z');
  assert.equal(osEolFinding({ family: 'debian', version: '10', name: null }, now)?.id, 'os-eol');
  assert.equal(osEolFinding({ family: 'alpine', version: '3.15.11', name: null }, now)?.severity, 'high');
  assert.equal(
    osEolFinding({ family: 'centos', version: '7', name: 'CentOS Linux 7' }, now)?.match.range,
    'end of life 2024-06-30',
  );
  assert.equal(osEolFinding({ family: 'debian', version: '12', name: null }, now), null);
  assert.equal(
    osEolFinding({ family: 'debian', version: '10', name: null }, new Date('2024-06-30T12:00:00Z')),
    null,
    'the last day is still supported',
  );
  assert.equal(osEolFinding({ family: 'unknownos', version: '1', name: null }, now), null);
  assert.equal(osEolFinding(null, now), null);
});

test('ranges: overlapping pairs in one range are read as written (union), not only sorted', () => {
  const pep = schemeFor('PyPI')!;
  // Shaped like PYSEC-2021-114 (wagtail): the lower fix must not close the higher pair.
  const range = {
    type: 'ECOSYSTEM' as const,
    events: [{ introduced: '2.11' }, { fixed: '2.11.7' }, { introduced: '0' }, { fixed: '2.11.6' }],
  };
  const v = evaluateRange('2.11.6', range, pep);
  assert.equal(v.affected, true, '2.11.6 lies in [2.11, 2.11.7)');
  assert.equal(v.fixed, '2.11.7', 'its fix is the pair that contains it');
  assert.equal(evaluateRange('2.11.7', range, pep).affected, false, 'the higher fix closes both');
  assert.equal(evaluateRange('2.10', range, pep).fixed, '2.11.6', 'below 2.11 the first pair applies');
  // A dangling introduced after a closed pair still opens an unbounded range.
  const open = {
    type: 'ECOSYSTEM' as const,
    events: [{ introduced: '2.0' }, { fixed: '3.0' }, { introduced: '1.0' }],
  };
  assert.equal(evaluateRange('3.5', open, pep).affected, true, 'introduced 1.0 without a fix covers 3.5');
  assert.equal(evaluateRange('0.9', open, pep).affected, false, 'nothing below the lowest introduced');
});

test('status: fixed, unfixed, and wont-fix when the distributor says no fix will come', () => {
  const modified = '2024-01-01T00:00:00Z';
  const deb = (name: string, extra: object, fixed?: string): OsvRecord => ({
    id: `DEBIAN-CVE-2023-${name.length}000${Object.keys(extra).length}`,
    modified,
    affected: [
      {
        package: { ecosystem: 'Debian:12', name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])] }],
        ...extra,
      },
    ],
  });
  const records = [
    deb('tar', { ecosystem_specific: { urgency: 'unimportant' } }),
    deb('gzip', { database_specific: { status: 'Will not fix' } }),
    deb('xz', { ecosystem_specific: { urgency: 'low' } }),
    deb('bzip2', { ecosystem_specific: { urgency: 'unimportant' } }, '1.0.8-6'),
    // A summary that says "ignored" is not a state.
    { ...deb('zstd', {}), summary: 'ignored', database_specific: { note: 'ignored' } },
  ];
  const pkgs: Package[] = ['tar', 'gzip', 'xz', 'bzip2', 'zstd'].map((name) => ({
    name,
    version: '1.0-1',
    type: 'deb',
    purl: `pkg:deb/debian/${name}@1.0-1`,
    sourceName: name,
    layer: 0,
    paths: [],
  }));
  const r = matchInventory(pkgs, { family: 'debian', version: '12', name: null }, lookup(records));
  const status = Object.fromEntries(r.vulnerabilities.map((v) => [v.package.name, v.status]));
  assert.deepEqual(
    status,
    { tar: 'wont-fix', gzip: 'wont-fix', xz: 'unfixed', bzip2: 'fixed', zstd: 'unfixed' },
    JSON.stringify(status),
  );
});
