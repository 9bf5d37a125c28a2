/**
 * A reader for the YAML that package managers generate (pnpm-lock.yaml through js-yaml, yarn
 * berry's yarn.lock through its own writer): block mappings and sequences by indentation,
 * plain, single- and double-quoted scalars, flow collections (`{integrity: sha512-...}`,
 * `[x64]`), block scalars (`|`, `>`). Every scalar is a string, as under YAML's failsafe schema.
 * It is linear in the input, unlike a general YAML parser, which matters for lockfiles of tens
 * of thousands of packages. Anything outside this subset (anchors, aliases, tags, complex keys,
 * compact nested sequences) is `UnsupportedYaml`, for the caller to hand to a full parser.
 */

export class UnsupportedYaml extends Error {}

export type YamlNode = string | YamlNode[] | YamlMap;
export interface YamlMap {
  [key: string]: YamlNode;
}

/** Deepest flow collection accepted (`{a: {b: [c]}}` is 3). */
const MAX_FLOW_DEPTH = 16;
/** Size and lines one quoted or flow value spanning several lines may reach. */
const MAX_CONTINUED_VALUE = 64 * 1024;
const MAX_CONTINUATION_LINES = 256;

/** Values are never undefined, so a defined entry is a duplicate key (an error in YAML). */
function setKey(map: YamlMap, key: string, value: YamlNode): void {
  if (map[key] !== undefined) throw new UnsupportedYaml(`duplicate key ${JSON.stringify(key.slice(0, 100))}`);
  map[key] = value;
}

/** Without a prototype, a hostile `__proto__` key is an ordinary own property. */
function newMap(): YamlMap {
  return Object.create(null) as YamlMap;
}

interface Line {
  indent: number;
  content: string;
}

/** The input's lines, read one at a time (quoted and block scalars consume several). */
class Lines {
  private readonly lines: string[];
  private i = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  /** The next line holding content (blank and comment-only lines skipped), not consumed. */
  peek(): Line | undefined {
    while (this.i < this.lines.length) {
      const raw = this.raw(this.i);
      const trimmed = raw.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) {
        // The yaml package refuses such a line where a value's indentation is due (after
        // `key:`); generated files never hold one, so it is declined wherever it is.
        if (raw.startsWith('\t')) throw new UnsupportedYaml('tab at the start of a blank line');
        this.i++;
        continue;
      }
      const indent = raw.length - trimmed.length;
      if (raw.slice(0, indent).includes('\t')) throw new UnsupportedYaml('tab in indentation');
      return { indent, content: trimmed.trimEnd() };
    }
    return undefined;
  }

  next(): Line | undefined {
    const line = this.peek();
    if (line) this.i++;
    return line;
  }

  /** The next raw line, consumed, whatever it holds; undefined at the end. */
  nextRaw(): string | undefined {
    return this.i < this.lines.length ? this.raw(this.i++) : undefined;
  }

  /** The next raw line, not consumed. */
  peekRaw(): string | undefined {
    return this.i < this.lines.length ? this.raw(this.i) : undefined;
  }

  private raw(i: number): string {
    const l = this.lines[i]!;
    return l.endsWith('\r') ? l.slice(0, -1) : l;
  }
}

/** YAML's in-line white space (indentation is spaces only; separation may use tabs). */
function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Index of the quote closing the scalar opened at `start`, or -1 if not on this text. */
function closingQuote(s: string, start: number): number {
  const q = s[start];
  for (let i = start + 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') i++;
    else if (s[i] === q) {
      if (q === "'" && s[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** The value of a complete quoted scalar (quotes included in `s`); folded line breaks → spaces. */
function unquote(s: string): string {
  const raw = s.slice(1, -1);
  // Only a single break folds to a space: a blank line is a newline, and an escaped break (or
  // escaped white space before one) joins differently; generated files write neither.
  if (/\n[ \t]*\n/.test(raw) || (s[0] === '"' && /\\[ \t]*\n/.test(raw)))
    throw new UnsupportedYaml('a quoted value folded over a blank line or an escaped line break');
  const body = raw.replace(/[ \t]*\n[ \t]*/g, ' ');
  if (s[0] === "'") return body.replace(/''/g, "'");
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    const r = ESCAPES[e];
    if (r === undefined) throw new UnsupportedYaml(`unknown escape \\${e}`);
    return r;
  });
}

/** Text after a value: nothing, or a comment (which needs white space before its '#'). */
function assertRestEmpty(rest: string): void {
  if (!/^(?:\s+(?:#.*)?)?$/s.test(rest))
    throw new UnsupportedYaml(`unexpected text after a value: ${rest.slice(0, 40)}`);
}

/** A plain scalar: up to a ` #` comment, trimmed. */
function plain(s: string): string {
  // Indicators a plain scalar cannot start with, and `: ` inside one, are errors in YAML (a tab
  // after the colon counts as the space does).
  if (/^(?:[@`\]},%]|[-?:](?:[ \t]|$))/.test(s)) throw new UnsupportedYaml(`unexpected ${s.slice(0, 20)}`);
  const hash = s.search(/[ \t]#/);
  const text = (hash >= 0 ? s.slice(0, hash) : s).trim();
  if (/:(?:[ \t]|$)/.test(text)) throw new UnsupportedYaml('a mapping inside a plain value');
  return text;
}

/** Where a mapping key ends in `s` (the index of its ':'), or -1 if `s` is not `key: ...`. */
function keyEnd(s: string): number {
  if (s[0] === '"' || s[0] === "'") {
    const close = closingQuote(s, 0);
    if (close < 0) return -1;
    let i = close + 1;
    while (isBlank(s[i])) i++;
    return s[i] === ':' && (i + 1 === s.length || isBlank(s[i + 1])) ? i : -1;
  }
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ':' && (i + 1 === s.length || isBlank(s[i + 1]))) return i;
    if (isBlank(s[i]) && s[i + 1] === '#') return -1;
  }
  return -1;
}

function keyText(s: string): string {
  const k = s.trim();
  if (k.startsWith('"') || k.startsWith("'")) return unquote(k);
  if (/^[?&*!|>%@`,[\]{}#]/.test(k) || k === '')
    throw new UnsupportedYaml(`unsupported key ${k.slice(0, 40)}`);
  return k;
}

/** A flow collection or scalar in `s` from `pos`: returns the node and where it ended. */
function readFlow(s: string, pos: number, depth: number): { node: YamlNode; end: number } {
  if (depth > MAX_FLOW_DEPTH) throw new UnsupportedYaml('flow collections nested too deep');
  let i = pos;
  while (isBlank(s[i]) || s[i] === '\n') i++;
  const open = s[i];
  if (open === '{' || open === '[') {
    const close = open === '{' ? '}' : ']';
    const out: YamlMap | YamlNode[] = open === '{' ? newMap() : [];
    i++;
    while (true) {
      while (isBlank(s[i]) || s[i] === '\n') i++;
      if (s[i] === close) return { node: out, end: i + 1 };
      if (i >= s.length) throw new UnsupportedYaml('unclosed flow collection');
      if (Array.isArray(out)) {
        const item = readFlow(s, i, depth + 1);
        out.push(item.node);
        i = item.end;
      } else {
        const key = readFlow(s, i, depth + 1);
        if (typeof key.node !== 'string') throw new UnsupportedYaml('complex key in flow mapping');
        i = key.end;
        while (isBlank(s[i])) i++;
        // `{a}` means a: null, which the string-only nodes here do not represent.
        if (s[i] !== ':') throw new UnsupportedYaml('flow mapping entry without a value');
        const v = readFlow(s, i + 1, depth + 1);
        setKey(out, key.node, v.node);
        i = v.end;
      }
      while (isBlank(s[i]) || s[i] === '\n') i++;
      if (s[i] === ',') i++;
      else if (s[i] !== close) throw new UnsupportedYaml('expected , or the end of a flow collection');
    }
  }
  if (open === '"' || open === "'") {
    const close = closingQuote(s, i);
    if (close < 0) throw new UnsupportedYaml('unclosed quoted scalar');
    return { node: unquote(s.slice(i, close + 1)), end: close + 1 };
  }
  if (open !== undefined && '&*!|>'.includes(open))
    throw new UnsupportedYaml(`unsupported flow node ${open}`);
  if (/^(?:[@`#%]|[-?:](?:[ \t,[\]{}]|$))/.test(s.slice(i, i + 2)))
    throw new UnsupportedYaml('unexpected indicator');
  // A plain scalar ends at a flow indicator or at `: ` (the end of a key).
  let j = i;
  while (
    j < s.length &&
    !',[]{}\n'.includes(s[j]!) &&
    !(s[j] === ':' && (isBlank(s[j + 1]) || ',[]{}\n'.includes(s[j + 1] ?? ',')))
  ) {
    j++;
  }
  const text = s.slice(i, j).trim();
  if (text === '') throw new UnsupportedYaml('empty flow entry');
  return { node: text, end: j };
}

/** Whether the brackets opened in `s` (outside quotes) are all closed. */
function flowBalanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const close = closingQuote(s, i);
      if (close < 0) return false;
      i = close;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return depth <= 0;
}

/**
 * The value after `key: ` (or `- `) on a line at `indent`; quoted and flow values may continue
 * on following lines, block scalars always do.
 */
function readValue(first: string, indent: number, lines: Lines): YamlNode {
  const c = first[0]!;
  if (c === '&' || c === '*' || c === '!') throw new UnsupportedYaml('anchors, aliases and tags');
  if (c === '|' || c === '>') return readBlockScalar(first, indent, lines);
  if (c === '"' || c === "'" || c === '{' || c === '[') {
    let text = first;
    const complete = () => (c === '"' || c === "'" ? closingQuote(text, 0) >= 0 : flowBalanced(text));
    // Each check rescans the value: the caps bound that work as well as the memory.
    for (let n = 0; !complete(); n++) {
      const more = lines.nextRaw();
      if (
        more === undefined ||
        n >= MAX_CONTINUATION_LINES ||
        text.length + more.length > MAX_CONTINUED_VALUE
      ) {
        throw new UnsupportedYaml('unterminated value');
      }
      // Continuation lines are indented past the line the value started on.
      if (more.trim() !== '' && !more.startsWith(' '.repeat(indent + 1)))
        throw new UnsupportedYaml('unterminated value');
      text += `\n${more}`;
    }
    if (c === '"' || c === "'") {
      const close = closingQuote(text, 0);
      assertRestEmpty(text.slice(close + 1));
      return unquote(text.slice(0, close + 1));
    }
    const flow = readFlow(text, 0, 0);
    assertRestEmpty(text.slice(flow.end));
    return flow.node;
  }
  return plain(first);
}

/** `|` or `>` with optional chomping/indentation indicators, then the more-indented lines. */
function readBlockScalar(header: string, indent: number, lines: Lines): string {
  const m = /^([|>])([+-]?)([1-9]?)([+-]?)(?:[ \t]+(?:#.*)?)?$/.exec(header);
  if (!m || (m[2] && m[4])) throw new UnsupportedYaml('bad block scalar header');
  const body: string[] = [];
  let blockIndent = m[3] ? indent + Number(m[3]) : -1;
  for (let raw = lines.peekRaw(); raw !== undefined; raw = lines.peekRaw()) {
    const trimmed = raw.trim() === '' ? '' : raw.trimStart();
    const lead = raw.length - raw.replace(/^ +/, '').length;
    // The first line sets the block's indentation; a line indented less ends it.
    if (trimmed !== '' && (lead <= indent || (blockIndent >= 0 && lead < blockIndent))) break;
    lines.nextRaw();
    if (trimmed !== '' && blockIndent < 0) blockIndent = lead;
    body.push(trimmed === '' ? '' : raw.slice(Math.max(0, blockIndent)));
  }
  const chomp = m[2] || m[4];
  // Folding keeps line breaks around blank and more-indented lines; lockfiles never need that.
  const content = body.filter((l) => l !== '');
  if (m[1] === '>' && (content.length < body.length || content.some((l) => isBlank(l[0])))) {
    throw new UnsupportedYaml('folded scalar with blank or more-indented lines');
  }
  const text = m[1] === '|' ? body.join('\n') : content.join(' ');
  if (chomp === '+') return `${text}\n`;
  const stripped = text.replace(/\n+$/, '');
  return chomp === '-' || stripped === '' ? stripped : `${stripped}\n`;
}

function isSeqItem(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

/**
 * The block node whose lines are indented exactly `indent` (a mapping or, if its first line is
 * `- `, a sequence), until a line indented less.
 */
function readBlock(lines: Lines, indent: number): YamlMap | YamlNode[] {
  const first = lines.peek()!;
  if (isSeqItem(first.content)) {
    const seq: YamlNode[] = [];
    for (
      let line = lines.peek();
      line && line.indent === indent && isSeqItem(line.content);
      line = lines.peek()
    ) {
      lines.next();
      const item = line.content.slice(1).trimStart();
      const itemIndent = indent + (line.content.length - item.length);
      if (line.content.slice(1, line.content.length - item.length).includes('\t')) {
        throw new UnsupportedYaml('tab in indentation');
      }
      if (item === '' || item.startsWith('#')) seq.push(childOf(lines, indent, true));
      else if (isSeqItem(item)) throw new UnsupportedYaml('compact nested sequence');
      else if (keyEnd(item) >= 0) seq.push(readMapping(lines, itemIndent, item));
      else seq.push(readValue(item, indent, lines));
    }
    return seq;
  }
  return readMapping(lines, indent);
}

/** A block mapping at `indent`; `firstEntry` is its first `key: value` when already read. */
function readMapping(lines: Lines, indent: number, firstEntry?: string): YamlMap {
  const map = newMap();
  let entry = firstEntry;
  while (true) {
    if (entry === undefined) {
      const line = lines.peek();
      if (!line || line.indent < indent) return map;
      if (line.indent > indent) throw new UnsupportedYaml('unexpected indentation');
      if (isSeqItem(line.content)) return map; // `key:` followed by a sequence at the same indent
      lines.next();
      entry = line.content;
    }
    const end = keyEnd(entry);
    if (end < 0) throw new UnsupportedYaml(`expected "key: value": ${entry.slice(0, 40)}`);
    const key = keyText(entry.slice(0, end));
    const rest = entry.slice(end + 1).trim();
    setKey(
      map,
      key,
      rest === '' || rest.startsWith('#') ? childOf(lines, indent, false) : readValue(rest, indent, lines),
    );
    entry = undefined;
  }
}

/** The node under a `key:` (or `-`) with nothing after it: a nested block, or '' (empty). */
function childOf(lines: Lines, parentIndent: number, inSequence: boolean): YamlNode {
  const next = lines.peek();
  if (!next) return '';
  // A sequence may sit at its key's own indentation (`key:\n- a`); anything else must be deeper.
  if (
    next.indent > parentIndent ||
    (!inSequence && next.indent === parentIndent && isSeqItem(next.content))
  ) {
    return readBlock(lines, next.indent);
  }
  return '';
}

/** The document in `text`: a mapping (or sequence), or null for an empty document. */
export function parseBlockYaml(text: string): YamlNode | null {
  const lines = new Lines(text);
  let first = lines.peek();
  while (first && first.indent === 0 && first.content === '---') {
    lines.next();
    first = lines.peek();
  }
  if (!first) return null;
  if (first.content.startsWith('--- ')) throw new UnsupportedYaml('content on the document marker line');
  const doc = keyEnd(first.content) >= 0 || isSeqItem(first.content) ? readBlock(lines, first.indent) : null;
  if (doc === null) throw new UnsupportedYaml('a document that is not a mapping or sequence');
  const rest = lines.peek();
  if (rest && rest.content !== '...' && rest.content !== '---')
    throw new UnsupportedYaml('unexpected indentation');
  if (rest?.content === '---') throw new UnsupportedYaml('several documents');
  return doc;
}
