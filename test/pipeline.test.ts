import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultAnalyzers } from '../src/analyze/index.js';
import { ShipshapeError } from '../src/errors.js';
import { LayerFactsCache } from '../src/facts/cache.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { openDatabase } from '../src/store/sqlite.js';
import { buildImage, type ImageSpec } from './fixtures/builder.js';
import { writeDockerArchive, writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const spec: ImageSpec = {
  layers: [
    {
      files: [
        {
          path: 'usr/lib/os-release',
          content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        },
        { path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release' },
        { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
      ],
    },
    {
      files: [{ path: 'opt/miner/config.json', content: '{"pool":"stratum+tcp://pool.example:3333"}' }],
      compression: 'zstd',
    },
    { whiteouts: ['opt/miner'], compression: 'none' },
  ],
};

function cacheIn(dir: string) {
  const db = openDatabase(join(dir, 'cache.db'));
  return { db, cache: new LayerFactsCache(db) };
}

test('pipeline: OS from os-release through its symlink; deleted files stay in the history', async () => {
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage(spec) }]);
  const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
    analyzers: defaultAnalyzers(),
    cache: null,
  });
  assert.deepEqual(r.os, { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' });
  assert.equal(r.facts.tree.has('opt/miner/config.json'), false);
  const gone = r.facts.history.find((f) => f.path === 'opt/miner/config.json');
  assert.deepEqual([gone?.layer, gone?.removedIn], [1, 2]);
  assert.deepEqual(
    r.facts.layers.map((l) => l.compression),
    ['gzip', 'zstd', 'none'],
  );
});

test('pipeline: the second analysis of an image reads no layer; results are identical', async () => {
  const dir = tempDir();
  const img = buildImage(spec);
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: img }]);
  const { db, cache } = cacheIn(dir);
  const target = `oci:${join(dir, 'oci')}:x`;
  const first = await analyzeImage(openSource(target), { analyzers: defaultAnalyzers(), cache });
  const second = await analyzeImage(openSource(target), { analyzers: defaultAnalyzers(), cache });
  assert.equal(first.cacheHits, 0);
  assert.equal(second.cacheHits, 3);
  assert.deepEqual(second.facts.layers, first.facts.layers);
  assert.deepEqual(
    first.facts.layers.map((l) => l.diffId),
    img.layers.map((l) => l.diffId),
  );
  // Another image sharing the base layer through a registry-like digest reads only its own layer.
  const other = buildImage({ layers: [spec.layers[0]!, { files: [{ path: 'srv/x', content: 'y' }] }] });
  await writeOciLayout(join(dir, 'oci2'), [{ ref: 'y', image: other }]);
  const third = await analyzeImage(openSource(`oci:${join(dir, 'oci2')}:y`), {
    analyzers: defaultAnalyzers(),
    cache,
  });
  // A different layout file is a different blob file: verified once, then trusted.
  assert.equal(third.cacheHits, 0);
  const fourth = await analyzeImage(openSource(`oci:${join(dir, 'oci2')}:y`), {
    analyzers: defaultAnalyzers(),
    cache,
  });
  assert.equal(fourth.cacheHits, 2);
  db.close();
});

test('pipeline: a cached local blob that was rewritten is read again and its digest checked', async () => {
  const dir = tempDir();
  const img = buildImage(spec);
  const layout = join(dir, 'oci');
  await writeOciLayout(layout, [{ ref: 'x', image: img }]);
  const { db, cache } = cacheIn(dir);
  const target = `oci:${layout}:x`;
  await analyzeImage(openSource(target), { analyzers: defaultAnalyzers(), cache });
  // Swap the base layer's bytes for another layer's while keeping the file name (the digest).
  const base = join(layout, 'blobs', 'sha256', img.layers[0]!.digest.slice(7));
  writeFileSync(base, readFileSync(join(layout, 'blobs', 'sha256', img.layers[1]!.digest.slice(7))));
  await assert.rejects(
    analyzeImage(openSource(target), { analyzers: defaultAnalyzers(), cache }),
    (e: unknown) => {
      assert.ok(e instanceof ShipshapeError);
      assert.match(e.message, /SIZE_MISMATCH|digest|bytes/);
      return true;
    },
  );
  db.close();
});

test('pipeline: a docker-archive layer that does not match the config diff_id is refused', async () => {
  const dir = tempDir();
  const img = buildImage(spec);
  const liar = buildImage({
    ...spec,
    layers: [{ files: [{ path: 'evil', content: 'x' }] }, ...spec.layers.slice(1)],
  });
  // Config (and so diff_ids) of the honest image, layers of the liar.
  const forged = { ...liar, config: img.config, configDigest: img.configDigest };
  const file = await writeDockerArchive(join(dir, 'forged.tar'), forged, ['x:y']);
  await assert.rejects(
    analyzeImage(openSource(file), { analyzers: defaultAnalyzers(), cache: null }),
    (e: unknown) => {
      assert.ok(e instanceof ShipshapeError);
      assert.equal(e.code, 'DIGEST_MISMATCH');
      assert.match(e.message, /but the config says/);
      return true;
    },
  );
});

test('pipeline: docker-archive and rootfs directory give the same final tree as the OCI layout', async () => {
  const dir = tempDir();
  const img = buildImage({ layers: [spec.layers[0]!] });
  await writeOciLayout(join(dir, 'oci'), [{ image: img }]);
  const archive = await writeDockerArchive(join(dir, 'a.tar'), img, ['a:b'], { layerSymlinks: true });
  const viaOci = await analyzeImage(openSource(`oci:${join(dir, 'oci')}`), {
    analyzers: defaultAnalyzers(),
    cache: null,
  });
  const viaArchive = await analyzeImage(openSource(archive), { analyzers: defaultAnalyzers(), cache: null });
  assert.deepEqual([...viaArchive.facts.tree.keys()].sort(), [...viaOci.facts.tree.keys()].sort());
  assert.deepEqual(viaArchive.os, viaOci.os);
});
