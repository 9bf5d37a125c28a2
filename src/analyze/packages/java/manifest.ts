/**
 * META-INF/MANIFEST.MF (JAR File Specification): `Name: value` lines, values continued on
 * lines that start with one space, sections separated by blank lines. Only the main section
 * (the first) describes the archive itself. Names are case-insensitive: keys are lower-cased.
 */

const MAX_ATTRIBUTES = 10_000;

export function parseManifest(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (attrs.size > 0) break; // end of the main section
      continue;
    }
    if (line.startsWith(' ')) {
      if (key !== undefined) attrs.set(key, attrs.get(key)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    if (attrs.size >= MAX_ATTRIBUTES) break;
    key = line.slice(0, colon).trim().toLowerCase();
    attrs.set(key, line.slice(colon + 1).trim());
  }
  return attrs;
}
