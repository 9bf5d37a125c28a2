/**
 * OSV affected-range evaluation (https://ossf.github.io/osv-schema/#evaluation): a version is
 * affected when it is listed in `versions`, or when, walking a range's events in version order,
 * the last `introduced` at or below it is not followed by a `fixed` at or below it or a
 * `last_affected` below it, and it is below every `limit`.
 */
import type { OsvAffected, OsvEvent, OsvRange } from '../types.js';
import type { VersionScheme } from '../versions/types.js';

export interface RangeVerdict {
  affected: boolean;
  /** The fix for the version's range, when the range has one. */
  fixed: string | null;
  /** A readable form of what matched (for the finding's explanation). */
  matched: string | null;
}

const NOT_AFFECTED: RangeVerdict = { affected: false, fixed: null, matched: null };

function eventVersion(e: OsvEvent): string {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '';
}

function cmp(scheme: VersionScheme, a: string, b: string): number {
  // "0" as introduced means "from the first version", below everything.
  if (a === '0' && b === '0') return 0;
  if (a === '0') return -1;
  if (b === '0') return 1;
  return scheme.compare(a, b);
}

export function evaluateRange(version: string, range: OsvRange, scheme: VersionScheme): RangeVerdict {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return NOT_AFFECTED;
  const events = [...range.events].filter((e) => eventVersion(e) !== '');
  const limits = events.filter((e) => e.limit !== undefined).map((e) => e.limit!);
  if (limits.some((l) => l !== '*' && cmp(scheme, version, l) >= 0)) return NOT_AFFECTED;
  const ordered = events
    .filter((e) => e.limit === undefined)
    .sort((a, b) => {
      const c = cmp(scheme, eventVersion(a), eventVersion(b));
      if (c !== 0) return c;
      // At the same version a fix or last_affected closes what an introduced would open.
      const rank = (e: OsvEvent) => (e.introduced !== undefined ? 0 : 1);
      return rank(a) - rank(b);
    });
  let affected = false;
  let introduced: string | null = null;
  for (const e of ordered) {
    if (e.introduced !== undefined && cmp(scheme, version, e.introduced) >= 0) {
      affected = true;
      introduced = e.introduced;
    } else if (e.fixed !== undefined && cmp(scheme, version, e.fixed) >= 0) {
      affected = false;
    } else if (e.last_affected !== undefined && cmp(scheme, version, e.last_affected) > 0) {
      affected = false;
    }
  }
  if (!affected) return pairwise(version, events, scheme);
  // The fix for this version: the first fixed event above it.
  const fix = ordered.find((e) => e.fixed !== undefined && cmp(scheme, e.fixed, version) > 0)?.fixed ?? null;
  const last = ordered.find(
    (e) => e.last_affected !== undefined && cmp(scheme, e.last_affected, version) >= 0,
  );
  const upper = fix ? `< ${fix}` : last ? `<= ${last.last_affected}` : '(no fix)';
  return { affected: true, fixed: fix, matched: `>= ${introduced} ${upper}`.trim() };
}

/**
 * Some records list overlapping pairs in one range (`introduced 2.11, fixed 2.11.7, introduced
 * 0, fixed 2.11.6`): sorted, the lower fix closes the higher pair too. Read in the order written,
 * each introduced/fixed pair is what the source meant, and osv.dev's own version lists agree. A
 * security tool takes the union rather than miss what the author listed.
 */
function pairwise(version: string, events: OsvEvent[], scheme: VersionScheme): RangeVerdict {
  let open: string | null = null;
  for (const e of events) {
    if (e.introduced !== undefined) {
      open = e.introduced;
      continue;
    }
    if (open === null || cmp(scheme, version, open) < 0) {
      if (e.fixed !== undefined || e.last_affected !== undefined) open = null;
      continue;
    }
    if (e.fixed !== undefined && cmp(scheme, version, e.fixed) < 0)
      return { affected: true, fixed: e.fixed, matched: `>= ${open} < ${e.fixed}` };
    if (e.last_affected !== undefined && cmp(scheme, version, e.last_affected) <= 0)
      return { affected: true, fixed: null, matched: `>= ${open} <= ${e.last_affected}` };
    if (e.fixed !== undefined || e.last_affected !== undefined) open = null;
  }
  if (open !== null && cmp(scheme, version, open) >= 0)
    return { affected: true, fixed: null, matched: `>= ${open} (no fix)` };
  return NOT_AFFECTED;
}

export function evaluateAffected(
  version: string,
  affected: OsvAffected,
  scheme: VersionScheme,
): RangeVerdict {
  if (
    affected.versions?.some((v) => v === version || (scheme.valid(v) && scheme.compare(v, version) === 0))
  ) {
    const ranged = (affected.ranges ?? [])
      .map((r) => evaluateRange(version, r, scheme))
      .find((r) => r.affected);
    return {
      affected: true,
      fixed: ranged?.fixed ?? null,
      matched: ranged?.matched ?? `= ${version} (listed)`,
    };
  }
  for (const r of affected.ranges ?? []) {
    const verdict = evaluateRange(version, r, scheme);
    if (verdict.affected) return verdict;
  }
  return NOT_AFFECTED;
}
