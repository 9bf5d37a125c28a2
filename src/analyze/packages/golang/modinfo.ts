/**
 * The module info text of a Go program (runtime/debug.BuildInfo in its string form): one
 * tab-separated record per line:
 *   path  <main package path>
 *   mod   <main module> <version> [<sum>]
 *   dep   <module> <version> [<sum>]
 *   =>    <replacement path> <version> [<sum>]   (replaces the mod/dep line above it)
 *   build <key>=<value>                           (Go >= 1.18; key or value may be Go-quoted)
 * Unknown or malformed lines are skipped, as `go version -m` does.
 */

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface ModInfo {
  /** The main package's import path (`path` line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

/** More lines than any real program's module info; the rest are ignored. */
const MAX_LINES = 100_000;

export function parseModInfo(text: string): ModInfo {
  const info: ModInfo = { deps: [], settings: {} };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  for (const line of lines.slice(0, MAX_LINES)) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    if (kind === 'path') {
      info.path = rest;
    } else if (kind === 'mod' || kind === 'dep') {
      const mod = parseModule(rest);
      if (!mod) continue;
      if (kind === 'mod') info.main = mod;
      else info.deps.push(mod);
      last = mod;
    } else if (kind === '=>') {
      const repl = parseModule(rest);
      // A replacement applies to the module line right above it, once.
      if (repl && last && !last.replace) last.replace = repl;
      last = undefined;
    } else if (kind === 'build') {
      const setting = parseSetting(rest);
      if (setting) info.settings[setting[0]] = setting[1];
    }
  }
  return info;
}

function parseModule(fields: string): GoModule | undefined {
  const [path, version = '', sum = ''] = fields.split('\t');
  if (!path) return undefined;
  return sum ? { path, version, sum } : { path, version };
}

/** `key=value`, where a key or value that needed quoting is written as a Go quoted string. */
function parseSetting(text: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"')) {
    const end = quotedEnd(text);
    if (end < 0) return undefined;
    const unquoted = unquoteGo(text.slice(0, end));
    if (unquoted === undefined) return undefined;
    key = unquoted;
    rest = text.slice(end);
    if (!rest.startsWith('=')) return undefined;
    rest = rest.slice(1);
  } else {
    const eq = text.indexOf('=');
    if (eq <= 0) return undefined;
    key = text.slice(0, eq);
    rest = text.slice(eq + 1);
  }
  if (rest.startsWith('"')) {
    const value = unquoteGo(rest);
    return value === undefined ? undefined : [key, value];
  }
  return [key, rest];
}

/** Index just past the closing quote of the quoted string at the start of `text`, or -1. */
function quotedEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** strconv.Unquote for double-quoted strings: JSON's escapes plus \a \v \xNN \NNN \UXXXXXXXX. */
export function unquoteGo(quoted: string): string | undefined {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return undefined;
  const body = quoted.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e === undefined) return undefined;
    if (simple[e] !== undefined) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return out;
}
