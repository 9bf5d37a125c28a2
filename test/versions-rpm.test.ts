/**
 * rpm version ordering against rpm itself: thousands of generated EVR pairs (and random
 * strings) through `rpm.vercmp` in one `rpm --eval` Lua chunk that reads the pairs from a file.
 * Plus the total-order properties and a table of known cases (tilde, caret, epochs, releases).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseRpm, rpm, rpmvercmp } from '../src/vulndb/versions/rpm.js';
import { Agreement, numeral, versionish } from './support/oracles/order.js';
import { answerLines, run, works } from './support/oracles/tools.js';
import { tempDir } from './support/tmp.js';
import { joined, maybe, oraclePairs, versionSchemeSuite, wordOrNumber } from './support/version-suite.js';

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
const part = wordOrNumber(word);
const sep = fc.constantFrom('.', '.', '.', '_', '+', '~', '^', '.');
const dotted = joined(part, sep, part, 4);
const release = fc.oneof(
  fc.constant(''),
  dotted.map((r) => `-${r}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}.el9_${b}`),
  fc.tuple(numeral(), numeral()).map(([a, b]) => `-${a}.module_el8.${b}.0+123+abcdef`),
  numeral().map((a) => `-${a}.fc38`),
);
const epoch = maybe(
  numeral().map((n) => `${n}:`),
  4,
);
const evr = fc.tuple(epoch, dotted, release).map(([e, v, r]) => e + v + r);
const EDITS = ['~', '^', '~rc1', '^git1', '.0', '-1', '0', 'a', '.', ':', '-', '_', '1:', 'Z', '~~'];
const randomish = versionish('0123456789.:+~^-_abzAZ é', 10);

/** A Lua chunk for `rpm --eval`: rpm.vercmp on each pair of lines of INPUT, E where it throws. */
const lua = (input: string, output: string) => `local out = io.open(${JSON.stringify(output)}, "w")
local lines = io.lines(${JSON.stringify(input)})
while true do
  local a = lines()
  if a == nil then break end
  local b = lines()
  local ok, r = pcall(rpm.vercmp, a, b)
  out:write(ok and tostring(r) or "E", "\\n")
end
out:close()
`;

async function withRpmVercmp(): Promise<{ agreement: Agreement; min: number }> {
  const list = oraclePairs(evr, randomish, EDITS).filter(([a, b]) => !/[\n\r\0]/.test(a + b));
  const dir = tempDir();
  const input = join(dir, 'pairs.txt');
  const output = join(dir, 'answers.txt');
  const chunk = join(dir, 'cmp.lua');
  writeFileSync(input, list.map(([a, b]) => `${a}\n${b}\n`).join(''));
  writeFileSync(chunk, lua(input, output));
  await run('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(chunk)})}`]);
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
  return { agreement, min: 5000 };
}

versionSchemeSuite({
  scheme: rpm,
  parse: parseRpm,
  cases: {
    ascending: [
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
    ],
    equal: [
      ['1.0', '1_0'],
      ['1.0', '1..0'],
      ['1.01', '1.1'],
      ['0:1.0-1', '1.0-1'],
      [':1.0', '0:1.0'],
      ['00:1', '1'],
      ['1.0.', '1.0'],
    ],
    parsed: [
      ['1:2.3-4-5', { epoch: '1', version: '2.3-4', release: '5' }],
      ['2.3', { epoch: null, version: '2.3', release: null }],
    ],
    invalid: [''],
    invalidAfter: '1.0',
    valid: ['anything goes'],
    more: () => assert.equal(rpmvercmp('1.0', '1.0'), 0),
  },
  arbitrary: fc.oneof(evr, randomish),
  hostile: '1:2.3-4.el9',
  oracles: [
    {
      title: 'thousands of pairs agree with rpm.vercmp',
      tool: { available: () => works('rpm', ['--version']), what: 'rpm', debianPackage: 'rpm' },
      check: withRpmVercmp,
    },
  ],
});
