import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ShipshapeError } from '../src/errors.js';
import { findSymlinkAncestor, normalizeEntryPath, resolveInRoot } from '../src/layer/paths.js';
import { classifyWhiteout } from '../src/layer/whiteout.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ShipshapeError, `expected a ShipshapeError, got ${String(err)}`);
    return err.code;
  }
}

test('normalizeEntryPath: strips ./, collapses // and . segments, drops a trailing /', () => {
  const cases: [string, string][] = [
    ['usr/bin/ls', 'usr/bin/ls'],
    ['./usr/bin/ls', 'usr/bin/ls'],
    ['usr//bin/./ls', 'usr/bin/ls'],
    ['usr/share/', 'usr/share'],
    ['././etc//', 'etc'],
    ['./', ''],
    ['.', ''],
    ['a/.wh..wh..opq', 'a/.wh..wh..opq'],
    ['...', '...'],
    ['..foo/bar..', '..foo/bar..'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeEntryPath(input), expected, input);
});

test('normalizeEntryPath: refuses absolute names, any .. segment and NUL bytes', () => {
  for (const hostile of ['/etc/passwd', '../x', 'a/../../x', 'a/b/..', 'a/../b', '..', './..', 'a\0b']) {
    assert.equal(
      codeOf(() => normalizeEntryPath(hostile)),
      'UNSAFE_PATH',
      JSON.stringify(hostile),
    );
  }
});

test('normalizeEntryPath: the message names the entry, escaped onto one line', () => {
  assert.throws(
    () => normalizeEntryPath('/\u009b31mred'),
    (err: unknown) => err instanceof ShipshapeError && err.message.includes('"/\\x9b31mred"'),
  );
  assert.throws(
    () => normalizeEntryPath('../evil\nname'),
    (err: unknown) => err instanceof ShipshapeError && err.message.includes('"../evil\\x0aname"'),
  );
});

test('property: normalised paths never climb, never start with /, and are stable', () => {
  const segment = fc.oneof(
    fc.constantFrom('', '.', '..', '...', '.wh.x', 'a', 'b', 'usr', '\0'),
    fc.string({ maxLength: 6 }),
  );
  const name = fc.oneof(
    fc.array(segment, { maxLength: 8 }).map((parts) => parts.join('/')),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  fc.assert(
    fc.property(name, (input) => {
      let out: string;
      try {
        out = normalizeEntryPath(input);
      } catch (err) {
        return err instanceof ShipshapeError && err.code === 'UNSAFE_PATH';
      }
      const segments = out === '' ? [] : out.split('/');
      return (
        !out.startsWith('/') &&
        !out.endsWith('/') &&
        segments.every((s) => s !== '..' && s !== '.' && s !== '') &&
        !out.includes('\0') &&
        normalizeEntryPath(out) === out
      );
    }),
    { numRuns: 3000 },
  );
});

test('findSymlinkAncestor finds the nearest symlink above a path, never the path itself', () => {
  const links = new Set(['evil', 'usr/lib64']);
  const isSymlink = (p: string) => links.has(p);
  assert.equal(findSymlinkAncestor('evil/pwned', isSymlink), 'evil');
  assert.equal(findSymlinkAncestor('evil/a/b', isSymlink), 'evil');
  assert.equal(findSymlinkAncestor('usr/lib64/ld.so', isSymlink), 'usr/lib64');
  assert.equal(findSymlinkAncestor('evil', isSymlink), undefined);
  assert.equal(findSymlinkAncestor('evilish/x', isSymlink), undefined);
  assert.equal(findSymlinkAncestor('usr/lib/x', isSymlink), undefined);
});

test('resolveInRoot follows links inside the root, treating absolute targets and .. as a chroot would', () => {
  const links: Record<string, string> = {
    lib: 'usr/lib',
    'usr/lib/libc.so': 'x86_64/libc.so.6',
    'etc/evil': '../../../../../tmp/x',
    'etc/abs': '/usr/bin/../sbin/init',
    'bin/sh': 'dash',
    loop1: 'loop2',
    loop2: 'loop1',
  };
  const lookup = (p: string) => links[p];
  assert.equal(resolveInRoot('lib/libc.so', lookup), 'usr/lib/x86_64/libc.so.6');
  assert.equal(resolveInRoot('etc/evil', lookup), 'tmp/x');
  assert.equal(resolveInRoot('etc/abs', lookup), 'usr/sbin/init');
  assert.equal(resolveInRoot('bin/sh', lookup), 'bin/dash');
  assert.equal(resolveInRoot('bin/sh', lookup, { followFinal: false }), 'bin/sh');
  assert.equal(resolveInRoot('lib', lookup, { followFinal: false }), 'lib');
  assert.equal(resolveInRoot('lib/', lookup, { followFinal: false }), 'lib');
  assert.equal(resolveInRoot('/../../etc/passwd', lookup), 'etc/passwd');
  assert.equal(resolveInRoot('loop1', lookup), null);
  assert.equal(resolveInRoot('', lookup), '');
});

test('property: resolveInRoot always ends inside the root, or reports a loop', () => {
  const segment = fc.constantFrom('a', 'b', 'c', '..', '.', '');
  const path = fc.array(segment, { maxLength: 6 }).map((parts) => parts.join('/'));
  const target = fc.tuple(fc.boolean(), path).map(([absolute, p]) => (absolute ? `/${p}` : p));
  const linkMap = fc.dictionary(fc.constantFrom('a', 'b', 'a/b', 'b/c', 'c', 'a/a'), target);
  fc.assert(
    fc.property(linkMap, path, (links, start) => {
      const out = resolveInRoot(start, (p) => links[p]);
      if (out === null) return true;
      return !out.startsWith('/') && out.split('/').every((s) => s !== '..' && s !== '.');
    }),
    { numRuns: 2000 },
  );
});

test('classifyWhiteout: files, opaque dirs, AUFS metadata and hostile names', () => {
  assert.equal(classifyWhiteout('usr/bin/ls'), undefined);
  assert.deepEqual(classifyWhiteout('etc/.wh.passwd'), { kind: 'whiteout', target: 'etc/passwd' });
  assert.deepEqual(classifyWhiteout('.wh.tmp'), { kind: 'whiteout', target: 'tmp' });
  assert.deepEqual(classifyWhiteout('var/cache/.wh..wh..opq'), { kind: 'opaque', dir: 'var/cache' });
  assert.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque', dir: '' });
  assert.deepEqual(classifyWhiteout('.wh..wh.plnk'), { kind: 'aufs-meta' });
  assert.deepEqual(classifyWhiteout('.wh..wh.plnk/123.456'), { kind: 'aufs-meta' });
  assert.deepEqual(classifyWhiteout('.wh..wh.aufs'), { kind: 'aufs-meta' });
  assert.equal(classifyWhiteout('usr/share/doc/x.wh.y'), undefined);
  assert.equal(
    codeOf(() => classifyWhiteout('etc/.wh..')),
    'UNSAFE_PATH',
  );
  assert.equal(
    codeOf(() => classifyWhiteout('etc/.wh...')),
    'UNSAFE_PATH',
  );
  assert.equal(
    codeOf(() => classifyWhiteout('etc/.wh.')),
    'MALFORMED',
  );
});

test('normalizeEntryPath: names that are clean only once their ./ prefix is gone', () => {
  assert.equal(normalizeEntryPath('././usr/bin/ls'), 'usr/bin/ls');
  assert.equal(normalizeEntryPath('.//etc'), 'etc');
  assert.equal(normalizeEntryPath('.// '), ' ');
  assert.equal(normalizeEntryPath('./.hidden'), '.hidden');
  assert.equal(normalizeEntryPath('./..hidden'), '..hidden');
  assert.equal(normalizeEntryPath('./.'), '');
});
