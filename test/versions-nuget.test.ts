/**
 * NuGet ordering: no .NET on Debian to ask, so a table of NuGet.Versioning's documented rules
 * (4-part versions, case-insensitive labels, numeric labels, metadata ignored, invalid forms)
 * and an independent model on thousands of generated pairs, plus the total-order properties.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nuget } from '../src/vulndb/versions/nuget.js';
import {
  assertAscending,
  assertEquivalent,
  Agreement,
  assertSurvivesHostile,
  assertTotalOrder,
  pairs,
  sample,
  versionish,
} from './support/oracles/order.js';

test('nuget: known cases', () => {
  const order = [
    '0.9',
    '1.0.0-1',
    '1.0.0-2',
    '1.0.0-10',
    '1.0.0-alpha',
    '1.0.0-Alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.0.1',
    '1.0.1-preview.1',
    '1.0.1',
    '1.1',
    '2.0.0.0',
  ];
  assertAscending((a, b) => nuget.compare(a, b), order);
  assertEquivalent((a, b) => nuget.compare(a, b), [
    ['1.0', '1.0.0'],
    ['1', '1.0.0.0'],
    ['1.0.0-BETA', '1.0.0-beta'],
    ['1.0.0+build.5', '1.0.0+other'],
    ['01.002.0', '1.2.0'],
    [' 1.0.0 ', '1.0.0'],
  ] as const);
  // A label NuGet's Int32.TryParse accepts is numeric; one too big for it is a word.
  assert.equal(nuget.compare('1.0.0-2147483648', '1.0.0-9'), 1);
  assert.equal(nuget.compare('1.0.0-2147483647', '1.0.0-a'), -1);
  for (const bad of [
    '',
    'v1.0.0',
    '1.0.0.0.0',
    '1.0.0-',
    '1.0.0-01',
    '1.0.0-beta..1',
    '1.0.0+',
    '1.0.0-be_ta',
    '2147483648.0',
    'a.b',
  ]) {
    assert.equal(nuget.valid(bad), false, bad);
  }
  for (const ok of ['1', '1.0.0-0', '1.0.0-0a', '1.0.0-a-b', '1.0.0+01', '1.2.3.4-rc'])
    assert.equal(nuget.valid(ok), true, ok);
});

/** An independent model of NuGet's order for the generated grammar. */
function model(a: string, b: string): number {
  const split = (v: string) => {
    const [core, pre] = v.split('+')[0]!.split(/-(.*)/s) as [string, string | undefined];
    const nums = core.split('.').map(Number);
    while (nums.length < 4) nums.push(0);
    return { nums, labels: pre === undefined ? null : pre.split('.') };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 4; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! < y.nums[i]! ? -1 : 1;
  if (!x.labels || !y.labels) return x.labels === y.labels ? 0 : x.labels ? -1 : 1;
  for (let i = 0; i < Math.max(x.labels.length, y.labels.length); i++) {
    const p = x.labels[i];
    const q = y.labels[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) < Number(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    const pu = p.toUpperCase();
    const qu = q.toUpperCase();
    if (!pn && pu !== qu) return pu < qu ? -1 : 1;
  }
  return 0;
}

const label = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map(String),
  fc.constantFrom('alpha', 'Alpha', 'beta', 'BETA', 'rc', 'preview', 'a-b', 'A', 'z'),
);
const nugetText = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 12 }).map(String), { minLength: 1, maxLength: 4 }),
    fc.oneof(
      fc.constant(''),
      fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => '-' + l.join('.')),
    ),
    fc.constantFrom('', '', '+build', '+sha.abc'),
  )
  .map(([n, l, m]) => n.join('.') + l + m);

test('nuget: thousands of pairs agree with an independent model', (t) => {
  const agreement = new Agreement('nuget (model)');
  for (const [a, b] of sample(pairs(nugetText, ['-rc.1', '.0', '.1', '+m', '-BETA', '0']), 7000)) {
    if (!nuget.valid(a) || !nuget.valid(b)) continue;
    const want = model(a, b);
    agreement.check(nuget.compare(a, b) === want, () => `${a} vs ${b}: model ${want}`);
  }
  t.diagnostic(agreement.summary);
  assert.deepEqual(agreement.misses, []);
  assert.ok(agreement.total >= 5000);
});

test('nuget: total order on structured and random strings', () => {
  assertTotalOrder(nuget, fc.oneof(nugetText, versionish('0123456789.-+abrcAB', 12)));
  assertSurvivesHostile(nuget, '1.2.3-rc.1');
});
