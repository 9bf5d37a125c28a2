/**
 * A finding's status. `fixed`: the source names a fixed version. `wont-fix`: no fix, and the
 * distributor has said there will be none (Debian's `unimportant` urgency and `ignored` status,
 * Red Hat's "Will not fix", Ubuntu's `ignored`, end of life), so a team stops waiting for an
 * update and decides. `unfixed`: no fix yet.
 */
import type { OsvAffected, OsvRecord } from '../types.js';

export type FindingStatus = 'fixed' | 'unfixed' | 'wont-fix';

/** Only fields that carry a state are read: a summary that says "ignored" means nothing here. */
const STATE_KEY = /status|state|urgency|resolution|fix/i;
const WONT_FIX =
  /^(?:will not fix|won'?t[ _-]?fix|wont-fix|not[ _-]planned|ignored|unimportant|end[ _-]of[ _-]life|eol|out of support(?: scope)?)$/i;

function saysWontFix(fields: Record<string, unknown> | undefined, depth = 0): boolean {
  if (!fields || typeof fields !== 'object' || depth > 2) return false;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') {
      if (STATE_KEY.test(key) && WONT_FIX.test(value.trim())) return true;
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (saysWontFix(value as Record<string, unknown>, depth + 1)) return true;
    }
  }
  return false;
}

export function statusOf(
  fixed: string | null,
  affected: OsvAffected,
  record: Pick<OsvRecord, 'database_specific'>,
): FindingStatus {
  if (fixed) return 'fixed';
  if (
    saysWontFix(affected.ecosystem_specific) ||
    saysWontFix(affected.database_specific) ||
    saysWontFix(record.database_specific)
  )
    return 'wont-fix';
  return 'unfixed';
}
