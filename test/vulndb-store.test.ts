/**
 * The vulnerability store: validation of OSV records, upsert by `modified`, withdrawn records,
 * lookups by (ecosystem base, normalised name) across release suffixes, the stored record.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDatabase } from '../src/store/sqlite.js';
import { ecosystemBase, normalizePackageName } from '../src/vulndb/ecosystem.js';
import { parseModifiedLine } from '../src/vulndb/modified-csv.js';
import { parseOsvBytes, parseOsvValue } from '../src/vulndb/schema.js';
import { VulnStore } from '../src/vulndb/store.js';
import { compareTimestamps } from '../src/vulndb/timestamp.js';
import type { OsvRecord } from '../src/vulndb/types.js';
import { VulnWriter } from '../src/vulndb/writer.js';
import { debian, npm, pypi, time } from './support/osv-fixtures.js';
import { tempDir } from './support/tmp.js';

function fresh() {
  const db = openDatabase(join(tempDir('shipshape-vulndb-'), 'db.sqlite'));
  const writer = new VulnWriter(db);
  const store = new VulnStore(db);
  const put = (...records: OsvRecord[]) => {
    writer.begin();
    const out = records.map((r) => writer.upsert(r));
    writer.commit();
    return out;
  };
  return { db, writer, store, put };
}

describe('vulndb: names and timestamps', () => {
  test('ecosystem base strips release suffixes', () => {
    assert.equal(ecosystemBase('Debian:12'), 'Debian');
    assert.equal(ecosystemBase('Ubuntu:22.04:LTS'), 'Ubuntu');
    assert.equal(ecosystemBase('Alpine:v3.18'), 'Alpine');
    assert.equal(ecosystemBase('Red Hat:enterprise_linux:9::appstream'), 'Red Hat');
    assert.equal(ecosystemBase('crates.io'), 'crates.io');
  });

  test('PyPI names are PEP 503 normalised, NuGet and Packagist folded, others kept', () => {
    assert.equal(normalizePackageName('PyPI', 'Py_Pkg.1'), 'py-pkg-1');
    assert.equal(normalizePackageName('PyPI', 'zope.interface'), 'zope-interface');
    assert.equal(normalizePackageName('PyPI', 'A__b--C'), 'a-b-c');
    assert.equal(normalizePackageName('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
    assert.equal(normalizePackageName('Packagist', 'Symfony/HTTP-Kernel'), 'symfony/http-kernel');
    assert.equal(normalizePackageName('Go', 'github.com/BurntSushi/toml'), 'github.com/BurntSushi/toml');
    assert.equal(normalizePackageName('Maven', 'org.Apache:Foo_Bar'), 'org.Apache:Foo_Bar');
  });

  test('timestamps compare below the millisecond, year 1 included', () => {
    assert.ok(compareTimestamps('2024-10-10T17:22:00.587279Z', '2024-10-10T17:22:00.587278Z') > 0);
    assert.ok(compareTimestamps('2024-10-10T17:22:00.5872Z', '2024-10-10T17:22:00.58719Z') > 0);
    assert.equal(compareTimestamps('2024-10-10T19:22:00+02:00', '2024-10-10T17:22:00Z'), 0);
    assert.ok(compareTimestamps('0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z') < 0);
    assert.ok(compareTimestamps('garbage', '0001-01-01T00:00:00Z') < 0);
  });

  test('modified_id.csv lines, per ecosystem and bucket-wide', () => {
    assert.deepEqual(parseModifiedLine('2024-10-10T17:22:00.587279Z,PYSEC-2024-104'), {
      modified: '2024-10-10T17:22:00.587279Z',
      id: 'PYSEC-2024-104',
    });
    assert.deepEqual(parseModifiedLine('2026-08-21T12:56:10Z,AlmaLinux/ALSA-2026:55775'), {
      modified: '2026-08-21T12:56:10Z',
      id: 'ALSA-2026:55775',
    });
    assert.equal(parseModifiedLine('not a line'), null);
    assert.equal(parseModifiedLine('2024-01-01T00:00:00Z,../../etc/passwd'), null);
    assert.equal(parseModifiedLine('yesterday,GHSA-1'), null);
  });
});

describe('vulndb: record validation', () => {
  test('real-looking records pass and keep unknown fields', () => {
    const r = parseOsvValue({ ...debian(1, 3), x_extra: { kept: true } });
    assert.ok(r.ok);
    assert.deepEqual((r.record as unknown as Record<string, unknown>).x_extra, { kept: true });
  });

  test('bad records are rejected with a reason and the id when there is one', () => {
    const cases: [unknown, RegExp][] = [
      [{ id: 'X-1' }, /modified/],
      [{ id: 'X-1', modified: 'yesterday' }, /RFC 3339/],
      [{ id: '../../x', modified: time(1) }, /valid OSV id/],
      [{ id: 'X-1', modified: time(1), affected: [{ package: { ecosystem: 'npm' } }] }, /name/],
      [{ id: 'X-1', modified: time(1), affected: [{ ranges: [{ type: 'WEIRD', events: [] }] }] }, /type/],
      [{ id: 'X-1', modified: time(1), summary: 'x'.repeat(100_000) }, /summary/],
      [[1, 2], /object/],
    ];
    for (const [value, reason] of cases) {
      const r = parseOsvValue(value);
      assert.equal(r.ok, false, JSON.stringify(value).slice(0, 80));
      if (!r.ok) assert.match(r.reason, reason);
    }
    const bad = parseOsvBytes(Buffer.from('{"id": "X-1", '));
    assert.ok(!bad.ok && /invalid JSON/.test(bad.reason));
    const notUtf8 = parseOsvBytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    assert.ok(!notUtf8.ok && /UTF-8/.test(notUtf8.reason));
    const named = parseOsvValue({ id: 'GHSA-xxxx', modified: 5 });
    assert.ok(!named.ok && named.id === 'GHSA-xxxx');
  });
});

describe('vulndb: store', () => {
  test('lookups by ecosystem base return every release, with the full ecosystem string', () => {
    const { store, put } = fresh();
    assert.ok(store.isEmpty());
    put(debian(1, 3, 'openssl'), debian(2, 3, 'curl'));
    const rows = store.affectedFor('Debian', 'openssl');
    assert.deepEqual(rows.map((r) => r.ecosystem).sort(), ['Debian:11', 'Debian:12']);
    const r12 = rows.find((r) => r.ecosystem === 'Debian:12')!;
    assert.equal(r12.advisoryId, 'DEBIAN-CVE-2024-1001');
    assert.equal(r12.ecosystemBase, 'Debian');
    assert.equal(r12.name, 'openssl');
    assert.deepEqual(r12.ranges, [
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1-1+deb12u1' }] },
    ]);
    assert.deepEqual(r12.versions, []);
    assert.deepEqual(r12.ecosystemSpecific, { urgency: 'medium' });
    assert.equal(r12.purl, 'pkg:deb/debian/openssl?arch=source');
    assert.deepEqual(r12.affected.package, {
      ecosystem: 'Debian:12',
      name: 'openssl',
      purl: 'pkg:deb/debian/openssl?arch=source',
    });
    assert.deepEqual(r12.affected.ranges, r12.ranges);
    // a full ecosystem string works as well as the base
    assert.equal(store.affectedFor('Debian:12', 'openssl').length, 2);
    assert.deepEqual(store.affectedFor('Debian', 'OpenSSL'), []);
    assert.deepEqual(store.affectedFor('Ubuntu', 'openssl'), []);
    assert.ok(!store.isEmpty());
  });

  test('PyPI lookups are by normalised name; versions[] and GIT ranges are kept', () => {
    const { store, put } = fresh();
    put(pypi(3, 4));
    for (const spelling of ['Py_Pkg.3', 'py-pkg-3', 'PY.PKG_3']) {
      const rows = store.affectedFor('PyPI', spelling);
      assert.equal(rows.length, 1, spelling);
      assert.equal(rows[0]!.name, 'Py_Pkg.3');
      assert.equal(rows[0]!.normalizedName, 'py-pkg-3');
      assert.deepEqual(rows[0]!.versions, ['3.0.0', '3.0.0rc1']);
      assert.deepEqual(
        rows[0]!.ranges.map((r) => r.type),
        ['ECOSYSTEM', 'GIT'],
      );
    }
  });

  test('the full record round-trips; advisoryInfo gives the columns without it', () => {
    const { store, put } = fresh();
    const rec = pypi(5, 6);
    put(rec);
    assert.deepEqual(store.advisory(rec.id), rec);
    assert.deepEqual(store.record(rec.id), rec);
    assert.equal(store.advisory('NOPE-1'), null);
    assert.deepEqual(store.advisoryInfo(rec.id), {
      id: rec.id,
      modified: rec.modified,
      published: rec.published,
      withdrawn: null,
      aliases: rec.aliases,
      summary: rec.summary,
      severity: rec.severity,
      databaseSpecific: { source: 'fixture' },
    });
  });

  test('upsert replaces only with a newer modified, and replaces the affected rows', () => {
    const { store, put } = fresh();
    const v1 = npm(1, 4);
    assert.deepEqual(put(v1), ['inserted']);
    assert.deepEqual(put(v1), ['unchanged']);
    const older = { ...v1, modified: time(2), summary: 'older' };
    assert.deepEqual(put(older), ['unchanged']);
    assert.equal(store.advisoryInfo(v1.id)!.summary, v1.summary);
    const v2: OsvRecord = {
      ...v1,
      modified: time(4, '.000001'),
      summary: 'moved',
      affected: [{ package: { ecosystem: 'npm', name: 'other-pkg' }, versions: ['1.0.0'] }],
    };
    assert.deepEqual(put(v2), ['updated']);
    assert.equal(store.advisoryInfo(v1.id)!.summary, 'moved');
    assert.deepEqual(store.affectedFor('npm', 'npm-pkg-1'), []);
    assert.equal(store.affectedFor('npm', 'other-pkg').length, 1);
  });

  test('withdrawn advisories are kept and flagged; lookups skip them unless asked', () => {
    const { store, put } = fresh();
    const rec = debian(7, 3, 'zlib');
    put(rec);
    assert.equal(store.affectedFor('Debian', 'zlib').length, 2);
    put({ ...rec, modified: time(8), withdrawn: time(8) });
    assert.deepEqual(store.affectedFor('Debian', 'zlib'), []);
    const all = store.affectedFor('Debian', 'zlib', { includeWithdrawn: true });
    assert.equal(all.length, 2);
    assert.ok(all.every((r) => r.withdrawn));
    assert.equal(store.advisory(rec.id)!.withdrawn, time(8));
    assert.deepEqual(store.totals(), { advisories: 1, withdrawn: 1 });
  });

  test('a rolled-back transaction leaves nothing behind', () => {
    const { store, writer } = fresh();
    writer.begin();
    writer.upsert(npm(2, 4));
    writer.rollback();
    assert.ok(store.isEmpty());
    assert.deepEqual(store.affectedFor('npm', 'npm-pkg-2'), []);
  });

  test('prune deletes what a full snapshot lost, unless another ecosystem still has it', () => {
    const { store, writer, put } = fresh();
    const shared: OsvRecord = {
      id: 'GHSA-shar-ed00-0001',
      modified: time(3),
      affected: [
        { package: { ecosystem: 'npm', name: 'a' }, versions: ['1'] },
        { package: { ecosystem: 'PyPI', name: 'a' }, versions: ['1'] },
      ],
    };
    put(npm(1, 4), npm(2, 4), shared);
    writer.begin();
    assert.equal(writer.prune('npm', new Set([npm(1, 4).id])), 1);
    writer.commit();
    assert.ok(store.advisory(npm(1, 4).id));
    assert.equal(store.advisory(npm(2, 4).id), null);
    assert.ok(store.advisory(shared.id));
  });
});

describe('vulndb: read snapshots', () => {
  test('a synchronous run of lookups shares one read transaction, ended on the next turn', async () => {
    const { db, store, writer, put } = fresh();
    put(npm(1, 4));
    assert.equal(store.affectedFor('npm', 'npm-pkg-1').length, 1);
    assert.ok(db.inTransaction);
    // a writer on the same connection in the same turn ends the snapshot first
    writer.begin();
    writer.upsert(npm(2, 4));
    writer.commit();
    assert.equal(store.affectedFor('npm', 'npm-pkg-2').length, 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(db.inTransaction, false);
    // a second connection's commit is seen from the next turn on
    const other = openDatabase(db.name);
    const w2 = new VulnWriter(other);
    w2.begin();
    w2.upsert(npm(3, 4));
    w2.commit();
    other.close();
    assert.equal(store.affectedFor('npm', 'npm-pkg-3').length, 1);
    store.close();
  });
});
