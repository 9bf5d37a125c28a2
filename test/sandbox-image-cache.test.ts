/**
 * The sandbox's cache of unpacked images (src/sandbox/runtime/image-cache.ts): keyed by what
 * decides the tree, stored whole or not at all, reused by the next run, never written by a
 * container, and trimmed least-recently-used first without touching an entry in use.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSource } from '../src/image/target.js';
import type { ResolvedImage } from '../src/image/types.js';
import {
  cachedImage,
  evict,
  imageCacheDir,
  imageCacheKey,
  ownDirectory,
} from '../src/sandbox/runtime/image-cache.js';
import { collectChanges, dispose, prepareRun, runPrepared } from '../src/sandbox/runtime/index.js';
import { DEFAULT_ID_MAP } from '../src/sandbox/runtime/types.js';
import { SANDBOX_SKIP, sandboxImages, type SandboxImages } from './sandbox-runtime-images.js';
import { tempDir } from './support/tmp.js';

const skip = SANDBOX_SKIP;
if (!skip) process.env.SHIPSHAPE_SANDBOX_RUNS = tempDir('shipshape-sbx-registry-');
const imageDir = skip ? '' : tempDir('shipshape-sbx-images-');
let images: SandboxImages;

before(async () => {
  if (skip) return;
  images = await sandboxImages(imageDir);
});

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh cache on the tmpfs, as the default one is; removed after the tests. */
function cacheDir(): string {
  const dir = join('/dev/shm', `shipshape-test-cache-${process.pid}-${Math.random().toString(36).slice(2)}`);
  made.push(dir);
  return dir;
}

const fakeImage = (digests: (string | null)[]) =>
  ({ layers: digests.map((digest, index) => ({ digest, index })) }) as unknown as ResolvedImage;

test('image cache: the key follows the layers, their order and the id map; no key without digests', () => {
  const a = `sha256:${'a'.repeat(64)}`;
  const b = `sha256:${'b'.repeat(64)}`;
  const key = imageCacheKey(fakeImage([a, b]), DEFAULT_ID_MAP);
  assert.match(key ?? '', /^[0-9a-f]{64}$/, 'a hex key');
  assert.equal(imageCacheKey(fakeImage([a, b]), DEFAULT_ID_MAP), key, 'stable');
  assert.notEqual(imageCacheKey(fakeImage([b, a]), DEFAULT_ID_MAP), key, 'order matters');
  assert.notEqual(imageCacheKey(fakeImage([a]), DEFAULT_ID_MAP), key, 'every layer counts');
  assert.notEqual(
    imageCacheKey(fakeImage([a, b]), { ...DEFAULT_ID_MAP, hostUid: 200_000 }),
    key,
    'owners shifted otherwise are another tree',
  );
  assert.equal(imageCacheKey(fakeImage([a, null]), DEFAULT_ID_MAP), undefined, 'a layer without digest');
  assert.equal(imageCacheKey(fakeImage([a, 'sha256:../../x']), DEFAULT_ID_MAP), undefined, 'a bad digest');
  assert.equal(imageCacheDir({ dir: 'off' }), undefined, '`off` disables it');
});

test('image cache: a directory someone else made or a link in its place is not used', { skip }, () => {
  const mine = cacheDir();
  assert.equal(ownDirectory(mine), true, 'made here');
  assert.equal(statSync(mine).mode & 0o777, 0o700, 'private');
  chmodSync(mine, 0o777);
  assert.equal(ownDirectory(mine), true, 'ours, made private again');
  assert.equal(statSync(mine).mode & 0o777, 0o700, 'private again');
  const theirs = cacheDir();
  mkdirSync(theirs);
  chownSync(theirs, 65_534, 65_534);
  assert.equal(ownDirectory(theirs), false, "another user's directory");
  const link = cacheDir();
  symlinkSync(mine, link);
  assert.equal(ownDirectory(link), false, 'a symlink');
});

test('image cache: trimmed least recently used first, entries in use and fresh temp dirs kept', () => {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const hours = (h: number) => new Date(Date.now() - h * 3600_000);
  const entry = (name: string, bytes: number, usedHoursAgo: number) => {
    mkdirSync(join(dir, name, 'rootfs'), { recursive: true });
    writeFileSync(
      join(dir, name, 'meta.json'),
      JSON.stringify({ entries: 1, bytes, warnings: [], format: 1, key: name }),
    );
    utimesSync(join(dir, name, 'meta.json'), hours(usedHoursAgo), hours(usedHoursAgo));
  };
  entry('old', 600, 5);
  entry('older', 600, 9);
  entry('recent', 600, 0.1);
  mkdirSync(join(dir, 'tmp-crashed'));
  utimesSync(join(dir, 'tmp-crashed'), hours(3), hours(3));
  mkdirSync(join(dir, 'tmp-running'));
  mkdirSync(join(dir, 'broken'));
  utimesSync(join(dir, 'broken'), hours(3), hours(3));
  const removed = evict(dir, 1200)
    .map((p) => p.slice(dir.length + 1))
    .sort();
  assert.deepEqual(
    removed,
    ['broken', 'older', 'tmp-crashed'],
    'the oldest entry, a crashed temp dir, a broken entry',
  );
  assert.deepEqual(readdirSync(dir).sort(), ['old', 'recent', 'tmp-running'], 'what stays');
  assert.deepEqual(
    evict(dir, 100).map((p) => p.slice(dir.length + 1)),
    ['old'],
    'then the next oldest',
  );
  assert.ok(
    existsSync(join(dir, 'recent')),
    'an entry used within the hour is never evicted, even over the limit',
  );
});

test(
  'image cache: stored whole on first use, a hit after; a broken entry is replaced',
  { skip },
  async () => {
    const dir = cacheDir();
    const source = openSource(images.basic);
    try {
      const image = await source.resolve();
      const first = await cachedImage(source, image, DEFAULT_ID_MAP, {}, { dir });
      assert.equal(first?.hit, false, 'unpacked and stored');
      assert.ok(existsSync(join(first!.rootfs, 'opt/t/hello.sh')), 'the image tree is there');
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.startsWith('tmp-')),
        [],
        'no temporary dir left',
      );
      const second = await cachedImage(source, image, DEFAULT_ID_MAP, {}, { dir });
      assert.equal(second?.hit, true, 'found the second time');
      assert.deepEqual(second?.unpacked, first?.unpacked, 'with what the unpack reported');
      const key = imageCacheKey(image, DEFAULT_ID_MAP)!;
      writeFileSync(join(dir, key, 'meta.json'), '{"broken"');
      const third = await cachedImage(source, image, DEFAULT_ID_MAP, {}, { dir });
      assert.equal(third?.hit, false, 'a broken entry is unpacked again');
      assert.equal(
        JSON.parse(readFileSync(join(dir, key, 'meta.json'), 'utf8')).key,
        key,
        'and stored whole',
      );
    } finally {
      await source.close();
    }
  },
);

test(
  'image cache: the next run mounts the cached image; what a container writes never reaches it',
  { skip, timeout: 120_000 },
  async () => {
    const dir = cacheDir();
    const run = async (entrypoint: string[]) => {
      const source = openSource(images.basic);
      const prepared = await prepareRun(source, await source.resolve(), { entrypoint, imageCache: { dir } });
      try {
        const result = await runPrepared(prepared, { timeoutMs: 20_000 });
        const changes = await collectChanges(prepared.upperDir);
        return { prepared, result, changes };
      } finally {
        await dispose(prepared);
        await source.close();
      }
    };
    const write = [
      'sh',
      '-c',
      'echo changed > /opt/t/hello.sh && echo new > /etc/dropped && rm /etc/hostname',
    ];
    const a = await run(write);
    assert.equal(a.prepared.imageCache, 'stored', 'the first run unpacked into the cache');
    assert.equal(a.result.exitCode, 0, 'the container could write its own layer');
    assert.ok(
      JSON.stringify(a.changes.dropped).includes('etc/dropped'),
      'the write is seen in the upper layer',
    );
    const b = await run([
      'sh',
      '-c',
      'cat /opt/t/hello.sh; test -e /etc/dropped && echo LEAK; test -e /etc/hostname && echo kept',
    ]);
    assert.equal(b.prepared.imageCache, 'hit', 'the second run used the cache');
    assert.match(b.result.stdout, /kept/, 'a file the first container deleted is still in the image');
    assert.doesNotMatch(
      b.result.stdout,
      /changed|LEAK/,
      'nothing the first container wrote reached the cache',
    );
    const key = readdirSync(dir).find((n) => /^[0-9a-f]{64}$/.test(n))!;
    assert.ok(!existsSync(join(dir, key, 'rootfs/etc/dropped')), 'the cached tree itself is untouched');
    const off = await (async () => {
      const source = openSource(images.basic);
      const prepared = await prepareRun(source, await source.resolve(), {
        entrypoint: ['true'],
        imageCache: false,
      });
      await dispose(prepared);
      await source.close();
      return prepared.imageCache;
    })();
    assert.equal(off, 'off', 'imageCache: false unpacks for the run alone');
  },
);
