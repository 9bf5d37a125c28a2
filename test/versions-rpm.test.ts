/**
 * rpm version ordering against rpm itself: thousands of generated EVR pairs (and random
 * strings) through `rpm.vercmp` in one `rpm --eval` Lua chunk that reads the pairs from a file.
 * Plus the total-order properties and a table of known cases (tilde, caret, epochs, releases).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRpm, rpm, rpmvercmp } from '../src/vulndb/versions/rpm.js';
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
  'git',
  'el',
  'el9',
  'el8_6',
  'module+el8',
  'alma',
  'fc',
  'Z',
  'z',
  'A',
);
const part = fc.oneof(
  numeral(),
  word,
  fc.tuple(word, numeral()).map(([w, n]) => w + n),
);
const sep = fc.constantFrom('.', '.', '.', '_', '+', '~', '^', '.');
const dotted = fc
  .tuple(part, fc.array(fc.tuple(sep, part), { maxLength: 4 }))
  .map(([n, rest]) => n + rest.map(([s, p]) => s + p).join(''));
const release = fc.oneof(
  fc.constant(''),
  dotted.map((r) => `-${r}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}.el9_${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}.module_el8.${b}.0+123+abcdef`),
  numeral().map((a) => `-${a}.fc38`),
);
const epoch = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: numeral().map((n) => `${n}:`) },
);
const evr = fc.tuple(epoch, dotted, release).map(([e, v, r]) => e + v + r);
const EDITS = ['~', '^', '~rc1', '^git1', '.0', '-1', '0', 'a', '.', ':', '-', '_', '1:', 'Z', '~~'];
const randomish = versionish('0123456789.:+~^-_abzAZ é', 10);

test('rpm: known cases', () => {
  const lt: [string, string][] = [
    ['1.0~rc1', '1.0'],
    ['1.0~~', '1.0~'],
    ['1.0', '1.0^git1'],
    ['1.0^git1', '1.0.1'],
    ['1.0^', '1.0^a'],
    ['1.0', '1.0a'],
    ['1.0a', '1.0.1'],
    ['a', '1'],
    ['1.9', '1.10'],
    ['2.0-1', '1:1.0-1'],
    ['1.0', '1.0-1'],
    ['1.0', '1.0-~'],
    ['1.0-', '1.0-0'],
    ['1.2.3-4.el9', '1.2.3-4.el9_1'],
    ['1.2.3-4.el9_1', '1.2.3-5.el9'],
    ['B', 'a'],
  ];
  for (const [a, b] of lt) {
    assert.equal(rpm.compare(a, b), -1, `${a} < ${b}`);
    assert.equal(rpm.compare(b, a), 1, `${b} > ${a}`);
  }
  for (const [a, b] of [
    ['1.0', '1_0'],
    ['1.0', '1..0'],
    ['1.01', '1.1'],
    ['0:1.0-1', '1.0-1'],
    [':1.0', '0:1.0'],
    ['00:1', '1'],
    ['1.0.', '1.0'],
  ] as const) {
    assert.equal(rpm.compare(a, b), 0, `${a} == ${b}`);
  }
  assert.equal(rpmvercmp('1.0', '1.0'), 0);
  assert.deepEqual(parseRpm('1:2.3-4-5'), { epoch: '1', version: '2.3-4', release: '5' });
  assert.deepEqual(parseRpm('2.3'), { epoch: null, version: '2.3', release: null });
  assert.equal(rpm.valid(''), false);
  assert.equal(rpm.valid('anything goes'), true);
});

test('rpm: total order on structured and random strings', () => {
  assertTotalOrder(rpm, fc.oneof(evr, randomish));
  assertSurvivesHostile(rpm, '1:2.3-4.el9');
});

test('rpm: thousands of pairs agree with rpm.vercmp', { skip: skipOracles, timeout: 60_000 }, async (t) => {
  requireTool(works('rpm', ['--version']), 'rpm', 'rpm');
  const list = [...sample(pairs(evr, EDITS), 5000), ...sample(pairs(randomish, EDITS), 1500, 7)].filter(
    ([a, b]) => !/[\n\r\0]/.test(a + b),
  );
  const dir = tempDir();
  const input = join(dir, 'pairs.txt');
  const output = join(dir, 'answers.txt');
  const lua = join(dir, 'cmp.lua');
  writeFileSync(input, list.map(([a, b]) => `${a}\n${b}\n`).join(''));
  writeFileSync(
    lua,
    `local out = io.open(${JSON.stringify(output)}, "w")
local lines = io.lines(${JSON.stringify(input)})
while true do
  local a = lines()
  if a == nil then break end
  local b = lines()
  local ok, r = pcall(rpm.vercmp, a, b)
  out:write(ok and tostring(r) or "E", "\\n")
end
out:close()
`,
  );
  await run('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(lua)})}`]);
  const answers = answerLines(readFileSync(output, 'utf8'), list.length);
  const agreement = new Agreement('rpm (rpm.vercmp)');
  list.forEach(([a, b], i) => {
    if (answers[i] === 'E') {
      agreement.check(!rpm.valid(a) || !rpm.valid(b), () => `${a} vs ${b}: rpm rejects, we accept`);
      return;
    }
    const want = Math.sign(Number(answers[i]));
    const got = rpm.compare(a, b);
    agreement.check(
      got === want && rpm.valid(a) && rpm.valid(b),
      () => `${JSON.stringify(a)} vs ${JSON.stringify(b)}: rpm ${want}, ours ${got}`,
    );
  });
  t.diagnostic(agreement.summary);
  assert.deepEqual(agreement.misses, []);
  assert.ok(agreement.total >= 5000);
});
