/**
 * What dpkg records about the files of one package: `info/<pkg>.list` (every path it
 * unpacked, absolute, one a line, starting with `/.`) and `info/<pkg>.md5sums`
 * (`<md5>  <path>`, paths relative to the root). Paths come out relative to the image root.
 */
import type { ParseResult } from './control.js';

export interface Md5Entry {
  path: string;
  md5: string;
}

/** `/usr/bin/x` or `./usr/bin/x` → `usr/bin/x`; the root itself → ''. */
function relativeToRoot(path: string): string {
  let start = 0;
  let end = path.length;
  for (;;) {
    if (path[start] === '/') start++;
    else if (path[start] === '.' && path[start + 1] === '/') start += 2;
    else break;
  }
  while (end > start && path[end - 1] === '/') end--;
  const p = path.slice(start, end);
  return p === '.' ? '' : p;
}

function* lines(text: string): Generator<[number, string]> {
  let start = 0;
  let n = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    n++;
    const line = text.slice(start, end);
    start = end + 1;
    yield [n, line.endsWith('\r') ? line.slice(0, -1) : line];
  }
}

export function parseDpkgList(text: string, maxFiles: number): ParseResult<string> {
  const records: string[] = [];
  const problems: string[] = [];
  for (const [n, line] of lines(text)) {
    if (line === '') continue;
    if (line.includes('\0')) {
      problems.push(`line ${n}: NUL byte in a path`);
      continue;
    }
    const path = relativeToRoot(line);
    if (path === '') continue;
    if (records.length >= maxFiles) {
      problems.push(`more than ${maxFiles} paths; the rest are not read`);
      break;
    }
    records.push(path);
  }
  return { records, problems };
}

const MD5_LINE = /^([0-9a-fA-F]{32}) [ *](.+)$/;

export function parseDpkgMd5sums(text: string, maxFiles: number): ParseResult<Md5Entry> {
  const records: Md5Entry[] = [];
  const problems: string[] = [];
  for (const [n, line] of lines(text)) {
    if (line === '') continue;
    const m = MD5_LINE.exec(line);
    const path = m ? relativeToRoot(m[2]!) : '';
    if (!m || path === '' || path.includes('\0')) {
      problems.push(`line ${n}: not "<md5>  <path>"`);
      continue;
    }
    if (records.length >= maxFiles) {
      problems.push(`more than ${maxFiles} entries; the rest are not read`);
      break;
    }
    records.push({ path, md5: m[1]!.toLowerCase() });
  }
  return { records, problems };
}
