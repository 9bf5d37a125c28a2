/**
 * The fallback comparator, and the guard every scheme shares.
 *
 * `naturalCompare` orders strings the way people read version numbers when nothing else is
 * known: split into runs of ASCII digits and runs of other characters (ASCII punctuation and
 * whitespace only separate runs and are otherwise ignored), compare run by run; numbers by value
 * (any length, leading zeros ignored), words case-insensitively (ASCII), a word before a number
 * at the same position, and a version that ends before the other one is the older one. Only the
 * first GENERIC_SCAN_LIMIT characters are looked at, so hostile input costs bounded work.
 *
 * `guarded` turns a scheme's parser and comparator into a total order on every string:
 * versions the scheme understands compare by its rules; a version it does not understand (or
 * one longer than MAX_VERSION_LENGTH) sorts after every understood one; two such versions
 * compare with `naturalCompare`. The result is always -1, 0 or 1 and nothing throws.
 */
import type { VersionScheme } from './types.js';

/** Longer strings are never parsed by a scheme: no real version is this long. */
export const MAX_VERSION_LENGTH = 256;
/** How much of a string the natural-order fallback reads. */
export const GENERIC_SCAN_LIMIT = 1024;
/** Parsed versions kept per scheme (the cache is dropped whole when full). */
const PARSE_CACHE_SIZE = 10_000;

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers (leading zeros
 * ignored, "" is 0). Used wherever a tool compares with big integers or by digit count.
 */
export function compareDigits(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  while (i < a.length && a.charCodeAt(i) === 48) i++;
  while (j < b.length && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Plain UTF-16 code unit order, as Java's String.compareTo and C's strcmp on ASCII. */
export function compareCodeUnits(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

const enum Run {
  End,
  Word,
  Number,
}

function isSeparator(c: number): boolean {
  return c < 128 && !isAsciiDigit(c) && !isAsciiAlpha(c);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Natural-order comparison; see the file comment. A total preorder on all strings. */
export function naturalCompare(a: string, b: string): -1 | 0 | 1 {
  const la = Math.min(a.length, GENERIC_SCAN_LIMIT);
  const lb = Math.min(b.length, GENERIC_SCAN_LIMIT);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < la && isSeparator(a.charCodeAt(i))) i++;
    while (j < lb && isSeparator(b.charCodeAt(j))) j++;
    const ka = i >= la ? Run.End : isAsciiDigit(a.charCodeAt(i)) ? Run.Number : Run.Word;
    const kb = j >= lb ? Run.End : isAsciiDigit(b.charCodeAt(j)) ? Run.Number : Run.Word;
    if (ka !== kb) return ka < kb ? -1 : 1;
    if (ka === Run.End) return 0;
    if (ka === Run.Number) {
      const si = i;
      const sj = j;
      while (i < la && isAsciiDigit(a.charCodeAt(i))) i++;
      while (j < lb && isAsciiDigit(b.charCodeAt(j))) j++;
      const c = compareDigits(a.slice(si, i), b.slice(sj, j));
      if (c !== 0) return c;
    } else {
      for (;;) {
        const ea = i >= la || isSeparator(a.charCodeAt(i)) || isAsciiDigit(a.charCodeAt(i));
        const eb = j >= lb || isSeparator(b.charCodeAt(j)) || isAsciiDigit(b.charCodeAt(j));
        if (ea || eb) {
          if (ea !== eb) return ea ? -1 : 1;
          break;
        }
        const d = lower(a.charCodeAt(i)) - lower(b.charCodeAt(j));
        if (d !== 0) return d < 0 ? -1 : 1;
        i++;
        j++;
      }
    }
  }
}

/**
 * A scheme's `valid` and `compare` from its parser and its comparator of parsed versions: a
 * never-throwing total order on all strings (see the file comment). `parse` returns null for
 * what the scheme cannot order; parses are cached (read-only) since matching compares the same
 * few versions over and over.
 */
export function guarded<T>(
  parse: (v: string) => T | null,
  compareParsed: (a: T, b: T) => number,
): { valid(v: string): boolean; compare(a: string, b: string): -1 | 0 | 1 } {
  const cache = new Map<string, T | null>();
  const safeParse = (v: unknown): T | null => {
    if (typeof v !== 'string' || v.length > MAX_VERSION_LENGTH) return null;
    let parsed = cache.get(v);
    if (parsed !== undefined) return parsed;
    try {
      parsed = parse(v);
    } catch {
      parsed = null;
    }
    if (cache.size >= PARSE_CACHE_SIZE) cache.clear();
    cache.set(v, parsed);
    return parsed;
  };
  return {
    valid: (v) => safeParse(v) !== null,
    compare: (a, b) => {
      const pa = safeParse(a);
      const pb = safeParse(b);
      if (pa !== null && pb !== null) {
        try {
          return sign(compareParsed(pa, pb));
        } catch {
          return naturalCompare(String(a), String(b));
        }
      }
      if (pa !== null) return -1;
      if (pb !== null) return 1;
      return naturalCompare(typeof a === 'string' ? a : '', typeof b === 'string' ? b : '');
    },
  };
}

/** For ecosystems without a scheme of their own: every non-empty string is "valid". */
export const generic: VersionScheme = {
  name: 'generic',
  ecosystems: [],
  valid: (v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_VERSION_LENGTH,
  compare: (a, b) => naturalCompare(typeof a === 'string' ? a : '', typeof b === 'string' ? b : ''),
};
