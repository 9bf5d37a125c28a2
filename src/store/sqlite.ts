/**
 * The embedded store: one SQLite file (WAL) holding caches and results. Schema changes are
 * numbered migrations applied in order, tracked with `PRAGMA user_version`.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { ShipshapeError } from '../errors.js';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE layer_facts (
     diff_id TEXT NOT NULL,
     analyzers TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     facts TEXT NOT NULL,
     PRIMARY KEY (diff_id, analyzers)
   );
   CREATE TABLE blob_diff_id (
     blob_digest TEXT PRIMARY KEY,
     diff_id TEXT NOT NULL
   );
   CREATE TABLE verified_local_blob (
     identity TEXT PRIMARY KEY,
     digest TEXT NOT NULL,
     verified_at INTEGER NOT NULL
   );`,
  // 2: the OSV vulnerability database (src/vulndb/; docs/vulnerability-db.md).
  `CREATE TABLE vuln_advisory (
     id TEXT NOT NULL UNIQUE,
     modified TEXT NOT NULL,
     published TEXT,
     withdrawn TEXT,
     aliases TEXT NOT NULL,
     summary TEXT,
     severity TEXT,
     database_specific TEXT,
     record BLOB NOT NULL
   );
   CREATE TABLE vuln_affected (
     ecosystem TEXT NOT NULL,
     name TEXT NOT NULL,
     advisory_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     ecosystem_full TEXT NOT NULL,
     package_name TEXT,
     withdrawn INTEGER NOT NULL,
     entry TEXT NOT NULL,
     PRIMARY KEY (ecosystem, name, advisory_id, idx)
   ) WITHOUT ROWID;
   CREATE INDEX vuln_affected_advisory ON vuln_affected (advisory_id);
   CREATE TABLE vuln_state (
     ecosystem TEXT PRIMARY KEY,
     source TEXT NOT NULL,
     mode TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     last_modified TEXT,
     full_tag TEXT,
     advisories INTEGER NOT NULL DEFAULT 0,
     withdrawn INTEGER NOT NULL DEFAULT 0
   );`,
  // 3: the known-bad hash deny-list (src/threats-db/; `shipshape db import-hashes`).
  `CREATE TABLE denied_hashes (
     sha256 TEXT PRIMARY KEY,
     name TEXT,
     source TEXT NOT NULL,
     added TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX denied_hashes_source ON denied_hashes (source);`,
];

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHIPSHAPE_DB) return env.SHIPSHAPE_DB;
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'shipshape', 'shipshape.db');
}

export function openDatabase(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (e) {
    throw new ShipshapeError('BAD_ARGUMENT', `cannot open database ${path}: ${(e as Error).message}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Matching looks advisories up at random across a file of hundreds of MB; SQLite's default
  // 2 MB page cache re-reads the same index pages thousands of times. 64 MB is a ceiling the
  // cache grows into only when a scan needs it.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new ShipshapeError(
      'UNSUPPORTED',
      `database schema ${current} is newer than this shipshape understands`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
