/**
 * dpkg version ordering against Debian's own tools: thousands of generated pairs through
 * libdpkg-perl's Dpkg::Version (one perl process), and a smaller sample — including random
 * strings and syntax errors — through `dpkg --compare-versions` itself (one shell, one dpkg
 * exec per question). Plus the total-order properties and a table of known cases.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { dpkg, parseDpkg } from '../src/vulndb/versions/dpkg.js';
import {
  Agreement,
  assertSurvivesHostile,
  assertTotalOrder,
  numeral,
  pairs,
  sample,
  versionish,
} from './support/oracles/order.js';
import { answerLines, requireTool, run, skipOracles, works } from './support/oracles/tools.js';
import { tempDir } from './support/tmp.js';

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
const part = fc.oneof(
  numeral(),
  word,
  fc.tuple(word, numeral()).map(([w, n]) => w + n),
);
const sep = fc.constantFrom('.', '.', '.', '+', '~', '-');
const upstream = fc
  .tuple(numeral(), fc.array(fc.tuple(sep, part), { maxLength: 4 }))
  .map(([n, rest]) => n + rest.map(([s, p]) => s + p).join(''));
const revision = fc.oneof(
  fc.constant(''),
  numeral().map((n) => `-${n}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}+deb12u${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}ubuntu0.22.04.${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}~bpo11+${b}`),
  fc.tuple(numeral(), word).map(([a, w]) => `-${a}${w}1`),
);
const epoch = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: numeral().map((n) => `${n}:`) },
);
const debVersion = fc.tuple(epoch, upstream, revision).map(([e, u, r]) => e + u + r);
const EDITS = ['~', '~rc1', '+b1', '.0', '-1', '0', 'a', '+', '.', ':', '~~', '-0', '1:', 'Z'];
const randomish = versionish('0123456789.:+~-abzAZ _!', 10);

test('dpkg: known cases', () => {
  const lt: [string, string][] = [
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
  ];
  for (const [a, b] of lt) {
    assert.equal(dpkg.compare(a, b), -1, `${a} < ${b}`);
    assert.equal(dpkg.compare(b, a), 1, `${b} > ${a}`);
  }
  for (const [a, b] of [
    ['1.0', '1.00'],
    ['1.0', '1.0-0'],
    ['0:1.0', '1.0'],
    ['  1.0 ', '1.0'],
    ['001:1', '1:1'],
  ] as const) {
    assert.equal(dpkg.compare(a, b), 0, `${a} == ${b}`);
  }
  assert.deepEqual(parseDpkg('1:2.3-4-5'), { epoch: 1, upstream: '2.3-4', revision: '5' });
  for (const bad of [
    '',
    ' ',
    '1.0-',
    ':1.0',
    'a:1.0',
    '1:',
    '1 2',
    '-1:1',
    '2147483648:1',
    '1:-1',
    'é1',
    '1.0-a:b',
  ]) {
    assert.equal(dpkg.valid(bad), false, bad);
  }
  for (const ok of ['a1', '1.0~', '+1:1', '-0:1', '1:1:1', '1.0_1', '1.0-a.b', '1:1.0-a:b'])
    assert.equal(dpkg.valid(ok), true, ok);
  // Invalid versions sort after valid ones.
  assert.equal(dpkg.compare('1.0-', '99'), 1);
});

test('dpkg: total order on structured and random strings', () => {
  assertTotalOrder(dpkg, fc.oneof(debVersion, randomish));
  assertSurvivesHostile(dpkg, '1:2.3-4');
});

test(
  'dpkg: thousands of pairs agree with Dpkg::Version',
  { skip: skipOracles, timeout: 60_000 },
  async (t) => {
    requireTool(works('perl', ['-MDpkg::Version', '-e', '1']), 'perl Dpkg::Version', 'libdpkg-perl');
    const list = [
      ...sample(pairs(debVersion, EDITS), 6000),
      ...sample(pairs(randomish, EDITS), 800, 7),
    ].filter(([a, b]) => !/[\t\n]/.test(a + b));
    const dir = tempDir();
    const file = join(dir, 'pairs.tsv');
    writeFileSync(file, list.map(([a, b]) => `${a}\t${b}\n`).join(''));
    const script =
      'use Dpkg::Version qw(version_compare version_check); open(my $f, "<", $ARGV[0]) or die;' +
      ' while (<$f>) { chomp; my ($a, $b) = split /\\t/, $_, 2;' +
      ' if (version_check($a) && version_check($b)) { print version_compare($a, $b), "\\n" } else { print "X\\n" } }';
    const { stdout } = await run('perl', ['-e', script, file]);
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
    t.diagnostic(`${agreement.summary} (${skipped} pairs with a version one side rejects not compared)`);
    assert.deepEqual(agreement.misses, []);
    assert.ok(agreement.total >= 5000);
  },
);

test(
  'dpkg: a sample agrees with dpkg --compare-versions, syntax errors included',
  { skip: skipOracles, timeout: 60_000 },
  async (t) => {
    requireTool(works('dpkg', ['--version']), 'dpkg', 'dpkg');
    const list = [
      ...sample(pairs(debVersion, EDITS), 60, 11),
      ...sample(pairs(randomish, EDITS), 90, 12),
    ].filter(([a, b]) => a !== '' && b !== '' && !/[\t\n\r\0]/.test(a + b) && !/[^\x20-\x7e]/.test(a + b));
    const dir = tempDir();
    const file = join(dir, 'pairs.txt');
    writeFileSync(file, list.map(([a, b]) => `${a}\n${b}\n`).join(''));
    // One shell; per pair `lt` then, if needed, `eq`: exit 0 true, 1 false, 2 syntax error.
    const script =
      'while IFS= read -r a && IFS= read -r b; do dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?;' +
      ' if [ $r = 1 ]; then dpkg --compare-versions "$a" eq "$b" 2>/dev/null; e=$?; else e=-; fi; echo "$r $e"; done < "$1"';
    const { stdout } = await run('sh', ['-c', script, 'sh', file], { timeoutMs: 55_000 });
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
    t.diagnostic(agreement.summary);
    assert.deepEqual(agreement.misses, []);
  },
);
