/**
 * The read side of the vulnerability database: what the matcher and `db status` use.
 *
 * Affected packages are indexed by (ecosystem base, normalised name): `affectedFor('Debian',
 * 'openssl')` returns the rows of every `Debian:*` release, each with its full ecosystem string
 * for the matcher to compare with the detected release. Statements are prepared once; a lookup
 * is one index range scan.
 *
 * Read snapshots: in WAL mode every statement outside a transaction opens and closes its own
 * read transaction, which costs more than the lookup itself (about 10× here). So the first
 * lookup of a synchronous run (the matcher's loop over an inventory) opens one read
 * transaction on the connection, and it is committed on the next turn of the event loop: the
 * whole run reads one consistent snapshot at a few microseconds a lookup. `VulnWriter.begin()`
 * ends such a snapshot first, so a writer on the same connection is never blocked by it.
 */
import { defaultDbPath, openDatabase, type Db } from '../store/sqlite.js';
import { decodeRecord } from './codec.js';
import { ecosystemBase as baseOf, normalizePackageName } from './ecosystem.js';
import type { OsvAffected, OsvRange, OsvRecord, OsvSeverity } from './types.js';

/**
 * One `affected[]` entry of an advisory, as the matcher needs it. The JSON-derived fields
 * (`affected`, `ranges`, `versions`, ...) are parsed on first access.
 */
export interface AffectedRow {
  readonly advisoryId: string;
  /** Position of this entry in the advisory's `affected[]`. */
  readonly index: number;
  /** The full OSV ecosystem string: `Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04:LTS`, `npm`. */
  readonly ecosystem: string;
  /** The part before the first `:`: `Debian`, `Alpine`, `Ubuntu`, `npm`. */
  readonly ecosystemBase: string;
  /** The package name exactly as the advisory spells it. */
  readonly name: string;
  /** The key it is stored under (see `normalizePackageName`). */
  readonly normalizedName: string;
  readonly purl: string | null;
  /** `ranges[]` as in the record (ECOSYSTEM, SEMVER and GIT); [] when it has none. */
  readonly ranges: OsvRange[];
  /** `versions[]` as in the record; [] when it has none. */
  readonly versions: string[];
  /** The entry's own `severity[]` (some sources rate per package); [] when none. */
  readonly severity: OsvSeverity[];
  readonly ecosystemSpecific: Record<string, unknown> | null;
  readonly databaseSpecific: Record<string, unknown> | null;
  /** True when the advisory is withdrawn (only returned with `includeWithdrawn`). */
  readonly withdrawn: boolean;
  /** The same entry in OSV shape (`package`, `ranges`, `versions`, ... as in the record). */
  readonly affected: OsvAffected;
}

/** The advisory-level columns, without inflating the stored record. */
export interface AdvisoryInfo {
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  aliases: string[];
  summary: string | null;
  severity: OsvSeverity[];
  databaseSpecific: Record<string, unknown> | null;
}

/** What `db update` / `db import` last did for one ecosystem. */
export interface EcosystemState {
  ecosystem: string;
  /** Base URL or directory of an update, or the imported path. */
  source: string;
  mode: 'update' | 'import';
  /** When the last update or import of this ecosystem committed (ISO 8601). */
  updatedAt: string;
  /** Newest `modified` applied by `db update`: where the next delta starts. */
  lastModified: string | null;
  /** ETag (remote) or size and mtime (local) of the last all.zip applied. */
  fullTag: string | null;
  advisories: number;
  withdrawn: number;
}

/** advisory_id, idx, ecosystem_full, package_name (when not the normalised name), withdrawn, entry */
type AffectedDbRow = [string, number, string, string | null, number, string];

interface AdvisoryDbRow {
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  aliases: string;
  summary: string | null;
  severity: string | null;
  database_specific: string | null;
}

interface StateDbRow {
  ecosystem: string;
  source: string;
  mode: string;
  updated_at: string;
  last_modified: string | null;
  full_tag: string | null;
  advisories: number;
  withdrawn: number;
}

/** Connections on which a VulnStore holds an automatic read snapshot. */
const snapshots = new WeakMap<Db, { open: boolean }>();

/** Ends the read snapshot a VulnStore opened on this connection, if one is open. */
export function endReadSnapshot(db: Db): void {
  const s = snapshots.get(db);
  if (!s?.open) return;
  s.open = false;
  if (db.inTransaction && db.open) db.exec('COMMIT');
}

/** Opens a read snapshot for the rest of this event-loop turn, unless a transaction is open. */
function readSnapshot(db: Db): void {
  if (db.inTransaction) return;
  let s = snapshots.get(db);
  if (!s) snapshots.set(db, (s = { open: false }));
  db.exec('BEGIN');
  s.open = true;
  setImmediate(() => endReadSnapshot(db));
}

const AFFECTED_COLUMNS = 'advisory_id, idx, ecosystem_full, package_name, withdrawn, entry';

function json<T>(text: string | null, empty: T): T {
  return text === null ? empty : (JSON.parse(text) as T);
}

/**
 * An affected row whose JSON is parsed on first use: the matcher skips most rows on the
 * ecosystem string alone (another release), and those never cost a parse.
 */
class StoredAffected implements AffectedRow {
  readonly advisoryId: string;
  readonly index: number;
  readonly ecosystem: string;
  readonly ecosystemBase: string;
  readonly name: string;
  readonly normalizedName: string;
  readonly withdrawn: boolean;
  #json: string;
  #entry: OsvAffected | null = null;

  constructor(base: string, normalized: string, r: AffectedDbRow) {
    this.advisoryId = r[0];
    this.index = r[1];
    this.ecosystem = r[2];
    this.ecosystemBase = base;
    this.name = r[3] ?? normalized;
    this.normalizedName = normalized;
    this.withdrawn = r[4] !== 0;
    this.#json = r[5];
  }

  get affected(): OsvAffected {
    if (!this.#entry) {
      const { package: rest, ...entry } = JSON.parse(this.#json) as OsvAffected;
      this.#entry = { package: { ecosystem: this.ecosystem, name: this.name, ...rest }, ...entry };
    }
    return this.#entry;
  }
  get purl(): string | null {
    return this.affected.package?.purl ?? null;
  }
  get ranges(): OsvRange[] {
    return this.affected.ranges ?? [];
  }
  get versions(): string[] {
    return this.affected.versions ?? [];
  }
  get severity(): OsvSeverity[] {
    return this.affected.severity ?? [];
  }
  get ecosystemSpecific(): Record<string, unknown> | null {
    return this.affected.ecosystem_specific ?? null;
  }
  get databaseSpecific(): Record<string, unknown> | null {
    return this.affected.database_specific ?? null;
  }

  toJSON(): object {
    const { advisoryId, index, ecosystem, ecosystemBase, name, normalizedName, purl, withdrawn, affected } =
      this;
    return { advisoryId, index, ecosystem, ecosystemBase, name, normalizedName, purl, withdrawn, affected };
  }
}

export function toState(r: StateDbRow): EcosystemState {
  return {
    ecosystem: r.ecosystem,
    source: r.source,
    mode: r.mode === 'update' ? 'update' : 'import',
    updatedAt: r.updated_at,
    lastModified: r.last_modified,
    fullTag: r.full_tag,
    advisories: r.advisories,
    withdrawn: r.withdrawn,
  };
}

export class VulnStore {
  readonly db: Db;
  private readonly owned: boolean;
  private readonly qAffected;
  private readonly qAffectedAll;
  private readonly qRecord;
  private readonly qInfo;
  private readonly qState;
  private readonly qStates;

  /** Wraps an open database (migrated by `openDatabase`); `close()` then leaves it open. */
  constructor(db: Db, options: { owned?: boolean } = {}) {
    this.db = db;
    this.owned = options.owned ?? false;
    this.qAffected = db
      .prepare<[string, string], AffectedDbRow>(
        `SELECT ${AFFECTED_COLUMNS} FROM vuln_affected WHERE ecosystem = ? AND name = ? AND withdrawn = 0`,
      )
      .raw(true);
    this.qAffectedAll = db
      .prepare<[string, string], AffectedDbRow>(
        `SELECT ${AFFECTED_COLUMNS} FROM vuln_affected WHERE ecosystem = ? AND name = ?`,
      )
      .raw(true);
    this.qRecord = db.prepare<[string], { record: Buffer }>('SELECT record FROM vuln_advisory WHERE id = ?');
    this.qInfo = db.prepare<[string], AdvisoryDbRow>(
      'SELECT id, modified, published, withdrawn, aliases, summary, severity, database_specific ' +
        'FROM vuln_advisory WHERE id = ?',
    );
    this.qState = db.prepare<[string], StateDbRow>('SELECT * FROM vuln_state WHERE ecosystem = ?');
    this.qStates = db.prepare<[], StateDbRow>('SELECT * FROM vuln_state ORDER BY ecosystem');
  }

  /** Opens (creating and migrating if needed) the database at `path` (default: `--db` default). */
  static open(path: string = defaultDbPath()): VulnStore {
    return new VulnStore(openDatabase(path), { owned: true });
  }

  /**
   * Every affected entry for a package in an ecosystem, all releases of it. `ecosystem` may be
   * a base (`Debian`) or a full string (`Debian:12`; only its base is used); `name` is
   * normalised here, so pass it as the package manager spells it. Withdrawn advisories are
   * left out unless `includeWithdrawn`.
   */
  affectedFor(ecosystem: string, name: string, options: { includeWithdrawn?: boolean } = {}): AffectedRow[] {
    const base = baseOf(ecosystem);
    const q = options.includeWithdrawn ? this.qAffectedAll : this.qAffected;
    readSnapshot(this.db);
    const normalized = normalizePackageName(base, name);
    return q.all(base, normalized).map((r) => new StoredAffected(base, normalized, r));
  }

  /** The full stored OSV record (withdrawn ones included), or null. */
  advisory(id: string): OsvRecord | null {
    readSnapshot(this.db);
    const row = this.qRecord.get(id);
    return row ? decodeRecord(row.record) : null;
  }

  /** The same as `advisory` (the name the matcher's `AdvisoryLookup` uses). */
  record(id: string): OsvRecord | null {
    return this.advisory(id);
  }

  /** Id, dates, aliases, summary and severity of an advisory, without the full record. */
  advisoryInfo(id: string): AdvisoryInfo | null {
    readSnapshot(this.db);
    const r = this.qInfo.get(id);
    if (!r) return null;
    return {
      id: r.id,
      modified: r.modified,
      published: r.published,
      withdrawn: r.withdrawn,
      aliases: json<string[]>(r.aliases, []),
      summary: r.summary,
      severity: json<OsvSeverity[]>(r.severity, []),
      databaseSpecific: json<Record<string, unknown> | null>(r.database_specific, null),
    };
  }

  /** Per-ecosystem update/import state, sorted by ecosystem. */
  states(): EcosystemState[] {
    return this.qStates.all().map(toState);
  }

  state(ecosystem: string): EcosystemState | null {
    const r = this.qState.get(ecosystem);
    return r ? toState(r) : null;
  }

  /** Advisories stored, and how many of them are withdrawn. */
  totals(): { advisories: number; withdrawn: number } {
    const r = this.db
      .prepare<[], { n: number; w: number | null }>(
        'SELECT COUNT(*) AS n, SUM(withdrawn IS NOT NULL) AS w FROM vuln_advisory',
      )
      .get();
    return { advisories: r?.n ?? 0, withdrawn: r?.w ?? 0 };
  }

  /** True when nothing was ever imported: a scan should say so rather than report "clean". */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM vuln_advisory LIMIT 1').get() === undefined;
  }

  close(): void {
    endReadSnapshot(this.db);
    if (this.owned) this.db.close();
  }
}
