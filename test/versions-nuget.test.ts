/**
 * NuGet ordering: no .NET on Debian to ask, so a table of NuGet.Versioning's documented rules
 * (4-part versions, case-insensitive labels, numeric labels, metadata ignored, invalid forms)
 * and an independent model on thousands of generated pairs, plus the total-order properties.
 */
import fc from 'fast-check';
import { nuget, parseNuGet } from '../src/vulndb/versions/nuget.js';
import { pairs, sample, versionish } from './support/oracles/order.js';
import { modelOracle, versionSchemeSuite } from './support/version-suite.js';

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

versionSchemeSuite({
  scheme: nuget,
  parse: parseNuGet,
  cases: {
    ascending: [
      [
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
      ],
      // A label NuGet's Int32.TryParse accepts is numeric; one too big for it is a word.
      ['1.0.0-9', '1.0.0-2147483648'],
      ['1.0.0-2147483647', '1.0.0-a'],
    ],
    equal: [
      ['1.0', '1.0.0'],
      ['1', '1.0.0.0'],
      ['1.0.0-BETA', '1.0.0-beta'],
      ['1.0.0+build.5', '1.0.0+other'],
      ['01.002.0', '1.2.0'],
      [' 1.0.0 ', '1.0.0'],
    ],
    invalid: [
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
    ],
    invalidAfter: '99',
    valid: ['1', '1.0.0-0', '1.0.0-0a', '1.0.0-a-b', '1.0.0+01', '1.2.3.4-rc'],
  },
  arbitrary: fc.oneof(nugetText, versionish('0123456789.-+abrcAB', 12)),
  hostile: '1.2.3-rc.1',
  oracles: [
    modelOracle({
      title: 'thousands of pairs agree with an independent model',
      name: 'nuget (model)',
      scheme: nuget,
      pairs: () => sample(pairs(nugetText, ['-rc.1', '.0', '.1', '+m', '-BETA', '0']), 7000),
      model,
    }),
  ],
});
