/**
 * Properties every VersionScheme must have: compare never throws, returns -1/0/1, and is a
 * total preorder (reflexive, antisymmetric, transitive, equality transitive) on any strings —
 * checked on small random batches where equal and near-equal versions are common, and on
 * hostile inputs with a time budget.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { VersionScheme } from '../../../src/vulndb/versions/types.js';

/** Checks every pair and triple of `vs`. Returns a failure message or null. */
export function orderViolation(compare: (a: string, b: string) => number, vs: string[]): string | null {
  const n = vs.length;
  const c: number[][] = [];
  for (let i = 0; i < n; i++) {
    c.push([]);
    for (let j = 0; j < n; j++) {
      const r = compare(vs[i]!, vs[j]!);
      if (r !== -1 && r !== 0 && r !== 1)
        return `compare(${JSON.stringify(vs[i])}, ${JSON.stringify(vs[j])}) = ${r}`;
      c[i]!.push(r);
    }
  }
  const show = (...k: number[]) => k.map((x) => JSON.stringify(vs[x])).join(', ');
  for (let i = 0; i < n; i++) {
    if (c[i]![i] !== 0) return `not reflexive: ${show(i)}`;
    for (let j = 0; j < n; j++) {
      if (c[i]![j] !== -c[j]![i]!)
        return `not antisymmetric: ${show(i, j)} gives ${c[i]![j]} and ${c[j]![i]}`;
      for (let k = 0; k < n; k++) {
        if (c[i]![j]! <= 0 && c[j]![k]! <= 0 && c[i]![k]! > 0) return `not transitive: ${show(i, j, k)}`;
        if (c[i]![j] === 0 && c[j]![k] === 0 && c[i]![k] !== 0)
          return `equality not transitive: ${show(i, j, k)}`;
      }
    }
  }
  return null;
}

/** Any string, weighted toward the characters versions are made of. */
export function versionish(chars: string, maxLength = 12): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength }) },
    { weight: 1, arbitrary: fc.string({ maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  );
}

/**
 * fast-check property: batches drawn from `arb` (structured versions mixed with random strings)
 * are totally preordered by the scheme.
 */
export function assertTotalOrder(scheme: VersionScheme, arb: fc.Arbitrary<string>, numRuns = 150): void {
  fc.assert(
    fc.property(fc.array(arb, { minLength: 2, maxLength: 14 }), (vs) => {
      const msg = orderViolation((a, b) => scheme.compare(a, b), vs);
      if (msg) throw new Error(`${scheme.name}: ${msg}`);
      for (const v of vs) scheme.valid(v);
    }),
    { numRuns },
  );
}

/** Strings that must neither hang nor throw. */
export function hostileInputs(): string[] {
  const many = (s: string, n: number) => s.repeat(n);
  return [
    '',
    ' ',
    '\0',
    '\uD800',
    '\uDFFF1.0',
    '١٢٣',
    'ＡＢＣ１２３',
    '1.0\u00a0',
    many('1.', 100_000),
    many('9', 200_000),
    many('0', 100_000) + '1',
    many('a', 100_000),
    many('.', 100_000),
    many('-', 100_000),
    many('~', 100_000),
    many('_', 50_000),
    many('1-', 50_000),
    many('1a', 50_000),
    '1' + many('.0', 60_000) + '.1',
    many('-r', 40_000),
    many('1:', 40_000),
    'v' + many('1.', 50_000),
    '1.0.0-' + many('a.', 50_000),
    '1.0.0+' + many('b.', 50_000),
    many('(', 10_000) + many(')', 10_000),
    '1.0' + many(' as ', 10_000),
    many('1e5', 30_000),
    'dev-' + many('x', 50_000),
    many('x', 30_000) + '-dev',
    '1.0.0' + many('@dev', 20_000),
    // Just under the 256-character cap, shaped to make backtracking regexes explode.
    '1-beta' + many('1', 240) + '!',
    '1.0-rc.' + many('1.', 120) + 'x',
    '1.' + many('0.', 120) + 'x',
    '1' + many('-1', 126) + '!',
    '1' + many('.a', 126) + '!',
    '1' + many('a1', 126) + '!',
    '1+' + many('a.', 126) + '!',
    '1.0.0-' + many('a-', 120) + '.',
    many(' ', 200) + 'x ',
    '1.0' + many('-', 250) + 'x',
    'v' + many('1', 250) + 'x',
    '2023' + many('01', 120) + 'x',
    '1_alpha' + many('_p1', 80) + '!',
    '1' + many('~', 250),
    '1' + many('.dev', 60) + '!',
    '1.0' + many('post', 60) + '!',
    'dev-' + many('1.', 120) + 'x',
    many('1.', 125) + 'x-dev',
    '1' + many(':1', 120) + ':',
  ];
}

/** compare and valid on every pair of hostile inputs (and a normal version) within `budgetMs`. */
export function assertSurvivesHostile(scheme: VersionScheme, normal: string, budgetMs = 3000): void {
  const inputs = [...hostileInputs(), normal];
  const start = performance.now();
  for (const a of inputs) {
    assert.equal(typeof scheme.valid(a), 'boolean');
    for (const b of inputs) {
      const r = scheme.compare(a, b);
      assert.ok(r === -1 || r === 0 || r === 1, `${scheme.name}: compare returned ${r}`);
    }
  }
  // Non-strings from untyped JSON must not throw either.
  const odd = [undefined, null, 1, {}, []] as unknown as string[];
  for (const x of odd) {
    assert.doesNotThrow(() => scheme.compare(x, normal));
    assert.doesNotThrow(() => scheme.valid(x));
  }
  const ms = performance.now() - start;
  assert.ok(ms < budgetMs, `${scheme.name}: hostile inputs took ${ms.toFixed(0)} ms`);
  const order = orderViolation((a, b) => scheme.compare(a, b), inputs.slice(0, 12));
  assert.equal(order, null);
}

/** A deterministic sample of `n` values (fixed seed: the same pairs on every run). */
export function sample<T>(arb: fc.Arbitrary<T>, n: number, seed = 4242): T[] {
  return fc.sample(arb, { numRuns: n, seed });
}

/** Counts agreement and keeps the first disagreements for the failure message. */
export class Agreement {
  readonly misses: string[] = [];
  agree = 0;
  total = 0;
  constructor(readonly name: string) {}
  check(ok: boolean, detail: () => string): void {
    this.total++;
    if (ok) this.agree++;
    else if (this.misses.length < 25) this.misses.push(detail());
  }
  get summary(): string {
    return `${this.name}: ${this.agree}/${this.total} agree`;
  }
}

/**
 * Pairs worth comparing: two independent versions, a version and itself, or a version and a
 * small edit of it (an edit appended, inserted, replacing a character, or a character dropped),
 * which is where orderings differ in interesting ways.
 */
export function pairs(arb: fc.Arbitrary<string>, edits: readonly string[]): fc.Arbitrary<[string, string]> {
  const edited = fc
    .tuple(arb, fc.nat(), fc.constantFrom(...edits), fc.integer({ min: 0, max: 3 }), fc.boolean())
    .map(([v, pos, e, kind, swap]): [string, string] => {
      const p = pos % (v.length + 1);
      const w =
        kind === 0
          ? v + e
          : kind === 1
            ? v.slice(0, p) + e + v.slice(p)
            : kind === 2
              ? v.slice(0, p) + v.slice(p + 1)
              : v.slice(0, p) + e + v.slice(p + 1);
      return swap ? [w, v] : [v, w];
    });
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(arb, arb) },
    { weight: 5, arbitrary: edited },
    { weight: 1, arbitrary: arb.map((v): [string, string] => [v, v]) },
  );
}

/** Small numbers mostly (so that versions collide), some with leading zeros, some big. */
export function numeral(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }).map(String) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 99_999 }).map(String) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '0',
        '00',
        '01',
        '007',
        '10',
        '20230101',
        '4294967296',
        '99999999999999999999',
      ),
    },
  );
}

/** False for strings with lone surrogates (not encodable as UTF-8, so no tool can see them). */
export function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

type Compare = (a: string, b: string) => number;

/** Each version sorts strictly below the one after it. */
export function assertAscending(compare: Compare, order: readonly string[]): void {
  for (let i = 0; i + 1 < order.length; i++) {
    assert.equal(compare(order[i]!, order[i + 1]!), -1, `${order[i]} < ${order[i + 1]}`);
  }
}

/** Each pair compares equal. */
export function assertEquivalent(compare: Compare, equal: readonly (readonly [string, string])[]): void {
  for (const [a, b] of equal) assert.equal(compare(a, b), 0, `${a} == ${b}`);
}

/**
 * Checks a tool's answers for `list` against a scheme. An answer is -1, 0 or 1, or
 * `E <a valid 0|1> <b valid 0|1>` when the tool refused one of the versions: then the scheme
 * must refuse the same ones.
 */
export function agreementWith(
  scheme: VersionScheme,
  name: string,
  tool: string,
  list: readonly (readonly [string, string])[],
  answers: readonly string[],
): Agreement {
  const agreement = new Agreement(name);
  list.forEach(([a, b], i) => {
    const ans = answers[i]!;
    if (ans.startsWith('E')) {
      const [, va, vb] = ans.split(' ');
      agreement.check(
        scheme.valid(a) === (va === '1') && scheme.valid(b) === (vb === '1'),
        () => `${JSON.stringify(a)} / ${JSON.stringify(b)}: ${tool} valid ${va} ${vb}`,
      );
      return;
    }
    const want = Number(ans);
    const got = scheme.compare(a, b);
    agreement.check(
      got === want && scheme.valid(a) && scheme.valid(b),
      () => `${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${tool} ${want}, ours ${got}`,
    );
  });
  return agreement;
}
