/**
 * RPM versions, `[epoch:]version[-release]`, compared as rpm 4.18 does (`rpmverCmp` over
 * `rpmverParse`, and `rpmvercmp` for each part) — what `rpm.vercmp()` returns.
 *
 * Parsing (rpm's parseEVR): a run of leading digits followed by `:` is the epoch (an empty
 * epoch is "0"; no epoch compares as "0"); the release is what follows the last `-`. Epoch,
 * version and release each compare with rpmvercmp; a missing release sorts before any release
 * (rpm 4.18 `compare_values`), so `1.0` < `1.0-1`.
 *
 * rpmvercmp: skip separators (anything but ASCII letters, digits, `~` and `^`); `~` sorts
 * before everything, even the end of the string (1.0~rc1 < 1.0); `^` sorts after the end of the
 * string but before anything else (1.0 < 1.0^git1 < 1.0.1); then compare the next run of
 * digits (numerically) or of letters (ASCII order), a digit run being newer than a letter run;
 * if one string runs out first, the other is newer.
 *
 * Every non-empty string is an rpm version (rpm compares anything); NUL and over-long strings
 * are not, and fall back to generic.ts after every valid version.
 */
import { guarded, isAsciiAlpha, isAsciiDigit } from './generic.js';
import type { VersionScheme } from './types.js';

export interface RpmVersion {
  epoch: string | null;
  version: string;
  release: string | null;
}

export function parseRpm(evr: string): RpmVersion | null {
  if (evr === '' || evr.includes('\0')) return null;
  let k = 0;
  while (k < evr.length && isAsciiDigit(evr.charCodeAt(k))) k++;
  const dash = evr.lastIndexOf('-');
  let epoch: string | null = null;
  let vStart = 0;
  if (evr[k] === ':') {
    epoch = k === 0 ? '0' : evr.slice(0, k);
    vStart = k + 1;
  }
  if (dash >= vStart) return { epoch, version: evr.slice(vStart, dash), release: evr.slice(dash + 1) };
  return { epoch, version: evr.slice(vStart), release: null };
}

const TILDE = 126;
const CARET = 94;

function isAlnum(c: number): boolean {
  return isAsciiDigit(c) || isAsciiAlpha(c);
}

/** rpm's rpmvercmp on one part. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, n: number) => (n < s.length ? s.charCodeAt(n) : 0);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== TILDE && at(a, i) !== CARET) i++;
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== TILDE && at(b, j) !== CARET) j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    const isNum = isAsciiDigit(ca);
    const inRun = isNum ? isAsciiDigit : isAsciiAlpha;
    while (ei < a.length && inRun(a.charCodeAt(ei))) ei++;
    while (ej < b.length && inRun(b.charCodeAt(ej))) ej++;
    // Different kinds of run: numeric is newer than alpha.
    if (ej === j) return isNum ? 1 : -1;
    if (isNum) {
      while (i < ei && a.charCodeAt(i) === 48) i++;
      while (j < ej && b.charCodeAt(j) === 48) j++;
      if (ei - i !== ej - j) return ei - i > ej - j ? 1 : -1;
    }
    const sa = a.slice(i, ei);
    const sb = b.slice(j, ej);
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compareValues(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return rpmvercmp(a, b);
}

export function compareRpmParsed(a: RpmVersion, b: RpmVersion): number {
  return (
    rpmvercmp(a.epoch ?? '0', b.epoch ?? '0') ||
    rpmvercmp(a.version, b.version) ||
    compareValues(a.release, b.release)
  );
}

export const rpm: VersionScheme = {
  name: 'rpm',
  ecosystems: [
    'AlmaLinux',
    'Rocky Linux',
    'Red Hat',
    'SUSE',
    'openSUSE',
    'Mageia',
    'openEuler',
    'Photon OS',
    'Azure Linux',
  ],
  ...guarded(parseRpm, compareRpmParsed),
};
