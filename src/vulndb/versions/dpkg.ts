/**
 * Debian package versions, `[epoch:]upstream[-revision]`, compared as dpkg does
 * (lib/dpkg/version.c `verrevcmp`, lib/dpkg/parsehelp.c `parseversion`).
 *
 * Parsing follows dpkg's hard errors: surrounding spaces/tabs are trimmed; empty, embedded
 * spaces, an epoch that is not a number (strtol rules: optional sign, negative or > INT_MAX
 * rejected), nothing after the colon, an empty upstream or an empty revision make a version
 * invalid. dpkg's soft warnings (upstream not starting with a digit, unusual characters) do
 * not: dpkg still compares such versions, and so do we. Deliberate limits: non-ASCII and NUL
 * make a version invalid (dpkg works on bytes; Debian versions are ASCII), and invalid versions
 * fall back to generic.ts (after every valid one).
 *
 * Order: epoch numerically, then upstream, then revision, each with verrevcmp: alternate
 * non-digit and digit runs; in non-digit runs `~` sorts before everything (even the end),
 * then the end of the string and digits, then ASCII letters, then other characters; digit runs
 * compare numerically. A missing revision equals revision "0".
 */
import { guarded, isAsciiAlpha, isAsciiDigit } from './generic.js';
import type { VersionScheme } from './types.js';

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const INT_MAX = 2147483647;

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

export function parseDpkg(input: string): DpkgVersion | null {
  let start = 0;
  let end = input.length;
  while (start < end && isBlank(input[start]!)) start++;
  while (end > start && isBlank(input[end - 1]!)) end--;
  const s = input.slice(start, end);
  if (s === '') return null;
  // eslint-disable-next-line no-control-regex
  if (/[ \t\0]|[^\x00-\x7f]/.test(s)) return null;
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol: leading white space, an optional sign, digits, and nothing else before the colon.
    const m = /^[\n\v\f\r]*([+-]?)(\d+)$/.exec(s.slice(0, colon));
    if (!m) return null;
    const digits = m[2]!.replace(/^0+/, '');
    if (digits.length > 10 || Number(digits) > INT_MAX) return null;
    if (m[1] === '-' && digits !== '') return null;
    epoch = digits === '' ? 0 : Number(digits);
    rest = s.slice(colon + 1);
    if (rest === '') return null;
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') return null;
  if (upstream === '') return null;
  return { epoch, upstream, revision };
}

/** dpkg's `order()`: the weight of one character in a non-digit run (0 for end of string). */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isAsciiDigit(c)) return 0;
  if (isAsciiAlpha(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

function digitAt(s: string, i: number): boolean {
  return i < s.length && isAsciiDigit(s.charCodeAt(i));
}

/** dpkg's verrevcmp on one part (upstream or revision). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !digitAt(a, i)) || (j < b.length && !digitAt(b, j))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (i < a.length && a.charCodeAt(i) === 48) i++;
    while (j < b.length && b.charCodeAt(j) === 48) j++;
    while (digitAt(a, i) && digitAt(b, j)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (digitAt(a, i)) return 1;
    if (digitAt(b, j)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export function compareDpkgParsed(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const dpkg: VersionScheme = {
  name: 'dpkg',
  ecosystems: ['Debian', 'Ubuntu'],
  ...guarded(parseDpkg, compareDpkgParsed),
};
