/**
 * Inventory assembly, independent of any real cataloger: a test analyzer reads "pkgdb" files
 * (one `type name version` line per package) so layer attribution, deletion, folding and
 * dedupe can be checked on images built for the purpose.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PackageFact, OwnedFilesFact } from '../src/analyze/packages/types.js';
import type { Analyzer, Fact } from '../src/analyze/types.js';
import { osReleaseAnalyzer } from '../src/analyze/os/os-release.js';
import { openSource } from '../src/image/target.js';
import { assembleInventory } from '../src/inventory/assemble.js';
import { purlFor } from '../src/inventory/purl.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage, type ImageSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const pkgdb: Analyzer = {
  name: 'test-pkgdb',
  version: 1,
  wants: (h) =>
    h.path.endsWith('.pkgdb') || h.path.endsWith('.owns') ? { mode: 'buffer', maxBytes: 1 << 16 } : false,
  analyze(file) {
    const out: Fact[] = [];
    for (const line of file.content.toString().split('\n').filter(Boolean)) {
      const [type, name, version, ...files] = line.split(' ');
      if (file.header.path.endsWith('.owns')) {
        const owned: OwnedFilesFact = {
          kind: 'owned-files',
          type: 'deb',
          package: name!,
          path: file.header.path,
          files,
        };
        out.push(owned);
      } else {
        const p: PackageFact = {
          kind: 'package',
          type: type as PackageFact['type'],
          name: name!,
          version: version!,
          path: file.header.path,
        };
        out.push(p);
      }
    }
    return out;
  },
};

async function inventory(spec: ImageSpec) {
  const dir = tempDir();
  await writeOciLayout(dir, [{ image: buildImage(spec) }]);
  const r = await analyzeImage(openSource(`oci:${dir}`), {
    analyzers: [pkgdb, osReleaseAnalyzer],
    cache: null,
  });
  return assembleInventory(r.facts, r.os);
}

const osRelease = { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' };

test('inventory: each package is attributed to the layer that introduced it', async () => {
  const inv = await inventory({
    layers: [
      { files: [osRelease, { path: 'var/db.pkgdb', content: 'deb libc6 2.36\ndeb bash 5.2\n' }] },
      { files: [{ path: 'var/db.pkgdb', content: 'deb libc6 2.36\ndeb bash 5.2\ndeb curl 7.88\n' }] },
      { files: [{ path: 'var/db.pkgdb', content: 'deb libc6 2.36-9\ndeb bash 5.2\ndeb curl 7.88\n' }] },
    ],
  });
  const at = Object.fromEntries(inv.packages.map((p) => [p.name, [p.version, p.layer]]));
  assert.deepEqual(at, { bash: ['5.2', 0], curl: ['7.88', 1], libc6: ['2.36-9', 2] });
  assert.equal(inv.packages.find((p) => p.name === 'bash')?.purl, 'pkg:deb/debian/bash@5.2?distro=debian-12');
});

test('inventory: a deleted database lists nothing; a deleted-then-recreated one restarts attribution', async () => {
  const inv = await inventory({
    layers: [
      {
        files: [
          { path: 'a/x.pkgdb', content: 'npm left-pad 1.0.0\n' },
          { path: 'b/y.pkgdb', content: 'npm gone 1.0.0\n' },
        ],
      },
      { whiteouts: ['b/y.pkgdb', 'a/x.pkgdb'] },
      { files: [{ path: 'a/x.pkgdb', content: 'npm left-pad 1.0.0\n' }] },
    ],
  });
  assert.deepEqual(
    inv.packages.map((p) => [p.name, p.layer]),
    [['left-pad', 2]],
  );
});

test('inventory: folding and compiled-in ownership', async () => {
  const inv = await inventory({
    layers: [
      {
        files: [
          osRelease,
          { path: 'var/lib/dpkg/status.pkgdb', content: 'deb python3-requests 2.28.1-1\ndeb skopeo 1.9.3\n' },
          {
            path: 'var/lib/dpkg/info/x.owns',
            content:
              'deb python3-requests 0 /usr/lib/python3/dist-packages/requests.dist-info\ndeb skopeo 0 /usr/bin/skopeo.pkgdb\n',
          },
          {
            path: 'usr/lib/python3/dist-packages/requests.dist-info/METADATA.pkgdb',
            content: 'pypi requests 2.28.1\n',
          },
          { path: 'usr/bin/skopeo.pkgdb', content: 'golang github.com/containers/image/v5 v5.24.0\n' },
          { path: 'app/node_modules/x.pkgdb', content: 'npm express 4.18.2\n' },
          { path: 'app/node_modules/y.pkgdb', content: 'npm express 4.18.2\n' },
        ],
      },
    ],
  });
  const byName = new Map(inv.packages.map((p) => [p.name, p]));
  assert.equal(byName.has('requests'), false, 'folded into the deb');
  assert.deepEqual(
    byName.get('python3-requests')?.alsoKnownAs?.map((a) => a.purl),
    ['pkg:pypi/requests@2.28.1'],
  );
  assert.equal(byName.get('github.com/containers/image/v5')?.ownedBy, 'deb:skopeo');
  assert.deepEqual(byName.get('express')?.paths, ['app/node_modules/x.pkgdb', 'app/node_modules/y.pkgdb']);
  assert.equal(inv.ownership.get('usr/bin/skopeo.pkgdb'), 'deb:skopeo');
});

test('inventory: records a cataloger got wrong (no name) are dropped, never a crash', async () => {
  const inv = await inventory({
    layers: [{ files: [{ path: 'x.pkgdb', content: 'npm\nnpm ok 1.0\npypi \n' }] }],
  });
  assert.deepEqual(
    inv.packages.map((p) => p.purl),
    ['pkg:npm/ok@1.0'],
  );
});

test('purl: every type, with distro qualifiers and namespaces', () => {
  const base = { kind: 'package', path: 'p' } as const;
  const os = { family: 'alpine', version: '3.20.3', name: null };
  assert.equal(
    purlFor({ ...base, type: 'apk', name: 'musl', version: '1.2.5-r0', arch: 'x86_64' }, os),
    'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
  );
  assert.equal(
    purlFor(
      { ...base, type: 'rpm', name: 'bash', version: '4.4.20-4.el8', epoch: 1, arch: 'x86_64' },
      { family: 'rhel', version: '8.9', name: null },
    ),
    'pkg:rpm/redhat/bash@4.4.20-4.el8?arch=x86_64&distro=rhel-8.9&epoch=1',
  );
  assert.equal(
    purlFor({ ...base, type: 'npm', name: '@babel/core', version: '7.24.0' }, null),
    'pkg:npm/%40babel/core@7.24.0',
  );
  assert.equal(
    purlFor({ ...base, type: 'pypi', name: 'Flask_Login', version: '0.6.3' }, null),
    'pkg:pypi/flask-login@0.6.3',
  );
  assert.equal(
    purlFor({ ...base, type: 'golang', name: 'github.com/a/b', version: 'v1.2.3' }, null),
    'pkg:golang/github.com/a/b@v1.2.3',
  );
  assert.equal(
    purlFor({ ...base, type: 'maven', namespace: 'org.apache', name: 'commons-io', version: '2.11.0' }, null),
    'pkg:maven/org.apache/commons-io@2.11.0',
  );
  assert.equal(
    purlFor({ ...base, type: 'composer', name: 'monolog/monolog', version: '3.5.0' }, null),
    'pkg:composer/monolog/monolog@3.5.0',
  );
  assert.equal(
    purlFor({ ...base, type: 'gem', name: 'rails', version: '7.1.0' }, null),
    'pkg:gem/rails@7.1.0',
  );
});
