/**
 * The runtime's pieces that need no container: unpacking layers (whiteouts, opaque dirs, links,
 * unsafe entries, ownership shifted into the user namespace), the command/user resolution with
 * Docker's semantics, the seccomp profile, and the bounded output buffer.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isShipshapeError } from '../src/errors.js';
import { buildImage, type LayerSpec } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import { openSource } from '../src/image/target.js';
import { commandOf, resolveUser } from '../src/sandbox/runtime/process-spec.js';
import { TailBuffer } from '../src/sandbox/runtime/runc.js';
import { compileSeccomp, seccompProfile } from '../src/sandbox/runtime/seccomp.js';
import { collectChanges } from '../src/sandbox/runtime/dropped.js';
import { unpackImage } from '../src/sandbox/runtime/unpack.js';
import { tempDir } from './support/tmp.js';

const notRoot = process.getuid?.() !== 0 ? 'unpacking shifts file ownership: needs root' : false;

async function unpackLayers(layers: LayerSpec[]): Promise<string> {
  const dir = tempDir('shipshape-unpack-');
  await writeOciLayout(join(dir, 'oci'), [
    { ref: 't', image: buildImage({ layers, config: { Cmd: ['x'] } }) },
  ]);
  const source = openSource(`oci:${join(dir, 'oci')}:t`);
  const root = join(dir, 'root');
  try {
    await unpackImage(source, await source.resolve(), root);
  } finally {
    await source.close();
  }
  return root;
}

test(
  'unpack: layers apply in order with whiteouts, opaque dirs, links, modes and shifted owners',
  { skip: notRoot },
  async () => {
    const root = await unpackLayers([
      {
        files: [
          { path: 'etc/', type: 'dir' },
          { path: 'etc/keep', content: 'keep' },
          { path: 'etc/gone', content: 'gone' },
          { path: 'app/', type: 'dir' },
          { path: 'app/old', content: 'old' },
          { path: 'bin/', type: 'dir' },
          { path: 'bin/tool', content: '#!/bin/sh\n', mode: 0o4755, uid: 0, gid: 0 },
          { path: 'bin/tool-link', type: 'hardlink', target: 'bin/tool' },
          { path: 'usr/', type: 'dir' },
          { path: 'usr/lib/', type: 'dir' },
          { path: 'lib', type: 'symlink', target: '/usr/lib' },
          { path: 'home/', type: 'dir' },
          { path: 'home/user/', type: 'dir', uid: 1000, gid: 1000 },
          { path: 'dev/', type: 'dir' },
          { path: 'dev/null', type: 'char' },
        ],
      },
      {
        files: [
          { path: 'app/', type: 'dir' },
          { path: 'app/new', content: 'new' },
          // Through the lower layer's absolute symlink: lands in usr/lib, inside the root.
          { path: 'lib/libx.so', content: 'lib' },
        ],
        whiteouts: ['etc/gone'],
        opaque: ['app'],
      },
    ]);
    assert.equal(readFileSync(join(root, 'etc/keep'), 'utf8'), 'keep', 'kept file');
    assert.ok(!existsSync(join(root, 'etc/gone')), 'whiteout removed the file');
    assert.deepEqual(readdirSync(join(root, 'app')), ['new'], 'opaque dir hides the lower content');
    assert.equal(
      readFileSync(join(root, 'usr/lib/libx.so'), 'utf8'),
      'lib',
      'written through the symlink, inside the root',
    );
    assert.equal(readlinkSync(join(root, 'lib')), '/usr/lib', 'symlink kept as written');
    const tool = lstatSync(join(root, 'bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755, 'setuid mode kept after chown');
    assert.equal(tool.uid, 100_000, 'container root is host uid 100000');
    assert.equal(lstatSync(join(root, 'bin/tool-link')).ino, tool.ino, 'hard link shares the inode');
    assert.equal(lstatSync(join(root, 'home/user')).uid, 101_000, 'uid 1000 maps to 101000');
    assert.ok(!existsSync(join(root, 'dev/null')), 'device nodes skipped');
    assert.equal(lstatSync(root).uid, 100_000, 'the root dir belongs to the container root');
  },
);

test(
  'unpack: unsafe entries are refused, nothing is written outside the root',
  { skip: notRoot },
  async () => {
    const cases: LayerSpec[][] = [
      [{ files: [{ path: '../escape', content: 'x' }] }],
      [{ files: [{ path: '/abs', content: 'x' }] }],
      [
        {
          files: [
            { path: 'link', type: 'symlink', target: '/' },
            { path: 'link/etc/x', content: 'x' },
          ],
        },
      ],
      [{ files: [{ path: 'h', type: 'hardlink', target: '../../etc/passwd' }] }],
    ];
    for (const layers of cases) {
      await assert.rejects(
        unpackLayers(layers),
        (err: unknown) => isShipshapeError(err) && ['UNSAFE_PATH', 'MALFORMED'].includes(err.code),
        `refused: ${JSON.stringify(layers[0]!.files![layers[0]!.files!.length - 1]!.path)}`,
      );
    }
  },
);

test('command: Docker semantics for Entrypoint and Cmd', () => {
  assert.deepEqual(commandOf(['/ep'], ['a', 'b']), ['/ep', 'a', 'b'], 'entrypoint + cmd');
  assert.deepEqual(commandOf(null, ['sh']), ['sh'], 'cmd only');
  assert.deepEqual(
    commandOf(['/ep'], ['a'], { entrypoint: ['/x'] }),
    ['/x'],
    'overridden entrypoint drops cmd',
  );
  assert.deepEqual(commandOf(['/ep'], ['a'], { cmd: ['b'] }), ['/ep', 'b'], 'overridden cmd');
  assert.throws(() => commandOf(null, null), /no Entrypoint and no Cmd/, 'nothing to run');
  assert.throws(() => commandOf([], ['']), /empty string/, 'Cmd [""]');
});

test('user: names and ids resolve through the image passwd and group files', () => {
  const root = tempDir('shipshape-user-');
  mkdirSync(join(root, 'real/etc'), { recursive: true });
  // An absolute symlink means the image's own file, never the host's.
  mkdirSync(join(root, 'etc'));
  writeFileSync(
    join(root, 'real/etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nbroken line\n',
  );
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\ndocker:x:999:app\n');
  symlinkSync('/real/etc/passwd', join(root, 'etc/passwd'));
  assert.deepEqual(
    resolveUser(root, ''),
    { uid: 0, gid: 0, home: '/root', additionalGids: [] },
    'default root',
  );
  assert.deepEqual(
    resolveUser(root, 'app'),
    { uid: 1000, gid: 1000, home: '/home/app', additionalGids: [999] },
    'by name',
  );
  assert.deepEqual(
    resolveUser(root, '1000:docker'),
    { uid: 1000, gid: 999, home: '/home/app', additionalGids: [] },
    'uid:group',
  );
  assert.deepEqual(
    resolveUser(root, '4242'),
    { uid: 4242, gid: 0, home: '/', additionalGids: [] },
    'unknown uid is fine',
  );
  assert.throws(() => resolveUser(root, 'nobody-here'), /unable to find user/, 'unknown name refused');
  assert.throws(() => resolveUser(root, 'app:nogroup'), /unable to find group/, 'unknown group refused');
});

test('user: any passwd/group text and any User string give an answer or a clear error', () => {
  const root = tempDir('shipshape-user-prop-');
  mkdirSync(join(root, 'etc'));
  fc.assert(
    fc.property(
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 40 }),
      (passwd, group, spec) => {
        writeFileSync(join(root, 'etc/passwd'), passwd);
        writeFileSync(join(root, 'etc/group'), group);
        try {
          const user = resolveUser(root, spec);
          return (
            Number.isSafeInteger(user.uid) && Number.isSafeInteger(user.gid) && typeof user.home === 'string'
          );
        } catch (err) {
          return isShipshapeError(err) && err.code === 'BAD_ARGUMENT';
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('seccomp: the profile loads and blocks the dangerous set; bad data is refused', () => {
  const profile = seccompProfile();
  const blocked = new Set(
    profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ERRNO').flatMap((r) => r.names),
  );
  for (const name of [
    'mount',
    'umount2',
    'ptrace',
    'kexec_load',
    'init_module',
    'finit_module',
    'delete_module',
    'bpf',
    'perf_event_open',
    'keyctl',
    'add_key',
    'request_key',
    'unshare',
    'setns',
    'open_by_handle_at',
    'reboot',
    'swapon',
    'swapoff',
    'pivot_root',
    'acct',
    'settimeofday',
    'clock_settime',
    'userfaultfd',
  ]) {
    assert.ok(blocked.has(name), `${name} blocked`);
  }
  assert.ok(!blocked.has('read') && !blocked.has('execve'), 'ordinary calls allowed');
  assert.throws(
    () => compileSeccomp({ ...profile, description: '', defaultAction: 'SCMP_ACT_NOPE' }),
    'bad action refused',
  );
});

test('output: TailBuffer keeps the last bytes only', () => {
  const tail = new TailBuffer(10);
  for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line${i}\n`));
  assert.equal(tail.text(), 'e98\nline99\n'.slice(-10), 'last 10 bytes');
  assert.equal(tail.truncated, true, 'marked truncated');
});

test('dropped: the writable layer walk lists files with hashes and never follows links', async () => {
  const upper = tempDir('shipshape-upper-');
  mkdirSync(join(upper, 'tmp'));
  writeFileSync(join(upper, 'tmp/a'), 'abc');
  symlinkSync('/etc/shadow', join(upper, 'tmp/link'));
  mkdirSync(join(upper, 'etc'));
  writeFileSync(join(upper, 'etc/hosts'), '');
  const changes = await collectChanges(upper);
  assert.deepEqual(
    changes.dropped,
    [{ path: '/tmp/a', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }],
    'only the regular file; the empty runtime mount point and the symlink are not drops',
  );
  const capped = await collectChanges(upper, { maxEntries: 1 });
  assert.ok(
    capped.warnings.some((w) => /more than 1 entries/.test(w)),
    'entry cap warns',
  );
});
