/**
 * The real Debian minbase root filesystem: no persistence, backdoor or windows-malware finding
 * (its set-user-ID programs are dpkg's), every ELF classified, and the classifier's throughput
 * measured over every regular file (printed as a test diagnostic). SHIPSHAPE_SKIP_DEBIAN=1
 * skips it on a machine without Debian's mirror.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyFile } from '../src/analyze/binaries/index.js';
import type { BinaryFact } from '../src/analyze/findings.js';
import { collectLayerFindings } from '../src/scan/threats.js';
import { analyzeTarget, threatFindings } from './binaries-harness.js';
import { debianOciLayout, debianRootfs } from './support/debian-rootfs.js';

const skip = process.env.SHIPSHAPE_SKIP_DEBIAN === '1';

test('binaries+persistence: Debian minbase gives zero findings', { skip, timeout: 600_000 }, async () => {
  const a = await analyzeTarget(`oci:${await debianOciLayout()}:bookworm`);
  const found = await threatFindings(a);
  assert.deepEqual(
    found.map((f) => `${f.rule} ${f.path}: ${f.evidence}`),
    [],
    'no findings',
  );
  const setuid = [...a.facts.tree.values()].filter((f) => f.type === 'file' && (f.mode & 0o4000) !== 0);
  assert.ok(setuid.length >= 5, `the image does have set-user-ID programs (${setuid.length})`);
  const bins = (a.facts.layers[0]!.facts.binaries ?? []) as BinaryFact[];
  const ls = bins.find((b) => b.path === 'usr/bin/ls');
  assert.deepEqual([ls?.format, ls?.language, ls?.platform], ['elf', 'c', 'linux'], 'ls');
  const placed = collectLayerFindings(a.facts).binaries;
  assert.equal(placed.length, bins.length, 'every binary is reported');
  assert.ok(
    placed.every((b) => typeof b.sha256 === 'string' && b.sha256.length === 64),
    `every binary hashed (by file-digests): ${placed
      .filter((b) => !b.sha256)
      .map((b) => b.path)
      .slice(0, 5)
      .join(', ')}`,
  );
  assert.ok(bins.filter((b) => b.format === 'elf').length > 500, 'hundreds of ELF files');
});

test('binaries: classifier throughput over the Debian rootfs', { skip, timeout: 600_000 }, async (t) => {
  const root = await debianRootfs();
  const a = await analyzeTarget(`dir:${root}`);
  const files = a.facts.layers[0]!.files.filter((f) => f.type === 'file' && f.size >= 4);
  const contents = files.map((f) => ({ path: f.path, bytes: readFileSync(join(root, f.path)) }));
  const total = contents.reduce((n, c) => n + c.bytes.length, 0);
  let best = Infinity;
  let facts = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    facts = 0;
    for (const c of contents) facts += classifyFile(c.path, c.bytes).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  t.diagnostic(
    `classifier: ${contents.length} files, ${(total / 1e6).toFixed(1)} MB, ${facts} binaries in ${best.toFixed(2)} s: ` +
      `${Math.round(contents.length / best)} files/s, ${(total / 1e6 / best).toFixed(0)} MB/s (best of 3, in memory)`,
  );
  assert.ok(facts > 500, 'classified');
});
