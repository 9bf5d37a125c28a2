/**
 * Path globs for allow-lists kept as data: `**` crosses directories (followed by a slash, it may also
 * match no directory at all), `*` and `?` stay inside one name, `{a,b}` is either. Paths are
 * image-relative, without a leading '/'. Compiled once to a RegExp.
 */

const MAX_GLOB_LENGTH = 512;

export function globToRegExp(glob: string): RegExp {
  if (glob.length > MAX_GLOB_LENGTH) throw new Error(`glob longer than ${MAX_GLOB_LENGTH} characters`);
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (braces !== 0) throw new Error(`unbalanced braces in glob ${glob}`);
  return new RegExp(`^${out}$`);
}

/** One compiled list: `match(path)` gives the first entry whose glob matches. */
export function globList<T extends { glob: string }>(entries: readonly T[]): (path: string) => T | undefined {
  const compiled = entries.map((e) => ({ entry: e, re: globToRegExp(e.glob) }));
  return (path) => compiled.find((c) => c.re.test(path))?.entry;
}
