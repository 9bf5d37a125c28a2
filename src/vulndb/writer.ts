/**
 * The write side: upserts validated records inside one explicit transaction per unit of work
 * (one ecosystem of an update, one `db import` source). Readers on other connections keep
 * seeing the previous state until `commit()` (SQLite WAL); a crash or `rollback()` before it
 * leaves the previous database untouched.
 *
 * A record replaces the stored one only when its `modified` is newer. Withdrawn records are
 * stored and their affected rows flagged, so the matcher skips them.
 */
import type { Db } from '../store/sqlite.js';
import { encodeRecord } from './codec.js';
import { ecosystemBase, normalizePackageName } from './ecosystem.js';
import { endReadSnapshot } from './store.js';
import { compareTimestamps } from './timestamp.js';
import type { OsvAffected, OsvRecord } from './types.js';

export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged';

export interface StateUpdate {
  source: string;
  mode: 'update' | 'import';
  /** Keep the stored value when undefined. */
  lastModified?: string | null;
  fullTag?: string | null;
  updatedAt?: string;
}

function jsonOrNull(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.length === 0) return null;
  return JSON.stringify(v);
}

/**
 * An affected entry as stored: the package's ecosystem and name live in their own columns, so
 * they are left out of the JSON (`package` keeps only what else it has, such as `purl`).
 */
function storedEntry(a: OsvAffected): string {
  const { ecosystem: _e, name: _n, ...restOfPackage } = a.package!;
  const { package: _p, ...rest } = a;
  return JSON.stringify(Object.keys(restOfPackage).length ? { package: restOfPackage, ...rest } : rest);
}

export class VulnWriter {
  private readonly db: Db;
  /** Ecosystem bases whose rows changed in the current transaction (for recounting). */
  readonly touched = new Set<string>();
  private readonly qModified;
  private readonly qBasesOf;
  private readonly qDeleteAffected;
  private readonly qDeleteAdvisory;
  private readonly qInsertAdvisory;
  private readonly qUpdateAdvisory;
  private readonly qInsertAffected;
  private readonly qIdsOfBase;
  private readonly qOtherBases;
  private readonly qCount;
  private readonly qUpsertState;

  constructor(db: Db) {
    this.db = db;
    this.qModified = db.prepare<[string], { modified: string }>(
      'SELECT modified FROM vuln_advisory WHERE id = ?',
    );
    this.qBasesOf = db.prepare<[string], { ecosystem: string }>(
      'SELECT DISTINCT ecosystem FROM vuln_affected WHERE advisory_id = ?',
    );
    this.qDeleteAffected = db.prepare('DELETE FROM vuln_affected WHERE advisory_id = ?');
    this.qDeleteAdvisory = db.prepare('DELETE FROM vuln_advisory WHERE id = ?');
    const cols = 'modified, published, withdrawn, aliases, summary, severity, database_specific, record';
    this.qInsertAdvisory = db.prepare(
      `INSERT INTO vuln_advisory (id, ${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.qUpdateAdvisory = db.prepare(
      'UPDATE vuln_advisory SET modified = ?, published = ?, withdrawn = ?, aliases = ?, summary = ?, ' +
        'severity = ?, database_specific = ?, record = ? WHERE id = ?',
    );
    this.qInsertAffected = db.prepare(
      'INSERT OR REPLACE INTO vuln_affected ' +
        '(ecosystem, name, advisory_id, idx, ecosystem_full, package_name, withdrawn, entry) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.qIdsOfBase = db.prepare<[string], { advisory_id: string }>(
      'SELECT DISTINCT advisory_id FROM vuln_affected WHERE ecosystem = ?',
    );
    this.qOtherBases = db.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM vuln_affected WHERE advisory_id = ? AND ecosystem <> ?',
    );
    this.qCount = db.prepare<[string], { n: number; w: number }>(
      'SELECT COUNT(DISTINCT advisory_id) AS n, COUNT(DISTINCT CASE WHEN withdrawn = 1 THEN advisory_id END) AS w ' +
        'FROM vuln_affected WHERE ecosystem = ?',
    );
    this.qUpsertState = db.prepare(
      'INSERT INTO vuln_state (ecosystem, source, mode, updated_at, last_modified, full_tag, advisories, withdrawn) ' +
        'VALUES (@ecosystem, @source, @mode, @updatedAt, @lastModified, @fullTag, @advisories, @withdrawn) ' +
        'ON CONFLICT (ecosystem) DO UPDATE SET source = excluded.source, mode = excluded.mode, ' +
        'updated_at = excluded.updated_at, last_modified = excluded.last_modified, full_tag = excluded.full_tag, ' +
        'advisories = excluded.advisories, withdrawn = excluded.withdrawn',
    );
  }

  begin(): void {
    endReadSnapshot(this.db);
    // IMMEDIATE: take the write lock now, so a concurrent writer fails here, not mid-import.
    this.db.exec('BEGIN IMMEDIATE');
    this.touched.clear();
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** The stored `modified` of an advisory, or null when it is not stored. */
  storedModified(id: string): string | null {
    return this.qModified.get(id)?.modified ?? null;
  }

  upsert(record: OsvRecord): UpsertOutcome {
    const stored = this.storedModified(record.id);
    if (stored !== null && compareTimestamps(record.modified, stored) <= 0) return 'unchanged';
    const values = [
      record.modified,
      record.published ?? null,
      record.withdrawn ?? null,
      JSON.stringify(record.aliases ?? []),
      record.summary ?? null,
      jsonOrNull(record.severity),
      jsonOrNull(record.database_specific),
      encodeRecord(record),
    ];
    if (stored !== null) {
      for (const r of this.qBasesOf.all(record.id)) this.touched.add(r.ecosystem);
      this.qDeleteAffected.run(record.id);
      this.qUpdateAdvisory.run(...values, record.id);
    } else {
      this.qInsertAdvisory.run(record.id, ...values);
    }
    const withdrawn = record.withdrawn ? 1 : 0;
    (record.affected ?? []).forEach((a, idx) => {
      const pkg = a.package;
      if (!pkg) return;
      const base = ecosystemBase(pkg.ecosystem);
      this.touched.add(base);
      const name = normalizePackageName(base, pkg.name);
      this.qInsertAffected.run(
        base,
        name,
        record.id,
        idx,
        pkg.ecosystem,
        name === pkg.name ? null : pkg.name,
        withdrawn,
        storedEntry(a),
      );
    });
    return stored === null ? 'inserted' : 'updated';
  }

  /**
   * After a full snapshot of one ecosystem: deletes the advisories that affect only that
   * ecosystem and were not in the snapshot (osv.dev removed them). Advisories that also affect
   * another ecosystem stay; that ecosystem's snapshot decides about them.
   */
  prune(base: string, seen: ReadonlySet<string>): number {
    let removed = 0;
    for (const { advisory_id: id } of this.qIdsOfBase.all(base)) {
      if (seen.has(id)) continue;
      if ((this.qOtherBases.get(id, base)?.n ?? 0) > 0) continue;
      this.qDeleteAffected.run(id);
      this.qDeleteAdvisory.run(id);
      removed++;
    }
    if (removed) this.touched.add(base);
    return removed;
  }

  /** Advisories (and withdrawn ones) with at least one affected entry in this ecosystem base. */
  count(base: string): { advisories: number; withdrawn: number } {
    const r = this.qCount.get(base);
    return { advisories: r?.n ?? 0, withdrawn: r?.w ?? 0 };
  }

  /** Writes an ecosystem's state row, with fresh counts. */
  setState(ecosystem: string, s: StateUpdate): void {
    const old = this.db
      .prepare<[string], { last_modified: string | null; full_tag: string | null }>(
        'SELECT last_modified, full_tag FROM vuln_state WHERE ecosystem = ?',
      )
      .get(ecosystem);
    const counts = this.count(ecosystem);
    this.qUpsertState.run({
      ecosystem,
      source: s.source,
      mode: s.mode,
      updatedAt: s.updatedAt ?? new Date().toISOString(),
      lastModified: s.lastModified === undefined ? (old?.last_modified ?? null) : s.lastModified,
      fullTag: s.fullTag === undefined ? (old?.full_tag ?? null) : s.fullTag,
      advisories: counts.advisories,
      withdrawn: counts.withdrawn,
    });
  }

  /** Refreshes the counts of state rows whose ecosystem changed in this transaction. */
  recountTouched(except: ReadonlySet<string> = new Set()): void {
    const upd = this.db.prepare('UPDATE vuln_state SET advisories = ?, withdrawn = ? WHERE ecosystem = ?');
    for (const base of this.touched) {
      if (except.has(base)) continue;
      const c = this.count(base);
      upd.run(c.advisories, c.withdrawn, base);
    }
  }
}
