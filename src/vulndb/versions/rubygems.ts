/**
 * RubyGems versions, a port of `Gem::Version` (rubygems 3.3, Ruby 3.1).
 *
 * Valid: `Gem::Version.correct?` — digits, then `.`-separated runs of ASCII letters and digits,
 * optionally `-` and more such runs; surrounding ASCII white space allowed; the empty string
 * is version "0". A `-` means ".pre." (1.0-rc1 is 1.0.pre.rc1).
 *
 * Order (`<=>`): the version splits into segments, each a run of digits (a number) or of
 * letters (a word); trailing zeros are dropped from the numeric part before the first word
 * and from the part after it; then segments compare one by one, a missing one counting as 0:
 * a word is below a number (1.0.a < 1.0 < 1.0.1), numbers by value (no size limit), words by
 * byte order (so "RC1" < "beta", as in Ruby). Anything invalid falls back to generic.ts after
 * every valid version.
 *
 * This is our own port: @renovatebot/ruby-semver compares words with localeCompare (1.0.RC1
 * above 1.0.beta, unlike Ruby) and numbers as JavaScript numbers.
 */
import { compareCodeUnits, compareDigits, guarded } from './generic.js';
import type { VersionScheme } from './types.js';

const CORRECT =
  /^[ \t\n\v\f\r]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\n\v\f\r]*$/;

type Segment = { num: true; digits: string } | { num: false; word: string };

export function parseGem(input: string): Segment[] | null {
  const m = CORRECT.exec(input);
  if (!m) return null;
  const version = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: Segment[] = [];
  for (const s of version.match(/[0-9]+|[a-z]+/gi) ?? []) {
    segments.push(
      /^[0-9]/.test(s) ? { num: true, digits: s.replace(/^0+(?=.)/, '') } : { num: false, word: s },
    );
  }
  // canonical_segments: drop trailing zeros from the numeric part and from the rest.
  const firstWord = segments.findIndex((s) => !s.num);
  const parts = firstWord === -1 ? [segments] : [segments.slice(0, firstWord), segments.slice(firstWord)];
  const canonical: Segment[] = [];
  for (const part of parts) {
    let end = part.length;
    while (end > 0 && isZero(part[end - 1]!)) end--;
    canonical.push(...part.slice(0, end));
  }
  return canonical;
}

function isZero(s: Segment): boolean {
  return s.num && s.digits === '0';
}

const ZERO: Segment = { num: true, digits: '0' };

export function compareGemParsed(a: Segment[], b: Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? ZERO;
    const y = b[i] ?? ZERO;
    if (x.num && y.num) {
      const c = compareDigits(x.digits, y.digits);
      if (c !== 0) return c;
    } else if (!x.num && !y.num) {
      const c = compareCodeUnits(x.word, y.word);
      if (c !== 0) return c;
    } else {
      return x.num ? 1 : -1;
    }
  }
  return 0;
}

export const rubygems: VersionScheme = {
  name: 'rubygems',
  ecosystems: ['RubyGems'],
  ...guarded(parseGem, compareGemParsed),
};
