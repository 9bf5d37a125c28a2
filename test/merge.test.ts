import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeLayers } from '../src/facts/merge.js';
import type { FileRecord, LayerFacts } from '../src/facts/types.js';

function file(path: string, type: FileRecord['type'] = 'file'): FileRecord {
  return { path, type, mode: 0o644, size: 1, uid: 0, gid: 0 };
}

function layer(files: FileRecord[], whiteouts: string[] = [], opaqueDirs: string[] = []): LayerFacts {
  return {
    diffId: null,
    compression: 'none',
    compressedBytes: 0,
    uncompressedBytes: 0,
    entries: files.length,
    files,
    whiteouts,
    opaqueDirs,
    facts: {},
    analyzers: {},
    warnings: [],
  };
}

test('merge: whiteouts remove a path and its subtree, and history keeps what was removed', () => {
  const img = mergeLayers([
    layer([file('etc', 'dir'), file('etc/secret'), file('opt', 'dir'), file('opt/a/b')]),
    layer([], ['etc/secret', 'opt']),
  ]);
  assert.deepEqual([...img.tree.keys()].sort(), ['etc']);
  const secret = img.history.find((f) => f.path === 'etc/secret');
  assert.equal(secret?.layer, 0);
  assert.equal(secret?.removedIn, 1);
  assert.equal(img.history.find((f) => f.path === 'opt/a/b')?.removedIn, 1);
});

test('merge: an opaque directory hides lower content but keeps its own', () => {
  const img = mergeLayers([
    layer([file('app', 'dir'), file('app/old.js'), file('app/lib/x.js')]),
    layer([file('app', 'dir'), file('app/new.js')], [], ['app']),
  ]);
  assert.deepEqual([...img.tree.keys()].sort(), ['app', 'app/new.js']);
  assert.equal(img.tree.get('app/new.js')?.layer, 1);
});

test('merge: a later file replaces an earlier one; a file replacing a directory removes its subtree', () => {
  const img = mergeLayers([
    layer([file('bin/tool'), file('data', 'dir'), file('data/x')]),
    layer([file('bin/tool'), file('data')]),
  ]);
  assert.equal(img.tree.get('bin/tool')?.layer, 1);
  assert.equal(img.tree.get('data')?.type, 'file');
  assert.equal(img.tree.has('data/x'), false);
  const tools = img.history.filter((f) => f.path === 'bin/tool');
  assert.deepEqual(
    tools.map((t) => [t.layer, t.removedIn]),
    [
      [0, 1],
      [1, undefined],
    ],
  );
});

test('merge: a directory entry over a directory keeps the lower content', () => {
  const img = mergeLayers([
    layer([file('usr', 'dir'), file('usr/bin/ls')]),
    layer([file('usr', 'dir'), file('usr/bin/cat')]),
  ]);
  assert.ok(img.tree.has('usr/bin/ls'));
  assert.ok(img.tree.has('usr/bin/cat'));
  assert.equal(img.tree.get('usr')?.layer, 1);
});

test('merge: a path under a lower layer symlink is placed in a directory of its own, not followed', () => {
  const link: FileRecord = { ...file('lib', 'symlink'), linkTarget: '/etc' };
  const img = mergeLayers([layer([file('etc', 'dir'), file('etc/passwd'), link]), layer([file('lib/evil')])]);
  assert.equal(img.tree.has('lib'), false, 'the symlink is hidden by the upper directory');
  assert.equal(img.tree.get('lib/evil')?.layer, 1);
  assert.equal(img.tree.get('etc/passwd')?.layer, 0, 'nothing was written through the link');
});
