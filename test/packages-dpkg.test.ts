/**
 * The dpkg catalogers against dpkg itself: the package list of the debootstrap root filesystem
 * (read as `dir:` and as an OCI image) must equal `dpkg-query -W` exactly, and so must that of a
 * crafted status database with every package state; owned files must equal `dpkg-query -L` and
 * the md5sums must match the files on disk. Then distroless `status.d/`, malformed files and
 * fuzzing. Set SHIPSHAPE_SKIP_DEBIAN=1 to skip the debootstrap part (CI never sets it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { completeParagraphsOnly } from '../src/analyze/packages/dpkg/control.js';
import {
  DPKG_FILES_ANALYZER,
  DPKG_STATUS_ANALYZER,
  dpkgStatusAnalyzer,
} from '../src/analyze/packages/dpkg/index.js';
import { parseDpkgList, parseDpkgMd5sums } from '../src/analyze/packages/dpkg/parse-owned-files.js';
import { parseDpkgStatus } from '../src/analyze/packages/dpkg/parse-status.js';
import type { OwnedFilesFact, PackageFact } from '../src/analyze/packages/types.js';
import type { AnalyzedImage } from '../src/scan/analyze-image.js';
import { debianOciLayout, debianRootfs } from './support/debian-rootfs.js';
import { collect, input, mutated, scanSpec, scanTarget } from './support/os-packages.js';
import { tempDir } from './support/tmp.js';

const skipDebian = process.env.SHIPSHAPE_SKIP_DEBIAN === '1';
const QUERY_FORMAT = '${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n';

function dpkgQuery(admindir: string, args: string[]): string {
  return execFileSync('dpkg-query', [`--admindir=${admindir}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

function queryLines(admindir: string): string[] {
  return dpkgQuery(admindir, ['-W', '-f', QUERY_FORMAT]).split('\n').filter(Boolean).sort();
}

function allFacts<T>(a: AnalyzedImage, analyzer: string): T[] {
  return a.facts.layers.flatMap((l) => (l.facts[analyzer] ?? []) as unknown as T[]);
}

function packageLines(a: AnalyzedImage): string[] {
  return allFacts<PackageFact>(a, DPKG_STATUS_ANALYZER)
    .map((p) => [p.name, p.version, p.arch ?? '', p.sourceName, p.sourceVersion].join('\t'))
    .sort();
}

test(
  'dpkg: the debootstrap rootfs equals dpkg-query -W, as dir: and as an OCI image',
  { skip: skipDebian, timeout: 900_000 },
  async () => {
    const root = await debianRootfs();
    const admindir = join(root, 'var/lib/dpkg');
    const expected = queryLines(admindir);
    assert.ok(expected.length > 50, `dpkg-query lists ${expected.length} packages`);

    const onDisk = await scanTarget(`dir:${root}`);
    assert.deepEqual(packageLines(onDisk), expected);
    assert.deepEqual(onDisk.facts.layers[0]!.warnings, []);
    assert.ok(
      allFacts<PackageFact>(onDisk, DPKG_STATUS_ANALYZER).every((p) => p.path === 'var/lib/dpkg/status'),
      'every package read from the status file',
    );

    const layout = await debianOciLayout();
    const inImage = await scanTarget(`oci:${layout}:bookworm`);
    assert.deepEqual(packageLines(inImage), expected);
    assert.deepEqual(inImage.os, { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' });

    // Owned files: one .list and one .md5sums fact per package that has them, equal to dpkg -L.
    const owned = allFacts<OwnedFilesFact>(inImage, DPKG_FILES_ANALYZER);
    const lists = new Map(owned.filter((f) => f.files).map((f) => [f.package, f]));
    for (const pkg of ['bash', 'coreutils', 'libc6:amd64', 'dpkg']) {
      const name = pkg.split(':')[0]!;
      const fromDpkg = dpkgQuery(admindir, ['-L', name])
        .split('\n')
        .filter((l) => l && l !== '/.')
        .map((l) => l.slice(1));
      assert.deepEqual(lists.get(pkg)?.files, fromDpkg, pkg);
    }
    const listFiles = execFileSync('sh', ['-c', `cd "${admindir}/info" && ls *.list`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.slice(0, -'.list'.length))
      .sort();
    assert.deepEqual([...lists.keys()].sort(), listFiles);

    // md5sums name the files as they are on disk.
    const bashSums = owned.find((f) => f.package === 'bash' && f.md5)!;
    assert.ok(Object.keys(bashSums.md5!).length > 10, 'bash has md5sums');
    for (const [path, md5] of Object.entries(bashSums.md5!)) {
      assert.equal(
        createHash('md5')
          .update(readFileSync(join(root, path)))
          .digest('hex'),
        md5,
        path,
      );
    }
  },
);

const CRAFTED_STATUS = `Package: alpha
Status: install ok installed
Maintainer: a <a@example.org>
Architecture: amd64
Version: 1:2.0-1
Source: alpha-src (1:2.0-0.1)
Description: first
 continued line
 .
 Package: not-a-field

Package: beta
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0-1

Package: gamma
Status: install ok half-configured
Architecture: all
Version: 1.0
Source: gsrc

Package: delta
Status: purge ok not-installed
Architecture: amd64

Package: no-status
Architecture: amd64
Version: 9

Package: libq
Status: install ok installed
Architecture: i386
Multi-Arch: same
Version: 1.0+b1
Source: q (1.0)

Package: libq
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 1.0+b1
Source: q (1.0)

package: lower
status: install reinstreq unpacked
architecture: amd64
version: 2
source: lowsrc(5)

Package: held
Status: hold ok installed
Architecture: arm64
Version: 0.1~rc1
Source:   spaced   (  7.0  )

Package: trig
Status: install ok triggers-pending
Triggers-Pending: /usr/share/foo
Version: 4
Architecture: amd64

Package: halfinst
Status: install reinstreq half-installed
Version: 5
`;

test('dpkg: every package state, multi-arch and Source form agrees with dpkg-query -W', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'info'));
  writeFileSync(join(dir, 'status'), CRAFTED_STATUS);
  const expected = queryLines(dir);
  assert.equal(expected.length, 9);
  const a = await scanSpec({
    layers: [{ files: [{ path: 'var/lib/dpkg/status', content: CRAFTED_STATUS }] }],
  });
  assert.deepEqual(packageLines(a), expected);
  assert.deepEqual(a.facts.layers[0]!.warnings, []);
  const states = Object.fromEntries(
    allFacts<PackageFact>(a, DPKG_STATUS_ANALYZER).map((p) => [
      `${p.name}:${p.arch}`,
      p.metadata?.status ?? 'installed',
    ]),
  );
  assert.equal(states['beta:amd64'], 'config-files');
  assert.equal(states['gamma:all'], 'half-configured');
  assert.equal(states['alpha:amd64'], 'installed');
});

test('dpkg: distroless status.d (no Status fields, md5sums beside) and OS detection from base-files', async () => {
  const a = await scanSpec({
    layers: [
      {
        files: [
          { path: 'var/lib/dpkg/status.d', type: 'dir' },
          {
            path: 'var/lib/dpkg/status.d/base-files',
            content: 'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\nEssential: yes\n',
          },
          {
            path: 'var/lib/dpkg/status.d/libc6',
            content:
              'Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\nMulti-Arch: same\n\n' +
              'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
          },
          {
            path: 'var/lib/dpkg/status.d/libc6.md5sums',
            content: 'd41d8cd98f00b204e9800998ecf8427e  lib/x86_64-linux-gnu/libc.so.6\n',
          },
        ],
      },
    ],
  });
  assert.deepEqual(packageLines(a), [
    'base-files\t12.4+deb12u5\tamd64\tbase-files\t12.4+deb12u5',
    'libc6\t2.36-9+deb12u4\tamd64\tglibc\t2.36-9+deb12u4',
    'tzdata\t2024a-0+deb12u1\tall\ttzdata\t2024a-0+deb12u1',
  ]);
  const owned = allFacts<OwnedFilesFact>(a, DPKG_FILES_ANALYZER);
  assert.deepEqual(owned, [
    {
      kind: 'owned-files',
      type: 'deb',
      package: 'libc6',
      path: 'var/lib/dpkg/status.d/libc6.md5sums',
      md5: { 'lib/x86_64-linux-gnu/libc.so.6': 'd41d8cd98f00b204e9800998ecf8427e' },
    },
  ]);
  assert.deepEqual(a.os, { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' });
});

test('dpkg: a status file cut mid-paragraph, garbage and bad lines warn with the path and keep the rest', async () => {
  const cut =
    'Package: ok1\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: cut\nStatus: install ok inst';
  const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0x3a, 0x3a, 0x0a, 0x20, 0x20, 0x0a]);
  const a = await scanSpec({
    layers: [
      { files: [{ path: 'var/lib/dpkg/status', content: cut }] },
      {
        files: [
          { path: 'var/lib/dpkg/status.d/junk', content: garbage },
          { path: 'var/lib/dpkg/info/x.list', content: '/.\n/usr\n/usr/bin/x\0y\n/usr/bin/x\n' },
          {
            path: 'var/lib/dpkg/info/x.md5sums',
            content: 'zz  usr/bin/x\n0123456789abcdef0123456789ABCDEF  usr/bin/x\n',
          },
        ],
      },
    ],
  });
  assert.deepEqual(packageLines(a), ['ok1\t1\tamd64\tok1\t1']);
  const warnings = a.facts.layers.flatMap((l) => l.warnings);
  assert.ok(
    warnings.some((w) => w.includes('var/lib/dpkg/status:') && /Status/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => w.includes('var/lib/dpkg/status.d/junk:')),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => w.includes('var/lib/dpkg/info/x.list:') && /NUL/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => w.includes('var/lib/dpkg/info/x.md5sums:')),
    warnings.join('\n'),
  );
  const owned = allFacts<OwnedFilesFact>(a, DPKG_FILES_ANALYZER);
  assert.deepEqual(owned.find((f) => f.files)?.files, ['usr', 'usr/bin/x']);
  assert.deepEqual(owned.find((f) => f.md5)?.md5, { 'usr/bin/x': '0123456789abcdef0123456789abcdef' });
});

test('dpkg: a status file over the size limit keeps only its complete paragraphs', () => {
  const { warnings, ctx } = collect();
  const text =
    'Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok installed\nVersion: 1.2';
  const facts = dpkgStatusAnalyzer.analyze!(input('var/lib/dpkg/status', text, true), ctx) as PackageFact[];
  assert.deepEqual(
    facts.map((f) => `${f.name}=${f.version}`),
    ['a=1'],
  );
  assert.match(warnings[0]!, /^var\/lib\/dpkg\/status: larger than/);
  assert.equal(completeParagraphsOnly('no blank line'), '');
  assert.equal(completeParagraphsOnly('a: 1\n\nb: 2\n \nc: 3'), 'a: 1\n\nb: 2\n \n');
});

test('dpkg: field names are case-insensitive, CRLF is tolerated, duplicates and bad names are reported', () => {
  const r = parseDpkgStatus(
    'PACKAGE: Up\r\nStatus: install ok installed\r\nVersion: 1\r\nversion: 2\r\n\r\nPackage: -bad\nStatus: install ok installed\nVersion: 1\n\nPackage: x\nStatus: install ok weird\nVersion: 1\n',
    { missingStatusMeansInstalled: false, maxPackages: 10 },
  );
  assert.deepEqual(r.records, [
    { name: 'up', version: '1', sourceName: 'up', sourceVersion: '1', status: 'installed' },
  ]);
  assert.equal(r.problems.length, 3);
  const capped = parseDpkgStatus('Package: a\nVersion: 1\n\n'.repeat(5), {
    missingStatusMeansInstalled: true,
    maxPackages: 2,
  });
  assert.equal(capped.records.length, 2);
  assert.match(capped.problems[0]!, /more than 2/);
});

test('dpkg: .list and .md5sums parsing', () => {
  assert.deepEqual(parseDpkgList('/.\n/etc\n/etc/a b\n//weird//\n\n', 10).records, [
    'etc',
    'etc/a b',
    'weird',
  ]);
  assert.deepEqual(parseDpkgList('/a\n/b\n/c\n', 2).problems, ['more than 2 paths; the rest are not read']);
  const m = parseDpkgMd5sums(
    '0123456789abcdef0123456789abcdef  usr/a\n0123456789abcdef0123456789abcdef *./usr/b\n',
    10,
  );
  assert.deepEqual(
    m.records.map((e) => e.path),
    ['usr/a', 'usr/b'],
  );
  const proto = parseDpkgMd5sums('0123456789abcdef0123456789abcdef  __proto__\n', 10);
  assert.equal(proto.records[0]!.path, '__proto__');
});

const SAMPLE = CRAFTED_STATUS;

test('dpkg fuzz: random text and mutations of a valid status file parse or warn, never throw', () => {
  const opts = { missingStatusMeansInstalled: false, maxPackages: 1000 };
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => {
      const r = parseDpkgStatus(s, opts);
      assert.ok(Array.isArray(r.records), 'records');
      parseDpkgList(s, 100);
      parseDpkgMd5sums(s, 100);
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(mutated(SAMPLE, ['\n', ' ', ':', '(', ')', '', 'x', '\0', '\r']), (s) => {
      const { ctx } = collect();
      const facts = dpkgStatusAnalyzer.analyze!(input('var/lib/dpkg/status', s), ctx) as PackageFact[];
      for (const f of facts)
        assert.ok(f.name && f.version && f.sourceName && f.sourceVersion, 'every field filled');
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      const { ctx } = collect();
      dpkgStatusAnalyzer.analyze!(input('var/lib/dpkg/status.d/x', Buffer.from(bytes)), ctx);
    }),
    { numRuns: 500 },
  );
});

test('dpkg: pathological inputs stay linear', () => {
  const big = `Package: a\nVersion: 1\n${' x\n'.repeat(200_000)}\n${'/'.repeat(500_000)}\n`;
  const t0 = Date.now();
  parseDpkgStatus(big, { missingStatusMeansInstalled: true, maxPackages: 10 });
  parseDpkgList(`/a${'/'.repeat(1_000_000)}b/\n`, 10);
  completeParagraphsOnly(`${'Package: a\n'.repeat(100_000)}`);
  assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
});
