import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { ShipshapeError } from '../src/errors.js';
import { isPlausibleTarHeader, openDecompressed, sniffCompression } from '../src/layer/decompress.js';
import { MAX_ZSTD_WINDOW_BYTES, ZstdWindowGuard } from '../src/layer/zstd-window-guard.js';
import { tarEntries } from './support/tar-writer.js';

const TAR = tarEntries([{ name: 'etc/hostname', type: 'file', content: 'box\n' }]);

/** A zstd frame header asking for a 1 GiB window (as `zstd --long=30` writes), with no blocks after it. */
const HUGE_WINDOW_FRAME = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3]);
const SKIPPABLE_FRAME = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 0x61, 0x62, 0x63]);

function feedInPieces(guard: ZstdWindowGuard, bytes: Buffer, size: number): void {
  for (let at = 0; at < bytes.length; at += size) guard.check(bytes.subarray(at, at + size));
}

async function decompressAll(source: Readable, zstd: 'native' | 'js'): Promise<Buffer> {
  const layer = await openDecompressed(source, { zstd });
  const chunks: Buffer[] = [];
  for await (const chunk of layer.stream) chunks.push(chunk as Buffer);
  await layer.completion;
  return Buffer.concat(chunks);
}

test('sniffCompression reads the magic bytes, and a plain tar from its first header', () => {
  assert.equal(sniffCompression(gzipSync(TAR)), 'gzip');
  assert.equal(sniffCompression(zstdCompress(TAR)), 'zstd');
  assert.equal(sniffCompression(TAR), 'none');
  assert.equal(sniffCompression(Buffer.alloc(1024)), 'none');
  assert.equal(sniffCompression(randomBytes(1024)), undefined);
  assert.equal(sniffCompression(TAR.subarray(0, 100)), undefined);
});

test('isPlausibleTarHeader accepts ustar, v7 (checksum only) and zero blocks', () => {
  const ustar = Buffer.from(TAR.subarray(0, 512));
  assert.ok(isPlausibleTarHeader(ustar));
  const v7 = Buffer.from(ustar);
  v7.fill(0, 257, 265); // no magic: an old v7 header, whose checksum must now be right
  let sum = 0;
  v7.fill(0x20, 148, 156);
  for (const byte of v7) sum += byte;
  v7.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.ok(isPlausibleTarHeader(v7));
  v7[0] = v7[0]! ^ 1;
  assert.ok(!isPlausibleTarHeader(v7));
  assert.ok(isPlausibleTarHeader(Buffer.alloc(512)));
});

test('a zstd frame asking for a window over 128 MiB is refused before fzstd allocates it', async () => {
  const guard = new ZstdWindowGuard();
  assert.throws(
    () => feedInPieces(guard, HUGE_WINDOW_FRAME, 1),
    (err: unknown) =>
      err instanceof ShipshapeError && err.code === 'TOO_LARGE' && /1073741824/.test(err.message),
  );
  await assert.rejects(
    decompressAll(Readable.from([HUGE_WINDOW_FRAME]), 'js'),
    (err: unknown) => err instanceof ShipshapeError && err.code === 'TOO_LARGE',
  );
  // zstd-napi applies the same limit on its own.
  await assert.rejects(
    decompressAll(Readable.from([HUGE_WINDOW_FRAME, Buffer.alloc(16)]), 'native'),
    (err: unknown) => err instanceof ShipshapeError && err.code === 'TOO_LARGE',
  );
});

test('the window guard follows every frame: skippable frames, checksums, RLE and raw blocks', () => {
  const frames = Buffer.concat([
    zstdCompress(Buffer.alloc(300_000, 7)), // RLE blocks
    SKIPPABLE_FRAME,
    zstdCompress(randomBytes(200_000)), // raw blocks
    zstdCompress(TAR, { checksumFlag: true }),
  ]);
  for (const size of [1, 3, 1000, frames.length]) {
    feedInPieces(new ZstdWindowGuard(), frames, size);
    assert.throws(
      () => feedInPieces(new ZstdWindowGuard(), Buffer.concat([frames, HUGE_WINDOW_FRAME]), size),
      (err: unknown) => err instanceof ShipshapeError && err.code === 'TOO_LARGE',
      `a huge window after other frames, in pieces of ${size}`,
    );
  }
  assert.equal(MAX_ZSTD_WINDOW_BYTES, 128 * 1024 * 1024);
});

test('both zstd decoders read multi-frame streams alike', async () => {
  const frames = Buffer.concat([
    zstdCompress(TAR.subarray(0, 512)),
    SKIPPABLE_FRAME,
    zstdCompress(TAR.subarray(512)),
  ]);
  for (const zstd of ['native', 'js'] as const) {
    assert.ok((await decompressAll(Readable.from([frames]), zstd)).equals(TAR), zstd);
  }
});

test('the pure-JS zstd decoder (fzstd) yields the same bytes as zstd-napi, fed in pieces', async () => {
  const big = tarEntries([{ name: 'blob', type: 'file', content: randomBytes(400_000) }]);
  const compressed = zstdCompress(big);
  for (const zstd of ['native', 'js'] as const) {
    const pieces: Buffer[] = [];
    for (let at = 0; at < compressed.length; at += 1000) pieces.push(compressed.subarray(at, at + 1000));
    const layer = await openDecompressed(Readable.from(pieces), { zstd });
    const chunks: Buffer[] = [];
    for await (const chunk of layer.stream) chunks.push(chunk as Buffer);
    await layer.completion;
    assert.ok(Buffer.concat(chunks).equals(big), zstd);
    assert.equal(layer.compressedBytes(), compressed.length);
  }
});

test('both zstd decoders refuse a truncated stream', async () => {
  const compressed = zstdCompress(tarEntries([{ name: 'blob', type: 'file', content: randomBytes(50_000) }]));
  for (const zstd of ['native', 'js'] as const) {
    await assert.rejects(
      decompressAll(Readable.from([compressed.subarray(0, compressed.length - 20)]), zstd),
      (err: unknown) =>
        err instanceof ShipshapeError && err.code === 'MALFORMED' && /truncated zstd/.test(err.message),
      zstd,
    );
  }
});
