/**
 * apk version ordering. Debian has no apk-tools, so there is no tool to ask: a table of cases
 * written from apk-tools' documented rules (suffix order, revisions, letters, leading zeros,
 * commit hashes, invalid forms), a simple independent model that must agree on thousands of
 * usual versions, and the total-order properties.
 */
import fc from 'fast-check';
import { apk, parseApk } from '../src/vulndb/versions/apk.js';
import { Agreement, pairs, sample, versionish } from './support/oracles/order.js';
import { versionSchemeSuite } from './support/version-suite.js';

/** Usual Alpine versions (no leading zeros, no hashes) and an independent model of their order. */
const num = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 30000 }));
const SUFFIX_RANK: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  '': 5,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const usual = fc.record({
  numbers: fc.array(num, { minLength: 1, maxLength: 4 }),
  letter: fc.constantFrom('', '', '', 'a', 'b', 'z'),
  suffix: fc.constantFrom('', '', '', 'alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'),
  suffixNo: fc.oneof(fc.constant(-1), num),
  rev: fc.oneof(fc.constant(-1), num),
});
type Usual = typeof usual extends fc.Arbitrary<infer T> ? T : never;
function text(v: Usual): string {
  const suffix = v.suffix ? `_${v.suffix}${v.suffixNo >= 0 ? v.suffixNo : ''}` : '';
  return v.numbers.join('.') + v.letter + suffix + (v.rev >= 0 ? `-r${v.rev}` : '');
}
function model(a: Usual, b: Usual): number {
  for (let i = 0; i < Math.min(a.numbers.length, b.numbers.length); i++) {
    if (a.numbers[i] !== b.numbers[i]) return a.numbers[i]! < b.numbers[i]! ? -1 : 1;
  }
  if (a.numbers.length !== b.numbers.length) return a.numbers.length < b.numbers.length ? -1 : 1;
  if (a.letter !== b.letter) return a.letter < b.letter ? -1 : 1;
  const sa = SUFFIX_RANK[a.suffix]!;
  const sb = SUFFIX_RANK[b.suffix]!;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const na = a.suffix ? a.suffixNo : -1;
  const nb = b.suffix ? b.suffixNo : -1;
  if (na !== nb) return na < nb ? -1 : 1;
  return Math.sign(a.rev - b.rev);
}

/** Pairs of usual versions: independent ones, and one with a small edit (a number, a revision, ...). */
function usualPairs(): [Usual, Usual][] {
  const edit = fc.tuple(usual, fc.nat(), num).map(([v, k, n]): [Usual, Usual] => {
    const w = { ...v, numbers: [...v.numbers] };
    const i = k % 5;
    if (i === 0) w.numbers[w.numbers.length - 1] = n;
    else if (i === 1) w.numbers.push(n);
    else if (i === 2) w.rev = w.rev < 0 ? n : -1;
    else if (i === 3) w.suffixNo = w.suffixNo < 0 ? n : -1;
    else w.letter = w.letter ? '' : 'a';
    return [v, w];
  });
  return sample(fc.oneof(fc.tuple(usual, usual), edit), 6000);
}

const structured = fc.oneof(
  usual.map(text),
  fc.constantFrom('1.0', '1.01', '1.00', '1.001', '1.0~ab', '1.0~ab-r1', '1.0_p1', '01.0', '1.0a_p1~0-r2'),
);
const edited = pairs(structured, ['_rc1', '-r1', '~a1', 'a', '.0', '0', '_p', '.']).chain(([a, b]) =>
  fc.constantFrom(a, b),
);

versionSchemeSuite({
  scheme: apk,
  parse: parseApk,
  cases: [
    {
      title: 'suffixes, letters, revisions and hashes in order',
      ascending: [
        [
          '0.9',
          '1',
          '1.0_alpha',
          '1.0_alpha1',
          '1.0_alpha2',
          '1.0_alpha10',
          // A second suffix after a bare one ranks above any number on the first (as in apk 2 and 3).
          '1.0_alpha_p1',
          '1.0_beta',
          '1.0_beta1_rc1',
          '1.0_beta1',
          '1.0_pre1',
          '1.0_rc',
          '1.0_rc0',
          '1.0_rc1',
          '1.0_rc1-r9',
          '1.0',
          '1.0-r0',
          '1.0-r1',
          '1.0-r10',
          '1.0~0a1',
          '1.0~0a1-r1',
          '1.0~ff',
          '1.0_cvs',
          '1.0_svn',
          '1.0_git20230101',
          '1.0_git20240101',
          '1.0_hg1',
          '1.0_p',
          '1.0_p1',
          '1.0_p1-r1',
          '1.0_p2',
          '1.0a_rc1',
          '1.0a',
          '1.0a-r1',
          '1.0b',
          '1.0z',
          '1.0.0',
          '1.0.0-r1',
          '1.0.1',
          '1.1',
          '1.2.3a_rc2_p1~0a1b-r4',
          '1.9',
          '1.10',
          '2',
          '10.0',
        ],
      ],
    },
    {
      title: 'leading zeros (Gentoo rules) and equal forms',
      // After a dot, a leading zero makes the parts compare as strings.
      ascending: [
        ['1.01', '1.1'],
        ['1.001', '1.01'],
        ['1.0', '1.00'],
        ['1.09', '1.1'],
        ['1.01', '1.010'],
        ['1.2_rc01', '1.2_rc2'],
        ['1.99999999999999999999', '1.100000000000000000000'],
      ],
      equal: [
        ['01.1', '1.1'],
        ['1.0-r01', '1.0-r1'],
        ['1.0_p01', '1.0_p1'],
        ['1.99999999999999999999', '1.99999999999999999999'],
      ],
    },
    {
      title: 'invalid versions are recognised and sort after valid ones',
      invalid: [
        '',
        'a1',
        'v1.0',
        '1.0-1',
        '1.0-r',
        '1.0-r1-r2',
        '1.0-r1_p1',
        '1.0_foo',
        '1.0_',
        '1.0_Alpha',
        '1.0ab',
        '1.0a1',
        '1.0a.1',
        '1.0_alpha.1',
        '1..0',
        '1.0.',
        '1.0~',
        '1.0~ABC',
        '1.0~abc~def',
        '1.0 ',
        '1.0é',
        '1.0_rc1_beta_',
      ],
      invalidAfter: '999',
      valid: ['0', '1a', '1_p1_p2', '1.0_alpha_beta', '1_git20230101-r3', '20230101', '1.0~abc123-r0'],
    },
  ],
  arbitrary: fc.oneof(structured, edited, versionish('0123456789._-~abcfgilprstv', 12)),
  hostile: '1.2.3-r4',
  oracles: [
    {
      title: 'thousands of usual versions agree with an independent model',
      check: () => {
        const agreement = new Agreement('apk (model of usual versions)');
        for (const [a, b] of usualPairs()) {
          const got = apk.compare(text(a), text(b));
          agreement.check(
            got === model(a, b),
            () => `${text(a)} vs ${text(b)}: model ${model(a, b)}, ours ${got}`,
          );
        }
        return { agreement };
      },
    },
  ],
});
