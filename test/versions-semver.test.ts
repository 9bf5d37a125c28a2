/**
 * SemVer (npm, crates.io) and Go ordering. node-semver is npm's own implementation and so the
 * reference for npm; as a check that it gives SemVer 2.0 precedence (what crates.io's Cargo
 * and OSV's SEMVER ranges use), thousands of pairs are compared with an independent model of
 * the spec written here. Go has no oracle offline: a table of pseudo-versions,
 * +incompatible, shorthands and toolchain tags, and the properties.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compare as nodeSemverCompare } from 'semver';
import { go, goToSemver, parseGo } from '../src/vulndb/versions/go.js';
import { parseSemver, semver } from '../src/vulndb/versions/semver.js';
import { numeral, pairs, sample, versionish } from './support/oracles/order.js';
import { modelOracle, versionSchemeSuite } from './support/version-suite.js';

const ident = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.constantFrom('alpha', 'beta', 'rc', 'a', 'b', 'x-y', '0a', 'A', 'Z', '-', 'pre', 'dev'),
);
const num = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 ** 40 })).map(String);
const semverText = fc
  .tuple(
    num,
    num,
    num,
    fc.oneof(
      fc.constant(''),
      fc.array(ident, { minLength: 1, maxLength: 4 }).map((p) => '-' + p.join('.')),
    ),
    fc.oneof(fc.constant(''), fc.constant(''), fc.constantFrom('+build', '+001', '+a.b', '+incompatible')),
  )
  .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre}${build}`);

/** SemVer 2.0.0 §11, written independently of node-semver. */
function specCompare(a: string, b: string): number {
  const split = (v: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([^+]+))?(?:\+.*)?$/.exec(v)!;
    return {
      core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)],
      pre: m[4] === undefined ? null : m[4].split('.'),
    };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && BigInt(p) !== BigInt(q)) return BigInt(p) < BigInt(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    if (!pn && p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

const goText = fc.oneof(
  semverText.map((v) => `v${v}`),
  semverText,
  fc.tuple(numeral(), numeral()).map(([a, b]) => `go${a}.${b}`),
  fc
    .tuple(fc.integer({ min: 2015, max: 2025 }), fc.integer({ min: 10, max: 12 }))
    .map(([y, m]) => `v0.0.0-${y}${m}01000000-abcdef123456`),
);

versionSchemeSuite({
  scheme: semver,
  parse: parseSemver,
  cases: {
    title: 'the SemVer 2.0 precedence example and npm forms',
    ascending: [
      [
        '1.0.0-alpha',
        '1.0.0-alpha.1',
        '1.0.0-alpha.beta',
        '1.0.0-beta',
        '1.0.0-beta.2',
        '1.0.0-beta.11',
        '1.0.0-rc.1',
        '1.0.0',
        '1.0.1',
        '1.1.0',
        '2.0.0',
      ],
      ['1.0.0-Z', '1.0.0-a'],
    ],
    equal: [
      ['1.0.0+a', '1.0.0+b'],
      ['v1.0.0', '1.0.0'],
    ],
    invalid: ['1.2', '01.2.3', '1.2.3-01', '1.2.3.4', '=1.2.3', '1.2.3beta', '', 'latest', 'not-a-version'],
    invalidAfter: '1.0.0',
  },
  arbitrary: fc.oneof(semverText, versionish('0123456789.-+vabrcx', 12)),
  hostile: '1.2.3-rc.1',
  oracles: [
    modelOracle({
      title: 'thousands of pairs agree with an independent model of SemVer 2.0',
      name: 'semver (SemVer 2.0 model)',
      scheme: semver,
      pairs: () => sample(pairs(semverText, ['-rc.1', '.1', '+b', '-0', '-alpha', '0']), 7000),
      model: specCompare,
      label: 'spec',
      others: [nodeSemverCompare],
    }),
  ],
});

versionSchemeSuite({
  scheme: go,
  parse: parseGo,
  cases: {
    title: 'pseudo-versions, +incompatible, shorthands and toolchain tags',
    ascending: [
      [
        'v0.0.0-20190101000000-abcdefabcdef',
        'v0.0.0-20200101000000-abcdefabcdef',
        '0.0.0-20200102000000-000000000000',
        'v0.0.1',
        'v1.2.3',
        'v1.2.4-0.20200101000000-abcdef123456',
        'v1.2.4-0.20210101000000-abcdef123456',
        'v1.2.4-pre',
        'v1.2.4-pre.0.20200101000000-abcdef123456',
        'v1.2.4-pre.1',
        'v1.2.4',
        'v2.0.0-rc.1+incompatible',
        'v2.0.0+incompatible',
        'v2.0.1',
        'v10.0.0',
      ],
      // OSV's stdlib ranges open a release line at 1.21.0-0, below its first release candidate.
      ['1.21.0-0', 'go1.21rc1', '1.21.0'],
    ],
    equal: [
      ['v1.2.3', '1.2.3'],
      ['v2.0.0+incompatible', '2.0.0'],
      ['v1', 'v1.0.0'],
      ['v1.2', '1.2.0'],
      ['go1.21.5', '1.21.5'],
      ['go1.21', '1.21.0'],
      ['go1.21rc2', '1.21.0-rc.2'],
      ['go1.9beta1', 'v1.9.0-beta.1'],
      ['go1', '1.0.0'],
    ],
    invalid: [
      '',
      'v1.2.3.4',
      'v01.2.3',
      'v1.2.3-01',
      'v1.2-pre',
      'vv1.2.3',
      ' v1.2.3',
      'go1.0',
      'golang',
      '=1.2.3',
      'latest',
    ],
    invalidAfter: 'v1.0.0',
    more: () => assert.equal(goToSemver('go1.20.12'), '1.20.12'),
  },
  arbitrary: fc.oneof(goText, versionish('0123456789.-+vgoabrc', 12)),
  hostile: 'v1.2.3',
});
