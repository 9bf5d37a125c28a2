/**
 * Where records land during one transaction: validates bytes, upserts, and counts what
 * happened. A record that does not validate is skipped with a warning naming where it came
 * from and its id; it never aborts the transaction.
 */
import { ecosystemBase } from './ecosystem.js';
import { parseOsvBytes } from './schema.js';
import { newestTimestamp } from './timestamp.js';
import type { OsvRecord } from './types.js';
import type { VulnWriter } from './writer.js';

export interface ApplyCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Records skipped because they did not validate (or could not be read). */
  invalid: number;
  /** Withdrawn records among those inserted or updated. */
  withdrawn: number;
}

export function emptyCounts(): ApplyCounts {
  return { inserted: 0, updated: 0, unchanged: 0, invalid: 0, withdrawn: 0 };
}

export class RecordSink {
  readonly counts = emptyCounts();
  /** Ids of every valid record seen (applied or unchanged). */
  readonly seen = new Set<string>();
  /** Ecosystem bases named by the valid records seen. */
  readonly bases = new Set<string>();
  /** The newest `modified` among valid records seen. */
  newest: string | null = null;

  constructor(
    private readonly writer: VulnWriter,
    private readonly warn: (message: string) => void,
  ) {}

  /** Validates and upserts one record's bytes; `where` names the file or entry. */
  addBytes(bytes: Uint8Array, where: string): OsvRecord | null {
    const r = parseOsvBytes(bytes);
    if (!r.ok) {
      this.skip(where, r.id, r.reason);
      return null;
    }
    this.add(r.record);
    return r.record;
  }

  add(record: OsvRecord): void {
    this.seen.add(record.id);
    this.newest = newestTimestamp(this.newest, record.modified);
    for (const a of record.affected ?? []) if (a.package) this.bases.add(ecosystemBase(a.package.ecosystem));
    const outcome = this.writer.upsert(record);
    this.counts[outcome]++;
    if (outcome !== 'unchanged' && record.withdrawn) this.counts.withdrawn++;
  }

  skip(where: string, id: string | null, reason: string): void {
    this.counts.invalid++;
    this.warn(`${where}: ${id ? `${id}: ` : ''}skipped: ${reason}`);
  }
}
