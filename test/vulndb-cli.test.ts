/**
 * `shipshape db import | update | status` run as a user runs them: the CLI in a child process,
 * against a fixture zip and a fixture mirror served on loopback. Exit codes and one-line errors
 * as in the contract.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from './support/cli.js';
import { fixtureMirror, writeMirror } from './support/osv-fixtures.js';
import { startOsvServer } from './support/osv-server.js';
import { tempDir } from './support/tmp.js';
import { zipBuffer } from './support/zip-writer.js';

describe('vulndb: db commands through the CLI', () => {
  test('import, then status as JSON and as a table with the age warning', async () => {
    const dir = tempDir('shipshape-vulndb-cli-');
    const db = join(dir, 'db.sqlite');
    const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), SHIPSHAPE_DB: '' };
    const mirror = fixtureMirror();
    const zip = join(dir, 'all.zip');
    writeFileSync(
      zip,
      zipBuffer([
        ...[...mirror.Debian!, ...mirror.npm!].map((r) => ({
          name: `${r.id}.json`,
          data: JSON.stringify(r),
        })),
        { name: 'bad.json', data: '{nope' },
      ]),
    );
    const imp = await runCli(['db', 'import', zip, '--db', db], env);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /Imported\s+.*all\.zip \(zip\)/);
    assert.match(imp.stderr, /^warning: .*all\.zip: bad\.json: skipped: invalid JSON/m);

    const status = await runCli(['db', 'status', '--db', db, '--format', 'json'], env);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.advisories, 20);
    assert.equal(s.withdrawn, 1);
    assert.deepEqual(
      s.ecosystems.map((e: { ecosystem: string; advisories: number; mode: string }) => [
        e.ecosystem,
        e.advisories,
        e.mode,
      ]),
      [
        ['Debian', 12, 'import'],
        ['npm', 8, 'import'],
      ],
    );
    assert.ok(s.warnings.some((w: string) => /1 withdrawn/.test(w)));

    const raw = new Database(db);
    raw
      .prepare("UPDATE vuln_state SET updated_at = ? WHERE ecosystem = 'Debian'")
      .run(new Date(Date.now() - 10 * 86_400_000).toISOString());
    raw.close();
    const table = await runCli(['db', 'status', '--db', db], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /Advisories\s+20 \(1 withdrawn\)/);
    assert.match(table.stdout, /Debian.*10 d ago\) STALE/);
    assert.match(table.stdout, /warning: Debian last updated more than 7 days ago/);
  });

  test('update from a loopback mirror; a failing source is one line naming the URL, exit 2', async () => {
    const dir = tempDir('shipshape-vulndb-cli-');
    const db = join(dir, 'db.sqlite');
    const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), SHIPSHAPE_DB: db };
    writeMirror(join(dir, 'mirror'), fixtureMirror());
    const server = await startOsvServer(join(dir, 'mirror'));
    after(() => server.close());

    const ok = await runCli(
      ['db', 'update', '--source', server.url, '--ecosystem', 'npm,PyPI', '--format', 'json'],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout);
    assert.deepEqual(
      summary.results.map((r: { unit: string; action: string; inserted: number }) => [
        r.unit,
        r.action,
        r.inserted,
      ]),
      [
        ['npm', 'full', 8],
        ['PyPI', 'full', 12],
      ],
    );
    assert.equal(ok.stderr, ''); // not a terminal: no progress bar

    server.faults.push({ path: '/Debian/all.zip', kind: '500' });
    const failed = await runCli(
      ['db', 'update', '--source', server.url, '--ecosystem', 'Debian', '--retries', '0'],
      env,
    );
    assert.equal(failed.code, 2);
    assert.equal(
      failed.stderr,
      `shipshape: db update: Debian: GET ${server.url}/Debian/all.zip: HTTP 500 Internal Server Error\n`,
    );
    assert.match(failed.stdout, /Debian.*failed/);

    assert.ok(server.log.every((l) => l.path.startsWith('/')));
  });
});
