/**
 * `db update` against a fixture mirror served by a local HTTP server (loopback only): a full
 * first update, deltas that fetch only the changed records (counted at the server), the
 * all.zip fallback with pruning, interrupted updates (a 500 on a record, a connection dropped
 * mid all.zip) that leave the previous data usable and resume on the next run, timeouts,
 * retries, and a local mirror folder as the source.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ShipshapeError } from '../src/errors.js';
import { openDatabase } from '../src/store/sqlite.js';
import { VulnStore } from '../src/vulndb/store.js';
import { updateDatabase, type UpdateOptions } from '../src/vulndb/update.js';
import { debian, fixtureMirror, npm, pypi, time, writeMirror, type Mirror } from './support/osv-fixtures.js';
import { startOsvServer, type OsvServer } from './support/osv-server.js';
import { tempDir } from './support/tmp.js';

const ECOS = ['Debian', 'Alpine', 'PyPI', 'npm'];

async function setup() {
  const dir = tempDir('shipshape-vulndb-update-');
  const mirrorDir = join(dir, 'mirror');
  const mirror = fixtureMirror();
  writeMirror(mirrorDir, mirror);
  const server = await startOsvServer(mirrorDir);
  after(() => server.close());
  const db = openDatabase(join(dir, 'db.sqlite'));
  const warnings: string[] = [];
  const options = (extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
    source: server.url,
    ecosystems: ECOS,
    stagingDir: join(dir, 'staging'),
    retries: 1,
    retryBaseMs: 5,
    timeoutMs: 5000,
    warn: (m) => warnings.push(m),
    ...extra,
  });
  const republish = () => writeMirror(mirrorDir, mirror);
  return { dir, mirrorDir, mirror, server, db, store: new VulnStore(db), warnings, options, republish };
}

function paths(server: OsvServer): string[] {
  return server.log.map((l) => l.path);
}

function fixedOf(store: VulnStore, pkg: string): string[] {
  return store
    .affectedFor('Debian', pkg)
    .filter((r) => r.ecosystem === 'Debian:12')
    .map((r) => r.ranges[0]!.events.find((e) => e.fixed)!.fixed!);
}

function replace(
  mirror: Mirror,
  eco: string,
  id: string,
  next: (old: (typeof mirror)[string][number]) => object,
) {
  const list = mirror[eco]!;
  const i = list.findIndex((r) => r.id === id);
  list[i] = next(list[i]!) as (typeof list)[number];
}

describe('vulndb: db update', () => {
  test('full first update, then deltas that fetch only what changed', async () => {
    const { server, db, store, options, mirror, republish, dir } = await setup();
    const first = await updateDatabase(db, options());
    assert.deepEqual(
      first.results.map((r) => [r.unit, r.action, r.inserted]),
      [
        ['Debian', 'full', 12],
        ['Alpine', 'full', 8],
        ['PyPI', 'full', 12],
        ['npm', 'full', 8],
      ],
    );
    assert.deepEqual(paths(server), [
      '/ecosystems.txt',
      '/Debian/all.zip',
      '/Alpine/all.zip',
      '/PyPI/all.zip',
      '/npm/all.zip',
    ]);
    assert.equal(store.affectedFor('PyPI', 'py-pkg-5').length, 1);
    assert.deepEqual(store.affectedFor('Debian', 'pkg12'), []); // withdrawn in the fixture
    const st = store.state('Debian')!;
    assert.equal(st.mode, 'update');
    assert.equal(st.source, server.url);
    assert.equal(st.lastModified, time(9));
    assert.equal(st.advisories, 12);
    assert.equal(st.withdrawn, 1);

    // osv.dev changes: one Debian record fixed differently, one PyPI record withdrawn, one npm added
    replace(mirror, 'Debian', 'DEBIAN-CVE-2024-1003', (r) => ({
      ...debian(3, 3),
      modified: time(10),
      affected: [
        {
          ...r.affected![0]!,
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9-1' }] }],
        },
      ],
    }));
    replace(mirror, 'PyPI', 'PYSEC-2024-5', (r) => ({ ...r, modified: time(10), withdrawn: time(10) }));
    mirror.npm!.push(npm(20, 11));
    republish();
    server.log.length = 0;
    const second = await updateDatabase(db, options());
    assert.deepEqual(
      second.results.map((r) => [r.unit, r.action, r.inserted, r.updated, r.withdrawn]),
      [
        ['Debian', 'delta', 0, 1, 0],
        ['Alpine', 'unchanged', 0, 0, 0],
        ['PyPI', 'delta', 0, 1, 1],
        ['npm', 'delta', 1, 0, 0],
      ],
    );
    assert.deepEqual(paths(server), [
      '/ecosystems.txt',
      '/Debian/modified_id.csv',
      '/Debian/DEBIAN-CVE-2024-1003.json',
      '/Alpine/modified_id.csv',
      '/PyPI/modified_id.csv',
      '/PyPI/PYSEC-2024-5.json',
      '/npm/modified_id.csv',
      '/npm/GHSA-npm0-0000-0020.json',
    ]);
    assert.deepEqual(fixedOf(store, 'pkg3'), ['9.9-1']);
    assert.deepEqual(store.affectedFor('PyPI', 'Py_Pkg.5'), []);
    assert.equal(store.affectedFor('npm', 'npm-pkg-20').length, 1);
    assert.equal(store.state('PyPI')!.withdrawn, 1);
    assert.equal(store.state('npm')!.advisories, 9);
    assert.equal(store.state('npm')!.lastModified, time(11));

    server.log.length = 0;
    const third = await updateDatabase(db, options());
    assert.ok(third.results.every((r) => r.action === 'unchanged'));
    assert.equal(server.log.length, 5); // ecosystems.txt and four CSVs, no records
    assert.ok(!existsSync(join(dir, 'staging')) || readdirSync(join(dir, 'staging')).length === 0);
  });

  test('too many changes: all.zip instead, and what the snapshot lost is pruned; 304 when unchanged', async () => {
    const { server, db, store, options, mirror, mirrorDir, republish } = await setup();
    await updateDatabase(db, options());
    for (const n of [1, 2, 3]) replace(mirror, 'npm', npm(n, 0).id, (r) => ({ ...r, modified: time(12) }));
    mirror.npm = mirror.npm!.filter((r) => r.id !== npm(8, 0).id);
    republish();
    rmSync(join(mirrorDir, 'Alpine', 'modified_id.csv'));
    server.log.length = 0;
    const s = await updateDatabase(db, options({ deltaLimit: 2, ecosystems: ['npm', 'Alpine'] }));
    assert.deepEqual(
      s.results.map((r) => [r.unit, r.action, r.updated, r.unchanged, r.pruned]),
      [
        ['npm', 'full', 3, 4, 1],
        ['Alpine', 'unchanged', 0, 0, 0],
      ],
    );
    const zips = server.log.filter((l) => l.path.endsWith('all.zip'));
    assert.deepEqual(
      zips.map((l) => [l.path, l.status, Boolean(l.ifNoneMatch)]),
      [
        ['/npm/all.zip', 200, true],
        ['/Alpine/all.zip', 304, true],
      ],
    );
    assert.equal(store.advisory(npm(8, 0).id), null);
    assert.equal(store.state('npm')!.advisories, 7);
  });

  test('a failed delta (HTTP 500) keeps the old data; the rerun fetches only what is missing', async () => {
    const { server, db, store, options, mirror, republish, dir } = await setup();
    await updateDatabase(db, options());
    for (const n of [1, 2, 3, 4]) {
      replace(mirror, 'Debian', debian(n, 0).id, (r) => ({
        ...r,
        modified: time(10 + n),
        affected: [
          {
            ...r.affected![0]!,
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${n}.0-new` }] }],
          },
        ],
      }));
    }
    mirror.npm!.push(npm(30, 12));
    republish();
    server.faults.push({ path: '/Debian/DEBIAN-CVE-2024-1002.json', kind: '500' });
    server.log.length = 0;
    const failed = await updateDatabase(db, options({ concurrency: 1, ecosystems: ['Debian', 'npm'] }));
    const deb = failed.results[0]!;
    assert.equal(deb.action, 'failed');
    assert.equal(
      deb.error,
      `GET ${server.url}/Debian/DEBIAN-CVE-2024-1002.json: HTTP 500 Internal Server Error (after 2 attempts)`,
    );
    assert.equal(failed.results[1]!.action, 'delta'); // the next ecosystem still updated
    // the previous Debian data is all there and queryable
    for (const n of [1, 2, 3, 4]) assert.deepEqual(fixedOf(store, `pkg${n}`), [`1.${n}-1+deb12u1`]);
    assert.equal(store.state('Debian')!.lastModified, time(9));
    assert.ok(readdirSync(join(dir, 'staging'), { recursive: true }).length > 0);

    server.faults.length = 0;
    server.log.length = 0;
    const rerun = await updateDatabase(db, options({ concurrency: 1, ecosystems: ['Debian'] }));
    assert.equal(rerun.results[0]!.action, 'delta');
    assert.equal(rerun.results[0]!.updated, 4);
    // records 4 and 3 were staged by the failed run and are not downloaded again
    assert.deepEqual(
      paths(server).filter((p) => p.endsWith('.json')),
      ['/Debian/DEBIAN-CVE-2024-1002.json', '/Debian/DEBIAN-CVE-2024-1001.json'],
    );
    for (const n of [1, 2, 3, 4]) assert.deepEqual(fixedOf(store, `pkg${n}`), [`${n}.0-new`]);
    assert.equal(store.state('Debian')!.lastModified, time(14));
  });

  test('a connection dropped mid all.zip keeps the old data; the rerun resumes with Range', async () => {
    const { server, db, store, options, mirror, republish } = await setup();
    await updateDatabase(db, options({ ecosystems: ['Debian'] }));
    replace(mirror, 'Debian', debian(5, 0).id, (r) => ({
      ...r,
      modified: time(15),
      affected: [
        {
          ...r.affected![0]!,
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.5-5' }] }],
        },
      ],
    }));
    republish();
    server.faults.push({ path: '/Debian/all.zip', kind: 'drop', afterBytes: 1500 });
    server.log.length = 0;
    const failed = await updateDatabase(db, options({ ecosystems: ['Debian'], deltaLimit: 0 }));
    assert.equal(failed.results[0]!.action, 'failed');
    assert.match(failed.results[0]!.error!, new RegExp(`^GET ${server.url}/Debian/all\\.zip: connection`));
    const tries = server.requestsFor('/Debian/all.zip');
    assert.deepEqual(
      tries.map((t) => [t.status, t.range]),
      [
        [200, null],
        [206, 'bytes=1500-'],
      ],
    );
    assert.deepEqual(fixedOf(store, 'pkg5'), ['1.5-1+deb12u1']);
    assert.equal(store.affectedFor('Debian', 'pkg1').length, 2);

    server.faults.length = 0;
    server.log.length = 0;
    const rerun = await updateDatabase(db, options({ ecosystems: ['Debian'], deltaLimit: 0 }));
    assert.equal(rerun.results[0]!.action, 'full');
    assert.equal(rerun.results[0]!.updated, 1);
    const resumed = server.requestsFor('/Debian/all.zip');
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]!.status, 206);
    assert.equal(resumed[0]!.range, 'bytes=3000-');
    assert.ok(resumed[0]!.ifRange);
    assert.deepEqual(fixedOf(store, 'pkg5'), ['5.5-5']);
  });

  test('timeouts, 429 with Retry-After, offline, and an ecosystem the source lacks', async () => {
    const { server, db, options, mirrorDir, warnings } = await setup();
    server.faults.push({ path: '/ecosystems.txt', kind: 'hang', times: 1 });
    await assert.rejects(
      updateDatabase(db, options({ timeoutMs: 300, retries: 0 })),
      (e) =>
        e instanceof ShipshapeError &&
        e.code === 'NETWORK' &&
        e.message === `GET ${server.url}/ecosystems.txt: no response within 0.3 s`,
    );
    server.faults.push({ path: '/npm/all.zip', kind: '429', times: 1 });
    server.log.length = 0;
    const s = await updateDatabase(db, options({ ecosystems: ['npm'] }));
    assert.equal(s.results[0]!.action, 'full');
    assert.deepEqual(
      server.requestsFor('/npm/all.zip').map((l) => l.status),
      [429, 200],
    );
    await assert.rejects(
      updateDatabase(db, options({ offline: true })),
      (e) => e instanceof ShipshapeError && e.code === 'BAD_ARGUMENT' && /--offline/.test(e.message),
    );
    rmSync(join(mirrorDir, 'Alpine', 'all.zip'));
    const missing = await updateDatabase(db, options({ ecosystems: ['Alpine', 'Wolfi'] }));
    assert.deepEqual(
      missing.results.map((r) => [r.unit, r.action]),
      [['Alpine', 'skipped']],
    );
    assert.deepEqual(missing.notPublished, ['Wolfi']);
    assert.match(warnings.join('\n'), /skipped: Wolfi/);
    await assert.rejects(
      updateDatabase(db, options({ ecosystems: ['../etc'] })),
      (e) => e instanceof ShipshapeError && e.code === 'BAD_ARGUMENT',
    );
  });

  test('one update per source at a time; a stale lock is taken over', async () => {
    const { server, db, options, dir } = await setup();
    const stageRoot = join(
      dir,
      'staging',
      createHash('sha256').update(server.url).digest('hex').slice(0, 16),
    );
    mkdirSync(stageRoot, { recursive: true });
    writeFileSync(join(stageRoot, '.lock'), String(process.pid));
    await assert.rejects(
      updateDatabase(db, options({ ecosystems: ['npm'] })),
      (e) => e instanceof ShipshapeError && /another db update \(pid \d+\)/.test(e.message),
    );
    writeFileSync(join(stageRoot, '.lock'), '999999999');
    const s = await updateDatabase(db, options({ ecosystems: ['npm'] }));
    assert.equal(s.results[0]!.action, 'full');
    assert.ok(!existsSync(join(stageRoot, '.lock')));
  });

  test('a local mirror folder as the source, with and without per-record files', async () => {
    const { db, store, options, mirror, mirrorDir } = await setup();
    writeMirror(mirrorDir, mirror, { perRecordFiles: false });
    const first = await updateDatabase(db, options({ source: mirrorDir }));
    assert.ok(first.results.every((r) => r.action === 'full' && r.requests === 0));
    assert.equal(store.state('PyPI')!.source, mirrorDir);
    replace(mirror, 'PyPI', pypi(2, 0).id, (r) => ({ ...r, modified: time(20), summary: 'changed' }));
    writeMirror(mirrorDir, mirror, { perRecordFiles: false });
    const second = await updateDatabase(db, options({ source: mirrorDir, ecosystems: ['PyPI', 'npm'] }));
    assert.deepEqual(
      second.results.map((r) => [r.unit, r.action, r.updated]),
      [
        ['PyPI', 'full', 1],
        ['npm', 'unchanged', 0],
      ],
    );
    assert.equal(store.advisoryInfo(pypi(2, 0).id)!.summary, 'changed');
    replace(mirror, 'PyPI', pypi(3, 0).id, (r) => ({ ...r, modified: time(21), summary: 'again' }));
    writeMirror(mirrorDir, mirror, { perRecordFiles: true });
    const third = await updateDatabase(db, options({ source: mirrorDir, ecosystems: ['PyPI'] }));
    assert.deepEqual([third.results[0]!.action, third.results[0]!.updated], ['delta', 1]);
    assert.equal(store.advisoryInfo(pypi(3, 0).id)!.summary, 'again');
  });
});
