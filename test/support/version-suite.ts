/**
 * The tests every version scheme gets, registered from one description (one call per scheme in
 * test/versions-*.test.ts): tables of known cases, the total-order properties on structured and
 * random strings plus hostile inputs, and agreement with an oracle (the ecosystem's own tool, or
 * an independent model where there is no tool) on thousands of pairs.
 *
 * Known cases are checked the same way for every scheme: every pair of an ascending chain both
 * ways (each member valid), equal pairs both ways, invalid versions rejected by `valid` and by
 * the parser and sorted after valid ones, and parsed forms.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import type { VersionScheme } from '../../src/vulndb/versions/types.js';
import {
  Agreement,
  assertSurvivesHostile,
  assertTotalOrder,
  numeral,
  pairs,
  sample,
} from './oracles/order.js';
import { requireTool, run, skipOracles, type RunResult } from './oracles/tools.js';

/** One test of known cases. */
export interface KnownCases {
  /** The test's title after "NAME: " (default "known cases"). */
  title?: string;
  /** Chains in strictly ascending order (a pair is a chain of two): every pair, both ways. */
  ascending?: readonly (readonly string[])[];
  /** Pairs that compare equal, both ways. */
  equal?: readonly (readonly [string, string])[];
  /** Versions the scheme rejects: `valid` is false and the suite's `parse` gives null. */
  invalid?: readonly string[];
  /** A valid version every `invalid` one sorts after. */
  invalidAfter?: string;
  /** Versions `valid` accepts (beyond the members of the chains). */
  valid?: readonly string[];
  /** Inputs and what the suite's `parse` makes of them. */
  parsed?: readonly (readonly [string, unknown])[];
  /** Assertions particular to the scheme that fit no table. */
  more?: () => void;
}

/** What an agreement test found: no misses allowed, and at least `min` pairs compared. */
export interface Verdict {
  agreement: Agreement;
  min?: number;
  /** Appended to the agreement's summary in the test's diagnostic. */
  note?: string;
}

/** A comparison with an oracle: a real tool (skipped with SHIPSHAPE_SKIP_ORACLES=1) or a model. */
export interface Oracle {
  /** The test's title after "NAME: ". */
  title: string;
  /** The tool it needs; a missing one fails the test naming the Debian package. None for a model. */
  tool?: { available: () => boolean; what: string; debianPackage: string };
  check: (t: TestContext) => Verdict | Verdict[] | Promise<Verdict | Verdict[]>;
}

export interface VersionSchemeSuite {
  scheme: VersionScheme;
  /** Prefix of the test titles (default the scheme's name). */
  name?: string;
  /** The scheme's parser: null for what `valid` rejects. */
  parse?: (v: string) => unknown;
  cases: KnownCases | readonly KnownCases[];
  /** Chains may hold versions `valid` rejects (the generic order, where '' is not a version). */
  chainsMayBeInvalid?: boolean;
  /** Structured versions mixed with random strings: batches must be totally preordered. */
  arbitrary: fc.Arbitrary<string>;
  /** The total-order test's title after "NAME: ". */
  orderTitle?: string;
  numRuns?: number;
  /** A usual version, compared with every hostile input. */
  hostile: string;
  oracles?: readonly Oracle[];
}

/** Registers the known-case tests, the total-order test and the agreement tests of a scheme. */
export function versionSchemeSuite(s: VersionSchemeSuite): void {
  const name = s.name ?? s.scheme.name;
  for (const c of Array.isArray(s.cases) ? s.cases : [s.cases]) {
    test(`${name}: ${c.title ?? 'known cases'}`, () => checkCases(s, c as KnownCases));
  }
  test(`${name}: ${s.orderTitle ?? 'total order on structured and random strings'}`, () => {
    assertTotalOrder(s.scheme, s.arbitrary, s.numRuns);
    assertSurvivesHostile(s.scheme, s.hostile);
  });
  for (const o of s.oracles ?? []) {
    const options = o.tool ? { skip: skipOracles, timeout: 60_000 } : {};
    test(`${name}: ${o.title}`, options, async (t) => {
      if (o.tool) requireTool(o.tool.available(), o.tool.what, o.tool.debianPackage);
      const verdicts = await o.check(t);
      for (const v of Array.isArray(verdicts) ? verdicts : [verdicts]) settle(t, v);
    });
  }
}

function checkCases(s: VersionSchemeSuite, c: KnownCases): void {
  const compare = (a: string, b: string) => s.scheme.compare(a, b);
  const valid = (v: string) => s.scheme.valid(v);
  for (const chain of c.ascending ?? []) {
    chain.forEach((a, i) => {
      if (!s.chainsMayBeInvalid) assert.ok(valid(a), a);
      for (const b of chain.slice(i + 1)) {
        assert.equal(compare(a, b), -1, `${a} < ${b}`);
        assert.equal(compare(b, a), 1, `${b} > ${a}`);
      }
    });
  }
  for (const [a, b] of c.equal ?? []) {
    assert.equal(compare(a, b), 0, `${a} == ${b}`);
    assert.equal(compare(b, a), 0, `${b} == ${a}`);
  }
  for (const bad of c.invalid ?? []) {
    assert.equal(valid(bad), false, bad);
    if (s.parse) assert.equal(s.parse(bad), null, bad);
    if (c.invalidAfter !== undefined) assert.equal(compare(bad, c.invalidAfter), 1, bad);
  }
  for (const ok of c.valid ?? []) assert.equal(valid(ok), true, ok);
  for (const [v, want] of c.parsed ?? []) assert.deepEqual(s.parse!(v), want, v);
  c.more?.();
}

function settle(t: TestContext, { agreement, min, note }: Verdict): void {
  t.diagnostic(agreement.summary + (note ?? ''));
  assert.deepEqual(agreement.misses, []);
  if (min !== undefined)
    assert.ok(agreement.total >= min, `${agreement.name}: ${agreement.total} pairs compared, want ${min}`);
}

/**
 * An oracle that is an independent model of the scheme's rules, asked about every pair of
 * `pairs` that the scheme holds valid; `others` are implementations that must give the model's
 * answers too (node-semver for npm).
 */
export function modelOracle(o: {
  title: string;
  name: string;
  scheme: VersionScheme;
  pairs: () => readonly (readonly [string, string])[];
  model: (a: string, b: string) => number;
  /** What a miss calls the model's answer. */
  label?: string;
  others?: readonly ((a: string, b: string) => number)[];
}): Oracle {
  return {
    title: o.title,
    check: () => {
      const agreement = new Agreement(o.name);
      for (const [a, b] of o.pairs()) {
        if (!o.scheme.valid(a) || !o.scheme.valid(b)) continue;
        const want = o.model(a, b);
        agreement.check(
          o.scheme.compare(a, b) === want && (o.others ?? []).every((f) => f(a, b) === want),
          () => `${a} vs ${b}: ${o.label ?? 'model'} ${want}`,
        );
      }
      return { agreement, min: 5000 };
    },
  };
}

/**
 * The pairs put to an oracle: small edits of structured versions, then of random strings, each
 * sample with a fixed seed so that every run asks the same questions.
 */
export function oraclePairs(
  structured: fc.Arbitrary<string>,
  random: fc.Arbitrary<string>,
  edits: readonly string[],
  { counts = [5000, 1500], seeds = [4242, 7] }: { counts?: [number, number]; seeds?: [number, number] } = {},
): [string, string][] {
  return [
    ...sample(pairs(structured, edits), counts[0], seeds[0]),
    ...sample(pairs(random, edits), counts[1], seeds[1]),
  ];
}

/** Runs a tool with one JSON `[a, b]` line per pair on stdin. */
export function askJsonLines(
  cmd: string,
  args: string[],
  list: readonly (readonly [string, string])[],
): Promise<RunResult> {
  return run(cmd, args, { input: list.map((p) => JSON.stringify(p)).join('\n') + '\n' });
}

/** A number, a word, or a word and a number: what the parts of a version are made of. */
export function wordOrNumber(word: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    numeral(),
    word,
    fc.tuple(word, numeral()).map(([w, n]) => w + n),
  );
}

/** `first`, then up to `maxLength` parts, each after a separator. */
export function joined(
  first: fc.Arbitrary<string>,
  sep: fc.Arbitrary<string>,
  part: fc.Arbitrary<string>,
  maxLength: number,
): fc.Arbitrary<string> {
  return fc
    .tuple(first, fc.array(fc.tuple(sep, part), { maxLength }))
    .map(([n, rest]) => n + rest.map(([s, p]) => s + p).join(''));
}

/** `arb` or the empty string, `none` times as often as `arb` (weights as fc.oneof takes them). */
export function maybe(arb: fc.Arbitrary<string>, none: number, some = 1): fc.Arbitrary<string> {
  return fc.oneof({ weight: none, arbitrary: fc.constant('') }, { weight: some, arbitrary: arb });
}
