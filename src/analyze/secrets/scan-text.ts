/**
 * Finds secrets in one text: the rules' regexes, behind a keyword prefilter, then the checks
 * that separate a credential from a look-alike (entropy, digits, dummy values, validators),
 * then one finding per stretch of text (the earlier rule wins an overlap).
 */
import type { ThreatSeverity } from '../findings.js';
import { shannonEntropy } from './mask.js';
import type { SecretAllowList, SecretRule, SecretRuleSet, ValidatorName } from './rules.js';

export interface SecretMatch {
  rule: SecretRule;
  severity: ThreatSeverity;
  secret: string;
  /** 1-based. */
  line: number;
  start: number;
  end: number;
}

export interface ScanTextOptions {
  /** The file's path; null for image config and history, where path-bound rules do not run. */
  path: string | null;
  /**
   * The keywords present, found already (keyword-screen.ts; null: assume all); default: found
   * here with keywordsIn().
   */
  present?: Set<string> | null;
  /** Candidates examined per rule, so a file of a million look-alikes stays cheap. */
  maxCandidatesPerRule?: number;
  maxMatches?: number;
}

const DEFAULT_MAX_CANDIDATES = 200;
const DEFAULT_MAX_MATCHES = 20;
/** A value with fewer distinct characters than this is a filler (`aaaaaaaa1111`), not a key. */
const MIN_DISTINCT_CHARS = 6;

function decodeBase64(s: string): string | null {
  if (!/^[A-Za-z0-9+/_-]{1,8192}={0,2}$/.test(s)) return null;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
}

function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const VALIDATE: Record<ValidatorName, (secret: string, match: RegExpExecArray) => boolean> = {
  // A token-shaped string is a JWT only if its header is JSON naming a real signing algorithm.
  jwt(secret) {
    const [header, payload] = secret.split('.');
    const h = jsonObject(decodeBase64(header ?? ''));
    const alg = h?.alg;
    return (
      typeof alg === 'string' &&
      alg.toLowerCase() !== 'none' &&
      jsonObject(decodeBase64(payload ?? '')) !== null
    );
  },
  // `auth` is base64 of `user:password`; an identity token is opaque.
  'docker-auth'(secret, match) {
    if (match[0].startsWith('"identitytoken"')) return secret.length >= 16;
    const decoded = decodeBase64(secret);
    if (decoded === null) return false;
    const colon = decoded.indexOf(':');
    return colon > 0 && colon < decoded.length - 1 && /^[\x20-\x7e]{3,}$/.test(decoded);
  },
  // A base64 blob is a private key if it decodes to an unencrypted PEM key with a body.
  'base64-private-key'(secret) {
    const pem = decodeBase64(secret.slice(0, 256 - (256 % 4)));
    return pem !== null && PEM_PRIVATE.test(pem);
  },
  // A `sig=` is a shared access signature when the query names the service version.
  'azure-sas'(_secret, match) {
    return /(?:^|&)sv=20[0-9]{2}-[0-9]{2}-[0-9]{2}(?:&|$)/.test(match[0]);
  },
  // `https://user:pass@example.com` is documentation; a real host is not.
  'url-credentials'(_secret, match) {
    const host = /@([A-Za-z0-9.-]{1,253})$/.exec(match[0])?.[1] ?? '';
    return !EXAMPLE_HOST.test(host.replace(/\.$/, ''));
  },
  // `echo user:pass` counts only when piped into chpasswd.
  'command-password'(_secret, match) {
    if (!match[0].startsWith('echo')) return true;
    return /^["']?\s{0,4}\|\s{0,4}(?:sudo\s{1,4})?chpasswd\b/.test(after(match, 64));
  },
  assignment(secret, match) {
    // Short single-case values (`lsdkfol23w54jlksdef`) are typed-in examples; real lower-case
    // keys are hex or base36 of 32 characters or more.
    if (secret.length < 24 && /^(?:[a-z0-9]{1,23}|[A-Z0-9]{1,23})$/.test(secret)) return false;
    if (isResourcePath(secret) || isIdentifier(secret, match.groups?.q ? 4 : 1)) return false;
    // A name-based guess on a commented-out line is a sample configuration's example; real
    // tokens in comments are still found by the rules that know their format.
    if (onCommentLine(match)) return false;
    // Unquoted, `token = scanner.reScanToken` is code reading a variable, not a value.
    if (match.groups?.q) return true;
    return !/^[A-Za-z_$][\w$]{0,127}(?:\.[A-Za-z_$][\w$]{0,127}){1,16}$/.test(secret);
  },
  // A short value under a password name: a set password, not an example, when it mixes upper
  // case, lower case and digits, or has a symbol and two of those (`_.-` are in identifiers too).
  password(secret, match) {
    if (!VALIDATE.assignment(secret, match)) return false;
    const lower = /[a-z]/.test(secret);
    const upper = /[A-Z]/.test(secret);
    const digit = /[0-9]/.test(secret);
    const symbol = /[!@#%^&*+/~?]/.test(secret);
    return (lower && upper && digit) || (symbol && Number(lower) + Number(upper) + Number(digit) >= 2);
  },
};

/**
 * `V1ServiceAccountTokenProjection`, `defaultToConfig2`, `PKCS7PrivateKeyTypes`: a name from
 * code (a class, a type, a function) made of capitalised words, `words` or more of them three
 * letters or longer, not a random value (base62 of 16+ characters almost never splits into such
 * words). Quoted values need more words: a person's password can be two or three words and a
 * number.
 */
function isIdentifier(s: string, words: number): boolean {
  // It may start with an acronym (`PKCS7PrivateKeyTypes`).
  if (!/^(?:[A-Z]{2,8}[0-9]{0,4}|[A-Za-z]?[a-z]{0,24})(?:[A-Z][a-z]{1,24}|[0-9]{1,4}|[_.-])+$/.test(s))
    return false;
  return (s.match(/[A-Z][a-z]{2}/g)?.length ?? 0) >= words;
}

/** `projects/123/secrets/db-pass/versions/1`: a resource name, not a value (base64 has capitals). */
function isResourcePath(s: string): boolean {
  return /^[a-z0-9_.-]{1,64}(?:\/[a-z0-9_.-]{1,64}){2,16}$/.test(s);
}

const PEM_PRIVATE = /^-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{64}/;
/** Hosts reserved for documentation (RFC 2606, RFC 6761) and stand-in names. */
const EXAMPLE_HOST =
  /(?:^|\.)(?:example\.(?:com|org|net|edu)|example|invalid|test|localhost|local)$|^(?:host|hostname|server|domain|127\.0\.0\.1|0\.0\.0\.0)$/i;

/** True when the match sits on a commented-out line (`# password = ...`, ` * token: ...`). */
function onCommentLine(match: RegExpExecArray): boolean {
  const start = match.input.lastIndexOf('\n', match.index) + 1;
  return /^\s{0,32}(?:#|\/\/|;|--|\*|<!--|rem\s)/i.test(match.input.slice(start, match.index));
}

/** The text right after a match (a few characters): what a command does with the value. */
function after(match: RegExpExecArray, n: number): string {
  const end = match.index + match[0].length;
  return match.input.slice(end, end + n);
}

function distinctChars(s: string, enough: number): number {
  const seen = new Set<string>();
  for (const c of s) {
    seen.add(c);
    if (seen.size >= enough) break;
  }
  return seen.size;
}

/** True when `secret` is a published example, a template, a placeholder or filler. */
export function isDummySecret(
  secret: string,
  allow: SecretAllowList,
  extra: readonly RegExp[] = [],
  keepSequences = false,
): boolean {
  if (allow.values.has(secret)) return true;
  if (distinctChars(secret, MIN_DISTINCT_CHARS) < MIN_DISTINCT_CHARS) return true;
  if (!keepSequences && allow.sequencePatterns.some((p) => p.test(secret))) return true;
  return allow.valuePatterns.some((p) => p.test(secret)) || extra.some((p) => p.test(secret));
}

/** True when third-party code keeps example keys at `path` (see rules/secrets/allowlist.yaml). */
export function isAllowedPath(path: string, allow: SecretAllowList): boolean {
  return allow.paths.some((p) => p.test(path));
}

function acceptable(
  rule: SecretRule,
  secret: string,
  match: RegExpExecArray,
  allow: SecretAllowList,
): boolean {
  if (secret.length < rule.minLength) return false;
  if (rule.needsDigit && !(/[0-9]/.test(secret) && /[A-Za-z]/.test(secret))) return false;
  if (rule.minEntropy > 0 && shannonEntropy(secret) < rule.minEntropy) return false;
  if (isDummySecret(secret, allow, rule.allow, rule.keepSequences)) return false;
  return rule.validate === null || VALIDATE[rule.validate](secret, match);
}

function severityFor(rule: SecretRule, path: string | null): ThreatSeverity {
  if (path !== null) for (const e of rule.escalate) if (e.path.test(path)) return e.severity;
  return rule.severity;
}

function rulesFor(set: SecretRuleSet, path: string | null): SecretRule[] {
  return set.rules.filter(
    (r) =>
      (r.paths === null ? true : path !== null && r.paths.test(path)) &&
      !(r.notPaths !== null && path !== null && r.notPaths.test(path)),
  );
}

/** Past this many keyword hits in one file, every rule is assumed possible. */
const MAX_PREFILTER_HITS = 4096;

/**
 * The keywords present in `text` (as written, and lower-cased), or null for "assume all": the
 * longest keyword `prefilter` matches at each place where one starts. That pattern is slow to
 * search with (a character class per letter of every case-insensitive keyword), so the cheaper
 * `screen` finds every place where a keyword could start, and `prefilter` is only tried there
 * (measured: 30 % less time over the text of Debian minbase). Every place counts, those inside
 * an earlier keyword too: a keyword that starts inside another and runs past its end is still
 * found. Where the native engine loads, keyword-screen.ts answers instead (a superset of this).
 */
export function keywordsIn(text: string, set: SecretRuleSet): Set<string> | null {
  const { prefilterAt: at, screen } = set;
  if (!at || !screen) return new Set();
  const found = new Set<string>();
  let hits = 0;
  screen.lastIndex = 0;
  for (let candidate = screen.exec(text); candidate; candidate = screen.exec(text)) {
    const place = candidate.index;
    screen.lastIndex = place + 1;
    at.lastIndex = place;
    const m = at.exec(text);
    if (!m) continue;
    found.add(m[0]);
    found.add(m[0].toLowerCase());
    if (++hits >= MAX_PREFILTER_HITS) return null;
  }
  return found;
}

/**
 * What the native screen found (keyword-screen.ts): the keywords, and the rules whose own
 * `nativeScreen` pattern matched. Those rules run where that pattern did, whatever keywords
 * there are (a longer keyword such as `password` no longer stands for their `passw`).
 */
export class ScreenedKeywords extends Set<string> {
  readonly rules = new Set<string>();
}

function hasKeyword(rule: SecretRule, found: Set<string> | null): boolean {
  // Path-bound rules run on the few files they name, keyword or not.
  if (rule.keywords.length === 0 || rule.paths !== null || found === null) return true;
  if (rule.nativeScreen !== null && found instanceof ScreenedKeywords) return found.rules.has(rule.id);
  // The pattern reports the longest keyword at a place: `PRIVATE KEY-----` also means `PRIVATE KEY`.
  if (found.size === 0) return false;
  return rule.keywords.some((k) => found.has(k) || [...found].some((f) => f.includes(k)));
}

/** False when, with these keywords present, no rule would look at a file at `path` at all. */
export function anyRuleRuns(set: SecretRuleSet, path: string | null, present: Set<string> | null): boolean {
  return rulesFor(set, path).some((rule) => hasKeyword(rule, present));
}

/**
 * Every secret in `text`, at most one per stretch of text and one per rule and value, in order
 * of position; at most `maxMatches` (20), so a file of many look-alikes stays bounded.
 */
export function scanText(text: string, set: SecretRuleSet, opts: ScanTextOptions): SecretMatch[] {
  const maxCandidates = opts.maxCandidatesPerRule ?? DEFAULT_MAX_CANDIDATES;
  const found: SecretMatch[] = [];
  const present = opts.present !== undefined ? opts.present : keywordsIn(text, set);
  for (const rule of rulesFor(set, opts.path)) {
    if (!hasKeyword(rule, present)) continue;
    if (rule.context && !rule.context.test(text)) continue;
    const re = rule.regex;
    re.lastIndex = 0;
    for (let n = 0; n < maxCandidates; n++) {
      const m = re.exec(text);
      if (!m) break;
      if (m[0].length === 0) re.lastIndex++;
      const secret = m.groups?.secret ?? m[0];
      const span = m.indices?.groups?.secret ?? m.indices?.[0] ?? [m.index, m.index + m[0].length];
      if (!acceptable(rule, secret, m, set.allow)) continue;
      found.push({
        rule,
        severity: severityFor(rule, opts.path),
        secret,
        line: 0,
        start: span[0],
        end: span[1],
      });
    }
  }
  return onePerValue(keepFirstOfOverlaps(found, set.rules))
    .slice(0, opts.maxMatches ?? DEFAULT_MAX_MATCHES)
    .map(withLineNumbers(text));
}

/**
 * Every distinct value a rule found, once (at its first place): two tokens in one file are two
 * findings, the same token written twice is one.
 */
function onePerValue(found: SecretMatch[]): SecretMatch[] {
  const seen = new Set<string>();
  return found.filter((m) => {
    const key = `${m.rule.id}\0${m.secret}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Drops a match that overlaps one of an earlier rule, then orders by position. */
function keepFirstOfOverlaps(found: SecretMatch[], order: readonly SecretRule[]): SecretMatch[] {
  if (found.length < 2) return found;
  const rank = new Map(order.map((r, i) => [r, i]));
  found.sort((a, b) => rank.get(a.rule)! - rank.get(b.rule)! || a.start - b.start);
  const kept: SecretMatch[] = [];
  for (const f of found) {
    if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function withLineNumbers(text: string): (m: SecretMatch) => SecretMatch {
  let line = 1;
  let at = 0;
  // Called in order of position, so the newlines are counted once over the whole text.
  return (m) => {
    for (let i = text.indexOf('\n', at); i !== -1 && i < m.start; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return { ...m, line };
  };
}
