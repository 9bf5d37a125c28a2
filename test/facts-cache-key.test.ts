/**
 * The layer cache key: analyzer names and versions, and the rule data they read, so facts found
 * with old rules are not served after the rules change.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Analyzer } from '../src/analyze/types.js';
import { analyzersKey } from '../src/facts/cache.js';
import { rulesDigest, RULES_DIR } from '../src/facts/rules-digest.js';
import { tempDir } from './support/tmp.js';

const analyzer = (name: string, version: number): Analyzer => ({ name, version, wants: () => false });

test('rulesDigest: changes with any file, its content or its name, and nothing else', () => {
  const digestOf = (setup: (dir: string) => void) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'yara'));
    writeFileSync(join(dir, 'yara', 'a.yar'), 'rule a { condition: true }');
    writeFileSync(join(dir, 'config.yaml'), 'x: 1');
    setup(dir);
    return rulesDigest(dir);
  };
  const base = digestOf(() => {});
  assert.equal(
    digestOf(() => {}),
    base,
    'the same files, the same digest',
  );
  const changed = [
    digestOf((d) => writeFileSync(join(d, 'config.yaml'), 'x: 2')),
    digestOf((d) => writeFileSync(join(d, 'yara', 'b.yar'), '')),
    digestOf((d) => renameSync(join(d, 'yara', 'a.yar'), join(d, 'yara', 'c.yar'))),
    digestOf((d) => renameSync(join(d, 'yara'), join(d, 'yarb'))),
  ];
  for (const [i, d] of changed.entries()) assert.notEqual(d, base, `change ${i} changes the digest`);
  assert.equal(new Set(changed).size, changed.length, 'each change gives its own digest');
});

test('analyzersKey: names, versions and the shipped rules, in any analyzer order', () => {
  const a = analyzer('a', 1);
  const b = analyzer('b', 2);
  assert.equal(analyzersKey([a, b]), analyzersKey([b, a]), 'order does not matter');
  assert.notEqual(analyzersKey([a, b]), analyzersKey([a, analyzer('b', 3)]), 'a version bump');
  assert.notEqual(analyzersKey([a], 'f'.repeat(64)), analyzersKey([a], '0'.repeat(64)), 'other rules');
  assert.ok(
    analyzersKey([a]).endsWith(`rules=${rulesDigest(RULES_DIR).slice(0, 16)}`),
    'the shipped rules by default',
  );
});
