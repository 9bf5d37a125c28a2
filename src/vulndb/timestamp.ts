/**
 * OSV timestamps (RFC 3339, `modified`/`published`/`withdrawn`) compared exactly: Date.parse
 * keeps milliseconds only, and osv.dev writes microseconds, so the sub-millisecond digits are
 * compared as well. Year 1 (`0001-01-01T00:00:00Z`, as golang/vulndb writes) is valid.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

interface Instant {
  ms: number;
  /** Fraction digits beyond milliseconds, right-padded, so string order is numeric order. */
  sub: string;
}

function instant(s: string): Instant | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  return { ms, sub: (m[2] ?? '').slice(3, 12).padEnd(9, '0') };
}

export function isTimestamp(s: string): boolean {
  return instant(s) !== null;
}

/** <0, 0, >0. An unparseable timestamp sorts before every valid one. */
export function compareTimestamps(a: string, b: string): number {
  const x = instant(a);
  const y = instant(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  if (x.ms !== y.ms) return x.ms < y.ms ? -1 : 1;
  return x.sub < y.sub ? -1 : x.sub > y.sub ? 1 : 0;
}

export function newestTimestamp(a: string | null, b: string): string {
  return a === null || compareTimestamps(b, a) > 0 ? b : a;
}
