/**
 * OS detection: os-release first, then each distribution's own release file, then the shape of
 * a distroless Debian image; always from the file that is still in the final tree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAlpineRelease } from '../src/analyze/os/alpine-release.js';
import { parseDebianVersion } from '../src/analyze/os/debian-version.js';
import { osDetectors } from '../src/analyze/os/index.js';
import { parseRedhatRelease } from '../src/analyze/os/redhat-release.js';
import { osCatalogers } from '../src/analyze/packages/os-catalogers.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../src/scan/analyze-image.js';
import { buildImage, type FileSpec, type ImageSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const analyzers = [...osDetectors, ...osCatalogers];

async function scanSpec(spec: ImageSpec): Promise<AnalyzedImage> {
  const dir = tempDir();
  await writeOciLayout(dir, [{ ref: 'x', image: buildImage(spec) }]);
  return analyzeImage(openSource(`oci:${dir}:x`), { analyzers, cache: null });
}

const oneLayer = (files: FileSpec[]) => scanSpec({ layers: [{ files }] });

test('os: os-release wins over every release file', async () => {
  const a = await oneLayer([
    { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n' },
    { path: 'etc/alpine-release', content: '3.19.1\n' },
    { path: 'etc/debian_version', content: '12.4\n' },
  ]);
  assert.deepEqual(a.os, { family: 'alpine', version: '3.20.0', name: 'Alpine Linux v3.20' });
});

test('os: release files of each family, without os-release', async () => {
  const cases: [FileSpec[], { family: string; version: string | null; name: string | null }][] = [
    [
      [{ path: 'etc/alpine-release', content: '3.19.1\n' }],
      { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' },
    ],
    [
      [{ path: 'etc/redhat-release', content: 'Red Hat Enterprise Linux release 8.6 (Ootpa)\n' }],
      { family: 'rhel', version: '8.6', name: 'Red Hat Enterprise Linux release 8.6 (Ootpa)' },
    ],
    [
      [
        { path: 'etc/redhat-release', content: 'Rocky Linux release 9.3 (Blue Onyx)\n' },
        { path: 'etc/rocky-release', content: 'Rocky Linux release 9.3 (Blue Onyx)\n' },
        { path: 'etc/system-release', type: 'symlink', target: 'rocky-release' },
      ],
      { family: 'rocky', version: '9.3', name: 'Rocky Linux release 9.3 (Blue Onyx)' },
    ],
    [
      [{ path: 'etc/almalinux-release', content: 'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n' }],
      { family: 'almalinux', version: '9.3', name: 'AlmaLinux release 9.3 (Shamrock Pampas Cat)' },
    ],
    [
      [{ path: 'etc/centos-release', content: 'CentOS Linux release 7.9.2009 (Core)\n' }],
      { family: 'centos', version: '7', name: 'CentOS Linux release 7.9.2009 (Core)' },
    ],
    [
      [{ path: 'etc/centos-release', content: 'CentOS Stream release 9\n' }],
      { family: 'centos', version: '9', name: 'CentOS Stream release 9' },
    ],
    [
      [{ path: 'etc/oracle-release', content: 'Oracle Linux Server release 7.9\n' }],
      { family: 'ol', version: '7.9', name: 'Oracle Linux Server release 7.9' },
    ],
    [
      [{ path: 'etc/debian_version', content: '12.4\n' }],
      { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
    ],
    [
      [{ path: 'etc/debian_version', content: '6.0.10\n' }],
      { family: 'debian', version: '6', name: 'Debian GNU/Linux 6' },
    ],
    [
      [{ path: 'etc/debian_version', content: 'trixie/sid\n' }],
      { family: 'debian', version: null, name: 'Debian GNU/Linux trixie/sid' },
    ],
  ];
  for (const [files, expected] of cases) {
    const a = await oneLayer(files);
    assert.deepEqual(a.os, expected, files[0]!.path);
    assert.deepEqual(a.facts.layers[0]!.warnings, [], files[0]!.path);
  }
});

test('os: distroless Debian: status.d without os-release, with and without base-files', async () => {
  const withBase = await oneLayer([
    {
      path: 'var/lib/dpkg/status.d/base-files',
      content: 'Package: base-files\nVersion: 11.1+deb11u9\nArchitecture: amd64\n',
    },
    { path: 'var/lib/dpkg/status.d/netbase', content: 'Package: netbase\nVersion: 6.3\nArchitecture: all\n' },
  ]);
  assert.deepEqual(withBase.os, { family: 'debian', version: '11', name: 'Debian GNU/Linux 11 (bullseye)' });
  const bare = await oneLayer([{ path: 'var/lib/dpkg/status.d', type: 'dir' }]);
  assert.deepEqual(bare.os, { family: 'debian', version: null, name: null });
  const nothing = await oneLayer([{ path: 'etc/hostname', content: 'x\n' }]);
  assert.equal(nothing.os, null);
});

test('os: only the file still in the final tree counts', async () => {
  // os-release deleted by a later layer: the release file below it decides.
  const deleted = await scanSpec({
    layers: [
      {
        files: [
          { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { path: 'etc/debian_version', content: '11.9\n' },
        ],
      },
      { whiteouts: ['etc/os-release'] },
    ],
  });
  assert.deepEqual(deleted.os, { family: 'debian', version: '11', name: 'Debian GNU/Linux 11 (bullseye)' });
  // A release file overwritten with garbage: no fact for the live file, a warning naming it, no OS.
  const garbled = await scanSpec({
    layers: [
      { files: [{ path: 'etc/alpine-release', content: '3.19.1\n' }] },
      { files: [{ path: 'etc/alpine-release', content: Buffer.from([0xde, 0xad, 0x0a]) }] },
    ],
  });
  assert.equal(garbled.os, null);
  assert.deepEqual(garbled.facts.layers[1]!.warnings, [
    'alpine-release: etc/alpine-release: does not hold a release number',
  ]);
  // A distroless package file deleted later no longer makes the image Debian.
  const gone = await scanSpec({
    layers: [
      {
        files: [
          { path: 'var/lib/dpkg/status.d/base-files', content: 'Package: base-files\nVersion: 12.4\n' },
        ],
      },
      { whiteouts: ['var/lib/dpkg/status.d'] },
    ],
  });
  assert.equal(gone.os, null);
});

test('os: release-file parsers take anything without throwing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      parseAlpineRelease(s);
      parseDebianVersion(s);
      const r = parseRedhatRelease(s, 'etc/redhat-release');
      assert.ok(r === null || (r.family.length > 0 && r.name.length <= 256), 'a family and a bounded name');
    }),
    { numRuns: 2000 },
  );
  assert.equal(parseRedhatRelease('Some Other Linux release 1.0\n', 'etc/fedora-release')?.family, 'fedora');
  assert.equal(parseRedhatRelease('', 'etc/redhat-release'), null);
  assert.equal(parseAlpineRelease('not a version\n'), null);
  assert.equal(parseDebianVersion('\n'), null);
});
