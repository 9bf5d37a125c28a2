/**
 * schemeFor / compareVersions: every default OSV ecosystem (with and without release
 * suffixes) gets its scheme; unknown ecosystems fall back to the generic natural order, which
 * is itself checked here (table and total-order properties).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  SCHEMES,
  apk,
  baseEcosystem,
  compareVersions,
  dpkg,
  generic,
  go,
  maven,
  nuget,
  packagist,
  pep440,
  rpm,
  rubygems,
  schemeFor,
  semver,
} from '../src/vulndb/versions/index.js';
import { versionish } from './support/oracles/order.js';
import { versionSchemeSuite } from './support/version-suite.js';

test('schemeFor: every default ecosystem, release suffixes stripped', () => {
  const cases: [string, unknown][] = [
    ['Debian', dpkg],
    ['Debian:12', dpkg],
    ['Ubuntu', dpkg],
    ['Ubuntu:22.04:LTS', dpkg],
    ['Ubuntu:Pro:FIPS-updates:22.04:LTS', dpkg],
    ['Alpine', apk],
    ['Alpine:v3.18', apk],
    ['Wolfi', apk],
    ['Chainguard', apk],
    ['AlmaLinux', rpm],
    ['AlmaLinux:9', rpm],
    ['Rocky Linux', rpm],
    ['Rocky Linux:8', rpm],
    ['Red Hat', rpm],
    ['Red Hat:enterprise_linux:9::appstream', rpm],
    ['SUSE', rpm],
    ['SUSE:Linux Enterprise Server 15 SP5', rpm],
    ['SUSE:Linux Enterprise Micro 5.5', rpm],
    ['openSUSE', rpm],
    ['openSUSE:Leap 15.5', rpm],
    ['Mageia:9', rpm],
    ['npm', semver],
    ['crates.io', semver],
    ['PyPI', pep440],
    ['Go', go],
    ['Maven', maven],
    ['RubyGems', rubygems],
    ['Packagist', packagist],
    ['NuGet', nuget],
    // Case and package-URL types.
    ['pypi', pep440],
    ['debian:11', dpkg],
    ['golang', go],
    ['cargo', semver],
    ['gem', rubygems],
    ['composer', packagist],
    ['deb', dpkg],
  ];
  for (const [eco, scheme] of cases) assert.equal(schemeFor(eco), scheme, eco);
  for (const eco of ['', 'Linux', 'OSS-Fuzz', 'GIT', 'Bitnami', ':12'])
    assert.equal(schemeFor(eco), null, eco);
  assert.equal(baseEcosystem('Red Hat:enterprise_linux:9::appstream'), 'Red Hat');
  for (const s of SCHEMES) for (const e of s.ecosystems) assert.equal(schemeFor(`${e}:1`), s);
});

test('compareVersions: per ecosystem, generic for unknown ones, never throws', () => {
  assert.equal(compareVersions('Debian:12', '1.0~rc1', '1.0'), -1);
  assert.equal(compareVersions('Alpine:v3.19', '1.0_rc1-r0', '1.0-r0'), -1);
  assert.equal(compareVersions('PyPI', '1.0.post1', '1.0'), 1);
  assert.equal(compareVersions('Go', 'v2.0.0+incompatible', '2.0.0'), 0);
  assert.equal(compareVersions('Maven', '1.0-SNAPSHOT', '1.0'), -1);
  assert.equal(compareVersions('Hackage', '1.10', '1.9'), 1);
  assert.equal(compareVersions(undefined as unknown as string, '1', '2'), -1);
});

versionSchemeSuite({
  scheme: generic,
  cases: {
    title: 'natural order',
    ascending: [
      ['', 'a', 'B', '1', '1.a', '1.0', '1.0.0', '1.1', '1.9', '1.10', '2', '10'],
      ['1.' + '9'.repeat(39) + '8', '1.' + '9'.repeat(40)],
    ],
    equal: [
      ['1.0', '1-0'],
      ['1.0', '1_0'],
      ['1.01', '1.1'],
      ['RC1', 'rc1'],
      ['1a', '1.a'],
    ],
  },
  // '' is no version, but it has its place in the order.
  chainsMayBeInvalid: true,
  arbitrary: fc.oneof(versionish('0123456789.-_+~aAbBzZ é', 10), fc.string()),
  orderTitle: 'total order on any strings',
  numRuns: 200,
  hostile: '1.2.3',
});
