/**
 * Integrity drift on apk and rpm images. apk: an installed database written here from the
 * documented format, with `Z:Q1` checksums of the files. rpm: packages built with `rpmbuild`
 * and installed into a real database with `rpm -i --justdb` (sha256 file digests, and md5 as
 * old rpm wrote them); `%config` files are expected to change.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ImageCheckResult, MalwareFinding } from '../src/analyze/findings.js';
import { integrityDriftCheck } from '../src/analyze/integrity/index.js';
import {
  APK_ANALYZER,
  apkInstalledAnalyzer,
  type ApkPackageFact,
} from '../src/analyze/packages/apk/index.js';
import { apkChecksum } from '../src/analyze/packages/apk/parse-installed.js';
import { RPM_ANALYZER, type RpmPackageFact } from '../src/analyze/packages/rpm/index.js';
import type { FileSpec, ImageSpec } from './fixtures/builder.js';
import { checkSpec } from './integrity-harness.js';
import { tempDir } from './support/tmp.js';

const hash = (algo: string, s: string) => createHash(algo).update(s).digest();
const TROJAN = '#!/bin/sh\n# SHIPSHAPE-HARMLESS-TEST-FILE: stands for a trojanized binary\n';

function analyze(spec: ImageSpec) {
  return checkSpec(spec, integrityDriftCheck);
}

function findings(r: ImageCheckResult): MalwareFinding[] {
  assert.deepEqual(r.warnings ?? [], [], 'no warnings');
  return r.malware ?? [];
}

// ---------------------------------------------------------------- apk

interface ApkPkg {
  name: string;
  version: string;
  /** Path → [content, mode]. */
  files: Record<string, [string, number]>;
}

function apkInstalled(pkgs: ApkPkg[]): string {
  return pkgs
    .map((p) => {
      const lines = [`P:${p.name}`, `V:${p.version}`, 'A:x86_64', `o:${p.name}`];
      let dir: string | null = null;
      for (const [path, [content, mode]] of Object.entries(p.files)) {
        const slash = path.lastIndexOf('/');
        if (path.slice(0, slash) !== dir) lines.push(`F:${(dir = path.slice(0, slash))}`);
        lines.push(`R:${path.slice(slash + 1)}`, `a:0:0:${mode.toString(8)}`);
        lines.push(`Z:Q1${hash('sha1', content).toString('base64')}`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function apkLayer(pkgs: ApkPkg[]): FileSpec[] {
  const files: FileSpec[] = [{ path: 'lib/apk/db/installed', content: apkInstalled(pkgs) }];
  for (const p of pkgs)
    for (const [path, [content, mode]] of Object.entries(p.files)) files.push({ path, content, mode });
  return files;
}

const MUSL: ApkPkg = {
  name: 'musl',
  version: '1.2.4-r2',
  files: { 'lib/ld-musl-x86_64.so.1': ['\x7fELF musl 1.2.4', 0o755] },
};
const BUSYBOX: ApkPkg = {
  name: 'busybox',
  version: '1.36.1-r15',
  files: {
    'bin/busybox': ['\x7fELF busybox 1.36.1', 0o755],
    'etc/periodic/daily/cleanup': ['#!/bin/sh\n', 0o755],
  },
};

test('apk checksums: Q1 is sha1, Q2 sha256, hex md5; anything else is refused', () => {
  assert.equal(
    apkChecksum(`Q1${hash('sha1', 'x').toString('base64')}`),
    `sha1:${hash('sha1', 'x').toString('hex')}`,
  );
  assert.equal(
    apkChecksum(`Q2${hash('sha256', 'x').toString('base64')}`),
    `sha256:${hash('sha256', 'x').toString('hex')}`,
  );
  assert.equal(apkChecksum('D41D8CD98F00B204E9800998ECF8427E'), 'md5:d41d8cd98f00b204e9800998ecf8427e');
  for (const bad of ['Q1', 'Q1!!!!', `Q1${hash('md5', 'x').toString('base64')}`, 'Q9abc', 'zz'])
    assert.equal(apkChecksum(bad), null, bad);
  const warnings: string[] = [];
  const text =
    'P:a\nV:1\nF:bin\nR:x\nZ:Q1nope\nR:__proto__\nZ:Q1' + hash('sha1', 'p').toString('base64') + '\n';
  const [fact] = apkInstalledAnalyzer.analyze!(
    {
      header: { path: 'lib/apk/db/installed', type: 'file', mode: 0o644, size: text.length, uid: 0, gid: 0 },
      content: Buffer.from(text),
      truncated: false,
    },
    { warn: (_p, m) => warnings.push(m) },
  ) as ApkPackageFact[];
  assert.deepEqual(Object.entries(fact!.fileDigests ?? {}), [
    ['bin/__proto__', `sha1:${hash('sha1', 'p').toString('hex')}`],
  ]);
  assert.match(warnings.join(), /unreadable checksum for bin\/x/);
});

test('apk drift: the musl loader replaced in layer 1 is found; apk keeps Q1 digests in its facts', async () => {
  const { a, r } = await analyze({
    layers: [
      { files: apkLayer([MUSL, BUSYBOX]) },
      {
        files: [
          { path: 'lib/ld-musl-x86_64.so.1', content: TROJAN, mode: 0o755 },
          // etc/ is apk's protected (config) tree: changes there are the admin's.
          { path: 'etc/periodic/daily/cleanup', content: '#!/bin/sh\nrm -rf /tmp/*\n', mode: 0o755 },
        ],
      },
    ],
  });
  const facts = a.facts.layers[0]!.facts[APK_ANALYZER] as ApkPackageFact[];
  assert.equal(
    facts[1]!.fileDigests?.['bin/busybox'],
    `sha1:${hash('sha1', '\x7fELF busybox 1.36.1').toString('hex')}`,
  );
  const found = findings(r);
  assert.deepEqual(
    found.map((f) => [f.path, f.layer, f.severity, f.category]),
    [['lib/ld-musl-x86_64.so.1', 1, 'high', 'backdoor']],
  );
  assert.match(
    found[0]!.evidence,
    /^package musl \(apk, layer 0\) lists sha1 [0-9a-f]{12}…, the file has [0-9a-f]{12}…$/,
  );
});

test('apk drift: a layer that shows a Debian system before its replaced busybox cannot hide it', async () => {
  // Files after etc/debian_version get no sha1 (file-digests.ts): the listed file is reported as
  // one with nothing to compare, not passed over.
  for (const marker of ['etc/debian_version', 'var/lib/rpm/rpmdb.sqlite']) {
    const { r } = await analyze({
      layers: [
        { files: apkLayer([MUSL, BUSYBOX]) },
        {
          files: [
            { path: marker, content: '12.5\n' },
            { path: 'bin/busybox', content: TROJAN, mode: 0o755 },
          ],
        },
      ],
    });
    const found = findings(r);
    assert.deepEqual(
      found.map((f) => [f.path, f.layer, f.severity]),
      [['bin/busybox', 1, 'high']],
      `${marker}: the replaced busybox is a finding`,
    );
    assert.match(found[0]!.evidence, /lists sha1 [0-9a-f]{12}…, but the layer .* has no sha1 to compare$/);
  }
});

test('apk drift: a clean upgrade (new database and files in layer 1) is no finding', async () => {
  const next: ApkPkg = {
    ...BUSYBOX,
    version: '1.36.1-r16',
    files: { 'bin/busybox': ['\x7fELF busybox r16', 0o755] },
  };
  const { r } = await analyze({
    layers: [{ files: apkLayer([MUSL, BUSYBOX]) }, { files: apkLayer([MUSL, next]) }],
  });
  assert.deepEqual(findings(r), []);
});

// ---------------------------------------------------------------- rpm

const content = (version: string) => ({
  'usr/bin/shipshape-tool': `shipshape tool ${version}\n`,
  'usr/lib64/libshipshape.so.1': `shipshape library ${version}\n`,
  'etc/shipshape/hook': `shipshape hook ${version}\n`,
});

function spec(version: string): string {
  const c = content(version);
  return `
%global debug_package %{nil}
%global __os_install_post %{nil}
Name: shipshape-integrity
Version: ${version}
Release: 1
AutoReqProv: no
Summary: integrity fixture
License: MIT
BuildArch: noarch

%description
Files whose digests rpm records.

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib64 %{buildroot}/etc/shipshape
echo '${c['usr/bin/shipshape-tool'].trim()}' > %{buildroot}/usr/bin/shipshape-tool
echo '${c['usr/lib64/libshipshape.so.1'].trim()}' > %{buildroot}/usr/lib64/libshipshape.so.1
echo '${c['etc/shipshape/hook'].trim()}' > %{buildroot}/etc/shipshape/hook
chmod 755 %{buildroot}/usr/bin/shipshape-tool %{buildroot}/etc/shipshape/hook

%files
/usr/bin/shipshape-tool
/usr/lib64/libshipshape.so.1
%config /etc/shipshape/hook
`;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** An rpm SQLite database with the package at `version` installed; `md5` as rpm < 4.6 digested. */
function rpmdb(version: string, md5 = false): Buffer {
  const dir = tempDir();
  mkdirSync(join(dir, 'SPECS'), { recursive: true });
  writeFileSync(join(dir, 'SPECS', 'p.spec'), spec(version));
  run('rpmbuild', [
    '-bb',
    '--define',
    `_topdir ${dir}`,
    '--define',
    `_rpmdir ${join(dir, 'rpms')}`,
    ...(md5 ? ['--define', '_binary_filedigest_algorithm 1'] : []),
    join(dir, 'SPECS', 'p.spec'),
  ]);
  const rpm = run('sh', ['-c', `ls "${dir}"/rpms/*/*.rpm`]).trim();
  const db = join(dir, 'db');
  mkdirSync(db);
  run('rpm', ['--initdb', '--dbpath', db]);
  run('rpm', ['-i', '--dbpath', db, '--justdb', '--nodeps', '--noscripts', rpm]);
  return readFileSync(join(db, 'rpmdb.sqlite'));
}

function rpmLayer(version: string, md5 = false): FileSpec[] {
  const files: FileSpec[] = [{ path: 'var/lib/rpm/rpmdb.sqlite', content: rpmdb(version, md5) }];
  for (const [path, text] of Object.entries(content(version)))
    files.push({ path, content: text, mode: path.endsWith('.so.1') ? 0o644 : 0o755 });
  return files;
}

test('rpm drift: a tool replaced in layer 1 is found (sha256); the %config hook may change', async () => {
  const { a, r } = await analyze({
    layers: [
      { files: rpmLayer('1.0') },
      {
        files: [
          { path: 'usr/bin/shipshape-tool', content: TROJAN, mode: 0o755 },
          { path: 'etc/shipshape/hook', content: '#!/bin/sh\necho local\n', mode: 0o755 },
        ],
      },
    ],
  });
  const [fact] = a.facts.layers[0]!.facts[RPM_ANALYZER] as RpmPackageFact[];
  assert.deepEqual(fact!.configFiles, ['etc/shipshape/hook']);
  assert.equal(
    fact!.fileDigests?.['usr/bin/shipshape-tool'],
    `sha256:${hash('sha256', content('1.0')['usr/bin/shipshape-tool']).toString('hex')}`,
  );
  const found = findings(r);
  assert.deepEqual(
    found.map((f) => [f.path, f.layer, f.severity]),
    [['usr/bin/shipshape-tool', 1, 'high']],
  );
  assert.match(found[0]!.evidence, /^package shipshape-integrity \(rpm, layer 0\) lists sha256 /);
});

test('rpm drift: md5 digests of old rpm; a clean upgrade is no finding', async () => {
  const old = await analyze({
    layers: [
      { files: rpmLayer('1.0', true) },
      { files: [{ path: 'usr/lib64/libshipshape.so.1', content: TROJAN, mode: 0o644 }] },
    ],
  });
  assert.deepEqual(
    findings(old.r).map((f) => [f.path, f.severity, f.evidence.split(' ').slice(0, 7).join(' ')]),
    [['usr/lib64/libshipshape.so.1', 'high', 'package shipshape-integrity (rpm, layer 0) lists md5']],
  );
  const upgraded = await analyze({ layers: [{ files: rpmLayer('1.0') }, { files: rpmLayer('2.0') }] });
  assert.deepEqual(findings(upgraded.r), []);
});
