/**
 * Packagist (Composer) versions: composer/semver's VersionParser::normalize, then PHP's
 * version_compare on the normalised strings — what Composer's Comparator does.
 *
 * Normalisation: trim; drop an `as alias` and an `@stability` flag; `v` prefix optional; up to
 * four numbers padded to four (1.2 → 1.2.0.0; the first at most 5 digits) or a date version
 * (20230101, 2023-01-01.1); then an optional stability — alpha/a, beta/b, RC, patch/pl/p, with
 * an optional number — and an optional `dev`: `1.0.0-beta2` → `1.0.0.0-beta2`, `2.1-rc.1-dev`
 * → `2.1.0.0-RC1-dev`; build metadata (`+...`) dropped. Numeric dev branches (`1.0.x-dev`)
 * become `1.0.9999999.9999999-dev`.
 *
 * version_compare: split into numbers and words, compare part by part: numbers by value,
 * `dev` < `alpha` < `beta` < `RC` < (the end of a shorter version) < a number < `patch`
 * (1.0.0.0-dev < 1.0.0.0-alpha1 < 1.0.0.0-RC1 < 1.0.0.0 < 1.0.0.0-patch1 < 1.0.0.1).
 *
 * Invalid: what normalize rejects, and named branches (`dev-main`, `master`), which Composer
 * cannot order either. They fall back to generic.ts after every valid version.
 */
import { guarded } from './generic.js';
import type { VersionScheme } from './types.js';

/** PCRE's `\s` (no UTF mode), for use inside a character class. */
const WS = ' \\t\\n\\v\\f\\r';
/** PHP's trim() set. */
const PHP_TRIM = /^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g;
/** PCRE's `$` also matches before a final newline. */
const END = '\\n?$';
/**
 * Composer's modifier `[._-]?(?:(stable|...)((?:[.-]?\d+)*+)?)?([.-]?dev)?`. The possessive `*+`
 * matters: without it the nested quantifier backtracks exponentially on `1-beta111...1x`. A
 * lookahead that captures, then a back-reference, is JavaScript's atomic group.
 */
const MODIFIER =
  '[._-]?(?:(?<stab>stable|beta|b|RC|alpha|a|patch|pl|p)(?=(?<num>(?:[.-]?\\d+)*))\\k<num>)?(?<dev>[.-]?dev)?';
const ALIAS = new RegExp(`^([^,${WS}]+) +as +([^,${WS}]+)${END}`);
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)\n?$/i;
const BUILD = new RegExp(`^([^,${WS}+]+)\\+[^${WS}]+${END}`);
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}${END}`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}${END}`, 'i');
/** Unanchored, as Composer's `{(.*?)[.-]?dev$}i`; PCRE's `.` stops only at \n. */
const DEV_BRANCH = /([^\n]*?)[.-]?dev\n?$/i;
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?\n?$/i;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a') return 'alpha';
  if (l === 'b') return 'beta';
  if (l === 'p' || l === 'pl') return 'patch';
  if (l === 'rc') return 'RC';
  return l;
}

/** composer/semver VersionParser::normalize; null for invalid versions and named branches. */
export function normalizeComposer(input: string): string | null {
  let version = input.replace(PHP_TRIM, '');
  const alias = ALIAS.exec(version);
  if (alias) version = alias[1]!;
  const flag = STABILITY_FLAG.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') return null;
  if (version.toLowerCase().startsWith('dev-')) return null;
  const build = BUILD.exec(version);
  if (build) version = build[1]!;
  let m = CLASSICAL.exec(version);
  if (m) {
    version = m[1]! + (m[2] || '.0') + (m[3] || '.0') + (m[4] || '.0');
  } else if ((m = DATE.exec(version))) {
    version = m[1]!.replace(/\D/g, '.');
  } else {
    const dev = DEV_BRANCH.exec(version);
    if (dev) {
      const branch = NUMERIC_BRANCH.exec(dev[1]!.replace(PHP_TRIM, ''));
      if (branch) {
        let v = '';
        for (let i = 1; i < 5; i++) v += branch[i] !== undefined ? branch[i]!.replace(/[*X]/g, 'x') : '.x';
        return v.replace(/x/g, '9999999') + '-dev';
      }
    }
    return null;
  }
  const { stab, num, dev } = m.groups ?? {};
  if (stab) {
    if (stab === 'stable') return version;
    version += '-' + expandStability(stab) + (num ? num.replace(/^[.-]+/, '') : '');
  }
  if (dev) version += '-dev';
  return version;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** php_canonicalize_version: `-_+` and other punctuation to `.`, `.` between digits and letters. */
function canonicalize(v: string): string {
  if (v === '') return '';
  let out = v[0]!;
  let lp = v[0]!;
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    const lq = out[out.length - 1];
    const dig = (x: string) => isDigit(x) && x !== '.';
    const ndig = (x: string) => !isDigit(x) && x !== '.';
    if (c === '-' || c === '_' || c === '+') {
      if (lq !== '.') out += '.';
    } else if ((ndig(lp) && dig(c)) || (dig(lp) && ndig(c))) {
      if (lq !== '.') out += '.';
      out += c;
    } else if (!isAlnum(c)) {
      if (lq !== '.') out += '.';
    } else {
      out += c;
    }
    lp = c;
  }
  return out;
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

function compareSpecial(a: string, b: string): number {
  return Math.sign(specialForm(a) - specialForm(b));
}

const LONG_MAX = 9223372036854775807n;

/** strtol on a run of digits, compared (saturating at LONG_MAX, as C's strtol does). */
function compareStrtol(a: string, b: string): number {
  if (a.length <= 15 && b.length <= 15) return Math.sign(parseInt(a, 10) - parseInt(b, 10));
  const big = (s: string) => {
    const v = BigInt(/^\d+/.exec(s)?.[0] ?? '0');
    return v > LONG_MAX ? LONG_MAX : v;
  };
  const x = big(a);
  const y = big(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PHP's version_compare (ext/standard/versioning.c). */
export function phpVersionCompare(orig1: string, orig2: string): number {
  if (orig1 === '' || orig2 === '') return orig1 === orig2 ? 0 : orig1 !== '' ? 1 : -1;
  return compareCanonical(
    orig1.startsWith('#') ? orig1 : canonicalize(orig1),
    orig2.startsWith('#') ? orig2 : canonicalize(orig2),
  );
}

/** version_compare's walk over two canonical strings, element by element as the C code goes. */
function compareCanonical(c1: string, c2: string): number {
  let r1 = c1;
  let r2 = c2;
  // more1/more2: a '.' followed the element just compared (C's n1/n2 != NULL).
  let more1 = true;
  let more2 = true;
  let compare = 0;
  while (r1 !== '' && r2 !== '' && more1 && more2) {
    const d1 = r1.indexOf('.');
    const d2 = r2.indexOf('.');
    more1 = d1 >= 0;
    more2 = d2 >= 0;
    const a = more1 ? r1.slice(0, d1) : r1;
    const b = more2 ? r2.slice(0, d2) : r2;
    if (isDigit(a[0]) && isDigit(b[0])) {
      compare = compareStrtol(a, b);
    } else if (!isDigit(a[0]) && !isDigit(b[0])) {
      compare = compareSpecial(a, b);
    } else {
      compare = isDigit(a[0]) ? compareSpecial('#N#', b) : compareSpecial(a, '#N#');
    }
    if (compare !== 0) return compare;
    if (more1) r1 = r1.slice(d1 + 1);
    if (more2) r2 = r2.slice(d2 + 1);
  }
  if (more1) return isDigit(r1[0]) ? 1 : phpVersionCompare(r1, '#N#');
  if (more2) return isDigit(r2[0]) ? -1 : phpVersionCompare('#N#', r2);
  return 0;
}

/** Normalised and canonicalised once (canonicalize is idempotent on normalised versions). */
function parseComposer(v: string): string | null {
  const n = normalizeComposer(v);
  return n === null ? null : canonicalize(n);
}

export const packagist: VersionScheme = {
  name: 'packagist',
  ecosystems: ['Packagist'],
  ...guarded(parseComposer, compareCanonical),
};
