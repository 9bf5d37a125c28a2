/**
 * The header block of Python's core metadata (METADATA, PKG-INFO): RFC 822 style `Name: value`
 * lines, folded values continued on lines that start with whitespace, ended by a blank line (the
 * description follows). Read the way Python's `email` parser reads it for importlib.metadata:
 * the first line that is neither a header nor a continuation also ends the headers.
 */

/** Real metadata has a few dozen headers (one per classifier); past this it is not metadata. */
const MAX_HEADERS = 5000;

/** A header name: printable ASCII without ':' or space, as `email.feedparser` accepts them. */
const HEADER = /^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*)$/;

/** Lower-cased header name → its values in order (Classifier repeats). */
export type Headers = Map<string, string[]>;

export function parseHeaders(text: string): Headers {
  const headers: Headers = new Map();
  let last: { values: string[]; index: number } | undefined;
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last) last.values[last.index] += `\n${line.trim()}`;
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) break;
    if (++count > MAX_HEADERS) break;
    const name = m[1]!.toLowerCase();
    let values = headers.get(name);
    if (!values) headers.set(name, (values = []));
    values.push(m[2]!.trimEnd());
    last = { values, index: values.length - 1 };
  }
  return headers;
}

/** The first value of a header, as importlib.metadata's `metadata[name]` returns it. */
export function firstHeader(headers: Headers, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.[0];
}
