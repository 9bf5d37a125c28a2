/**
 * RegistrySource against a real registry (Debian's docker-registry, distribution 2.8) in each of
 * its auth configurations: images are pushed with the fixture builder and read back, and every
 * layer's bytes must equal what was pushed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistrySource, type RegistrySourceOptions, listPlatforms } from '../src/image/registry-source.js';
import type { HistoryEntry, ResolvedImage } from '../src/image/types.js';
import { sha256Digest } from '../src/image/verify-stream.js';
import { type BuiltImage, type BuiltIndex, buildImage, buildIndex } from './fixtures/builder.js';
import { push } from './fixtures/push.js';
import { readAll, rejectsWith } from './support/assertions.js';
import { type RegistryAuthMode, type TestRegistry, startRegistry } from './support/registry-server.js';

/** Replaces an image's history (the builder only appends empty entries at the end). */
function withHistory(img: BuiltImage, history: HistoryEntry[]): BuiltImage {
  const config = JSON.parse(img.config.toString('utf8')) as Record<string, unknown>;
  config.history = history;
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = JSON.parse(img.manifest.toString('utf8')) as { config: { digest: string; size: number } };
  manifest.config.digest = sha256Digest(configBytes);
  manifest.config.size = configBytes.length;
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    ...img,
    config: configBytes,
    configDigest: sha256Digest(configBytes),
    manifest: manifestBytes,
    manifestDigest: sha256Digest(manifestBytes),
  };
}

/** Resolving gives the pushed image's digests, and every layer streams back byte for byte. */
async function assertReadsBack(
  source: RegistrySource,
  resolved: ResolvedImage,
  image: BuiltImage,
): Promise<void> {
  assert.equal(resolved.digest, image.manifestDigest);
  assert.equal(resolved.configDigest, image.configDigest);
  assert.equal(resolved.manifestMediaType, image.manifestMediaType);
  assert.equal(resolved.layers.length, image.layers.length);
  for (const [i, layer] of resolved.layers.entries()) {
    const pushed = image.layers[i]!;
    assert.equal(layer.index, i);
    assert.equal(layer.digest, pushed.digest);
    assert.equal(layer.diffId, pushed.diffId);
    assert.equal(layer.size, pushed.size);
    assert.equal(layer.mediaType, pushed.mediaType);
    const blob = await source.openLayer(layer);
    assert.equal(blob.verified, true);
    assert.ok((await readAll(blob.stream)).equals(pushed.blob), `layer ${i} bytes differ`);
  }
}

const gzipAndZstd = buildImage({
  layers: [
    { files: [{ path: 'etc/os-release', content: 'ID=test\n' }], createdBy: 'ADD rootfs.tar /' },
    {
      compression: 'zstd',
      files: [{ path: 'app/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 }],
      createdBy: 'COPY run.sh /app/',
    },
  ],
  config: { Cmd: ['/app/run.sh'] },
});

/** Empty-layer entries sit between the layer-making ones, as Dockerfiles produce them. */
const interleaved = withHistory(gzipAndZstd, [
  { created_by: 'ADD rootfs.tar /' },
  { created_by: 'ENV A=1', empty_layer: true },
  { created_by: 'COPY run.sh /app/' },
  { created_by: 'CMD ["/app/run.sh"]', empty_layer: true },
]);

const amd64 = buildImage({ layers: [{ files: [{ path: 'arch', content: 'amd64' }] }] });
const amd64v3 = buildImage({
  platform: 'linux/amd64/v3',
  layers: [{ files: [{ path: 'arch', content: 'amd64 v3' }] }],
});
const arm64 = buildImage({
  platform: 'linux/arm64/v8',
  layers: [
    { compression: 'zstd', files: [{ path: 'arch', content: 'arm64' }] },
    { compression: 'gzip', files: [{ path: 'x', content: 'y' }] },
  ],
});
const armv7 = buildImage({
  platform: 'linux/arm/v7',
  layers: [{ files: [{ path: 'arch', content: 'armv7' }] }],
});
/** Stands in for a BuildKit provenance manifest; only its index entry matters. */
const attestation = buildImage({
  platform: 'linux/amd64',
  layers: [{ files: [{ path: 'provenance.json', content: '{}' }] }],
});

function multiPlatform(): BuiltIndex {
  const built = buildIndex([amd64, amd64v3, arm64, armv7], {
    extra: [
      {
        mediaType: attestation.manifestMediaType,
        digest: attestation.manifestDigest,
        size: attestation.manifest.length,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': amd64.manifestDigest,
        },
      },
    ],
  });
  return { ...built, images: [...built.images, attestation] };
}

const dockerFormat = buildImage({
  format: 'docker',
  layers: [{ files: [{ path: 'docker', content: 'v2s2' }] }],
});
const dockerList = buildIndex(
  [
    dockerFormat,
    buildImage({
      format: 'docker',
      platform: 'linux/arm64',
      layers: [{ files: [{ path: 'd', content: 'arm' }] }],
    }),
  ],
  {
    format: 'docker',
  },
);

const MODES: RegistryAuthMode[] = ['none', 'basic', 'token'];

for (const mode of MODES) {
  describe(`registry with auth: ${mode}`, { timeout: 120_000 }, () => {
    let registry: TestRegistry;
    let multi: BuiltIndex;

    const source = (reference: string, extra: Partial<RegistrySourceOptions> = {}): RegistrySource =>
      new RegistrySource({
        reference: `${registry.host}/${reference}`,
        ...(mode === 'none' ? {} : { username: registry.username, password: registry.password }),
        env: {},
        timeouts: { requestMs: 10_000, idleMs: 10_000 },
        ...extra,
      });

    before(async () => {
      registry = await startRegistry({ auth: mode });
      multi = multiPlatform();
      await push(registry.url, 'team/app', '1.0', interleaved, registry.pushAuth('team/app'));
      await push(registry.url, 'team/multi', 'latest', multi, registry.pushAuth('team/multi'));
      await push(registry.url, 'team/docker', 'v2s2', dockerList, registry.pushAuth('team/docker'));
    });
    after(async () => {
      await registry?.stop();
    });

    test('single-platform image with gzip and zstd layers reads back byte for byte', async () => {
      const src = source('team/app:1.0');
      const r = await src.resolve();
      assert.equal(r.ref, `${registry.host}/team/app:1.0`);
      assert.equal(r.indexDigest, null);
      assert.deepEqual(r.platforms, []);
      assert.equal(r.platform, 'linux/amd64');
      assert.deepEqual(r.config.config?.Cmd, ['/app/run.sh']);
      assert.equal(r.history.length, 4);
      // empty_layer entries make no layer, so the second layer is the COPY, not the ENV.
      assert.deepEqual(
        r.layers.map((l) => l.createdBy),
        ['ADD rootfs.tar /', 'COPY run.sh /app/'],
      );
      assert.deepEqual(
        r.layers.map((l) => l.mediaType),
        ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+zstd'],
      );
      await assertReadsBack(src, r, interleaved);
      await src.close();
    });

    test('by digest, and by tag plus digest', async () => {
      const byDigest = source(`team/app@${interleaved.manifestDigest}`);
      await assertReadsBack(byDigest, await byDigest.resolve(), interleaved);
      const both = source(`team/app:1.0@${interleaved.manifestDigest}`);
      assert.equal((await both.resolve()).digest, interleaved.manifestDigest);
    });

    test('multi-platform index: default linux/amd64, platforms listed without the attestation', async () => {
      const src = source('team/multi');
      const r = await src.resolve();
      assert.equal(r.indexDigest, multi.indexDigest);
      assert.equal(r.platform, 'linux/amd64');
      assert.deepEqual(
        r.platforms.map((p) => [p.platform, p.digest]),
        [
          ['linux/amd64', amd64.manifestDigest],
          ['linux/amd64/v3', amd64v3.manifestDigest],
          ['linux/arm64/v8', arm64.manifestDigest],
          ['linux/arm/v7', armv7.manifestDigest],
        ],
      );
      await assertReadsBack(src, r, amd64);
    });

    test('platform selection with variants', async () => {
      const pick = async (platform: string): Promise<ResolvedImage> =>
        source('team/multi', { platform }).resolve();
      const arm = await pick('linux/arm64');
      assert.equal(arm.digest, arm64.manifestDigest);
      assert.equal(arm.platform, 'linux/arm64/v8');
      const armSrc = source('team/multi', { platform: 'linux/arm64/v8' });
      await assertReadsBack(armSrc, await armSrc.resolve(), arm64);
      assert.equal((await pick('linux/amd64/v3')).digest, amd64v3.manifestDigest);
      assert.equal((await pick('linux/arm/v7')).digest, armv7.manifestDigest);
      const fallback = await pick('linux/amd64/v2');
      assert.equal(fallback.digest, amd64.manifestDigest);
      assert.ok(
        fallback.notes.some((n) => n.includes('linux/amd64/v2')),
        fallback.notes.join('; '),
      );
      await rejectsWith(pick('linux/s390x'), 'NOT_FOUND', 'linux/s390x', 'linux/arm64/v8');
      await rejectsWith(pick('windows/amd64'), 'NOT_FOUND', 'windows/amd64');
    });

    test('Docker schema 2 manifest list', async () => {
      const src = source('team/docker:v2s2');
      const r = await src.resolve();
      assert.equal(r.indexDigest, dockerList.indexDigest);
      assert.equal(r.manifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      await assertReadsBack(src, r, dockerFormat);
    });

    test('listPlatforms', async () => {
      const platforms = await listPlatforms({
        reference: `${registry.host}/team/multi:latest`,
        ...(mode === 'none' ? {} : { username: registry.username, password: registry.password }),
        env: {},
      });
      assert.equal(platforms.length, 4);
      assert.deepEqual(await source('team/app:1.0').listPlatforms(), []);
    });

    test('missing tag and missing repository are NOT_FOUND naming the image', async () => {
      await rejectsWith(source('team/app:nope').resolve(), 'NOT_FOUND', `${registry.host}/team/app:nope`);
      await rejectsWith(source('team/absent:1').resolve(), 'NOT_FOUND', `${registry.host}/team/absent:1`);
    });

    if (mode !== 'none') {
      test('wrong password is an AUTH error naming the user', async () => {
        const e = await rejectsWith(
          source('team/app:1.0', { password: 'wrong' }).resolve(),
          'AUTH',
          registry.username,
        );
        assert.ok(!e.message.includes('wrong'), 'the password is never echoed');
      });

      test('no credentials is an AUTH error that says how to give them', async () => {
        const anon = new RegistrySource({ reference: `${registry.host}/team/app:1.0`, env: {} });
        await rejectsWith(anon.resolve(), 'AUTH', 'requires authentication', '--username');
      });

      test('credentials from a Docker config.json (DOCKER_CONFIG)', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'shipshape-docker-config-'));
        try {
          const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
          writeFileSync(
            join(dir, 'config.json'),
            JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }),
          );
          const src = new RegistrySource({
            reference: `${registry.host}/team/app:1.0`,
            env: { DOCKER_CONFIG: dir },
          });
          assert.equal((await src.resolve()).digest, interleaved.manifestDigest);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      test('credentials from SHIPSHAPE_USERNAME/SHIPSHAPE_PASSWORD', async () => {
        const src = new RegistrySource({
          reference: `${registry.host}/team/app:1.0`,
          env: { SHIPSHAPE_USERNAME: registry.username, SHIPSHAPE_PASSWORD: registry.password },
        });
        assert.equal((await src.resolve()).digest, interleaved.manifestDigest);
      });
    }

    if (mode === 'token') {
      test('one token per scope, fetched with Basic credentials, reused for every request', async () => {
        const tokens = registry.tokenServer!;
        const before = tokens.requests.length;
        const src = source('team/multi', { platform: 'linux/arm64' });
        const r = await src.resolve();
        for (const l of r.layers) await readAll((await src.openLayer(l)).stream);
        const mine = tokens.requests.slice(before);
        assert.equal(mine.length, 1, JSON.stringify(mine));
        assert.deepEqual(mine[0], {
          scopes: ['repository:team/multi:pull'],
          service: tokens.service,
          user: registry.username,
        });
      });

      test('a token granting nothing (anonymous, as Docker Hub does for private repos) is AUTH', async () => {
        const anon = new RegistrySource({ reference: `${registry.host}/team/app:1.0`, env: {} });
        await rejectsWith(anon.resolve(), 'AUTH', registry.host);
      });
    }
  });
}

describe('registry: token auth with anonymous pull', { timeout: 60_000 }, () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'token', anonymousPull: true });
    await push(registry.url, 'public/app', 'latest', interleaved, registry.pushAuth('public/app'));
  });
  after(async () => {
    await registry?.stop();
  });

  test('anonymous pulls get a token without credentials', async () => {
    const src = new RegistrySource({ reference: `${registry.host}/public/app`, env: {} });
    await assertReadsBack(src, await src.resolve(), interleaved);
    assert.equal(registry.tokenServer!.requests.at(-1)?.user, null);
  });
});

describe('registry: nested index', { timeout: 60_000 }, () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  test('an index inside an index is descended into, and verified', async () => {
    const inner = buildIndex([arm64]);
    await push(registry.url, 'team/nested', 'inner', inner);
    await push(registry.url, 'team/nested', 'amd', amd64);
    const outer = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: amd64.manifestMediaType,
            digest: amd64.manifestDigest,
            size: amd64.manifest.length,
            platform: amd64.platform,
          },
          { mediaType: inner.mediaType, digest: inner.indexDigest, size: inner.index.length },
        ],
      }),
    );
    const res = await fetch(`${registry.url}/v2/team/nested/manifests/outer`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
      body: outer,
    });
    assert.equal(res.status, 201, await res.text());
    const src = new RegistrySource({
      reference: `${registry.host}/team/nested:outer`,
      platform: 'linux/arm64',
      env: {},
    });
    const r = await src.resolve();
    assert.equal(r.indexDigest, sha256Digest(outer));
    assert.deepEqual(
      r.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64/v8'],
    );
    await assertReadsBack(src, r, arm64);
  });
});

describe('registry on [::1]', { timeout: 60_000 }, () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry({ listen: '::1' });
    await push(registry.url, 'team/v6', '1', interleaved);
  });
  after(async () => {
    await registry?.stop();
  });

  test('an IPv6 loopback registry is reached over plain HTTP', async () => {
    assert.match(registry.host, /^\[::1\]:\d+$/);
    const src = new RegistrySource({ reference: `${registry.host}/team/v6:1`, env: {} });
    const r = await src.resolve();
    assert.equal(r.ref, `${registry.host}/team/v6:1`);
    await assertReadsBack(src, r, interleaved);
  });
});
