/**
 * The apk cataloger. Debian has no apk-tools to write a database with, so the sample below is
 * written by hand from the documented format (apk-tools' `installed` database: one `X:value` line
 * per field, packages separated by blank lines), shaped like an Alpine 3.19 base image's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { APK_ANALYZER, apkInstalledAnalyzer } from '../src/analyze/packages/apk/index.js';
import { parseApkInstalled } from '../src/analyze/packages/apk/parse-installed.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import { collect, input, mutated, scanSpec } from './support/os-packages.js';

const INSTALLED = `C:Q1x5bBMVm4pWqnKgKNyG71ujEwjYY=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:663552
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1703252014
c:7b1f6bcf0c8b3d8d7a7f2b0c0b0a8f7a1fd3e0c1
p:so:libc.musl-x86_64.so.1=1
r:libc
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Kd8JXiSe4zCSxwPi3hgSo+AvUfs=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1gXmxRiRCEuT5DXq76Cbb8SQVsqQ=
P:busybox
V:1.36.1-r15
A:x86_64
S:509362
I:946176
T:Size optimized toolkit of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1701698400
c:e1f6a7d3b7d4c6a5f4e3d2c1b0a9f8e7d6c5b4a3
D:so:libc.musl-x86_64.so.1
p:/bin/sh cmd:busybox=1.36.1-r15 cmd:sh=1.36.1-r15
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1q8ZCY2AZJ3RbBXG6x4GaY9k4Kzs=
F:etc
R:securetty
Z:Q1Hx6P0ns8QfkvZm16J4YBGHdaJqs=
F:etc/network
F:etc/network/if-up.d
F:usr
F:usr/share
F:usr/share/udhcpc
R:default.script
a:0:0:755
Z:Q1HWpG3eQD8Uoi4mks2E3SSvOAUhY=

C:Q1/hQ3eH2Dm4Mxo2Ws0sePC3xLz3w=
P:ssl_client
V:1.36.1-r15
A:x86_64
S:4900
I:14336
T:EXternal ssl_client for busybox wget
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1701698400
c:e1f6a7d3b7d4c6a5f4e3d2c1b0a9f8e7d6c5b4a3
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libssl.so.3
i:busybox=1.36.1-r15 libssl3
F:usr
F:usr/bin
R:ssl_client
a:0:0:755
Z:Q1K7c1Wo+7k6eC6Jl9rmF3gTlT9Io=

C:Q1ZNSE5cAJZ2pR+rV2bG6m9nZ+Qoo=
P:libcrypto3
V:3.1.4-r2
A:x86_64
S:1780183
I:4206592
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1701179839
c:f3a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
r:libressl
F:etc
F:etc/ssl
R:openssl.cnf.dist
Z:Q1fOYfPK8Ln6UHDGdN3dMoAVtTqDo=
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1S1A5eHn4Hfq2Y7Nj3a9V0k0dHgM=
F:usr
F:usr/lib
R:libcrypto.so.3
a:0:0:777
Z:Q1A1Wl0q6f7v6c2fRyPzYcA7M4H/I=

C:Q1PTk5M2PYYvK4P4IqP3mfXHWyZtA=
P:alpine-baselayout-data
V:3.4.3-r2
A:x86_64
S:11617
I:77824
T:Alpine base dir structure and init scripts
U:https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout
L:GPL-2.0-only
o:alpine-baselayout
m:Natanael Copa <ncopa@alpinelinux.org>
t:1702000000
c:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d
r:alpine-baselayout
F:etc
R:fstab
Z:Q11Q7hNe8QpDS531guqCdrXBzoA/o=
R:group
Z:Q12Otk4M39fP2Zjkobu0nC9FvlRI0=
R:passwd
Z:Q1TchuuLUfur0izvfZQZxgN/LJhB8=
`;

test('apk: an Alpine installed database, through an image: packages, origins, licenses, files, OS', async () => {
  const a = await scanSpec({
    layers: [
      {
        files: [
          { path: 'lib/apk/db/installed', content: INSTALLED },
          { path: 'etc/alpine-release', content: '3.19.1\n' },
        ],
      },
    ],
  });
  const facts = a.facts.layers[0]!.facts[APK_ANALYZER] as PackageFact[];
  assert.deepEqual(
    facts.map((f) => [f.name, f.version, f.arch, f.sourceName, f.sourceVersion, f.licenses?.join()]),
    [
      ['musl', '1.2.4_git20230717-r4', 'x86_64', 'musl', '1.2.4_git20230717-r4', 'MIT'],
      ['busybox', '1.36.1-r15', 'x86_64', 'busybox', '1.36.1-r15', 'GPL-2.0-only'],
      ['ssl_client', '1.36.1-r15', 'x86_64', 'busybox', '1.36.1-r15', 'GPL-2.0-only'],
      ['libcrypto3', '3.1.4-r2', 'x86_64', 'openssl', '3.1.4-r2', 'Apache-2.0'],
      ['alpine-baselayout-data', '3.4.3-r2', 'x86_64', 'alpine-baselayout', '3.4.3-r2', 'GPL-2.0-only'],
    ],
  );
  assert.deepEqual(facts[1]!.files, ['bin/busybox', 'etc/securetty', 'usr/share/udhcpc/default.script']);
  assert.deepEqual(facts[3]!.files, [
    'etc/ssl/openssl.cnf.dist',
    'lib/libcrypto.so.3',
    'usr/lib/libcrypto.so.3',
  ]);
  assert.ok(
    facts.every((f) => f.type === 'apk' && f.kind === 'package' && f.path === 'lib/apk/db/installed'),
    'apk package facts from the database path',
  );
  assert.deepEqual(a.facts.layers[0]!.warnings, []);
  // No os-release: the release file tells.
  assert.deepEqual(a.os, { family: 'alpine', version: '3.19.1', name: 'Alpine Linux v3.19' });
});

test('apk: CRLF, a missing trailing blank line, files before any F line and the usr/ location', () => {
  const text = 'P:a\r\nV:1-r0\r\nR:top\r\nF:/usr/bin/\r\nR:x\r\n\r\nP:b\nV:2-r0';
  const facts = apkInstalledAnalyzer.analyze!(
    input('usr/lib/apk/db/installed', text),
    collect().ctx,
  ) as PackageFact[];
  assert.deepEqual(
    facts.map((f) => [f.name, f.version, f.files]),
    [
      ['a', '1-r0', ['top', 'usr/bin/x']],
      ['b', '2-r0', []],
    ],
  );
  assert.equal(facts[0]!.sourceName, 'a');
  assert.equal(apkInstalledAnalyzer.wants(input('usr/lib/apk/db/installed', '').header) !== false, true);
  assert.equal(apkInstalledAnalyzer.wants(input('lib/apk/db/installed.old', '').header), false);
});

test('apk: malformed databases warn with the path and keep every good package', async () => {
  const broken = [
    'P:good1\nV:1-r0\nA:x86_64\n',
    'V:2-r0\nA:x86_64\n', // no name
    'P:noversion\nA:x86_64\n',
    'this is not a field\nP:good2\nV:3-r0\n',
    `P:${'n'.repeat(5000)}\nV:1\n`,
    'P:cut\nV:4-r', // a database cut mid-package (a version cut short stays a version, as apk would read it)
  ].join('\n');
  const a = await scanSpec({ layers: [{ files: [{ path: 'lib/apk/db/installed', content: broken }] }] });
  const facts = a.facts.layers[0]!.facts[APK_ANALYZER] as PackageFact[];
  assert.deepEqual(
    facts.map((f) => f.name),
    ['good1', 'good2', 'cut'],
  );
  const warnings = a.facts.layers[0]!.warnings;
  assert.ok(warnings.length >= 4, warnings.join('\n'));
  assert.ok(
    warnings.every((w) => w.includes('lib/apk/db/installed:')),
    warnings.join('\n'),
  );

  // Past the size limit the cut package is dropped, since its last line may be incomplete.
  const { warnings: w2, ctx } = collect();
  const cut = apkInstalledAnalyzer.analyze!(
    input('lib/apk/db/installed', 'P:a\nV:1\n\nP:b\nV:2.', true),
    ctx,
  ) as PackageFact[];
  assert.deepEqual(
    cut.map((f) => f.name),
    ['a'],
  );
  assert.match(w2[0]!, /larger than/);
});

test('apk: caps on packages and files per package', () => {
  const many = 'P:x\nV:1\nF:d\nR:a\nR:b\nR:c\n\n'.repeat(5);
  const r = parseApkInstalled(many, { maxPackages: 3, maxFilesPerPackage: 2 });
  assert.equal(r.records.length, 3);
  assert.deepEqual(r.records[0]!.files, ['d/a', 'd/b']);
  assert.ok(
    r.problems.some((p) => /more than 3 packages/.test(p)),
    r.problems.join('\n'),
  );
  assert.ok(
    r.problems.some((p) => /more than 2 files/.test(p)),
    r.problems.join('\n'),
  );
});

test('apk fuzz: random text, random bytes and mutations of the sample parse or warn, never throw', () => {
  const limits = { maxPackages: 1000, maxFilesPerPackage: 1000 };
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => {
      parseApkInstalled(s, limits);
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(mutated(INSTALLED, ['\n', ':', '', 'P', 'V', 'F', 'R', '/', '\0']), (s) => {
      const facts = apkInstalledAnalyzer.analyze!(
        input('lib/apk/db/installed', s),
        collect().ctx,
      ) as PackageFact[];
      for (const f of facts)
        assert.ok(f.name && f.version !== undefined && Array.isArray(f.files), 'every field filled');
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      apkInstalledAnalyzer.analyze!(input('lib/apk/db/installed', Buffer.from(bytes)), collect().ctx);
    }),
    { numRuns: 500 },
  );
});
