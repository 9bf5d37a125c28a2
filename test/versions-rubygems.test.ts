/**
 * RubyGems ordering against Ruby's own Gem::Version: thousands of generated pairs and random
 * strings through one `ruby` process. Plus the total-order properties and known cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { rubygems } from '../src/vulndb/versions/rubygems.js';
import {
  agreementWith,
  assertAscending,
  assertEquivalent,
  assertSurvivesHostile,
  assertTotalOrder,
  numeral,
  pairs,
  sample,
  versionish,
  wellFormed,
} from './support/oracles/order.js';
import { answerLines, requireTool, run, skipOracles, works } from './support/oracles/tools.js';

const word = fc.constantFrom('a', 'b', 'pre', 'rc', 'RC', 'beta', 'alpha', 'Beta', 'java', 'x', 'Z');
const seg = fc.oneof(
  { weight: 3, arbitrary: numeral() },
  { weight: 1, arbitrary: word },
  { weight: 1, arbitrary: fc.tuple(word, numeral()).map(([w, n]) => w + n) },
);
const gemVersion = fc
  .tuple(
    fc.constantFrom('', '', '', ' '),
    numeral(),
    fc.array(seg, { maxLength: 4 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.array(seg, { minLength: 1, maxLength: 2 }).map((s) => '-' + s.join('.')) },
    ),
  )
  .map(([ws, n, rest, pre]) => ws + [n, ...rest].join('.') + pre);
const EDITS = ['.0', '.a', '.pre', '-rc1', '.1', '0', 'a', '.', '-', 'RC', 'b1'];
const randomish = versionish('0123456789.-abAZ \t', 10);

test('rubygems: known cases', () => {
  const order = ['1.0.a', '1.0.a.1', '1.0.b', '1.0.pre', '1.0.rc1', '1.0', '1.0.1', '1.1', '2'];
  assertAscending((a, b) => rubygems.compare(a, b), order);
  assertEquivalent((a, b) => rubygems.compare(a, b), [
    ['1.0', '1'],
    ['1.0.0', '1'],
    ['1.0-rc1', '1.0.pre.rc1'],
    ['1.0.a', '1.a'],
    ['', '0'],
    [' 1.0 ', '1.0'],
  ] as const);
  // Ruby compares words bytewise: "RC" < "beta".
  assert.equal(rubygems.compare('1.0.RC1', '1.0.beta'), -1);
  assert.equal(rubygems.compare('1.99999999999999999999', '1.99999999999999999998'), 1);
  for (const bad of ['1a', 'a', '1.0-', '1..0', '-1', '1.0 1', 'é'])
    assert.equal(rubygems.valid(bad), false, bad);
});

test('rubygems: total order on structured and random strings', () => {
  assertTotalOrder(rubygems, fc.oneof(gemVersion, randomish));
  assertSurvivesHostile(rubygems, '1.2.3.pre');
});

test(
  'rubygems: thousands of pairs agree with Gem::Version',
  { skip: skipOracles, timeout: 60_000 },
  async (t) => {
    requireTool(works('ruby', ['-e', 'Gem::Version']), 'ruby', 'ruby');
    const list = [
      ...sample(pairs(gemVersion, EDITS), 5000),
      ...sample(pairs(randomish, EDITS), 1500, 7),
    ].filter(([a, b]) => wellFormed(a + b));
    const script = `
require "json"
out = []
STDIN.each_line do |line|
  a, b = JSON.parse(line)
  va, vb = Gem::Version.correct?(a), Gem::Version.correct?(b)
  if va && vb
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  else
    out << "E #{va ? 1 : 0} #{vb ? 1 : 0}"
  end
end
STDOUT.write(out.join("\\n") + "\\n")
STDERR.write(Gem::VERSION)
`;
    const { stdout, stderr } = await run('ruby', ['-e', script], {
      input: list.map((p) => JSON.stringify(p)).join('\n') + '\n',
    });
    const answers = answerLines(stdout, list.length);
    const agreement = agreementWith(
      rubygems,
      `rubygems (Gem::Version, rubygems ${stderr.trim()})`,
      'ruby',
      list,
      answers,
    );
    t.diagnostic(agreement.summary);
    assert.deepEqual(agreement.misses, []);
    assert.ok(agreement.total >= 5000);
  },
);
