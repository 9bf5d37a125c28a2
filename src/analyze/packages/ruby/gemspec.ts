/**
 * Installed gems: the `specifications/*.gemspec` files RubyGems writes on install (and
 * `specifications/default/*.gemspec` for the gems bundled with Ruby). They are Ruby code, which
 * is never evaluated here: RubyGems generates them in a fixed form, read with patterns for it:
 *
 *   # stub: rake 13.0.6 ruby lib
 *   Gem::Specification.new do |s|
 *     s.name = "rake".freeze
 *     s.version = "13.0.6"
 *     s.licenses = ["MIT".freeze]
 *
 * Older RubyGems wrote `%q{rake}` literals and `s.license = "MIT"`; hand-edited files may use
 * single quotes. Anything else yields no value for that field.
 */
import { MalformedFile, cleanList, cleanString, decodeText, langPackage } from '../lang-common.js';
import type { PackageFact } from '../types.js';

/** RubyGems' own rule for gem names (Gem::Specification::VALID_NAME_PATTERN). */
const GEM_NAME = /^[a-zA-Z0-9._-]+$/;
/** Gem versions: digits and letters separated by dots (`1.2.3`, `2.0.0.pre1`, `1.0-java`). */
const GEM_VERSION = /^[0-9][0-9a-zA-Z._-]*$/;
const MAX_LIST_ITEMS = 64;

interface Literal {
  value: string;
  end: number;
}

const PERCENT_CLOSERS: Record<string, string> = { '{': '}', '(': ')', '[': ']', '<': '>' };

/** A Ruby string literal at `pos` (after spaces): "..." '...' %q{...} %Q(...), then `.freeze`. */
export function readRubyString(text: string, pos: number): Literal | undefined {
  let i = pos;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const open = text[i];
  let value = '';
  if (open === '"' || open === "'") {
    i++;
    for (; i < text.length && text[i] !== open; i++) {
      if (text[i] === '\n') return undefined;
      if (text[i] === '\\' && i + 1 < text.length) {
        const next = text[++i]!;
        // Single quotes keep other backslashes; the fields read here hold no escapes that matter.
        if (open === "'" && next !== "'" && next !== '\\') value += '\\';
        value += open === '"' && next === 'n' ? '\n' : open === '"' && next === 't' ? '\t' : next;
      } else value += text[i];
    }
    if (i >= text.length) return undefined;
    i++;
  } else if (
    open === '%' &&
    (text[i + 1] === 'q' || text[i + 1] === 'Q') &&
    Object.hasOwn(PERCENT_CLOSERS, text[i + 2] ?? '')
  ) {
    const close = PERCENT_CLOSERS[text[i + 2]!]!;
    const end = text.indexOf(close, i + 3);
    if (end < 0 || text.slice(i + 3, end).includes('\n')) return undefined;
    value = text.slice(i + 3, end);
    i = end + 1;
  } else return undefined;
  if (text.startsWith('.freeze', i)) i += '.freeze'.length;
  return { value, end: i };
}

/** Whether nothing but a comment or a trailing `if`/`unless` follows `pos` on its line. */
function statementEnds(text: string, pos: number): boolean {
  const eol = text.indexOf('\n', pos);
  const rest = text.slice(pos, eol < 0 ? undefined : eol);
  return /^[ \t]*(?:(?:#|if\b|unless\b).*)?\r?$/.test(rest);
}

/** A string literal that is the whole right-hand side (`"x" + y` is not a literal value). */
function readStringValue(text: string, pos: number): string | undefined {
  const lit = readRubyString(text, pos);
  return lit && statementEnds(text, lit.end) ? lit.value : undefined;
}

/** `["a".freeze, "b".freeze]` at `pos`: the strings, or undefined if it is anything else. */
function readRubyStringArray(text: string, pos: number): string[] | undefined {
  let i = pos;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== '[') return undefined;
  i++;
  const values: string[] = [];
  while (values.length < MAX_LIST_ITEMS) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ']') return statementEnds(text, i + 1) ? values : undefined;
    const lit = readRubyString(text, i);
    if (!lit) return undefined;
    values.push(lit.value);
    i = lit.end;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== ']') return undefined;
  }
  return values;
}

/** The right-hand sides of `<receiver>.<attribute> = ...` lines, first assignment of each. */
function assignments(text: string, receiver: string): Map<string, number> {
  const found = new Map<string, number>();
  const re = /^[ \t]*(\w+)\.(name|version|licenses|license|platform)[ \t]*=(?!=)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== receiver || found.has(m[2]!)) continue;
    found.set(m[2]!, m.index + m[0].length);
  }
  return found;
}

/** `s.version = "1.2.3"`, or `Gem::Version.new("1.2.3")` as some writers put it. */
function readVersion(text: string, pos: number): string | undefined {
  const m = /^[ \t]*Gem::Version\.new\(/.exec(text.slice(pos, pos + 64));
  if (!m) return readStringValue(text, pos);
  const lit = readRubyString(text, pos + m[0].length);
  return lit && text[lit.end] === ')' && statementEnds(text, lit.end + 1) ? lit.value : undefined;
}

export interface Gemspec {
  name: string;
  version: string;
  licenses: string[];
  platform?: string;
}

export function parseGemspecText(text: string): Gemspec {
  const receiver = /Gem::Specification\.new\s+do\s*\|\s*(\w+)\s*\|/.exec(text)?.[1] ?? 's';
  const at = assignments(text, receiver);
  // RubyGems' fast path reads the stub line; it is the fallback when the body says nothing.
  const stub = /^# stub: (\S+) (\S+) (\S+)/m.exec(text);
  const namePos = at.get('name');
  const versionPos = at.get('version');
  const name = cleanString(
    (namePos !== undefined ? readStringValue(text, namePos) : undefined) ?? stub?.[1],
    256,
  );
  const version = cleanString(
    (versionPos !== undefined ? readVersion(text, versionPos) : undefined) ?? stub?.[2],
    256,
  );
  if (!name || !GEM_NAME.test(name)) throw new MalformedFile('no valid gem name');
  if (!version || !GEM_VERSION.test(version)) throw new MalformedFile('no valid gem version');
  const licensesPos = at.get('licenses');
  const licensePos = at.get('license');
  const licenses =
    licensesPos !== undefined
      ? readRubyStringArray(text, licensesPos)
      : licensePos !== undefined
        ? [readStringValue(text, licensePos)]
        : [];
  const platformPos = at.get('platform');
  const platform = cleanString(
    (platformPos !== undefined ? readStringValue(text, platformPos) : undefined) ?? stub?.[3],
    128,
  );
  return {
    name,
    version,
    licenses: cleanList(licenses ?? []),
    ...(platform && platform !== 'ruby' ? { platform } : {}),
  };
}

export function parseGemspec(content: Buffer, path: string): PackageFact {
  const spec = parseGemspecText(decodeText(content));
  return langPackage({
    type: 'gem',
    name: spec.name,
    version: spec.version,
    path,
    licenses: spec.licenses,
    metadata: {
      platform: spec.platform,
      // Gems that ship with Ruby itself; updated only with Ruby.
      default: path.split('/').at(-2) === 'default' ? true : undefined,
    },
  });
}
