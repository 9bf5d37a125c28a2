/** Showing a secret safely, and measuring how random it looks. */

const MAX_STARS = 24;

function printable(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, '?');
}

/**
 * `AKIA************MPLE`: at most the first 4 and last 4 characters, the rest stars. Shorter
 * secrets show less (a 4+4 window would give away most of a 10-character password), and very
 * long ones cap the stars so a 3 KiB key body does not flood the report.
 */
export function maskSecret(secret: string): string {
  const chars = Array.from(secret);
  const n = chars.length;
  // Short ones: not even their length.
  if (n < 8) return '****';
  const prefix = n >= 16 ? 4 : n >= 8 ? 2 : 0;
  const suffix = n >= 16 ? 4 : 0;
  const hidden = n - prefix - suffix;
  const stars = '*'.repeat(Math.max(4, Math.min(hidden, MAX_STARS)));
  return printable(chars.slice(0, prefix).join('')) + stars + printable(chars.slice(n - suffix, n).join(''));
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const k of counts.values()) {
    const p = k / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
