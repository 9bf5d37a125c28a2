/**
 * dpkg version ordering against Debian's own tools: thousands of generated pairs through
 * libdpkg-perl's Dpkg::Version (one perl process), and a smaller sample — including random
 * strings and syntax errors — through `dpkg --compare-versions` itself (one shell, one dpkg
 * exec per question). Plus the total-order properties and a table of known cases.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { dpkg, parseDpkg } from '../src/vulndb/versions/dpkg.js';
import { Agreement, numeral, versionish } from './support/oracles/order.js';
import { answerLines, run, works } from './support/oracles/tools.js';
import { tempDir } from './support/tmp.js';
import { joined, maybe, oraclePairs, versionSchemeSuite, wordOrNumber } from './support/version-suite.js';

const word = fc.constantFrom(
  'a',
  'b',
  'rc',
  'beta',
  'alpha',
  'dfsg',
  'ds',
  'git',
  'really',
  'ubuntu',
  'deb',
  'bpo',
  'build',
  'Z',
  'A',
  'z',
);
const sep = fc.constantFrom('.', '.', '.', '+', '~', '-');
const upstream = joined(numeral(), sep, wordOrNumber(word), 4);
const revision = fc.oneof(
  fc.constant(''),
  numeral().map((n) => `-${n}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}+deb12u${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}ubuntu0.22.04.${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}~bpo11+${b}`),
  fc.tuple(numeral(), word).map(([a, w]) => `-${a}${w}1`),
);
const epoch = maybe(
  numeral().map((n) => `${n}:`),
  4,
);
const debVersion = fc.tuple(epoch, upstream, revision).map(([e, u, r]) => e + u + r);
const EDITS = ['~', '~rc1', '+b1', '.0', '-1', '0', 'a', '+', '.', ':', '~~', '-0', '1:', 'Z'];
const randomish = versionish('0123456789.:+~-abzAZ _!', 10);

/** Dpkg::Version's answers: the sign of version_compare, or X when version_check fails. */
const PERL =
  'use Dpkg::Version qw(version_compare version_check); open(my $f, "<", $ARGV[0]) or die;' +
  ' while (<$f>) { chomp; my ($a, $b) = split /\\t/, $_, 2;' +
  ' if (version_check($a) && version_check($b)) { print version_compare($a, $b), "\\n" } else { print "X\\n" } }';

/** One shell; per pair `lt` then, if needed, `eq`: exit 0 true, 1 false, 2 syntax error. */
const SHELL =
  'while IFS= read -r a && IFS= read -r b; do dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?;' +
  ' if [ $r = 1 ]; then dpkg --compare-versions "$a" eq "$b" 2>/dev/null; e=$?; else e=-; fi; echo "$r $e"; done < "$1"';

async function withDpkgVersion(): Promise<{ agreement: Agreement; min: number; note: string }> {
  const list = oraclePairs(debVersion, randomish, EDITS, { counts: [6000, 800] }).filter(
    ([a, b]) => !/[\t\n]/.test(a + b),
  );
  const file = join(tempDir(), 'pairs.tsv');
  writeFileSync(file, list.map(([a, b]) => `${a}\t${b}\n`).join(''));
  const { stdout } = await run('perl', ['-e', PERL, file]);
  const answers = answerLines(stdout, list.length);
  const agreement = new Agreement('dpkg (Dpkg::Version)');
  // Dpkg::Version's check is stricter than dpkg's on soft warnings (a first character that is
  // not a digit, odd characters) and looser on hard errors (nothing after the colon, an epoch
  // above INT_MAX); validity is settled against dpkg itself in the next test.
  let skipped = 0;
  list.forEach(([a, b], i) => {
    if (answers[i] === 'X' || !dpkg.valid(a) || !dpkg.valid(b)) {
      skipped++;
      return;
    }
    const want = Math.sign(Number(answers[i]));
    const got = dpkg.compare(a, b);
    agreement.check(got === want, () => `${a} vs ${b}: perl ${want}, ours ${got}`);
  });
  return { agreement, min: 5000, note: ` (${skipped} pairs with a version one side rejects not compared)` };
}

async function withCompareVersions(): Promise<{ agreement: Agreement }> {
  const list = oraclePairs(debVersion, randomish, EDITS, { counts: [60, 90], seeds: [11, 12] }).filter(
    ([a, b]) => a !== '' && b !== '' && !/[\t\n\r\0]/.test(a + b) && !/[^\x20-\x7e]/.test(a + b),
  );
  const file = join(tempDir(), 'pairs.txt');
  writeFileSync(file, list.map(([a, b]) => `${a}\n${b}\n`).join(''));
  const { stdout } = await run('sh', ['-c', SHELL, 'sh', file], { timeoutMs: 55_000 });
  const answers = answerLines(stdout, list.length);
  const agreement = new Agreement('dpkg (dpkg --compare-versions)');
  list.forEach(([a, b], i) => {
    const [lt, eq] = answers[i]!.split(' ');
    if (lt === '2') {
      agreement.check(!dpkg.valid(a) || !dpkg.valid(b), () => `${a} vs ${b}: dpkg rejects, we accept`);
      return;
    }
    const want = lt === '0' ? -1 : eq === '0' ? 0 : 1;
    const got = dpkg.compare(a, b);
    agreement.check(
      got === want && dpkg.valid(a) && dpkg.valid(b),
      () => `${a} vs ${b}: dpkg ${want}, ours ${got}`,
    );
  });
  return { agreement };
}

versionSchemeSuite({
  scheme: dpkg,
  parse: parseDpkg,
  cases: {
    ascending: [
      ['1.0~rc1', '1.0'],
      ['1.0~~', '1.0~'],
      ['1.0', '1.0+b1'],
      ['1.0', '1.0-1'],
      ['1.0-1', '1.0a'],
      ['1.0-1', '1.0.1'],
      ['2.0', '1:1.0'],
      ['1.2.3-1+deb12u1', '1.2.3-1+deb12u2'],
      ['1.2.3-1~bpo11+1', '1.2.3-1'],
      ['1.9', '1.10'],
      ['1.0a', '1.0b'],
      ['1.0Z', '1.0a'],
      ['1.0a', '1.0+'],
      ['1.0+', '1.0.'],
      ['2:1.0-1', '10:0.1'],
    ],
    equal: [
      ['1.0', '1.00'],
      ['1.0', '1.0-0'],
      ['0:1.0', '1.0'],
      ['  1.0 ', '1.0'],
      ['001:1', '1:1'],
    ],
    parsed: [['1:2.3-4-5', { epoch: 1, upstream: '2.3-4', revision: '5' }]],
    invalid: ['', ' ', '1.0-', ':1.0', 'a:1.0', '1:', '1 2', '-1:1', '2147483648:1', '1:-1', 'é1', '1.0-a:b'],
    // Invalid versions sort after valid ones.
    invalidAfter: '99',
    valid: ['a1', '1.0~', '+1:1', '-0:1', '1:1:1', '1.0_1', '1.0-a.b', '1:1.0-a:b'],
  },
  arbitrary: fc.oneof(debVersion, randomish),
  hostile: '1:2.3-4',
  oracles: [
    {
      title: 'thousands of pairs agree with Dpkg::Version',
      tool: {
        available: () => works('perl', ['-MDpkg::Version', '-e', '1']),
        what: 'perl Dpkg::Version',
        debianPackage: 'libdpkg-perl',
      },
      check: withDpkgVersion,
    },
    {
      title: 'a sample agrees with dpkg --compare-versions, syntax errors included',
      tool: { available: () => works('dpkg', ['--version']), what: 'dpkg', debianPackage: 'dpkg' },
      check: withCompareVersions,
    },
  ],
});
