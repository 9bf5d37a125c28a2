/**
 * Debian control-file paragraphs (deb822), as dpkg writes its status database: `Field: value`
 * lines, continuation lines starting with a space or tab, paragraphs separated by blank lines.
 * Field names compare case-insensitively, as in dpkg. Only the fields a caller names are kept,
 * so a multi-megabyte status file costs a few strings per package, not its descriptions.
 */

export interface Paragraph {
  /** Lower-cased field name → value (continuation lines joined with '\n'). */
  fields: Map<string, string>;
  /** 1-based line of the paragraph's first field, for messages. */
  line: number;
}

export interface ParagraphLimits {
  /** Paragraphs past this many are not read (a problem says so). */
  maxParagraphs: number;
}

export interface ParseResult<T> {
  records: T[];
  problems: string[];
}

/** Splits `text` into paragraphs, keeping the fields in `wanted` (lower-case names). */
export function parseParagraphs(
  text: string,
  wanted: ReadonlySet<string>,
  limits: ParagraphLimits,
): ParseResult<Paragraph> {
  const records: Paragraph[] = [];
  const problems: string[] = [];
  let current: Paragraph | null = null;
  // The field the last continuation line belongs to, or null when it is one we do not keep.
  let lastField: string | null = null;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);

    if (line.trim() === '') {
      current = null;
      lastField = null;
      if (end === text.length) break;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (!current) problems.push(`line ${lineNo}: continuation line outside a paragraph`);
      else if (lastField !== null) current.fields.set(lastField, `${current.fields.get(lastField)}\n${line}`);
      continue;
    }
    if (line[0] === '#') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push(`line ${lineNo}: not a "Field: value" line`);
      lastField = null;
      continue;
    }
    if (!current) {
      if (records.length >= limits.maxParagraphs) {
        problems.push(`more than ${limits.maxParagraphs} paragraphs; the rest are not read`);
        break;
      }
      current = { fields: new Map(), line: lineNo };
      records.push(current);
    }
    const name = line.slice(0, colon).toLowerCase();
    if (!wanted.has(name)) {
      lastField = null;
      continue;
    }
    if (current.fields.has(name)) {
      problems.push(
        `line ${lineNo}: duplicate field ${JSON.stringify(line.slice(0, colon))}; the first is kept`,
      );
      lastField = null;
      continue;
    }
    current.fields.set(name, line.slice(colon + 1).trim());
    lastField = name;
  }
  return { records, problems };
}

/**
 * A buffer cut at `maxBytes` ends inside some paragraph: that paragraph is incomplete (its
 * version may be cut in half), so only the text up to the last blank line is trusted.
 */
export function completeParagraphsOnly(text: string): string {
  let end = text.lastIndexOf('\n');
  while (end >= 0) {
    const prev = end > 0 ? text.lastIndexOf('\n', end - 1) : -1;
    if (text.slice(prev + 1, end).trim() === '') return text.slice(0, end + 1);
    end = prev;
  }
  return '';
}
