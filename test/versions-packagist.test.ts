/**
 * Packagist ordering against Composer's own code (Debian's php-composer-semver, with php-cli):
 * VersionParser::normalize and Comparator on thousands of generated pairs in one php process.
 * Both the normalised strings and the order must agree. Plus properties and known cases.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeComposer, packagist, phpVersionCompare } from '../src/vulndb/versions/packagist.js';
import { Agreement, numeral, versionish, wellFormed } from './support/oracles/order.js';
import { answerLines, works } from './support/oracles/tools.js';
import { askJsonLines, maybe, oraclePairs, versionSchemeSuite } from './support/version-suite.js';

const stability = fc.constantFrom(
  'alpha',
  'a',
  'beta',
  'b',
  'RC',
  'rc',
  'patch',
  'pl',
  'p',
  'stable',
  'dev',
  'BETA',
  'Alpha',
);
const sep = fc.constantFrom('', '-', '.', '_');
const composerVersion = fc
  .tuple(
    fc.constantFrom('', '', '', 'v', 'V'),
    fc.array(numeral(), { minLength: 1, maxLength: 4 }),
    maybe(
      fc
        .tuple(sep, stability, fc.constantFrom('', '.', '-'), fc.oneof(numeral(), fc.constant('')))
        .map((p) => p.join('')),
      3,
      2,
    ),
    fc.constantFrom('', '', '', '', '-dev', '.dev', '+build.1', '@dev', '@stable'),
  )
  .map(([v, n, s, tail]) => v + n.join('.') + s + tail);
const dateVersion = fc
  .tuple(
    fc.integer({ min: 1990, max: 2030 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.constantFrom('', '.1', '-1', '.001'),
  )
  .map(([y, m, d, x]) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${x}`);
const branchVersion = fc
  .tuple(numeral(), fc.constantFrom('.x', '.0.x', '.*', '.1.X', ''))
  .map(([n, x]) => `${n}${x}-dev`);
const phpVersion = fc.oneof(
  { weight: 8, arbitrary: composerVersion },
  { weight: 1, arbitrary: dateVersion },
  { weight: 1, arbitrary: branchVersion },
);
const EDITS = [
  '-dev',
  '-beta1',
  '.0',
  '-RC2',
  '-patch1',
  'p1',
  '.1',
  '0',
  '-',
  '.',
  'v',
  'a',
  'dev-',
  ' as 1.0',
];
const randomish = versionish('0123456789.-_+vabdeprlsctx@ ', 12);

const AUTOLOAD = '/usr/share/php/Composer/Semver/autoload.php';
/** Per pair: [normalised a, normalised b, -1|0|1 or X]; then PHP's version. */
const PHP = `
require '${AUTOLOAD}';
use Composer\\Semver\\VersionParser;
use Composer\\Semver\\Comparator;
$p = new VersionParser();
$norm = function ($v) use ($p) { try { return $p->normalize($v); } catch (\\Exception $e) { return null; } };
while (($line = fgets(STDIN)) !== false) {
  [$a, $b] = json_decode($line, true);
  $na = $norm($a); $nb = $norm($b);
  $c = 'X';
  if ($na !== null && $nb !== null && strpos($na, 'dev-') !== 0 && strpos($nb, 'dev-') !== 0) {
    $c = Comparator::lessThan($na, $nb) ? -1 : (Comparator::equalTo($na, $nb) ? 0 : 1);
  }
  echo json_encode([$na, $nb, $c]), "\\n";
}
echo PHP_VERSION;
`;

async function withComposerSemver(): Promise<{ agreement: Agreement; min: number }> {
  const list = oraclePairs(phpVersion, randomish, EDITS).filter(([a, b]) => wellFormed(a + b));
  const { stdout } = await askJsonLines('php', ['-r', PHP], list);
  const lines = stdout.split('\n');
  const phpVersionText = lines.pop();
  const answers = answerLines(lines.join('\n') + '\n', list.length).map(
    (l) => JSON.parse(l) as [string | null, string | null, number | 'X'],
  );
  const agreement = new Agreement(`packagist (composer/semver 3.3, PHP ${phpVersionText})`);
  const ours = (v: string) => normalizeComposer(v);
  list.forEach(([a, b], i) => {
    const [na, nb, c] = answers[i]!;
    const branch = (n: string | null) => (n !== null && n.startsWith('dev-') ? null : n);
    const sameNorm = ours(a) === branch(na) && ours(b) === branch(nb);
    if (c === 'X') {
      agreement.check(
        sameNorm && (!packagist.valid(a) || !packagist.valid(b)),
        () => `${JSON.stringify(a)} / ${JSON.stringify(b)}: composer ${na} ${nb}, ours ${ours(a)} ${ours(b)}`,
      );
      return;
    }
    const got = packagist.compare(a, b);
    agreement.check(
      sameNorm && got === c,
      () =>
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}: composer ${na} ${nb} ${c}, ours ${ours(a)} ${ours(b)} ${got}`,
    );
  });
  return { agreement, min: 5000 };
}

versionSchemeSuite({
  scheme: packagist,
  parse: normalizeComposer,
  cases: {
    parsed: [
      ['1.2', '1.2.0.0'],
      ['v1.2.3', '1.2.3.0'],
      ['1.0.0-beta2', '1.0.0.0-beta2'],
      ['2.1-rc.1-dev', '2.1.0.0-RC1-dev'],
      ['1.0.0-pl3', '1.0.0.0-patch3'],
      ['1.0.0+build', '1.0.0.0'],
      ['1.0.x-dev', '1.0.9999999.9999999-dev'],
      ['20230101', '20230101'],
      ['2023-01-01.1', '2023.01.01.1'],
      ['1.0 as 2.0', '1.0.0.0'],
      ['dev-main', null],
      ['master', null],
      ['1.0.0-foo', null],
    ],
    ascending: [
      [
        '1.0.0-dev',
        '1.0.0-alpha1',
        '1.0.0-beta',
        '1.0.0-beta2',
        '1.0.0-RC1',
        '1.0.0',
        '1.0.0-patch1',
        '1.0.1',
        'v1.1',
        '2.0.x-dev',
      ],
    ],
    equal: [
      ['1.0', '1.0.0.0'],
      ['v1.0.0', '1.0.0'],
      ['1.0.0-b1', '1.0.0-beta1'],
      ['1.0.0@stable', '1.0.0'],
    ],
    // Named branches cannot be ordered: invalid, after every version.
    invalid: ['dev-main'],
    invalidAfter: '99.0',
    more: () => {
      assert.equal(phpVersionCompare('1.0', '1.0.0'), -1);
      assert.equal(phpVersionCompare('1.0rc1', '1.0'), -1);
      assert.equal(phpVersionCompare('1.0pl1', '1.0'), 1);
    },
  },
  arbitrary: fc.oneof(phpVersion, randomish),
  hostile: '1.2.3-beta1',
  oracles: [
    {
      title: 'thousands of pairs agree with composer/semver',
      tool: {
        available: () => works('php', ['-r', `require '${AUTOLOAD}';`]),
        what: 'php with composer/semver',
        debianPackage: 'php-cli php-composer-semver',
      },
      check: withComposerSemver,
    },
  ],
});
