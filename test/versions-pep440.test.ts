/**
 * PEP 440 ordering against Python's `packaging` (the library pip uses): thousands of generated
 * pairs and random strings through one python3 process. Plus the total-order properties and a
 * table of known cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { pep440 } from '../src/vulndb/versions/pep440.js';
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
} from './support/oracles/order.js';
import { answerLines, requireTool, run, skipOracles, works } from './support/oracles/tools.js';

const sep = fc.constantFrom('', '', '.', '-', '_');
const release = fc
  .tuple(numeral(), fc.array(numeral(), { maxLength: 4 }))
  .map(([n, r]) => [n, ...r].join('.'));
const pre = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        sep,
        fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'RC', 'Alpha'),
        sep,
        fc.oneof(numeral(), fc.constant('')),
      )
      .map((p) => p.join('')),
  },
);
const post = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: numeral().map((n) => `-${n}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(sep, fc.constantFrom('post', 'rev', 'r', 'POST'), sep, fc.oneof(numeral(), fc.constant('')))
      .map((p) => p.join('')),
  },
);
const dev = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(sep, fc.constantFrom('dev', 'DEV'), sep, fc.oneof(numeral(), fc.constant('')))
      .map((p) => p.join('')),
  },
);
const local = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(numeral(), fc.constantFrom('ubuntu', 'a', 'abc', 'cpu', 'cu118', '1e5', 'Z')), {
        minLength: 1,
        maxLength: 3,
      })
      .map((p) => '+' + p.join('.')),
  },
);
const epoch = fc.oneof(
  { weight: 5, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: numeral().map((n) => `${n}!`) },
);
const pyVersion = fc
  .tuple(fc.constantFrom('', '', '', 'v', 'V', ' '), epoch, release, pre, post, dev, local)
  .map((p) => p.join(''));
const EDITS = [
  'a1',
  'b1',
  'rc1',
  '.post1',
  '.dev0',
  '-1',
  '+local',
  '.0',
  '0',
  '!',
  '+',
  '.',
  'a',
  'post',
  'dev',
];
const randomish = versionish('0123456789.!+-_abcdeprvlostABC ', 12);

test('pep440: known cases', () => {
  const order = [
    '1.0.dev0',
    '1.0a1.dev1',
    '1.0a1',
    '1.0a1.post1.dev1',
    '1.0a1.post1',
    '1.0b1',
    '1.0rc1',
    '1.0',
    '1.0+abc',
    '1.0+abc.5',
    '1.0+1',
    '1.0.post1.dev0',
    '1.0.post1',
    '1.0.1',
    '1!0.1',
  ];
  assertAscending((a, b) => pep440.compare(a, b), order);
  assertEquivalent((a, b) => pep440.compare(a, b), [
    ['1.0', '1.0.0'],
    ['1.0', 'v1.0'],
    ['1.0c1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0alpha', '1.0a0'],
    ['1.0+ABC', '1.0+abc'],
    ['1.0+a-b', '1.0+a.b'],
    [' 1.0 ', '1.0'],
    ['99999999999999999999', '099999999999999999999'],
  ] as const);
  assert.equal(pep440.compare('1.99999999999999999999', '1.99999999999999999998'), 1);
  // Python reads "1e5" as a word, not the number 100000.
  assert.equal(pep440.compare('1.0+1e5', '1.0+2'), -1);
  for (const bad of ['', '1.0-', 'a', '1.0+', '1..0', '1.0.post1.post2', 'é1'])
    assert.equal(pep440.valid(bad), false, bad);
});

test('pep440: total order on structured and random strings', () => {
  assertTotalOrder(pep440, fc.oneof(pyVersion, randomish));
  assertSurvivesHostile(pep440, '1.0.post1');
});

/** python3 with `packaging`: the pyenv one or Debian's (python3-packaging). */
function python(): string | null {
  for (const py of ['python3', '/usr/bin/python3'])
    if (works(py, ['-c', 'import packaging.version'])) return py;
  return null;
}

test(
  'pep440: thousands of pairs agree with packaging.version',
  { skip: skipOracles, timeout: 60_000 },
  async (t) => {
    const py = python();
    requireTool(py !== null, "python3's packaging", 'python3-packaging');
    const list = [...sample(pairs(pyVersion, EDITS), 5000), ...sample(pairs(randomish, EDITS), 1500, 7)];
    const script = `
import sys, json
import packaging
from packaging.version import Version, InvalidVersion
def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None
out = []
for line in sys.stdin:
    a, b = json.loads(line)
    x, y = parse(a), parse(b)
    if x is None or y is None:
        out.append("E %d %d" % (x is not None, y is not None))
    else:
        out.append(str((x > y) - (x < y)))
sys.stdout.write("\\n".join(out) + "\\n")
sys.stderr.write(packaging.__version__)
`;
    const { stdout, stderr } = await run(py!, ['-c', script], {
      input: list.map((p) => JSON.stringify(p)).join('\n') + '\n',
    });
    const answers = answerLines(stdout, list.length);
    const agreement = agreementWith(pep440, `pep440 (packaging ${stderr.trim()})`, 'python', list, answers);
    t.diagnostic(agreement.summary);
    assert.deepEqual(agreement.misses, []);
    assert.ok(agreement.total >= 5000);
  },
);
