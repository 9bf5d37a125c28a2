import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { createClamavSpool, type ClamavSpool } from '../src/analyze/clamav/spool.js';
import type { Fact } from '../src/analyze/types.js';
import { layerTar, type FileSpec } from '../src/fixtures/builder.js';
import { scanLayer } from '../src/layer/engine.js';
import type { EntryHeader } from '../src/layer/types.js';
import { tempDir } from './support/tmp.js';

async function spoolLayer(spool: ClamavSpool, files: FileSpec[], signal?: AbortSignal): Promise<Fact[]> {
  const facts = await scanLayer(Readable.from([layerTar({ files })]), {
    analyzers: [spool.analyzer],
    label: 'test-layer',
    ...(signal ? { signal } : {}),
  });
  return facts.facts[spool.analyzer.name] ?? [];
}

function header(path: string, size: number): EntryHeader {
  return { path, type: 'file', mode: 0o644, size, uid: 0, gid: 0 };
}

/** Every path under `dir`, relative. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('the spool copies each regular file under a counter name, 0700, with size and sha256', async () => {
  const parent = tempDir();
  const spool = await createClamavSpool(parent);
  try {
    assert.equal(statSync(spool.dir).mode & 0o777, 0o700, 'the spool dir is private');
    assert.ok(spool.dir.startsWith(parent), `the spool is made under the given parent: ${spool.dir}`);
    const facts = await spoolLayer(spool, [
      { path: 'etc/', type: 'dir' },
      { path: 'etc/hostname', content: 'box\n' },
      { path: 'etc/empty', content: '' },
      { path: 'etc/link', type: 'symlink', target: 'hostname' },
      { path: 'usr/bin/tool', content: Buffer.alloc(300_000, 7), mode: 0o755 },
    ]);
    const spooled = facts.filter((f) => f.kind === 'clamav-spooled');
    assert.deepEqual(
      spooled.map((f) => [f.path, f.spoolName, f.size]),
      [
        ['etc/hostname', 'f1', 4],
        ['usr/bin/tool', 'f2', 300_000],
      ],
      'only non-empty regular files are spooled, in order',
    );
    assert.equal(
      spooled[1]!.sha256,
      createHash('sha256').update(Buffer.alloc(300_000, 7)).digest('hex'),
      'the sha256 of the spooled bytes',
    );
    assert.equal(readFileSync(join(spool.dir, 'f1'), 'utf8'), 'box\n', 'the bytes are copied');
    assert.deepEqual(listTree(spool.dir), ['f1', 'f2'], 'nothing else is written');
    assert.equal(spool.spooledBytes(), 300_004, 'bytes are counted against the image budget');
  } finally {
    await spool.remove();
  }
  assert.ok(!existsSync(spool.dir), 'remove() deletes the spool');
  await spool.remove();
});

test('files over the per-file or per-image budget are scan gaps, never silently skipped', async () => {
  const spool = await createClamavSpool(tempDir(), { maxFileBytes: 1000, maxTotalBytes: 1500 });
  try {
    const facts = await spoolLayer(spool, [
      { path: 'big.bin', content: Buffer.alloc(4096, 1) },
      { path: 'a.txt', content: Buffer.alloc(900, 2) },
      { path: 'b.txt', content: Buffer.alloc(900, 3) },
      { path: 'c.txt', content: Buffer.alloc(500, 4) },
    ]);
    const gaps = facts.filter((f) => f.kind === 'scan-gap');
    assert.deepEqual(
      gaps.map((g) => [g.path, g.bytes, g.analyzer]),
      [
        ['big.bin', 4096, 'clamav'],
        ['b.txt', 900, 'clamav'],
      ],
      `gaps: ${JSON.stringify(gaps)}`,
    );
    assert.match(String(gaps[0]!.reason), /per-file limit/, 'the reason names the per-file limit');
    assert.match(String(gaps[1]!.reason), /per-image limit/, 'the reason names the per-image limit');
    assert.deepEqual(
      facts.filter((f) => f.kind === 'clamav-spooled').map((f) => f.path),
      ['a.txt', 'c.txt'],
      'files within the budget are still spooled',
    );
  } finally {
    await spool.remove();
  }
});

test('hostile image paths never choose where the spool writes', async () => {
  const parent = tempDir();
  const spool = await createClamavSpool(parent);
  const hostile = [
    '../../etc/x',
    '/etc/passwd',
    `${spool.dir}/../escape`,
    'f1',
    '-rf',
    'a\nb: Win.Trojan.Fake FOUND',
    'x'.repeat(5000),
    '',
  ];
  try {
    const ctx = { warn: () => {} };
    const results: Fact[] = [];
    for (const path of hostile) {
      const sink = spool.analyzer.open!(header(path, 3), ctx);
      sink.write(Buffer.from('abc'));
      results.push(...(sink.end() as Fact[]));
    }
    assert.deepEqual(
      results.map((f) => f.spoolName),
      hostile.map((_, i) => `f${i + 1}`),
      'each file gets the next counter name',
    );
    assert.deepEqual(
      listTree(spool.dir),
      hostile.map((_, i) => `f${i + 1}`).sort(),
      'only counter names exist in the spool',
    );
    assert.deepEqual(readdirSync(parent), [basename(spool.dir)], 'nothing is written next to the spool');
    assert.ok(!existsSync(join(parent, 'escape')), 'no escape through the spool path');
  } finally {
    await spool.remove();
  }
  await fc.assert(
    fc.asyncProperty(fc.array(fc.string({ maxLength: 40 }), { maxLength: 8 }), async (paths) => {
      const dir = tempDir('shipshape-clamav-prop-');
      const s = await createClamavSpool(dir);
      try {
        for (const p of paths) {
          const sink = s.analyzer.open!(header(p, 1), { warn: () => {} });
          sink.write(Buffer.from('z'));
          sink.end();
        }
        const names = listTree(s.dir);
        assert.ok(
          names.every((n) => /^f[1-9][0-9]*$/.test(n)),
          `only counter names: ${JSON.stringify(names)}`,
        );
        assert.equal(names.length, paths.length, 'one file per entry');
      } finally {
        await s.remove();
      }
      assert.deepEqual(readdirSync(dir), [], 'the spool leaves nothing behind');
    }),
    { numRuns: 25 },
  );
});

test('an aborted pass leaves open spool files that remove() still cleans up', async () => {
  const spool = await createClamavSpool(tempDir());
  const ctx = { warn: () => {} };
  const sink = spool.analyzer.open!(header('half/written', 10), ctx);
  sink.write(Buffer.from('hello'));
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(
    spoolLayer(spool, [{ path: 'x', content: 'y' }], controller.signal),
    /stop/,
    'the aborted pass fails',
  );
  await spool.remove();
  assert.ok(!existsSync(spool.dir), 'the spool dir is gone after an abort');
  sink.write(Buffer.from('world'));
  const late = await sink.end();
  assert.equal(
    late[0]?.kind,
    'scan-gap',
    `a write after remove() is a gap, not a write: ${JSON.stringify(late)}`,
  );
  assert.ok(!existsSync(spool.dir), 'a late write does not recreate anything');
  const after = await spool.analyzer.open!(header('later', 1), ctx).end();
  assert.equal(after[0]?.kind, 'scan-gap', 'opening after remove() is a gap');
});
