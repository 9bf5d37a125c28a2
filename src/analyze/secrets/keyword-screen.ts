/**
 * Which of the secret rules' keywords a file holds, found by the native YARA-X engine the
 * malware rules use: one case-insensitive string per keyword, scanned over the file's bytes
 * before they are turned into text. Measured over the 9 MB of text in Debian minbase: 11–13 ms,
 * against 45–95 ms for the JavaScript screen (keywordsIn(), a case-insensitive alternation of
 * every keyword), which stays for where the native engine does not load.
 *
 * The answer is a superset of what keywordsIn() says (every case, every place, overlapping
 * ones too): a rule whose keyword is present runs its regex either way, so the findings are
 * the same; only a file with no keyword at all (and no rule that needs none) is skipped sooner,
 * without being decoded. A rule with a `nativeScreen` is the exception: it runs where that
 * pattern (which every match of the rule holds) is, and only there, whatever keywords are.
 * Keywords such as key, token or `://` are in most text files; an assignment to a secret-like
 * name, or a URL with a password, in few: over Debian minbase's text, the screens leave 73 files
 * of 281 to decode and search (16 ms instead of 45).
 */
import { errorMessage } from '../../errors.js';
import { nativeBinding } from '../malware/yara-native.js';
import type { SecretRuleSet } from './rules.js';
import { ScreenedKeywords } from './scan-text.js';

export type KeywordScreen = (bytes: Buffer) => Set<string> | null;

interface CompiledScreen {
  scan: KeywordScreen;
}

const screens = new WeakMap<SecretRuleSet, CompiledScreen | null>();

/** A YARA text string for `keyword`: printable ASCII as it is, anything else escaped. */
function yaraText(keyword: string): string {
  let out = '';
  for (const c of keyword) {
    const code = c.charCodeAt(0);
    if (code > 0xff) throw new Error(`keyword ${JSON.stringify(keyword)} is not Latin-1`);
    out +=
      c === '"' || c === '\\' || code < 0x20 || code > 0x7e ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

/**
 * The native screen for `set`, compiled once per rule set; null where the native engine does
 * not load (or cannot take the keywords), and callers use keywordsIn() instead. The screen
 * itself answers null ("assume every keyword") when a scan fails.
 */
export function nativeKeywordScreen(set: SecretRuleSet): KeywordScreen | null {
  let screen = screens.get(set);
  if (screen === undefined) {
    screen = compileScreen(set);
    screens.set(set, screen);
  }
  return screen?.scan ?? null;
}

function compileScreen(set: SecretRuleSet): CompiledScreen | null {
  const native = nativeBinding();
  if (!native) return null;
  // Keywords as each rule wrote them; a match in any case stands for all its spellings.
  const plain = set.rules.filter((r) => r.nativeScreen === null);
  const screened = set.rules.filter((r) => r.nativeScreen !== null);
  const keywords = [...new Set(plain.flatMap((r) => r.keywords.map((k) => k.toLowerCase())))];
  if (keywords.length + screened.length === 0) return null;
  let rules: ReturnType<typeof native.compile>;
  try {
    const strings = [
      ...keywords.map((k, i) => `$k${i} = "${yaraText(k)}" nocase`),
      ...screened.map((r, i) => `$s${i} = /${r.nativeScreen}/${r.caseInsensitive ? ' nocase' : ''}`),
    ].join('\n        ');
    rules = native.compile(
      `rule keywords\n{\n    strings:\n        ${strings}\n    condition:\n        any of them\n}\n`,
    );
  } catch (err) {
    // keywordsIn() gives the same findings, only slower: say why once, and go on with it.
    process.emitWarning(`secret keywords: the native screen is off: ${errorMessage(err)}`);
    return null;
  }
  // Presence is all that counts.
  rules.setMaxMatchesPerPattern(1);
  rules.setTimeout(30_000);
  const spellings = new Map<string, string[]>();
  for (const k of keywords) spellings.set(k, []);
  for (const r of plain) for (const k of r.keywords) spellings.get(k.toLowerCase())!.push(k);
  const byId = new Map(keywords.map((k, i) => [`$k${i}`, [k, ...spellings.get(k)!]]));
  const ruleOf = new Map(screened.map((r, i) => [`$s${i}`, r.id]));
  return {
    scan(bytes) {
      let matched;
      try {
        matched = rules.scan(bytes);
      } catch {
        return null;
      }
      const found = new ScreenedKeywords();
      for (const rule of matched) {
        for (const m of rule.matches) {
          for (const k of byId.get(m.identifier) ?? []) found.add(k);
          const screenedRule = ruleOf.get(m.identifier);
          if (screenedRule !== undefined) found.rules.add(screenedRule);
        }
      }
      return found;
    },
  };
}
