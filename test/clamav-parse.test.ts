import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { categorize, categoryRules, parseCategoryRules } from '../src/analyze/clamav/index.js';
import { isLimitSignature, parseClamavLine } from '../src/analyze/clamav/parse.js';
import { explainError } from '../src/analyze/clamav/run.js';
import { printable } from '../src/errors.js';

const DIR = '/tmp/shipshape-clamav-AbC123';

test('result lines: our paths with any printable signature name', () => {
  assert.deepEqual(
    parseClamavLine(`${DIR}/f12: Local.Test.EICAR.MD5.UNOFFICIAL FOUND`, DIR),
    { kind: 'found', hit: { spoolName: 'f12', signature: 'Local.Test.EICAR.MD5.UNOFFICIAL' } },
    'a plain hit',
  );
  assert.deepEqual(
    parseClamavLine(`${DIR}/f3: Odd: name FOUND here FOUND`, DIR),
    { kind: 'found', hit: { spoolName: 'f3', signature: 'Odd: name FOUND here' } },
    'a signature name holding ": " and " FOUND"',
  );
  assert.deepEqual(
    parseClamavLine(`${DIR}/f4: Can't open file ERROR`, DIR),
    { kind: 'error', spoolName: 'f4', message: "Can't open file" },
    'a per-file error',
  );
  for (const line of [
    `/elsewhere/f1: Eicar FOUND`,
    `${DIR}/../f1: Eicar FOUND`,
    `${DIR}/g1: Eicar FOUND`,
    `${DIR}/f1/x: Eicar FOUND`,
    `${DIR}/f1:  FOUND`,
    `${DIR}/f1: OK`,
    `${DIR}/f0: Eicar FOUND`,
    '',
    'LibClamAV Warning: something',
  ]) {
    assert.equal(parseClamavLine(line, DIR).kind, 'other', `not a result: ${JSON.stringify(line)}`);
  }
  assert.ok(isLimitSignature('Heuristics.Limits.Exceeded.MaxFileSize'), 'limit heuristics are gaps');
  assert.ok(!isLimitSignature('Heuristics.Phishing.Email'), 'other heuristics are detections');
});

test('the line parser never throws and only returns our spool names', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (tail, prefixed) => {
      const line = prefixed ? `${DIR}/${tail}` : tail;
      const parsed = parseClamavLine(line, DIR);
      if (parsed.kind === 'found') {
        assert.match(parsed.hit.spoolName, /^f[1-9][0-9]*$/, 'spool names only');
        assert.equal(
          printable(parsed.hit.signature, Infinity),
          parsed.hit.signature,
          'signature is printable',
        );
        assert.ok(parsed.hit.signature.length <= 201, 'signature is bounded');
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e9 }), fc.string({ minLength: 1, maxLength: 60 }), (n, sig) => {
      fc.pre(sig.trim() !== '' && printable(sig, Infinity) === sig && sig === sig.trim());
      const parsed = parseClamavLine(`${DIR}/f${n}: ${sig} FOUND`, DIR);
      assert.deepEqual(parsed, { kind: 'found', hit: { spoolName: `f${n}`, signature: sig } }, 'round trip');
    }),
  );
});

test('signature names map to categories from rules/clamav/categories.json', () => {
  const cases: [string, string, string][] = [
    ['Multios.Coinminer.Miner-6781728-2', 'miner', 'high'],
    ['Unix.Tool.Xmrig-9876', 'miner', 'high'],
    ['Win.Coinminer.Generic-7151250-0', 'miner', 'high'],
    ['Win.Trojan.Mimikatz-9778171-1', 'hacktool', 'high'],
    ['Unix.Trojan.Meterpreter-9850010-0', 'hacktool', 'high'],
    ['Win.Malware.CobaltStrike-123', 'hacktool', 'high'],
    ['PUA.Linux.Tool.Masscan-1', 'hacktool', 'high'],
    ['Win.Trojan.Agent-1234', 'windows-malware', 'high'],
    ['Php.Trojan.C99-1', 'webshell', 'critical'],
    ['Multios.Webshell.Jsp-2', 'webshell', 'critical'],
    ['Unix.Trojan.Mirai-7100807-0', 'backdoor', 'critical'],
    ['Java.Backdoor.Rat-1', 'backdoor', 'critical'],
    ['Win.Test.EICAR_HDB-1', 'suspicious', 'low'],
    ['Eicar-Signature', 'suspicious', 'low'],
    ['Local.Test.EICAR.MD5.UNOFFICIAL', 'suspicious', 'low'],
    ['PUA.Win.Packer.Upx-1', 'suspicious', 'medium'],
    ['YARA.my_rule.UNOFFICIAL', 'suspicious', 'high'],
    ['Unix.Exploit.Dirtycow-1', 'suspicious', 'high'],
    ['Win.Trojan.Latest-1', 'windows-malware', 'high'],
  ];
  for (const [signature, category, severity] of cases) {
    assert.deepEqual(categorize(signature), { category, severity }, signature);
  }
  assert.ok(categoryRules().rules.length >= 7, 'the shipped rules load');
});

test('a broken categories file is refused at load', () => {
  const good = {
    rules: [{ id: 'x', patterns: ['A*'], category: 'miner', severity: 'high' }],
    default: { category: 'suspicious', severity: 'high' },
  };
  assert.equal(parseCategoryRules(good).rules.length, 1, 'a valid file loads');
  for (const bad of [
    null,
    {},
    { ...good, default: undefined },
    { ...good, rules: [{ id: 'x', patterns: [], category: 'miner', severity: 'high' }] },
    { ...good, rules: [{ id: 'x', patterns: ['A*'], category: 'virus', severity: 'high' }] },
    { ...good, rules: [{ id: 'x', patterns: ['A*'], category: 'miner', severity: 'huge' }] },
    { ...good, rules: [{ id: 'x', patterns: ['a b'], category: 'miner', severity: 'high' }] },
  ]) {
    assert.throws(() => parseCategoryRules(bad), /categories\.json/, `refused: ${JSON.stringify(bad)}`);
  }
});

test('exit-code-2 messages say what to do', () => {
  assert.match(
    explainError(
      'LibClamAV Error: cli_loaddbdir: No supported database files found in /var/lib/clamav\nERROR: x',
    ),
    /no signatures: pass --clamav-db DIR/,
    'no database',
  );
  assert.equal(
    explainError('\nERROR: Could not connect to clamd\n'),
    'ERROR: Could not connect to clamd',
    'first line',
  );
  assert.match(explainError(''), /without saying why/, 'empty stderr');
});
