/**
 * Python package versions (PEP 440, as the `packaging` library reads them), for PyPI.
 *
 * The grammar is @renovatebot/pep440's VERSION_PATTERN (the regex from PEP 440's appendix, as
 * `packaging` uses it): `[v][N!]N(.N)*[{a|b|rc|c|alpha|beta|pre|preview}N][.postN|-N|revN|rN]
 * [.devN][+local]`, case-insensitive, `-`/`_`/`.` separators optional, surrounding ASCII white
 * space ignored. The ordering is packaging's `_cmpkey`, implemented here with exact integers
 * (renovate's comparator uses JavaScript numbers and reads local segments such as `1e5` as
 * numbers, unlike Python): epoch; release with trailing zeros dropped; then dev-only releases
 * (`1.0.dev1`) < pre-releases (a < b < rc) < the release < post-releases, a `.devN` sorting
 * just before the version it is attached to; a local version (`+ubuntu1`) sorts after the
 * same public version, local segments numeric above alphanumeric. Anything else (including
 * non-ASCII) falls back to generic.ts after every valid version.
 */
import { VERSION_PATTERN } from '@renovatebot/pep440/lib/version.js';
import { compareCodeUnits, compareDigits, guarded } from './generic.js';
import type { VersionScheme } from './types.js';

const PATTERN = new RegExp(`^${VERSION_PATTERN}$`, 'i');

export interface Pep440Version {
  epoch: string;
  /** Release numbers, trailing zeros removed (as digit strings). */
  release: string[];
  /** Normalised pre-release: ['a'|'b'|'rc', number]. */
  pre: [string, string] | null;
  post: string | null;
  dev: string | null;
  /** Local segments: digit strings are numbers, others lower-cased words. */
  local: { num: boolean; text: string }[] | null;
}

function preLetter(l: string): string {
  const s = l.toLowerCase();
  if (s === 'alpha') return 'a';
  if (s === 'beta') return 'b';
  if (s === 'c' || s === 'pre' || s === 'preview') return 'rc';
  return s;
}

export function parsePep440(input: string): Pep440Version | null {
  // packaging strips surrounding white space (Python's \s, ASCII part: \x1c-\x1f included).
  // eslint-disable-next-line no-control-regex
  const v = input.replace(/^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g, '');
  if (/[^\x21-\x7e]/.test(v)) return null;
  const m = PATTERN.exec(v);
  const g = m?.groups;
  if (!g) return null;
  const release = g.release!.split('.');
  while (release.length > 0 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  const pre: [string, string] | null = g.pre_l ? [preLetter(g.pre_l), g.pre_n ?? '0'] : null;
  const post = g.post_n1 ?? (g.post_l ? (g.post_n2 ?? '0') : null);
  const dev = g.dev_l ? (g.dev_n ?? '0') : null;
  const local = g.local
    ? g.local
        .split(/[-_.]/)
        .map((p) => (/^[0-9]+$/.test(p) ? { num: true, text: p } : { num: false, text: p.toLowerCase() }))
    : null;
  return { epoch: g.epoch ?? '0', release, pre, post, dev, local };
}

/** Python's tuple order on the release numbers (already without trailing zeros). */
function compareRelease(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareDigits(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** -1 stands for packaging's NegativeInfinity, +1 for Infinity, 0 for a real value. */
function preKey(v: Pep440Version): -1 | 0 | 1 {
  if (v.pre === null && v.post === null && v.dev !== null) return -1;
  return v.pre === null ? 1 : 0;
}

function compareLocal(a: Pep440Version['local'], b: Pep440Version['local']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.num !== y.num) return x.num ? 1 : -1;
    const c = x.num ? compareDigits(x.text, y.text) : compareCodeUnits(x.text, y.text);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function comparePep440Parsed(a: Pep440Version, b: Pep440Version): number {
  let c = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const pa = preKey(a);
  const pb = preKey(b);
  if (pa !== pb) return pa - pb;
  if (pa === 0) {
    c = compareCodeUnits(a.pre![0], b.pre![0]) || compareDigits(a.pre![1], b.pre![1]);
    if (c !== 0) return c;
  }
  // No post-release is NegativeInfinity.
  if (a.post === null || b.post === null) {
    if (a.post !== b.post) return a.post === null ? -1 : 1;
  } else if ((c = compareDigits(a.post, b.post)) !== 0) return c;
  // No dev-release is Infinity.
  if (a.dev === null || b.dev === null) {
    if (a.dev !== b.dev) return a.dev === null ? 1 : -1;
  } else if ((c = compareDigits(a.dev, b.dev)) !== 0) return c;
  return compareLocal(a.local, b.local);
}

export const pep440: VersionScheme = {
  name: 'pep440',
  ecosystems: ['PyPI'],
  ...guarded(parsePep440, comparePep440Parsed),
};
