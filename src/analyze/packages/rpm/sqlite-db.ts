/**
 * rpm's SQLite database (`rpmdb.sqlite`, rpm 4.16+: Fedora 33+, RHEL 9): the header blobs are
 * the `blob` column of table `Packages(hnum, blob)`. The file's bytes are opened as an
 * in-memory, read-only database: nothing touches the disk. The schema is checked before the
 * one query runs, so a hostile file cannot turn `Packages` into a view or a generated column
 * that computes without end.
 */
import Database from 'better-sqlite3';
import type { DbBlobs } from './db-blobs.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

interface ColumnInfo {
  name: string;
  hidden: number;
}

function openInMemory(content: Buffer): Database.Database {
  let bytes = content;
  // rpm writes in WAL mode (bytes 18-19 = 2), which an in-memory copy cannot open; as the
  // write-ahead log is not part of this file, the copy is declared a rollback-journal database.
  if (content[18] === 2 || content[19] === 2) {
    bytes = Buffer.from(content);
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

export function readSqliteRpmdb(content: Buffer, maxPackages: number): DbBlobs {
  const problems: string[] = [];
  const blobs: DbBlobs['blobs'] = [];
  if (content.length < 100 || !content.subarray(0, 16).equals(SQLITE_MAGIC)) {
    return { blobs, problems: ['not an SQLite database'] };
  }
  let db: Database.Database | undefined;
  try {
    db = openInMemory(content);
    db.pragma('trusted_schema = OFF');
    const table = db.prepare("SELECT type, sql FROM sqlite_master WHERE name = 'Packages'").get() as
      { type: string; sql: string | null } | undefined;
    if (!table) return { blobs, problems: ['no Packages table'] };
    if (table.type !== 'table' || /^\s*CREATE\s+VIRTUAL\b/i.test(table.sql ?? '')) {
      return { blobs, problems: [`Packages is a ${table.type}, not a plain table`] };
    }
    const columns = db
      .prepare("SELECT name, hidden FROM pragma_table_xinfo('Packages')")
      .all() as ColumnInfo[];
    const names = new Set(columns.map((c) => c.name.toLowerCase()));
    if (!names.has('hnum') || !names.has('blob'))
      return { blobs, problems: ['Packages has no hnum and blob columns'] };
    if (columns.some((c) => c.hidden !== 0)) return { blobs, problems: ['Packages has generated columns'] };
    const rows = db.prepare('SELECT hnum, blob FROM Packages').raw().iterate() as IterableIterator<
      [unknown, unknown]
    >;
    for (const [hnum, blob] of rows) {
      if (blobs.length >= maxPackages) {
        problems.push(`more than ${maxPackages} packages; the rest are not read`);
        break;
      }
      if (!Buffer.isBuffer(blob)) {
        problems.push(`package ${String(hnum)}: blob is not binary data`);
        continue;
      }
      blobs.push({ id: Number(hnum), blob });
    }
  } catch (err) {
    problems.push(`unreadable SQLite database: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    try {
      db?.close();
    } catch {
      // Closing an in-memory copy cannot lose anything.
    }
  }
  blobs.sort((a, b) => a.id - b.id);
  return { blobs, problems };
}
