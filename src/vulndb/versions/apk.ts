/**
 * Alpine package versions (Alpine, Wolfi, Chainguard), ported from apk-tools' version.c
 * (the current tokenizer, apk-tools 3; written here from the algorithm, not copied).
 *
 * Grammar: `digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-rN}`, e.g. `1.2.3a_rc2_p1-r4`.
 * Suffixes: `_alpha`, `_beta`, `_pre`, `_rc` (pre-releases, in that order, below the plain
 * version) and `_cvs`, `_svn`, `_git`, `_hg`, `_p` (post-releases, above it). `~hash` is a
 * lowercase hex commit hash. Anything else (upper case, a second letter, `-1` instead of `-r1`,
 * an unknown suffix, non-ASCII) is invalid and falls back to generic.ts after every valid
 * version.
 *
 * Comparison walks both token lists while the token kinds agree: the first number compares
 * numerically, later dot-separated numbers numerically unless either has a leading zero (then
 * as strings, Gentoo style: 1.01 < 1.1, 1.0 < 1.00), a letter by character, a suffix by the
 * order above, suffix numbers and `-r` revisions numerically, hashes as strings. When kinds
 * differ, a pre-release suffix is older than anything; otherwise the token that comes earlier
 * in the grammar wins: 1.0_rc1 < 1.0 < 1.0-r1 < 1.0~abc < 1.0_p1 < 1.0a < 1.0.1 < 1.0.1a (a
 * version ending first is older unless the other continues with a pre-release suffix).
 * Numbers have no size limit (apk uses 64-bit integers). apk-tools 2 differs on numbers with
 * a leading zero after a dot (there 1.0 > 1.00 and 1.05 < 1.010), does not accept `~hash`, and
 * accepts a digit right after a letter (1.0a1, invalid here).
 */
import { compareDigits, guarded } from './generic.js';
import type { VersionScheme } from './types.js';

const enum Tok {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  CommitHash = 5,
  RevisionNo = 6,
  End = 7,
}

/** Suffix ranks; NONE (5) is the plain release. */
const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};

interface Token {
  kind: Tok;
  /** The token's text: digits, the letter, the suffix name or the hash. */
  text: string;
  /** Suffix rank for Tok.Suffix. */
  suffix: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z';
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && (isDigit(c) || (c >= 'a' && c <= 'f'));
}

/** The tokens of a valid apk version, ending with Tok.End; null when it is not valid. */
export function parseApk(v: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  const digits = (): string | null => {
    const s = i;
    while (isDigit(v[i])) i++;
    return i > s ? v.slice(s, i) : null;
  };
  const first = digits();
  if (first === null) return null;
  tokens.push({ kind: Tok.InitialDigit, text: first, suffix: 0 });
  let last: Tok = Tok.InitialDigit;
  while (i < v.length) {
    const c = v[i];
    let tok: Token;
    if (isLower(c)) {
      if (last > Tok.Digit) return null;
      tok = { kind: Tok.Letter, text: c!, suffix: 0 };
      i++;
    } else if (c === '.' || isDigit(c)) {
      if (c === '.') {
        if (last > Tok.Digit) return null;
        i++;
      }
      let kind: Tok;
      if (last === Tok.InitialDigit || last === Tok.Digit) kind = Tok.Digit;
      else if (last === Tok.Suffix) kind = Tok.SuffixNo;
      else return null;
      const d = digits();
      if (d === null) return null;
      tok = { kind, text: d, suffix: 0 };
    } else if (c === '_') {
      if (last > Tok.SuffixNo) return null;
      i++;
      const s = i;
      while (isLower(v[i])) i++;
      const rank = SUFFIXES[v.slice(s, i)];
      if (rank === undefined) return null;
      tok = { kind: Tok.Suffix, text: v.slice(s, i), suffix: rank };
    } else if (c === '~') {
      if (last >= Tok.CommitHash) return null;
      i++;
      const s = i;
      while (isHex(v[i])) i++;
      if (i === s) return null;
      tok = { kind: Tok.CommitHash, text: v.slice(s, i), suffix: 0 };
    } else if (c === '-') {
      if (last >= Tok.RevisionNo || v[i + 1] !== 'r') return null;
      i += 2;
      const d = digits();
      if (d === null) return null;
      tok = { kind: Tok.RevisionNo, text: d, suffix: 0 };
    } else {
      return null;
    }
    tokens.push(tok);
    last = tok.kind;
  }
  tokens.push({ kind: Tok.End, text: '', suffix: 0 });
  return tokens;
}

/** apk_blob_sort: byte order, a prefix first. */
function blobSort(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareToken(a: Token, b: Token): number {
  switch (a.kind) {
    case Tok.Digit:
      if (a.text.startsWith('0') || b.text.startsWith('0')) return blobSort(a.text, b.text);
      return compareDigits(a.text, b.text);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareDigits(a.text, b.text);
    case Tok.Letter:
      return blobSort(a.text, b.text);
    case Tok.Suffix:
      return a.suffix - b.suffix;
    default:
      return blobSort(a.text, b.text);
  }
}

export function compareApkParsed(a: Token[], b: Token[]): number {
  let k = 0;
  let ta = a[0]!;
  let tb = b[0]!;
  for (; ta.kind === tb.kind && ta.kind < Tok.End; k++, ta = a[k]!, tb = b[k]!) {
    const r = compareToken(ta, tb);
    if (r !== 0) return r;
  }
  if (ta.kind === tb.kind) return 0;
  if (ta.kind === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.kind === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  return ta.kind > tb.kind ? -1 : 1;
}

export const apk: VersionScheme = {
  name: 'apk',
  ecosystems: ['Alpine', 'Wolfi', 'Chainguard', 'MinimOS'],
  ...guarded(parseApk, compareApkParsed),
};
