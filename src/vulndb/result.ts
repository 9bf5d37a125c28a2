/** What `db update` and `db import` report, per unit of work (an ecosystem, or an imported path). */
import { ShipshapeError } from '../errors.js';
import type { ApplyCounts } from './sink.js';
import type { VulnWriter } from './writer.js';

export type UnitAction = 'full' | 'delta' | 'import' | 'unchanged' | 'skipped' | 'failed';

export interface UnitResult extends ApplyCounts {
  /** The ecosystem (update, mirror import) or the imported path. */
  unit: string;
  action: UnitAction;
  /** Advisories deleted because a full snapshot no longer had them. */
  pruned: number;
  /** HTTP requests made for this unit (0 for local sources). */
  requests: number;
  /** Bytes downloaded for this unit. */
  bytes: number;
  seconds: number;
  /** Why it failed or was skipped. */
  error?: string;
}

export interface DbProgress {
  unit: string;
  phase: 'download' | 'fetch' | 'import';
  done: number;
  total: number | null;
  what: 'bytes' | 'records' | 'entries';
}

export function unitResult(unit: string, action: UnitAction): UnitResult {
  return {
    unit,
    action,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    invalid: 0,
    withdrawn: 0,
    pruned: 0,
    requests: 0,
    bytes: 0,
    seconds: 0,
  };
}

/**
 * Runs `fn` inside one write transaction: all of it commits, or (on any error, or if the
 * process dies) none of it does and the previous database stays as it was.
 */
export async function inTransaction<T>(writer: VulnWriter, fn: () => Promise<T>): Promise<T> {
  try {
    writer.begin();
  } catch (e) {
    const busy = (e as { code?: string }).code?.startsWith('SQLITE_BUSY');
    throw new ShipshapeError(
      busy ? 'TIMEOUT' : 'BAD_ARGUMENT',
      busy
        ? 'the database is locked by another shipshape process writing it; try again when it is done'
        : `cannot write the database: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    const r = await fn();
    writer.commit();
    return r;
  } catch (e) {
    writer.rollback();
    throw e;
  }
}
