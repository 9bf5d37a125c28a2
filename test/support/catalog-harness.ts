/**
 * Runs one cataloger on one file, as the layer engine would, and fuzzes it: random bytes and
 * mutations of a valid sample must give package records or warnings naming the path, never an
 * exception, and always terminate.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Analyzer, Fact } from '../../src/analyze/types.js';
import type { EntryHeader } from '../../src/layer/types.js';
import type { PackageFact } from '../../src/analyze/packages/types.js';

export interface Analyzed {
  facts: Fact[];
  packages: PackageFact[];
  warnings: string[];
}

export function fileHeader(path: string, size: number): EntryHeader {
  return { path, type: 'file', mode: 0o644, size, uid: 0, gid: 0 };
}

/** Analyzes `content` at `path`; the file must be one the analyzer wants. */
export function runAnalyzer(analyzer: Analyzer, path: string, content: Buffer | string): Analyzed {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const header = fileHeader(path, bytes.length);
  const want = analyzer.wants(header);
  assert.ok(want && want.mode === 'buffer', `${analyzer.name} should want ${path}`);
  const warnings: string[] = [];
  const facts = analyzer.analyze!(
    { header, content: bytes.subarray(0, want.maxBytes), truncated: bytes.length > want.maxBytes },
    { warn: (p, m) => warnings.push(`${p}: ${m}`) },
  );
  assert.ok(Array.isArray(facts), 'analyze returns facts synchronously');
  return { facts, packages: facts.filter((f): f is PackageFact => f.kind === 'package'), warnings };
}

/** What every analysis of hostile input must satisfy. */
function checkSane(analyzer: Analyzer, path: string, content: Buffer): void {
  const r = runAnalyzer(analyzer, path, content);
  for (const w of r.warnings) assert.ok(w.startsWith(`${path}: `), `warning names the path: ${w}`);
  for (const p of r.packages) {
    assert.equal(p.path, path);
    assert.ok(typeof p.name === 'string' && p.name.length > 0 && p.name.length <= 512);
    assert.ok(typeof p.version === 'string' && p.version.length > 0 && p.version.length <= 2048);
  }
  JSON.stringify(r.facts); // facts are cached as JSON
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('char' as const),
    at: fc.nat(),
    char: fc.constantFrom(...'{}[]"\':,@/ \n\t-#\\(%=0'),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 400 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(original: Buffer, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] = bytes[at]! ^ m.xor;
    else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (m.kind === 'char') bytes[at] = m.char.charCodeAt(0);
    else if (m.kind === 'duplicate') {
      const slice = bytes.subarray(at, at + m.length);
      bytes = Buffer.concat([bytes.subarray(0, at), slice, slice, bytes.subarray(at + slice.length)]);
    } else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
  }
  return bytes;
}

/** Random bytes and mutations of each valid sample: records or warnings, never an exception. */
export function fuzzAnalyzer(
  analyzer: Analyzer,
  path: string,
  samples: (Buffer | string)[],
  numRuns = 150,
): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => checkSane(analyzer, path, Buffer.from(bytes))),
    { numRuns },
  );
  for (const sample of samples) {
    const original = Buffer.isBuffer(sample) ? sample : Buffer.from(sample);
    checkSane(analyzer, path, original);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) =>
        checkSane(analyzer, path, mutate(original, mutations)),
      ),
      { numRuns },
    );
  }
}
