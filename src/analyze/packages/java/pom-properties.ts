/**
 * META-INF/maven/<groupId>/<artifactId>/pom.properties, as Maven writes it: a Java properties
 * file (`key=value` or `key: value`, `#`/`!` comments, backslash line continuations).
 */

export interface PomProperties {
  groupId: string;
  artifactId: string;
  version: string;
}

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.trimStart();
    }
    const sep = /(?<!\\)[=:]|(?<!\\)\s/.exec(line);
    const key = unescape(sep ? line.slice(0, sep.index) : line);
    // Whitespace may stand before the real separator (`key = value`); skip both.
    const after = sep ? line.slice(sep.index + 1) : '';
    const value = sep && /\s/.test(sep[0]) ? after.replace(/^\s*[=:]?\s*/, '') : after.trimStart();
    if (key) out.set(key, unescape(value));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[e] ?? e;
  });
}

export function parsePomProperties(text: string): PomProperties | undefined {
  const p = parseProperties(text);
  const groupId = p.get('groupId')?.trim();
  const artifactId = p.get('artifactId')?.trim();
  const version = p.get('version')?.trim();
  if (!groupId || !artifactId || !version) return undefined;
  return { groupId, artifactId, version };
}
