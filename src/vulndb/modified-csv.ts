/**
 * osv.dev's `modified_id.csv`: one `<modified RFC 3339>,<id>` a line, newest first. The
 * bucket-wide file at the root writes `<Ecosystem>/<id>`; the per-ecosystem one just `<id>`.
 */
import { isSafeEcosystemName } from './ecosystem.js';
import { isValidOsvId } from './schema.js';
import { isTimestamp } from './timestamp.js';

export interface ModifiedEntry {
  modified: string;
  id: string;
}

/** A parsed line, or null when it is malformed (or names an unusable id). */
export function parseModifiedLine(line: string): ModifiedEntry | null {
  const comma = line.indexOf(',');
  if (comma <= 0) return null;
  const modified = line.slice(0, comma).trim();
  const parts = line
    .slice(comma + 1)
    .trim()
    .split('/');
  if (parts.length > 2 || (parts.length === 2 && !isSafeEcosystemName(parts[0]!))) return null;
  const id = parts[parts.length - 1]!;
  if (!isTimestamp(modified) || !isValidOsvId(id)) return null;
  return { modified, id };
}
