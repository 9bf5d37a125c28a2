import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ShipshapeError } from '../src/errors.js';
import { DockerArchiveSource } from '../src/image/docker-archive.js';
import { OciLayoutSource } from '../src/image/oci-layout.js';
import { parseTarget } from '../src/image/target.js';
import { buildImage, buildIndex, MEDIA } from './fixtures/builder.js';
import { writeDockerArchive, writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const simple = () =>
  buildImage({
    layers: [
      {
        files: [{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }],
        createdBy: 'ADD rootfs /',
      },
      {
        files: [{ path: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o755 }],
        createdBy: 'COPY run.sh /app/',
        compression: 'zstd',
      },
    ],
    config: { User: 'app', Cmd: ['/app/run.sh'], ExposedPorts: { '22/tcp': {} } },
    emptyHistory: ['CMD ["/app/run.sh"]'],
  });

async function rejectsWith(p: Promise<unknown>, code: ShipshapeError['code'], pattern?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ShipshapeError, `expected a ShipshapeError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('targets: prefixes and .tar paths choose the source kind', () => {
  assert.deepEqual(parseTarget('docker-archive:/x/y.tar'), { kind: 'docker-archive', path: '/x/y.tar' });
  assert.deepEqual(parseTarget('img.tar'), { kind: 'docker-archive', path: 'img.tar' });
  assert.deepEqual(parseTarget('oci:/no/such/dir:v1'), { kind: 'oci', dir: '/no/such/dir', tag: 'v1' });
  assert.deepEqual(parseTarget('dir:/srv/root'), { kind: 'dir', path: '/srv/root' });
  assert.deepEqual(parseTarget('nginx:1.25'), { kind: 'registry', reference: 'nginx:1.25' });
  assert.deepEqual(parseTarget('127.0.0.1:5000/team/app:1.0'), {
    kind: 'registry',
    reference: '127.0.0.1:5000/team/app:1.0',
  });
});

test('oci layout: resolves by tag with config, history and layer instructions', async () => {
  const dir = tempDir();
  const img = simple();
  await writeOciLayout(dir, [{ ref: 'v1', image: img }]);
  const r = await new OciLayoutSource({ input: `oci:${dir}:v1`, dir, tag: 'v1' }).resolve();
  assert.equal(r.digest, img.manifestDigest);
  assert.equal(r.platform, 'linux/amd64');
  assert.equal(r.config.config?.User, 'app');
  assert.deepEqual(
    r.layers.map((l) => [l.digest, l.diffId, l.createdBy]),
    img.layers.map((l, i) => [l.digest, l.diffId, i === 0 ? 'ADD rootfs /' : 'COPY run.sh /app/']),
  );
  assert.equal(r.history.length, 3);
});

test('oci layout: multi-platform index picks the platform, variant included, skipping attestations', async () => {
  const dir = tempDir();
  const amd = buildImage({ platform: 'linux/amd64', layers: [{ files: [{ path: 'a', content: 'amd64' }] }] });
  const arm7 = buildImage({
    platform: 'linux/arm/v7',
    layers: [{ files: [{ path: 'a', content: 'armv7' }] }],
  });
  const arm64 = buildImage({
    platform: 'linux/arm64/v8',
    layers: [{ files: [{ path: 'a', content: 'arm64' }] }],
  });
  const attestation = {
    mediaType: MEDIA.ociManifest,
    digest: `sha256:${'0'.repeat(64)}`,
    size: 10,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  };
  const index = buildIndex([amd, arm7, arm64], { extra: [attestation] });
  // Nested: the layout's index.json points at the image index.
  await writeOciLayout(dir, [{ ref: 'multi', image: index }]);
  const pick = (platform: string) =>
    new OciLayoutSource({ input: 'x', dir, tag: 'multi', platform }).resolve();
  assert.equal((await pick('linux/amd64')).digest, amd.manifestDigest);
  assert.equal((await pick('linux/arm/v7')).digest, arm7.manifestDigest);
  assert.equal((await pick('linux/arm64')).digest, arm64.manifestDigest, 'arm64 means arm64/v8');
  const r = await pick('linux/arm64/v8');
  assert.equal(r.indexDigest, index.indexDigest);
  assert.deepEqual(
    r.platforms.map((p) => p.platform),
    ['linux/amd64', 'linux/arm/v7', 'linux/arm64/v8'],
  );
  await rejectsWith(
    pick('linux/s390x'),
    'NOT_FOUND',
    /offered: linux\/amd64, linux\/arm\/v7, linux\/arm64\/v8\)$/,
  );
});

test('oci layout: a layer blob that does not match its digest fails the stream', async () => {
  const dir = tempDir();
  const img = simple();
  await writeOciLayout(dir, [{ image: img }]);
  const src = new OciLayoutSource({ input: 'x', dir });
  const r = await src.resolve();
  const blobFile = join(dir, 'blobs', 'sha256', img.layers[0]!.digest.slice(7));
  const bytes = readFileSync(blobFile);
  bytes[bytes.length - 5]! ^= 0xff;
  writeFileSync(blobFile, bytes);
  const { stream } = await src.openLayer(r.layers[0]!);
  await rejectsWith(text(stream), 'DIGEST_MISMATCH', /expected sha256:/);
});

test('oci layout: malformed, missing and oversized documents are clear errors', async () => {
  const dir = tempDir();
  const img = simple();
  await writeOciLayout(dir, [{ ref: 'v1', image: img }]);
  const src = (tag?: string) => new OciLayoutSource({ input: 'x', dir, ...(tag ? { tag } : {}) });
  await rejectsWith(src('nope').resolve(), 'NOT_FOUND', /no image tagged "nope".*tags: v1/);
  writeFileSync(join(dir, 'blobs', 'sha256', img.configDigest.slice(7)), '{"architecture": 5}');
  await rejectsWith(src().resolve(), 'DIGEST_MISMATCH');
  writeFileSync(
    join(dir, 'index.json'),
    '{"schemaVersion":2,"manifests":[{"digest":"sha256:../../etc/passwd","size":1}]}',
  );
  await rejectsWith(src().resolve(), 'MALFORMED', /manifests\.0\.digest/);
  writeFileSync(join(dir, 'index.json'), Buffer.alloc(5 * 1024 * 1024, 0x20));
  await rejectsWith(src().resolve(), 'TOO_LARGE');
  writeFileSync(join(dir, 'index.json'), 'not json');
  await rejectsWith(src().resolve(), 'MALFORMED', /not valid JSON/);
  await rejectsWith(new OciLayoutSource({ input: 'x', dir: join(dir, 'missing') }).resolve(), 'NOT_FOUND');
});

test('oci layout: a schema 1 manifest is refused with a clear message', async () => {
  const dir = tempDir();
  const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }));
  const { sha256Digest } = await import('../src/image/verify-stream.js');
  const digest = sha256Digest(schema1);
  await writeOciLayout(dir, []);
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), schema1);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: MEDIA.ociManifest, digest, size: schema1.length }],
    }),
  );
  await rejectsWith(new OciLayoutSource({ input: 'x', dir }).resolve(), 'UNSUPPORTED', /schema 1/);
});

test('docker-archive: manifest.json, symlinked layers, plain and compressed layers', async () => {
  const dir = tempDir();
  const img = simple();
  for (const [name, opts] of [
    ['plain.tar', {}],
    ['links.tar', { layerSymlinks: true }],
    ['compressed.tar', { keepCompression: true, layerSymlinks: true }],
  ] as const) {
    const file = await writeDockerArchive(join(dir, name), img, ['team/app:1.0'], opts);
    const src = new DockerArchiveSource(file, file);
    const r = await src.resolve();
    assert.equal(r.ref, 'team/app:1.0');
    assert.equal(r.configDigest, img.configDigest);
    assert.deepEqual(
      r.layers.map((l) => l.diffId),
      img.layers.map((l) => l.diffId),
    );
    const first = Buffer.concat(await (await src.openLayer(r.layers[0]!)).stream.toArray());
    const expected =
      opts === undefined || !('keepCompression' in opts)
        ? gunzipSync(img.layers[0]!.blob)
        : img.layers[0]!.blob;
    assert.ok(first.equals(expected), `${name}: layer bytes`);
  }
});

test('docker-archive: not an archive, no manifest.json, truncated, missing layer', async () => {
  const dir = tempDir();
  const img = simple();
  const good = await writeDockerArchive(join(dir, 'good.tar'), img, ['a:b']);
  const bytes = readFileSync(good);
  const cases: [string, Buffer, ShipshapeError['code'], RegExp][] = [
    [
      'garbage.tar',
      Buffer.from('hello, this is not a tar file'.repeat(40)),
      'MALFORMED',
      /not a tar archive/,
    ],
    ['truncated.tar', bytes.subarray(0, 3000), 'MALFORMED', /truncated/],
  ];
  for (const [name, data, code, pattern] of cases) {
    writeFileSync(join(dir, name), data);
    await rejectsWith(new DockerArchiveSource(name, join(dir, name)).resolve(), code, pattern);
  }
  const { tarEntries } = await import('./support/tar-writer.js');
  writeFileSync(join(dir, 'nomanifest.tar'), tarEntries([{ name: 'x', type: 'file', content: 'y' }]));
  await rejectsWith(
    new DockerArchiveSource('n', join(dir, 'nomanifest.tar')).resolve(),
    'MALFORMED',
    /no manifest\.json/,
  );
  writeFileSync(
    join(dir, 'missing-layer.tar'),
    tarEntries([
      { name: 'c.json', type: 'file', content: img.config },
      {
        name: 'manifest.json',
        type: 'file',
        content: JSON.stringify([{ Config: 'c.json', Layers: ['a.tar', 'b.tar'] }]),
      },
    ]),
  );
  await rejectsWith(
    new DockerArchiveSource('m', join(dir, 'missing-layer.tar')).resolve(),
    'MALFORMED',
    /a\.tar is named by manifest\.json but missing/,
  );
  await rejectsWith(new DockerArchiveSource('m', join(dir, 'absent.tar')).resolve(), 'NOT_FOUND');
});
