import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { Analyzer } from '../src/analyze/types.js';
import { ShipshapeError } from '../src/errors.js';
import { scanLayer } from '../src/layer/engine.js';
import { scanRootDir } from '../src/layer/rootfs-walk.js';

let root: string;
const BIG = randomBytes(300_000);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'shipshape-rootfs-'));
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  await writeFile(join(root, 'etc/hostname'), 'box\n');
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await writeFile(join(root, 'usr/bin/tool'), BIG);
  await chmod(join(root, 'usr/bin/tool'), 0o755);
  await link(join(root, 'usr/bin/tool'), join(root, 'usr/bin/tool-alias'));
  await symlink('usr/lib', join(root, 'lib'));
  // Points outside the root: must be recorded, never followed.
  await symlink('/etc', join(root, 'escape'));
  await mkdir(join(root, 'empty dir'));
  await mkdir(join(root, 'run'));
  execFileSync('mkfifo', [join(root, 'run/initctl')]);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function analyzers(): Analyzer[] {
  return [
    {
      name: 'head',
      version: 1,
      wants: (h) => (h.type === 'file' ? { mode: 'buffer', maxBytes: 16 } : false),
      analyze: (file) => [
        { path: file.header.path, head: file.content.toString('hex'), truncated: file.truncated },
      ],
    },
    {
      name: 'sha',
      version: 1,
      wants: (h) => (h.path === 'usr/bin/tool' ? { mode: 'stream' } : false),
      open: (h) => {
        const hash = createHash('sha256');
        return { write: (c) => void hash.update(c), end: () => [{ path: h.path, sha: hash.digest('hex') }] };
      },
    },
  ];
}

test('a root directory reads like a tar of it: same records, same facts', async () => {
  const fromDir = await scanRootDir(root, { analyzers: analyzers(), label: 'dir:test' });
  const tar = execFileSync('tar', ['--sort=name', '-C', root, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
  const fromTar = await scanLayer(Readable.from([tar]), { analyzers: analyzers(), label: 'tar:test' });
  assert.deepEqual(fromDir.files, fromTar.files);
  assert.deepEqual(fromDir.facts, fromTar.facts);
  assert.equal(fromDir.diffId, null);
  assert.equal(fromDir.compression, 'none');
  assert.deepEqual(fromDir.warnings, []);
  const byPath = new Map(fromDir.files.map((f) => [f.path, f]));
  assert.equal(byPath.get('usr/bin/tool-alias')?.type, 'hardlink');
  assert.equal(byPath.get('usr/bin/tool-alias')?.linkTarget, 'usr/bin/tool');
  assert.equal(byPath.get('escape')?.linkTarget, '/etc');
  assert.equal(byPath.get('run/initctl')?.type, 'fifo');
  assert.ok(![...byPath.keys()].some((p) => p.startsWith('escape/')), 'the symlink to /etc is not followed');
  assert.deepEqual(fromDir.facts.sha, [
    { path: 'usr/bin/tool', sha: createHash('sha256').update(BIG).digest('hex') },
  ]);
});

test('only the wanted bytes of a file are given, with truncated set', async () => {
  const facts = await scanRootDir(root, { analyzers: analyzers(), label: 'dir:test' });
  const tool = facts.facts.head!.find((f) => f.path === 'usr/bin/tool');
  assert.deepEqual(tool, {
    path: 'usr/bin/tool',
    head: BIG.subarray(0, 16).toString('hex'),
    truncated: true,
  });
  const hostname = facts.facts.head!.find((f) => f.path === 'etc/hostname');
  assert.deepEqual(hostname, {
    path: 'etc/hostname',
    head: Buffer.from('box\n').toString('hex'),
    truncated: false,
  });
});

test('device files are refused unless allowed, as in a layer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shipshape-dev-'));
  try {
    await mkdir(join(dir, 'dev'));
    execFileSync('mknod', [join(dir, 'dev/null'), 'c', '1', '3']);
    await assert.rejects(
      scanRootDir(dir, { analyzers: [], label: 'dir:dev' }),
      (err: unknown) =>
        err instanceof ShipshapeError &&
        err.code === 'UNSAFE_PATH' &&
        /^dir:dev: device file "dev\/null"/.test(err.message),
    );
    const allowed = await scanRootDir(dir, { analyzers: [], label: 'dir:dev', allowDevices: true });
    assert.deepEqual(
      allowed.files.map((f) => `${f.path}:${f.type}`),
      ['dev:dir', 'dev/null:char'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('budgets apply to a walk too', async () => {
  await assert.rejects(
    scanRootDir(root, { analyzers: [], label: 'dir:test', budgets: { maxEntries: 3 } }),
    (err: unknown) =>
      err instanceof ShipshapeError && err.code === 'BUDGET_EXCEEDED' && err.message.includes('dir:test'),
  );
});

test('a missing directory is NOT_FOUND', async () => {
  await assert.rejects(
    scanRootDir(join(root, 'no-such-dir'), { analyzers: [], label: 'dir:missing' }),
    (err: unknown) => err instanceof ShipshapeError && err.code === 'NOT_FOUND',
  );
});

const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

test(
  'unreadable files and directories become warnings',
  { skip: !canDropPrivileges && 'needs root and setpriv' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shipshape-unreadable-'));
    try {
      await writeFile(join(dir, 'open'), 'ok\n');
      await writeFile(join(dir, 'secret'), 'hidden\n');
      await mkdir(join(dir, 'locked'));
      await chmod(join(dir, 'secret'), 0o000);
      await chmod(join(dir, 'locked'), 0o000);
      await chmod(dir, 0o755);
      // Root reads everything, so the walk runs as nobody in a child process.
      const walk = `import(${JSON.stringify(fileURLToPath(new URL('../src/layer/rootfs-walk.ts', import.meta.url)))})
      .then(async ({ scanRootDir }) => {
        const analyzer = { name: 'cat', version: 1, wants: () => ({ mode: 'buffer', maxBytes: 100 }),
          analyze: (f) => [{ path: f.header.path, text: f.content.toString() }] };
        const facts = await scanRootDir(${JSON.stringify(dir)}, { analyzers: [analyzer], label: 'dir:locked' });
        process.stdout.write(JSON.stringify(facts));
      });`;
      const child = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', walk],
        { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' },
      );
      assert.equal(child.status, 0, child.stderr);
      const facts = JSON.parse(child.stdout) as {
        files: { path: string }[];
        facts: { cat: unknown[] };
        warnings: string[];
      };
      assert.deepEqual(
        facts.files.map((f) => f.path),
        ['locked', 'open', 'secret'],
      );
      assert.deepEqual(facts.facts.cat, [
        { path: 'locked', text: '' },
        { path: 'open', text: 'ok\n' },
      ]);
      assert.equal(facts.warnings.length, 2);
      assert.match(facts.warnings[0]!, /^locked: directory not readable: EACCES/);
      assert.match(facts.warnings[1]!, /^cat: secret: not analyzed: not readable: EACCES/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
