/**
 * The known-bad hash deny-list in the shipshape database (table `denied_hashes`, created by a
 * migration in src/store/sqlite.ts). One row per sha256: a hash listed again (by the same feed
 * or another) takes the newer listing's source and, when it gives one, its name.
 */
import type { Db } from '../store/sqlite.js';
import type { DeniedHashEntry } from './parse.js';

export const DENIED_HASHES_TABLE = 'denied_hashes';

export interface DeniedHash {
  sha256: string;
  name: string | null;
  source: string;
  /** ISO time the row was last imported. */
  added: string;
}

export interface DenyListStatus {
  hashes: number;
  sources: { source: string; hashes: number; lastAdded: string }[];
}

/** Writes `entries` in one transaction; returns how many hashes were not listed before. */
export function addDeniedHashes(
  db: Db,
  entries: readonly DeniedHashEntry[],
  source: string,
  added: string,
): number {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM denied_hashes WHERE sha256 = ?');
  const upsert = db.prepare<[string, string | null, string, string]>(
    `INSERT INTO denied_hashes (sha256, name, source, added) VALUES (?, ?, ?, ?)
     ON CONFLICT (sha256) DO UPDATE SET
       name = coalesce(excluded.name, denied_hashes.name),
       source = excluded.source,
       added = excluded.added`,
  );
  let fresh = 0;
  db.transaction(() => {
    for (const e of entries) {
      if (!exists.get(e.sha256)) fresh++;
      upsert.run(e.sha256, e.name ?? null, source, added);
    }
  })();
  return fresh;
}

/** A prepared look-up, for checks that ask about many hashes. */
export function deniedHashLookup(db: Db): (sha256: string) => DeniedHash | undefined {
  const q = db.prepare<[string], DeniedHash>(
    'SELECT sha256, name, source, added FROM denied_hashes WHERE sha256 = ?',
  );
  return (sha256) => q.get(sha256.toLowerCase());
}

export function denyListStatus(db: Db): DenyListStatus {
  const sources = db
    .prepare<[], { source: string; hashes: number; lastAdded: string }>(
      `SELECT source, count(*) AS hashes, max(added) AS lastAdded
       FROM denied_hashes GROUP BY source ORDER BY source`,
    )
    .all();
  return { hashes: sources.reduce((n, s) => n + s.hashes, 0), sources };
}

export function denyListIsEmpty(db: Db): boolean {
  return db.prepare('SELECT 1 FROM denied_hashes LIMIT 1').get() === undefined;
}
