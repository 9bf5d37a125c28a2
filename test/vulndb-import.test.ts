/**
 * `db import` of a zip, a folder, a mirror and one file, and of hostile input: a zip bomb
 * (honest and lying directory), a truncated zip, invalid JSON, a huge field, unsafe entry names.
 * Each is a warning or one clear error, with bounded memory, and nothing is written anywhere.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { ShipshapeError } from '../src/errors.js';
import { openDatabase } from '../src/store/sqlite.js';
import { importPath } from '../src/vulndb/import.js';
import { VulnStore } from '../src/vulndb/store.js';
import { alpine, debian, fixtureMirror, npm, pypi, time, writeMirror } from './support/osv-fixtures.js';
import { tempDir } from './support/tmp.js';
import { zerosDeflated, zipBuffer } from './support/zip-writer.js';

function setup() {
  const dir = tempDir('shipshape-vulndb-import-');
  const db = openDatabase(join(dir, 'db.sqlite'));
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  return { dir, db, store: new VulnStore(db), warnings, warn };
}

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('vulndb: db import', () => {
  test('an all.zip: every record stored, state recorded per ecosystem', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const records = [debian(1, 3, 'openssl'), debian(2, 4, 'curl'), alpine(1, 3), npm(1, 4)];
    const zip = join(dir, 'all.zip');
    writeFileSync(zip, zipBuffer(records.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) }))));
    const s = await importPath(db, zip, { warn });
    assert.deepEqual(warnings, []);
    assert.equal(s.kind, 'zip');
    assert.equal(s.results.length, 1);
    assert.equal(s.results[0]!.inserted, 4);
    assert.equal(store.affectedFor('Debian', 'openssl').length, 2);
    assert.equal(store.affectedFor('Alpine', 'apkpkg1').length, 2);
    assert.deepEqual(
      store.states().map((x) => [x.ecosystem, x.mode, x.advisories]),
      [
        ['Alpine', 'import', 1],
        ['Debian', 'import', 2],
        ['npm', 'import', 1],
      ],
    );
    // importing again changes nothing
    const again = await importPath(db, zip, { warn });
    assert.equal(again.results[0]!.unchanged, 4);
    assert.equal(again.results[0]!.inserted, 0);
  });

  test('a folder of JSON files, recursively; symlinks are not followed', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const root = join(dir, 'advisories');
    const files: [string, object][] = [
      ['a/PYSEC-2024-1.json', pypi(1, 3)],
      ['a/b/c/PYSEC-2024-2.json', pypi(2, 3)],
      ['GHSA-npm0-0000-0003.json', npm(3, 4)],
    ];
    for (const [p, r] of files) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), JSON.stringify(r));
    }
    writeFileSync(join(root, 'README.md'), 'not a record');
    const outside = join(dir, 'outside.json');
    writeFileSync(outside, JSON.stringify(npm(9, 4)));
    symlinkSync(outside, join(root, 'link.json'));
    const s = await importPath(db, root, { warn });
    assert.equal(s.kind, 'folder');
    assert.equal(s.results[0]!.inserted, 3);
    assert.equal(store.affectedFor('PyPI', 'py-pkg-2').length, 1);
    assert.equal(store.advisory(npm(9, 4).id), null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /link\.json: skipped: not a regular file/);
  });

  test('a mirror folder (bucket layout): one unit per ecosystem', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const mirror = fixtureMirror();
    writeMirror(join(dir, 'mirror'), mirror, { perRecordFiles: false });
    const s = await importPath(db, join(dir, 'mirror'), { warn, ecosystems: ['Debian', 'PyPI', 'Nope'] });
    assert.equal(s.kind, 'mirror');
    assert.deepEqual(
      s.results.map((r) => [r.unit, r.inserted, r.withdrawn]),
      [
        ['Debian', 12, 1],
        ['PyPI', 12, 0],
      ],
    );
    assert.match(warnings.join('\n'), /no all\.zip for Nope/);
    assert.equal(store.state('Debian')!.withdrawn, 1);
    assert.equal(store.state('Debian')!.advisories, 12);
    assert.equal(store.state('npm'), null);
  });

  test('one JSON file, and paths that are neither', async () => {
    const { dir, db, store } = setup();
    const f = join(dir, 'one.json');
    writeFileSync(f, JSON.stringify(npm(4, 4)));
    const s = await importPath(db, f);
    assert.equal(s.kind, 'file');
    assert.ok(store.advisory(npm(4, 4).id));
    writeFileSync(join(dir, 'x.txt'), 'hello');
    await assert.rejects(
      importPath(db, join(dir, 'x.txt')),
      (e) => e instanceof ShipshapeError && e.code === 'UNSUPPORTED',
    );
    await assert.rejects(
      importPath(db, join(dir, 'missing.zip')),
      (e) => e instanceof ShipshapeError && e.code === 'NOT_FOUND',
    );
  });
});

describe('vulndb: hostile imports', () => {
  test('bad records are skipped with a warning naming file and id; good ones land', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const good = npm(1, 4);
    const zip = join(dir, 'mixed.zip');
    writeFileSync(
      zip,
      zipBuffer([
        { name: `${good.id}.json`, data: JSON.stringify(good) },
        { name: 'broken.json', data: '{"id": "GHSA-brok-en00-0001", "modified": ' },
        { name: 'huge.json', data: JSON.stringify({ ...npm(2, 4), details: 'x'.repeat(3 * 1024 * 1024) }) },
        { name: 'typed.json', data: JSON.stringify({ ...npm(3, 4), affected: 'nope' }) },
        { name: 'README.txt', data: 'ignored' },
      ]),
    );
    const s = await importPath(db, zip, { warn });
    assert.equal(s.results[0]!.inserted, 1);
    assert.equal(s.results[0]!.invalid, 3);
    assert.ok(store.advisory(good.id));
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!, /mixed\.zip: broken\.json: skipped: invalid JSON/);
    assert.match(
      warnings[1]!,
      /huge\.json: GHSA-npm0-0000-0002: skipped: details: (Too big|String must contain at most)/,
    );
    assert.match(warnings[2]!, /typed\.json: GHSA-npm0-0000-0003: skipped: affected/);
  });

  test('a zip bomb entry is refused with bounded memory, honest or lying about its size', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const bomb = await zerosDeflated(256);
    const good = npm(5, 4);
    const zip = join(dir, 'bomb.zip');
    writeFileSync(
      zip,
      zipBuffer([
        { name: 'honest-bomb.json', raw: bomb },
        { name: 'lying-bomb.json', raw: { ...bomb, size: 1000 } },
        { name: 'lying-small.json', data: JSON.stringify(npm(6, 4)), declaredSize: 10 },
        { name: `${good.id}.json`, data: JSON.stringify(good) },
      ]),
    );
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const s = await importPath(db, zip, { warn, maxEntryBytes: 4 * 1024 * 1024 });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.ok(peak - before < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MB`);
    assert.equal(s.results[0]!.inserted, 1);
    assert.ok(store.advisory(good.id));
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      /honest-bomb\.json: skipped: 268435456 bytes uncompressed, over the 4194304-byte limit/,
    );
    assert.match(warnings[1]!, /lying-bomb\.json: skipped: inflates past the 4194304-byte limit/);
    assert.match(warnings[2]!, /lying-small\.json: skipped: inflates to \d+ bytes, not the 10/);
  });

  test('a truncated zip is one clear error, and the database is untouched', async () => {
    const { dir, db, store } = setup();
    const ok = join(dir, 'ok.zip');
    writeFileSync(ok, zipBuffer([{ name: 'a.json', data: JSON.stringify(npm(1, 4)) }]));
    await importPath(db, ok);
    const full = zipBuffer(
      [npm(2, 4), npm(3, 4), pypi(1, 3)].map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })),
    );
    const cut = join(dir, 'cut.zip');
    writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    await assert.rejects(
      importPath(db, cut),
      (e) =>
        e instanceof ShipshapeError &&
        e.code === 'MALFORMED' &&
        /cut\.zip: not a readable zip file/.test(e.message),
    );
    assert.deepEqual(store.totals(), { advisories: 1, withdrawn: 0 });
    // damaged data inside an intact directory: that entry is skipped, not the import
    const damaged = Buffer.from(full);
    damaged[60] = damaged[60]! ^ 0xff;
    writeFileSync(cut, damaged);
    const warnings: string[] = [];
    const s = await importPath(db, cut, { warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /skipped: (unreadable|CRC-32 mismatch|inflates)/);
    assert.equal(s.results[0]!.inserted, 2);
  });

  test('unsafe entry names are skipped, and nothing is ever written outside the database', async () => {
    const { dir, db, store, warn, warnings } = setup();
    const zipDir = join(dir, 'in');
    mkdirSync(zipDir);
    const zip = join(zipDir, 'evil.zip');
    writeFileSync(
      zip,
      zipBuffer([
        { name: '../../evil.json', data: JSON.stringify(npm(1, 4)) },
        { name: '/etc/evil.json', data: JSON.stringify(npm(2, 4)) },
        { name: 'dir\\..\\evil.json', data: JSON.stringify(npm(3, 4)) },
        { name: 'fine/../GHSA-x.json', data: JSON.stringify(npm(4, 4)) },
        { name: 'nested/ok.json', data: JSON.stringify(npm(5, 4)) },
      ]),
    );
    const before = listTree(dir);
    const s = await importPath(db, zip, { warn });
    assert.equal(s.results[0]!.inserted, 1);
    assert.ok(store.advisory(npm(5, 4).id));
    assert.equal(warnings.length, 4);
    for (const w of warnings) assert.match(w, /skipped: unsafe entry name/);
    const after = listTree(dir).filter((p) => !p.startsWith('db.sqlite'));
    assert.deepEqual(
      after,
      before.filter((p) => !p.startsWith('db.sqlite')),
    );
  });

  test('an entry over the size cap in a folder is refused before it is read', async () => {
    const { dir, db, warn, warnings } = setup();
    const root = join(dir, 'f');
    mkdirSync(root);
    writeFileSync(
      join(root, 'big.json'),
      JSON.stringify({ ...npm(1, 4), details: 'y'.repeat(2 * 1024 * 1024) }),
    );
    writeFileSync(join(root, 'ok.json'), JSON.stringify({ ...npm(2, 4), modified: time(5) }));
    const s = await importPath(db, root, { warn, maxEntryBytes: 1024 * 1024 });
    assert.equal(s.results[0]!.inserted, 1);
    assert.match(warnings.join('\n'), /big\.json: skipped: \d+ bytes, over the 1048576-byte limit/);
  });
});
