/**
 * Which package.json files are installed packages: those directly inside `node_modules/<name>/`
 * or `node_modules/@scope/<name>/`, where every `node_modules` from the first one down is nested
 * in a package the same way (npm's nested trees), or sits in pnpm's virtual store
 * (`node_modules/.pnpm/<name>@<version>/node_modules/<name>/`). A package.json deeper inside a
 * package (`node_modules/x/test/fixtures/node_modules/y/package.json`, `node_modules/x/esm/`)
 * is a test fixture or a module-type marker, not something npm installed.
 */

/** A directory name npm could have created for a package (not `.bin`, `.cache`, `.pnpm`, ...). */
function packageDirSegment(s: string | undefined): s is string {
  return s !== undefined && s.length > 0 && !s.startsWith('.') && !s.startsWith('@');
}

/**
 * The directory name a package was installed under (`express`, `@babel/code-frame`) if `path`
 * is an installed package's package.json, else undefined.
 */
export function installedPackageDir(path: string): string | undefined {
  if (!path.endsWith('/package.json')) return undefined;
  const segs = path.split('/');
  const last = segs.length - 1;
  let i = segs.indexOf('node_modules');
  if (i < 0) return undefined;
  // Each round starts at a `node_modules` segment and moves at least two segments on.
  while (true) {
    let j = i + 1;
    if (segs[j] === '.pnpm') {
      const key = segs[j + 1];
      if (!key || key.startsWith('.') || segs[j + 2] !== 'node_modules') return undefined;
      i = j + 2;
      continue;
    }
    let dir: string;
    const first = segs[j];
    if (first !== undefined && first.startsWith('@') && first.length > 1) {
      if (!packageDirSegment(segs[j + 1])) return undefined;
      dir = `${first}/${segs[j + 1]}`;
      j += 2;
    } else {
      if (!packageDirSegment(first)) return undefined;
      dir = first;
      j += 1;
    }
    if (j === last) return segs[j] === 'package.json' ? dir : undefined;
    if (j > last || segs[j] !== 'node_modules') return undefined;
    i = j;
  }
}
