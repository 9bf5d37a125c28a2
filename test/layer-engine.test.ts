import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as zstdCompress } from 'zstd-napi';
import type { Analyzer, FileInput } from '../src/analyze/types.js';
import { ShipshapeError } from '../src/errors.js';
import type { LayerFacts } from '../src/facts/types.js';
import { scanLayer, type ScanLayerOptions } from '../src/layer/engine.js';
import type { EntryHeader } from '../src/layer/types.js';
import { rejectsWith as rejectsWithError } from './support/assertions.js';
import {
  paxRecord,
  tarEnd,
  tarEntries,
  tarHeader,
  tarPadding,
  type TarEntrySpec,
} from './support/tar-writer.js';

const LABEL = 'sha256:feedface';

function scan(bytes: Buffer, options: Partial<ScanLayerOptions> = {}): Promise<LayerFacts> {
  return scanLayer(Readable.from([bytes]), { analyzers: [], label: LABEL, ...options });
}

/** The same bytes in small pieces, so every boundary (header, body, block) falls inside a chunk somewhere. */
function inPieces(bytes: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return Readable.from(pieces);
}

/** Asserts a one-line ShipshapeError with `code` whose message names the layer label and every `mentions`. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  ...mentions: string[]
): Promise<ShipshapeError> {
  const caught = await rejectsWithError(promise, code, ...mentions);
  assert.ok(caught.message.startsWith(`${LABEL}: `), `message should name the layer: ${caught.message}`);
  return caught;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const SAMPLE: TarEntrySpec[] = [
  { name: './', type: 'dir' },
  { name: './etc/', type: 'dir', mode: 0o755 },
  { name: './etc/os-release', type: 'file', content: 'ID=debian\nVERSION_ID="12"\n', mtime: 1_600_000_000 },
  { name: 'usr/bin/tool', type: 'file', content: randomBytes(70_000), mode: 0o4755, uid: 0, gid: 50 },
  { name: 'usr/bin/tool-alias', type: 'hardlink', linkname: 'usr/bin/tool' },
  { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
  { name: 'etc/localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' },
  { name: 'run/initctl', type: 'fifo', mode: 0o600 },
  { name: 'var/lib/.wh.cache', type: 'file' },
  { name: 'opt/app/.wh..wh..opq', type: 'file' },
  { name: `usr/share/${'deep/'.repeat(30)}pax-long-name.txt`, type: 'file', content: 'pax' },
  { name: `usr/share/${'gnu/'.repeat(40)}gnu-long-name.txt`, type: 'file', content: 'gnu', longNames: 'gnu' },
  { name: 'home/user/file', type: 'file', content: '', uid: 1000, gid: 1000 },
];

test('records files, directories, links, fifos, whiteouts and opaque directories', async () => {
  const facts = await scan(tarEntries(SAMPLE));
  const byPath = new Map(facts.files.map((f) => [f.path, f]));
  assert.deepEqual(
    facts.files.map((f) => f.path),
    [
      'etc',
      'etc/os-release',
      'usr/bin/tool',
      'usr/bin/tool-alias',
      'lib',
      'etc/localtime',
      'run/initctl',
      `usr/share/${'deep/'.repeat(30)}pax-long-name.txt`,
      `usr/share/${'gnu/'.repeat(40)}gnu-long-name.txt`,
      'home/user/file',
    ],
  );
  assert.deepEqual(byPath.get('etc'), { path: 'etc', type: 'dir', mode: 0o755, size: 0, uid: 0, gid: 0 });
  assert.deepEqual(byPath.get('usr/bin/tool'), {
    path: 'usr/bin/tool',
    type: 'file',
    mode: 0o4755,
    size: 70_000,
    uid: 0,
    gid: 50,
  });
  assert.equal(byPath.get('usr/bin/tool-alias')?.type, 'hardlink');
  assert.equal(byPath.get('usr/bin/tool-alias')?.linkTarget, 'usr/bin/tool');
  assert.equal(byPath.get('lib')?.linkTarget, 'usr/lib');
  assert.equal(byPath.get('etc/localtime')?.linkTarget, '/usr/share/zoneinfo/UTC');
  assert.equal(byPath.get('run/initctl')?.type, 'fifo');
  assert.equal(byPath.get('home/user/file')?.uid, 1000);
  assert.deepEqual(facts.whiteouts, ['var/lib/cache']);
  assert.deepEqual(facts.opaqueDirs, ['opt/app']);
  assert.equal(facts.entries, SAMPLE.length);
  assert.deepEqual(facts.warnings, []);
});

test('gzip, zstd and plain tar give the same facts and the diffId of the plain tar', async () => {
  const tar = tarEntries(SAMPLE);
  const plain = await scan(tar);
  const gzip = await scan(gzipSync(tar));
  const zstd = await scan(zstdCompress(tar));
  const pieces = await scanLayer(inPieces(gzipSync(tar), 333), { analyzers: [], label: LABEL });
  assert.equal(plain.diffId, sha256(tar));
  assert.deepEqual([plain.compression, gzip.compression, zstd.compression], ['none', 'gzip', 'zstd']);
  for (const other of [gzip, zstd, pieces]) {
    assert.equal(other.diffId, plain.diffId);
    assert.equal(other.uncompressedBytes, tar.length);
    assert.deepEqual(other.files, plain.files);
    assert.deepEqual(other.whiteouts, plain.whiteouts);
    assert.deepEqual(other.opaqueDirs, plain.opaqueDirs);
  }
  assert.equal(gzip.compressedBytes, gzipSync(tar).length);
  assert.equal(plain.compressedBytes, tar.length);
});

test('a tar fed one odd-sized piece at a time reads the same as one buffer', async () => {
  const tar = tarEntries(SAMPLE);
  const whole = await scan(tar, { analyzers: [recordEverything()] });
  for (const size of [1, 7, 511, 513, 4096]) {
    const pieces = await scanLayer(inPieces(tar, size), { analyzers: [recordEverything()], label: LABEL });
    assert.deepEqual(pieces.files, whole.files, `pieces of ${size}`);
    assert.deepEqual(pieces.facts, whole.facts, `pieces of ${size}`);
    assert.equal(pieces.diffId, whole.diffId);
  }
});

test('an archive of zero blocks only is an empty layer', async () => {
  for (const zeros of [1024, 10240, 512]) {
    const facts = await scan(Buffer.alloc(zeros));
    assert.equal(facts.entries, 0, `${zeros} zero bytes`);
    assert.deepEqual(facts.files, []);
  }
  const gz = await scan(gzipSync(Buffer.alloc(1024)));
  assert.equal(gz.entries, 0);
  assert.equal(gz.diffId, sha256(Buffer.alloc(1024)));
});

test('zero padding after the end marker is fine; a missing end marker is a warning', async () => {
  const padded = Buffer.concat([tarEntries(SAMPLE), Buffer.alloc(8192)]);
  assert.deepEqual((await scan(padded)).warnings, []);
  const unterminated = await scan(tarEntries(SAMPLE, { endOfArchive: false }));
  assert.equal(unterminated.files.length, 10);
  assert.match(unterminated.warnings.join('\n'), /end-of-archive marker/);
});

// ---- hostile layers -------------------------------------------------------------------------

test('refuses an entry that climbs out with ../', async () => {
  await rejectsWith(
    scan(tarEntries([{ name: '../../etc/cron.d/x', type: 'file', content: 'x' }])),
    'UNSAFE_PATH',
    '../../etc/cron.d/x',
  );
  await rejectsWith(scan(tarEntries([{ name: 'usr/../../x', type: 'file' }])), 'UNSAFE_PATH', 'usr/../../x');
  await rejectsWith(
    scan(gzipSync(tarEntries([{ name: 'a/b/../c', type: 'dir' }]))),
    'UNSAFE_PATH',
    'a/b/../c',
  );
});

test('refuses an absolute entry name', async () => {
  await rejectsWith(
    scan(tarEntries([{ name: '/etc/passwd', type: 'file', content: 'root::0:0::/:/bin/sh\n' }])),
    'UNSAFE_PATH',
    '/etc/passwd',
  );
});

test('refuses a NUL byte inside a PAX path', async () => {
  const entry: TarEntrySpec = { name: 'innocent', type: 'file', pax: { path: 'etc/passwd\0.txt' } };
  await rejectsWith(scan(tarEntries([entry])), 'UNSAFE_PATH', 'etc/passwd', 'NUL');
});

test('refuses writing through a symlink made earlier in the layer', async () => {
  await rejectsWith(
    scan(
      tarEntries([
        { name: 'evil', type: 'symlink', linkname: '../../../../tmp' },
        { name: 'evil/pwned', type: 'file', content: 'x' },
      ]),
    ),
    'UNSAFE_PATH',
    'evil/pwned',
    '"evil"',
  );
  await rejectsWith(
    scan(
      tarEntries([
        { name: 'etc', type: 'dir' },
        { name: 'etc/conf', type: 'symlink', linkname: '/root/.ssh' },
        { name: 'etc/conf/deeper/authorized_keys', type: 'file', content: 'ssh-rsa AAA' },
      ]),
    ),
    'UNSAFE_PATH',
    'etc/conf/deeper/authorized_keys',
  );
  // Deleting through a link is as bad as writing through it.
  await rejectsWith(
    scan(
      tarEntries([
        { name: 'evil', type: 'symlink', linkname: '/etc' },
        { name: 'evil/.wh.passwd', type: 'file' },
      ]),
    ),
    'UNSAFE_PATH',
    'evil/.wh.passwd',
  );
});

test('a symlink replaced by a directory in the same layer is no longer a symlink', async () => {
  const facts = await scan(
    tarEntries([
      { name: 'data', type: 'symlink', linkname: '/tmp' },
      { name: 'data', type: 'dir' },
      { name: 'data/file', type: 'file', content: 'ok' },
    ]),
  );
  assert.deepEqual(
    facts.files.map((f) => `${f.path}:${f.type}`),
    ['data:symlink', 'data:dir', 'data/file:file'],
  );
});

test('refuses hard links that point outside the root or to no earlier file', async () => {
  await rejectsWith(
    scan(tarEntries([{ name: 'shadow', type: 'hardlink', linkname: '../../etc/shadow' }])),
    'UNSAFE_PATH',
    'shadow',
    '../../etc/shadow',
  );
  await rejectsWith(
    scan(tarEntries([{ name: 'shadow', type: 'hardlink', linkname: '/etc/shadow' }])),
    'UNSAFE_PATH',
    'shadow',
  );
  await rejectsWith(
    scan(tarEntries([{ name: 'link', type: 'hardlink', linkname: 'etc/missing' }])),
    'MALFORMED',
    '"link"',
    'etc/missing',
  );
  await rejectsWith(
    scan(
      tarEntries([
        { name: 'etc', type: 'dir' },
        { name: 'link', type: 'hardlink', linkname: 'etc' },
      ]),
    ),
    'MALFORMED',
    'directory',
  );
  // Through a symlink: the target is not an entry of this layer by that name.
  await rejectsWith(
    scan(
      tarEntries([
        { name: 'sys', type: 'symlink', linkname: '/etc' },
        { name: 'link', type: 'hardlink', linkname: 'sys/passwd' },
      ]),
    ),
    'MALFORMED',
    'sys/passwd',
  );
});

test('refuses device files unless allowed, then records them', async () => {
  const tar = tarEntries([
    { name: 'dev/', type: 'dir' },
    { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
  ]);
  await rejectsWith(scan(tar), 'UNSAFE_PATH', 'device file', 'dev/sda');
  await rejectsWith(
    scan(tarEntries([{ name: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 }])),
    'UNSAFE_PATH',
    'dev/mem',
  );
  const allowed = await scan(tar, { allowDevices: true });
  assert.deepEqual(
    allowed.files.map((f) => `${f.path}:${f.type}`),
    ['dev:dir', 'dev/sda:block'],
  );
});

test('refuses an entry that declares more bytes than the stream holds', async () => {
  const lying = tarEntries([
    { name: 'big.bin', type: 'file', content: 'only this', declaredSize: 1_000_000 },
  ]);
  await rejectsWith(scan(lying), 'MALFORMED', 'truncated', 'big.bin');
  await rejectsWith(scan(gzipSync(lying)), 'MALFORMED', 'truncated', 'big.bin');
  // Cut in the middle of a header block rather than a body.
  const tar = tarEntries(SAMPLE, { endOfArchive: false });
  await rejectsWith(scan(tar.subarray(0, tar.length - 1024 - 100)), 'MALFORMED', 'truncated');
});

test('refuses a truncated gzip stream', async () => {
  const gz = gzipSync(tarEntries(SAMPLE));
  await rejectsWith(scan(gz.subarray(0, gz.length - 8)), 'MALFORMED', 'truncated gzip');
  await rejectsWith(scan(gz.subarray(0, Math.floor(gz.length / 2))), 'MALFORMED', 'truncated gzip');
});

test('refuses a truncated zstd stream', async () => {
  const zst = zstdCompress(tarEntries(SAMPLE));
  await rejectsWith(scan(zst.subarray(0, zst.length - 1)), 'MALFORMED', 'truncated zstd');
  await rejectsWith(scan(zst.subarray(0, Math.floor(zst.length / 2))), 'MALFORMED', 'truncated zstd');
});

test('refuses a corrupt gzip stream', async () => {
  const gz = gzipSync(tarEntries(SAMPLE));
  gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff; // the CRC
  await rejectsWith(scan(gz), 'MALFORMED', 'gzip');
});

test('refuses a compression bomb once past the ratio floor', async () => {
  const gigabyte = 1024 ** 3;
  // A tar of 1 GiB of zeros, gzipped as it is generated: about 1000:1.
  async function* zeros(): AsyncGenerator<Buffer> {
    yield tarHeader({ name: 'zeros', type: 'file' }, gigabyte);
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < 1024; i++) yield block;
    yield tarEnd();
  }
  const source = Readable.from(zeros()).pipe(createGzip({ level: 1 }));
  const started = Date.now();
  await rejectsWith(
    scanLayer(source, {
      analyzers: [],
      label: LABEL,
      budgets: { ratioFloorBytes: 8 << 20, maxCompressionRatio: 100 },
    }),
    'BUDGET_EXCEEDED',
    'maxCompressionRatio',
  );
  assert.ok(Date.now() - started < 10_000, 'the bomb is stopped early, not inflated');
});

test('refuses input that is neither tar, gzip nor zstd', async () => {
  await rejectsWith(
    scan(Buffer.from('this is not an image layer at all, not even close '.repeat(20))),
    'MALFORMED',
    'not a tar, gzip or zstd',
  );
  await rejectsWith(scan(Buffer.alloc(0)), 'MALFORMED', 'not a tar, gzip or zstd');
  await rejectsWith(scan(Buffer.from([0x1f])), 'MALFORMED', 'not a tar, gzip or zstd');
  await rejectsWith(scan(gzipSync(randomBytes(5000))), 'MALFORMED');
  await rejectsWith(scan(gzipSync(Buffer.from('tiny'))), 'MALFORMED', 'not a tar');
});

test('refuses data after the tar end marker', async () => {
  const tar = Buffer.concat([tarEntries(SAMPLE), Buffer.from('hidden payload')]);
  await rejectsWith(scan(tar), 'MALFORMED', 'after the tar end-of-archive marker');
  await rejectsWith(scan(gzipSync(tar)), 'MALFORMED', 'after the tar end-of-archive marker');
  const later = Buffer.concat([tarEntries(SAMPLE), Buffer.alloc(20_000), Buffer.from([1])]);
  await rejectsWith(
    scanLayer(inPieces(later, 4096), { analyzers: [], label: LABEL }),
    'MALFORMED',
    'end-of-archive',
  );
  // Two archives glued together: docker extracts the first only, so the second would go unseen.
  const glued = Buffer.concat([
    tarEntries(SAMPLE),
    tarEntries([{ name: 'second', type: 'file', content: 'x' }]),
  ]);
  await rejectsWith(scan(glued), 'MALFORMED', 'end-of-archive');
});

test('refuses data after the compressed stream', async () => {
  const gz = gzipSync(tarEntries(SAMPLE));
  await rejectsWith(scan(Buffer.concat([gz, Buffer.from('trailing junk')])), 'MALFORMED', 'gzip');
  // zlib reports junk differently depending on where chunks end; every way is a refusal.
  for (const pieces of [
    [gz, Buffer.alloc(64), Buffer.from('junk')],
    [gz, Buffer.alloc(100), Buffer.from('xx')],
    [Buffer.concat([gz, Buffer.alloc(10)]), Buffer.from('junk')],
    [gz, Buffer.concat([Buffer.alloc(10), Buffer.from('junk')])],
  ]) {
    await rejectsWith(scanLayer(Readable.from(pieces), { analyzers: [], label: LABEL }), 'MALFORMED', 'gzip');
  }
  const zst = zstdCompress(tarEntries(SAMPLE));
  await rejectsWith(scan(Buffer.concat([zst, Buffer.from('trailing junk')])), 'MALFORMED', 'zstd');
});

test('zero padding after a gzip stream, and gzip members back to back, are read as gzip allows', async () => {
  const tar = tarEntries(SAMPLE);
  const gz = gzipSync(tar);
  const padded = await scanLayer(Readable.from([gz, Buffer.alloc(1000)]), { analyzers: [], label: LABEL });
  assert.equal(padded.diffId, sha256(tar));
  const half = Math.floor(tar.length / 1024) * 512;
  const members = Buffer.concat([gzipSync(tar.subarray(0, half)), gzipSync(tar.subarray(half))]);
  assert.equal((await scan(members)).diffId, sha256(tar));
});

test('refuses a layer compressed twice (node-tar would unpack the inner one by itself)', async () => {
  await rejectsWith(scan(gzipSync(gzipSync(tarEntries(SAMPLE)))), 'MALFORMED', 'gzip header');
});

test('refuses a header with a bad checksum instead of skipping it', async () => {
  const tar = tarEntries(SAMPLE);
  tar[512 + 10] = tar[512 + 10]! ^ 0x01; // the second header's name
  await rejectsWith(scan(tar), 'MALFORMED', 'checksum');
});

test('refuses a single zero block followed by more entries', async () => {
  const tar = Buffer.concat([
    tarEntries([{ name: 'a', type: 'file', content: 'a' }], { endOfArchive: false }),
    Buffer.alloc(512),
    tarEntries([{ name: 'b', type: 'file', content: 'b' }]),
  ]);
  await rejectsWith(scan(tar), 'MALFORMED', 'zero block');
});

test('refuses a PAX path with a newline, which tar readers disagree on', async () => {
  const entry: TarEntrySpec = {
    name: 'innocent.txt',
    type: 'file',
    content: '* * * * * root sh -c x',
    pax: { path: 'etc/cron.d/job\nx' },
  };
  await rejectsWith(scan(tarEntries([entry])), 'MALFORMED', 'newline');
  assert.equal(paxRecord('path', 'a\nb').toString(), '12 path=a\nb\n');
});

test('skips unsupported entry kinds with a warning and reads contiguous files as files', async () => {
  const facts = await scan(
    tarEntries([
      { name: 'sparse', type: 'file', typeflag: 'S', content: 'sparse map and data' },
      { name: 'volume', type: 'file', typeflag: 'V' },
      { name: 'contiguous', type: 'file', typeflag: '7', content: 'data' },
      { name: 'after', type: 'file', content: 'still read' },
    ]),
  );
  assert.deepEqual(
    facts.files.map((f) => `${f.path}:${f.type}:${f.size}`),
    ['contiguous:file:4', 'after:file:10'],
  );
  assert.equal(facts.entries, 4);
  assert.match(facts.warnings.join('\n'), /skipped SparseFile entry "sparse"/);
  assert.match(facts.warnings.join('\n'), /skipped TapeVolumeHeader entry "volume"/);
});

test('whiteout names that climb or name nothing are refused; AUFS metadata is ignored', async () => {
  await rejectsWith(scan(tarEntries([{ name: 'etc/.wh..', type: 'file' }])), 'UNSAFE_PATH', 'etc/.wh..');
  await rejectsWith(scan(tarEntries([{ name: 'etc/.wh.', type: 'file' }])), 'MALFORMED', 'etc/.wh.');
  const facts = await scan(
    tarEntries([
      { name: '.wh..wh.plnk', type: 'dir' },
      { name: '.wh..wh.plnk/1234.5678', type: 'file', content: 'hidden' },
      { name: '.wh..wh.aufs', type: 'file' },
      { name: 'usr/bin/linked', type: 'hardlink', linkname: '.wh..wh.plnk/1234.5678' },
    ]),
  );
  assert.deepEqual(
    facts.files.map((f) => f.path),
    ['usr/bin/linked'],
  );
  assert.deepEqual(facts.whiteouts, []);
  assert.match(facts.warnings.join('\n'), /AUFS/);
});

test('budget: too many entries', async () => {
  const many = Array.from({ length: 50 }, (_, i): TarEntrySpec => ({ name: `f${i}`, type: 'file' }));
  await rejectsWith(scan(tarEntries(many), { budgets: { maxEntries: 20 } }), 'BUDGET_EXCEEDED', 'maxEntries');
  assert.equal((await scan(tarEntries(many), { budgets: { maxEntries: 50 } })).entries, 50);
});

test('budget: uncompressed bytes', async () => {
  const tar = tarEntries([{ name: 'big', type: 'file', content: Buffer.alloc(200_000) }]);
  await rejectsWith(
    scan(gzipSync(tar), { budgets: { maxUncompressedBytes: 100_000 } }),
    'BUDGET_EXCEEDED',
    'maxUncompressedBytes',
  );
});

test('budget: path length', async () => {
  const long = `usr/${'x'.repeat(300)}`;
  await rejectsWith(
    scan(tarEntries([{ name: long, type: 'file' }]), { budgets: { maxPathLength: 255 } }),
    'BUDGET_EXCEEDED',
    'maxPathLength',
  );
});

test('budget: wall-clock time stops a stalled stream promptly and closes it', async () => {
  const head = tarHeader({ name: 'slow', type: 'file' }, 1 << 20);
  const stalled = new Readable({ read() {} });
  stalled.push(head);
  const started = Date.now();
  await rejectsWith(
    scanLayer(stalled, { analyzers: [], label: LABEL, budgets: { maxSeconds: 0.2 } }),
    'BUDGET_EXCEEDED',
    'maxSeconds',
  );
  assert.ok(Date.now() - started < 2000);
  assert.ok(stalled.destroyed, 'the source stream is destroyed');
});

test('budget: wall-clock time also bounds an analyzer that never finishes', async () => {
  const hangs: Analyzer = {
    name: 'hangs',
    version: 1,
    wants: () => ({ mode: 'buffer', maxBytes: 10 }),
    analyze: () => new Promise(() => undefined),
  };
  await rejectsWith(
    scan(tarEntries(SAMPLE), { analyzers: [hangs], budgets: { maxSeconds: 0.2 } }),
    'BUDGET_EXCEEDED',
    'maxSeconds',
  );
});

test('an abort signal stops the pass with its reason', async () => {
  const controller = new AbortController();
  const stalled = new Readable({ read() {} });
  stalled.push(tarHeader({ name: 'slow', type: 'file' }, 1 << 20));
  const pass = scanLayer(stalled, { analyzers: [], label: LABEL, signal: controller.signal });
  setTimeout(() => controller.abort(new Error('user gave up')), 20);
  await assert.rejects(pass, /user gave up/);
  assert.ok(stalled.destroyed);
});

test('bad budgets are refused up front', async () => {
  await assert.rejects(
    scan(tarEntries(SAMPLE), { budgets: { maxEntries: -1 } }),
    (err: unknown) => err instanceof ShipshapeError && err.code === 'BAD_ARGUMENT',
  );
});

// ---- analyzers ------------------------------------------------------------------------------

function recordEverything(): Analyzer {
  return {
    name: 'everything',
    version: 3,
    wants: () => ({ mode: 'buffer', maxBytes: 1 << 20 }),
    analyze: (file) => [
      {
        path: file.header.path,
        type: file.header.type,
        bytes: file.content.length,
        sha: sha256(file.content),
      },
    ],
  };
}

test('buffered analyzers get exactly min(size, maxBytes) bytes, with truncated set right', async () => {
  const body = randomBytes(10_000);
  const seen: Record<string, { length: number; truncated: boolean; prefixOk: boolean }> = {};
  const analyzer = (name: string, maxBytes: number): Analyzer => ({
    name,
    version: 1,
    wants: (h) => (h.type === 'file' ? { mode: 'buffer', maxBytes } : false),
    analyze: (file: FileInput) => {
      const expected = body.subarray(0, file.header.size);
      seen[`${name}:${file.header.path}`] = {
        length: file.content.length,
        truncated: file.truncated,
        prefixOk: file.content.equals(expected.subarray(0, file.content.length)),
      };
      return [];
    },
  });
  const tar = tarEntries([
    { name: 'empty', type: 'file', content: '' },
    { name: 'small', type: 'file', content: body.subarray(0, 100) },
    { name: 'exact', type: 'file', content: body.subarray(0, 4096) },
    { name: 'large', type: 'file', content: body },
  ]);
  await scanLayer(inPieces(tar, 1000), {
    analyzers: [analyzer('max4k', 4096), analyzer('max0', 0), analyzer('max1m', 1 << 20)],
    label: LABEL,
  });
  assert.deepEqual(seen, {
    'max4k:empty': { length: 0, truncated: false, prefixOk: true },
    'max4k:small': { length: 100, truncated: false, prefixOk: true },
    'max4k:exact': { length: 4096, truncated: false, prefixOk: true },
    'max4k:large': { length: 4096, truncated: true, prefixOk: true },
    'max0:empty': { length: 0, truncated: false, prefixOk: true },
    'max0:small': { length: 0, truncated: true, prefixOk: true },
    'max0:exact': { length: 0, truncated: true, prefixOk: true },
    'max0:large': { length: 0, truncated: true, prefixOk: true },
    'max1m:empty': { length: 0, truncated: false, prefixOk: true },
    'max1m:small': { length: 100, truncated: false, prefixOk: true },
    'max1m:exact': { length: 4096, truncated: false, prefixOk: true },
    'max1m:large': { length: 10_000, truncated: false, prefixOk: true },
  });
});

test('stream sinks get every byte of every file they open, in order', async () => {
  const files = [randomBytes(0), randomBytes(1), randomBytes(511), randomBytes(512), randomBytes(300_001)];
  const tar = tarEntries(files.map((content, i) => ({ name: `f${i}`, type: 'file' as const, content })));
  const hasher: Analyzer = {
    name: 'hasher',
    version: 1,
    wants: (h) => (h.type === 'file' ? { mode: 'stream' } : false),
    open: (header) => {
      const hash = createHash('sha256');
      let bytes = 0;
      return {
        write: (chunk) => {
          hash.update(chunk);
          bytes += chunk.length;
        },
        end: () => [{ path: header.path, bytes, sha: `sha256:${hash.digest('hex')}` }],
      };
    },
  };
  for (const source of [() => Readable.from([gzipSync(tar)]), () => inPieces(tar, 777)]) {
    const facts = await scanLayer(source(), { analyzers: [hasher], label: LABEL });
    assert.deepEqual(
      facts.facts.hasher,
      files.map((content, i) => ({ path: `f${i}`, bytes: content.length, sha: sha256(content) })),
    );
  }
});

test('an analyzer that throws becomes a warning naming the file; the others carry on', async () => {
  const throwsSync: Analyzer = {
    name: 'throws-sync',
    version: 1,
    wants: (h) => (h.path === 'etc/os-release' ? { mode: 'buffer', maxBytes: 100 } : false),
    analyze: () => {
      throw new Error('parse error at line 1');
    },
  };
  const rejectsAsync: Analyzer = {
    name: 'rejects-async',
    version: 1,
    wants: (h) => (h.path === 'usr/bin/tool' ? { mode: 'buffer', maxBytes: 100 } : false),
    analyze: async () => {
      throw new Error('bad magic');
    },
  };
  const badWants: Analyzer = {
    name: 'bad-wants',
    version: 1,
    wants: (h) => {
      if (h.path === 'lib') throw new Error('cannot decide');
      return false;
    },
  };
  const badSink: Analyzer = {
    name: 'bad-sink',
    version: 1,
    wants: (h) => (h.type === 'file' && h.size > 0 ? { mode: 'stream' } : false),
    open: (h) => ({
      write: () => {
        if (h.path === 'usr/bin/tool') throw new Error('sink broke');
      },
      end: () => {
        if (h.path === 'etc/os-release') throw new Error('end broke');
        return [{ path: h.path }];
      },
    }),
  };
  const facts = await scan(tarEntries(SAMPLE), {
    analyzers: [throwsSync, rejectsAsync, badWants, badSink, recordEverything()],
  });
  const warnings = facts.warnings.join('\n');
  assert.match(warnings, /throws-sync: etc\/os-release: failed: parse error at line 1/);
  assert.match(warnings, /rejects-async: usr\/bin\/tool: failed: bad magic/);
  assert.match(warnings, /bad-wants: lib: wants\(\) failed: cannot decide/);
  assert.match(warnings, /bad-sink: usr\/bin\/tool: stream write failed: sink broke/);
  assert.match(warnings, /bad-sink: etc\/os-release: failed: end broke/);
  assert.deepEqual(facts.facts['throws-sync'], []);
  assert.deepEqual(
    facts.facts['bad-sink']!.map((f) => f.path),
    [`usr/share/${'deep/'.repeat(30)}pax-long-name.txt`, `usr/share/${'gnu/'.repeat(40)}gnu-long-name.txt`],
  );
  assert.equal(facts.facts.everything!.length, facts.files.length);
  assert.deepEqual(facts.analyzers, {
    'throws-sync': 1,
    'rejects-async': 1,
    'bad-wants': 1,
    'bad-sink': 1,
    everything: 3,
  });
});

test('every entry is offered to analyzers; non-files come with their header and no content', async () => {
  const offered: EntryHeader[] = [];
  const facts = await scan(tarEntries(SAMPLE), {
    analyzers: [recordEverything(), { name: 'spy', version: 1, wants: (h) => (offered.push(h), false) }],
  });
  assert.deepEqual(
    offered.map((h) => h.path),
    facts.files.map((f) => f.path),
  );
  const link = facts.facts.everything!.find((f) => f.path === 'lib');
  assert.deepEqual(link, { path: 'lib', type: 'symlink', bytes: 0, sha: sha256(Buffer.alloc(0)) });
  assert.equal(offered.find((h) => h.path === 'etc/os-release')?.mtime, 1_600_000_000);
});

test('facts from async analyzers keep entry order, whatever order they finish in', async () => {
  const slowFirst: Analyzer = {
    name: 'slow-first',
    version: 1,
    wants: (h) => (h.type === 'file' ? { mode: 'buffer', maxBytes: 16 } : false),
    analyze: async (file) => {
      const delay = file.header.path === 'f0' ? 30 : file.header.path === 'f1' ? 10 : 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      return [{ path: file.header.path }];
    },
  };
  const tar = tarEntries(
    Array.from({ length: 5 }, (_, i): TarEntrySpec => ({ name: `f${i}`, type: 'file', content: `${i}` })),
  );
  const facts = await scan(tar, { analyzers: [slowFirst] });
  assert.deepEqual(
    facts.facts['slow-first']!.map((f) => f.path),
    ['f0', 'f1', 'f2', 'f3', 'f4'],
  );
});

test('many slow async analyses do not pile up without bound: the pass waits for them', async () => {
  let running = 0;
  let mostAtOnce = 0;
  const slow: Analyzer = {
    name: 'slow',
    version: 1,
    wants: (h) => (h.type === 'file' ? { mode: 'buffer', maxBytes: 1 << 20 } : false),
    analyze: async () => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return [];
    },
  };
  const tar = tarEntries(
    Array.from({ length: 400 }, (_, i): TarEntrySpec => ({ name: `f${i}`, type: 'file', content: 'x' })),
  );
  await scanLayer(inPieces(tar, 4096), { analyzers: [slow], label: LABEL });
  assert.ok(mostAtOnce <= 64 + 8, `at most about 64 analyses at once, saw ${mostAtOnce}`);
});

test('two analyzers with one name are refused', async () => {
  const a: Analyzer = { name: 'dup', version: 1, wants: () => false };
  await assert.rejects(
    scan(tarEntries(SAMPLE), { analyzers: [a, { ...a }] }),
    (err: unknown) => err instanceof ShipshapeError && err.code === 'BAD_ARGUMENT',
  );
});

// ---- fuzzing --------------------------------------------------------------------------------

/** Resolves, or rejects with a ShipshapeError, within `ms`; anything else fails the property. */
async function settlesCleanly(bytes: Buffer, ms = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const outcome = await Promise.race([
    scan(bytes, { budgets: { maxSeconds: 10 } }).then(
      () => 'resolved' as const,
      (err: unknown) => (err instanceof ShipshapeError ? ('shipshape-error' as const) : err),
    ),
    timeout,
  ]);
  clearTimeout(timer);
  if (outcome === 'resolved' || outcome === 'shipshape-error') return true;
  if (outcome === 'timeout') throw new Error(`scan did not settle within ${ms} ms`);
  throw outcome;
}

test('property: random bytes are refused with a ShipshapeError, never anything else', async () => {
  const prefixes = [Buffer.from([0x1f, 0x8b]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(0)];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 3000 }), async (prefix, body) =>
      settlesCleanly(Buffer.concat([prefix, Buffer.from(body)])),
    ),
    { numRuns: 300 },
  );
});

const FUZZ_TAR = tarEntries([
  ...SAMPLE,
  {
    name: 'pax-file',
    type: 'file',
    content: 'p',
    pax: { 'SCHILY.xattr.user.a': 'b', mtime: '1600000000.5' },
  },
]);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }),
  }),
  fc.record({
    kind: fc.constant('digit' as const),
    at: fc.nat(),
    digit: fc.constantFrom(...'0123456789 \0x'),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(original: Buffer, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] = bytes[at]! ^ m.xor;
    else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (m.kind === 'digit') bytes[at] = m.digit.charCodeAt(0);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
  }
  return bytes;
}

test('property: mutations of a valid tar.gz resolve or are refused with a ShipshapeError', async () => {
  const gz = gzipSync(FUZZ_TAR);
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) =>
      settlesCleanly(mutate(gz, mutations)),
    ),
    { numRuns: 300 },
  );
});

test('property: mutations of the tar inside a valid gzip resolve or are refused with a ShipshapeError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) =>
      settlesCleanly(gzipSync(mutate(FUZZ_TAR, mutations))),
    ),
    { numRuns: 500 },
  );
});

test('tarPadding rounds bodies to whole blocks', () => {
  assert.equal(tarPadding(0).length, 0);
  assert.equal(tarPadding(1).length, 511);
  assert.equal(tarPadding(512).length, 0);
});

test('warnings are capped and printable on one line', async () => {
  const odd = Array.from({ length: 1100 }, (_, i): TarEntrySpec => ({
    name: `v${i}\n\u001b[2J`,
    type: 'file',
    typeflag: 'V',
  }));
  const facts = await scan(tarEntries(odd));
  assert.equal(facts.warnings.length, 1001);
  assert.equal(facts.warnings.at(-1), '... and 100 more warnings');
  assert.ok(facts.warnings.every((w) => !w.includes('\n') && !w.includes('\u001b')));
  assert.match(facts.warnings[0]!, /"v0\\x0a\\x1b\[2J"/);
});
