/**
 * The known-bad hash deny-list: importing plain lists and MalwareBazaar-style CSV (bad lines
 * counted, huge files streamed), the name → category data, the `hash-denylist` check on images
 * (a file deleted by a later layer is still matched), and the CLI (`db import-hashes`,
 * `db status`). The "known-bad" files are harmless strings made up here.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import {
  categoryForName,
  hashDenylistCheck,
  loadNameCategoryRules,
  nameCategoryRules,
} from '../src/analyze/hashes/index.js';
import type { ImageCheckResult } from '../src/analyze/findings.js';
import { openDatabase, type Db } from '../src/store/sqlite.js';
import { addDeniedHashes, denyListStatus, importHashFile } from '../src/threats-db/index.js';
import type { ImageSpec } from './fixtures/builder.js';
import { checkSpec } from './integrity-harness.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const NOW = '2025-01-01T00:00:00.000Z';
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
// Harmless stand-ins for samples a feed would list (EICAR-style: a test string, nothing more).
const FAKE_MINER = '#!/bin/sh\n# SHIPSHAPE-HARMLESS-TEST-FILE: stands for a listed miner\nexit 0\n';
const FAKE_TOOL = 'SHIPSHAPE-HARMLESS-TEST-FILE: stands for a listed hack tool\n';

function freshDb(): Db {
  return openDatabase(join(tempDir(), 'db.sqlite'));
}

async function runHashCheck(spec: ImageSpec, db: Db | null): Promise<ImageCheckResult> {
  return (await checkSpec(spec, hashDenylistCheck, db)).r;
}

test('import: a plain list with comments, names and bad lines', async () => {
  const db = freshDb();
  const file = join(tempDir(), 'feed.txt');
  writeFileSync(
    file,
    [
      '# my feed',
      `${sha256('one')}  Linux.Miner`,
      'not a hash',
      `${sha256('two').toUpperCase()}`,
      '',
      `${sha256('three')} *dropper.sh`,
      `${'0'.repeat(63)}`,
    ].join('\r\n'),
  );
  const s = await importHashFile(db, file, { now: NOW });
  assert.deepEqual(
    { ...s, path: undefined },
    {
      path: undefined,
      source: 'feed.txt',
      format: 'list',
      lines: 7,
      entries: 3,
      added: 3,
      bad: 2,
      badSamples: ['line 3: not a sha256 (64 hex digits)', 'line 7: not a sha256 (64 hex digits)'],
    },
  );
  // Imported again under another source: nothing new, the rows take the newer source.
  const again = await importHashFile(db, file, { source: 'mirror', now: NOW });
  assert.equal(again.added, 0, 'no new hashes');
  assert.deepEqual(denyListStatus(db), {
    hashes: 3,
    sources: [{ source: 'mirror', hashes: 3, lastAdded: NOW }],
  });
  db.close();
});

test('import: MalwareBazaar-style CSV with its commented header and broken rows', async () => {
  const db = freshDb();
  const file = join(tempDir(), 'full.csv');
  const row = (h: string, fileName: string, sig: string) =>
    `"2024-05-01 10:00:00", "${h}", "${'1'.repeat(32)}", "${'2'.repeat(40)}", "someone", "${fileName}", "elf", "application/x-executable", "${sig}", "n/a"`;
  writeFileSync(
    file,
    [
      '################################################################',
      '# MalwareBazaar full malware samples dump (CSV)                #',
      '################################################################',
      '#',
      '# "first_seen_utc","sha256_hash","md5_hash","sha1_hash","reporter","file_name","file_type_guess","mime_type","signature","clamav"',
      row(sha256(FAKE_MINER), 'xmrig', 'XMRig'),
      row(sha256(FAKE_TOOL), 'mimi.exe', 'n/a'),
      '"2024-05-01 10:00:00", "short"',
      '"2024-05-01 10:00:00", "unclosed',
      row(sha256('x'), '""quoted"" name', 'n/a'),
      '# end',
    ].join('\n') + '\n',
  );
  const s = await importHashFile(db, file, { source: 'MalwareBazaar', now: NOW });
  assert.equal(s.format, 'csv');
  assert.deepEqual([s.entries, s.added, s.bad], [3, 3, 2]);
  const rows = db.prepare('SELECT sha256, name FROM denied_hashes').all() as {
    sha256: string;
    name: string;
  }[];
  const byHash = new Map(rows.map((r) => [r.sha256, r.name]));
  assert.equal(byHash.get(sha256(FAKE_MINER)), 'XMRig', 'the signature is the name');
  assert.equal(byHash.get(sha256(FAKE_TOOL)), 'mimi.exe', 'no signature: the file name');
  assert.equal(byHash.get(sha256('x')), '"quoted" name', 'doubled quotes inside a quoted field');
  db.close();
});

test('import: a feed of 300,000 lines is streamed; a 1 MB line without newline is one bad line', async () => {
  const db = freshDb();
  const file = join(tempDir(), 'big.txt');
  const out = createWriteStream(file);
  for (let i = 0; i < 300_000; i++) {
    if (!out.write(`${sha256(String(i))} sample-${i}\n`)) await once(out, 'drain');
  }
  out.end('x'.repeat(1024 * 1024));
  await once(out, 'finish');
  const before = process.memoryUsage().rss;
  const s = await importHashFile(db, file, { now: NOW });
  assert.deepEqual([s.entries, s.added, s.bad, s.lines], [300_000, 300_000, 1, 300_001]);
  assert.match(s.badSamples[0]!, /line 300001: longer than 65536 bytes/);
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'bounded memory');
  assert.equal(denyListStatus(db).hashes, 300_000);
  db.close();
});

test('name categories: the data loads, every rule proves itself, unknown names are suspicious', () => {
  const rules = nameCategoryRules();
  assert.ok(rules.length >= 4, 'rules loaded');
  for (const r of rules) {
    for (const m of r.examples.match) assert.equal(categoryForName(m), r.category, `${r.id} fires on ${m}`);
    for (const m of r.examples.noMatch)
      assert.notEqual(categoryForName(m, [r]), r.category, `${r.id} quiet on ${m}`);
  }
  assert.equal(categoryForName('xmrig'), 'miner');
  assert.equal(categoryForName('Mimikatz'), 'hacktool');
  assert.equal(categoryForName('meterpreter.elf'), 'hacktool');
  assert.equal(categoryForName('CobaltStrike'), 'hacktool');
  assert.equal(categoryForName('sample-42'), 'suspicious');
  assert.equal(categoryForName(null), 'suspicious');
  const doc = JSON.parse(
    readFileSync(new URL('../rules/hashes/name-categories.json', import.meta.url), 'utf8'),
  );
  doc.rules[0].examples.noMatch.push('xmrig');
  assert.throws(() => loadNameCategoryRules(doc), /counter-example xmrig/);
  assert.throws(() => loadNameCategoryRules({ version: 1, rules: [{ ...doc.rules[0], category: 'virus' }] }));
});

test('hash-denylist: a listed file is critical, with its category; a deleted one still counts', async () => {
  const db = freshDb();
  addDeniedHashes(db, [{ sha256: sha256(FAKE_MINER), name: 'XMRig' }], 'test-feed', NOW);
  addDeniedHashes(db, [{ sha256: sha256(FAKE_TOOL) }], 'other-feed', NOW);
  const r = await runHashCheck(
    {
      layers: [
        { files: [{ path: 'usr/bin/true', content: 'clean', mode: 0o755 }] },
        {
          files: [
            { path: 'usr/local/bin/kworker', content: FAKE_MINER, mode: 0o755 },
            { path: 'tmp/tool.exe', content: FAKE_TOOL },
          ],
        },
        { whiteouts: ['tmp/tool.exe'] },
      ],
    },
    db,
  );
  assert.deepEqual(r.warnings, []);
  const findings = [...(r.malware ?? [])].sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(findings, [
    {
      category: 'suspicious',
      rule: 'known-bad-hash',
      severity: 'critical',
      path: 'tmp/tool.exe',
      layer: 1,
      sha256: sha256(FAKE_TOOL),
      evidence: `sha256 ${sha256(FAKE_TOOL).slice(0, 16)}… listed by other-feed`,
      removedIn: 2,
    },
    {
      category: 'miner',
      rule: 'known-bad-hash',
      severity: 'critical',
      path: 'usr/local/bin/kworker',
      layer: 1,
      sha256: sha256(FAKE_MINER),
      evidence: `sha256 ${sha256(FAKE_MINER).slice(0, 16)}… listed by test-feed as XMRig`,
    },
  ]);
  db.close();
});

test('hash-denylist: no database or an empty deny-list is a warning, never a finding', async () => {
  const spec = { layers: [{ files: [{ path: 'usr/bin/x', content: FAKE_MINER, mode: 0o755 }] }] };
  const none = await runHashCheck(spec, null);
  assert.deepEqual(none.malware ?? [], []);
  assert.match(none.warnings?.[0] ?? '', /no database/);
  const db = freshDb();
  const empty = await runHashCheck(spec, db);
  assert.deepEqual(empty.malware, []);
  assert.match(empty.warnings?.[0] ?? '', /deny-list is empty/);
  db.close();
});

test('CLI: db import-hashes reports bad lines and counts; db status shows the deny-list', async () => {
  const dir = tempDir();
  const db = join(dir, 'db.sqlite');
  const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), SHIPSHAPE_DB: db };
  const feed = join(dir, 'feed.txt');
  writeFileSync(feed, `# test\n${sha256(FAKE_MINER)} XMRig\nbogus line\n${sha256(FAKE_TOOL)}\n`);
  const imp = await runCli(['db', 'import-hashes', feed, '--source', 'team-feed', '--db', db], env);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /Entries\s+2 \(2 new\)/);
  assert.match(imp.stdout, /Bad lines\s+1/);
  assert.match(imp.stderr, /warning: .*feed\.txt: line 3: not a sha256/);

  const status = await runCli(['db', 'status', '--db', db], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Deny-list\s+2 known-bad hashes \(team-feed: 2\)/);
  const json = await runCli(['db', 'status', '--db', db, '--format', 'json'], env);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).denyList.hashes, 2);

  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.from([0, 1, 2, 255, 10, 0, 0]));
  const bad = await runCli(['db', 'import-hashes', junk, '--db', db], env);
  assert.equal(bad.code, 2, 'nothing importable is an error');
  assert.match(bad.stderr, /no sha256 found/);
  const missing = await runCli(['db', 'import-hashes', join(dir, 'nope.txt'), '--db', db], env);
  assert.equal(missing.code, 2, 'an unreadable file is an error');
  assert.match(missing.stderr, /cannot read/);
});
