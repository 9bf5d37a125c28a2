/**
 * Integrity drift on dpkg images: a package's executable replaced in a later layer is found (on
 * a merged-/usr tree, where dpkg lists `bin/x` and the file is `usr/bin/x`); a clean upgrade, a
 * changed conffile, a diversion and a removed package are not findings; the real Debian minbase
 * root filesystem gives none, and one file swapped on top of it gives exactly one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ImageCheckResult, MalwareFinding } from '../src/analyze/findings.js';
import { parseConffiles, parseDiversions } from '../src/analyze/integrity/dpkg-meta.js';
import { integrityDriftCheck } from '../src/analyze/integrity/index.js';
import { TreePaths } from '../src/analyze/integrity/tree-paths.js';
import type { PlacedFile } from '../src/facts/types.js';
import type { FileSpec, ImageSpec, LayerSpec } from './fixtures/builder.js';
import { checkSpec } from './integrity-harness.js';
import { debianLayerTar } from './support/debian-rootfs.js';

const skipDebian = process.env.SHIPSHAPE_SKIP_DEBIAN === '1';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function driftOf(spec: ImageSpec): Promise<ImageCheckResult> {
  return (await checkSpec(spec, integrityDriftCheck)).r;
}

// Harmless stand-ins: the "trojan" is a script that only says what it is.
const PS_V1 = '#!/bin/sh\necho "procps ps 4.0.2"\n';
const PS_V2 = '#!/bin/sh\necho "procps ps 4.0.4"\n';
const TROJAN = '#!/bin/sh\n# SHIPSHAPE-HARMLESS-TEST-FILE: stands for a trojanized ps\necho ps\n';
const KILL = '#!/bin/sh\necho kill\n';
const LIB = '\x7fELF fake libprocps';
const HELPER = '#!/bin/sh\necho helper\n';
const INIT = '#!/bin/sh\n# init script\n';

interface PkgFiles {
  name: string;
  version: string;
  /** Listed path (as in the .deb) → content; `mode` 0755 unless a .so. */
  files: Record<string, string>;
  conffiles?: string[];
}

function status(pkgs: PkgFiles[]): string {
  return pkgs
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\nVersion: ${p.version}\nArchitecture: amd64\n` +
        (p.conffiles?.length
          ? `Conffiles:\n${p.conffiles.map((c) => ` /${c} ${md5(p.files[c]!)}`).join('\n')}\n`
          : ''),
    )
    .join('\n');
}

/** The dpkg database files of `pkgs`: status, and each package's list, md5sums and conffiles. */
function dpkgDb(pkgs: PkgFiles[], withConffiles = true): FileSpec[] {
  const out: FileSpec[] = [{ path: 'var/lib/dpkg/status', content: status(pkgs) }];
  for (const p of pkgs) {
    const paths = Object.keys(p.files);
    out.push({ path: `var/lib/dpkg/info/${p.name}.list`, content: paths.map((f) => `/${f}\n`).join('') });
    // Like a .deb not built with debhelper: its md5sums cover its conffiles too.
    out.push({
      path: `var/lib/dpkg/info/${p.name}.md5sums`,
      content: paths.map((f) => `${md5(p.files[f]!)}  ${f}\n`).join(''),
    });
    if (withConffiles && p.conffiles?.length)
      out.push({
        path: `var/lib/dpkg/info/${p.name}.conffiles`,
        content: p.conffiles.map((c) => `/${c}\n`).join(''),
      });
  }
  return out;
}

const PROCPS: PkgFiles = {
  name: 'procps',
  version: '2:4.0.2-3',
  files: {
    'usr/bin/ps': PS_V1,
    'bin/kill': KILL,
    'usr/lib/x86_64-linux-gnu/libproc2.so.0.0.1': LIB,
    'usr/lib/procps/helper': HELPER,
    'etc/init.d/procps': INIT,
  },
  conffiles: ['etc/init.d/procps'],
};

/** A merged-/usr base layer with procps installed: files stand where the symlinks lead. */
function baseLayer(pkgs: PkgFiles[] = [PROCPS], withConffiles = true): LayerSpec {
  const files: FileSpec[] = [{ path: 'bin', type: 'symlink', target: 'usr/bin' }];
  for (const p of pkgs) {
    for (const [listed, content] of Object.entries(p.files)) {
      const path = listed.replace(/^bin\//, 'usr/bin/');
      files.push({ path, content, mode: path.endsWith('.so.0.0.1') ? 0o644 : 0o755 });
    }
  }
  return { files: [...files, ...dpkgDb(pkgs, withConffiles)], createdBy: 'ADD rootfs.tar /' };
}

function only(r: ImageCheckResult): MalwareFinding[] {
  assert.deepEqual(r.warnings ?? [], [], 'no warnings');
  return r.malware ?? [];
}

test('dpkg drift: ps, kill (via the bin symlink), a library and a helper replaced in layer 1', async () => {
  const r = await driftOf({
    layers: [
      baseLayer(),
      {
        files: [
          { path: 'usr/bin/ps', content: TROJAN, mode: 0o755 },
          { path: 'usr/bin/kill', content: TROJAN, mode: 0o755 },
          { path: 'usr/lib/x86_64-linux-gnu/libproc2.so.0.0.1', content: 'other build', mode: 0o644 },
          { path: 'usr/lib/procps/helper', content: TROJAN, mode: 0o755 },
        ],
        createdBy: 'COPY ps /usr/bin/ps',
      },
    ],
  });
  const found = only(r).sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(
    found.map((f) => [f.path, f.layer, f.severity, f.category, f.rule]),
    [
      ['usr/bin/kill', 1, 'high', 'backdoor', 'integrity-drift'],
      ['usr/bin/ps', 1, 'high', 'backdoor', 'integrity-drift'],
      ['usr/lib/procps/helper', 1, 'medium', 'backdoor', 'integrity-drift'],
      ['usr/lib/x86_64-linux-gnu/libproc2.so.0.0.1', 1, 'high', 'backdoor', 'integrity-drift'],
    ],
  );
  const ps = found.find((f) => f.path === 'usr/bin/ps')!;
  assert.equal(ps.sha256, createHash('sha256').update(TROJAN).digest('hex'));
  assert.equal(
    ps.evidence,
    `package procps (dpkg, layer 0) lists md5 ${md5(PS_V1).slice(0, 12)}…, the file has ${md5(TROJAN).slice(0, 12)}…`,
  );
});

test('dpkg drift: a clean upgrade in a later layer (new files, new md5sums) is no finding', async () => {
  const upgraded: PkgFiles = {
    ...PROCPS,
    version: '2:4.0.4-1',
    files: { ...PROCPS.files, 'usr/bin/ps': PS_V2 },
  };
  const r = await driftOf({
    layers: [
      baseLayer(),
      {
        files: [{ path: 'usr/bin/ps', content: PS_V2, mode: 0o755 }, ...dpkgDb([upgraded])],
        createdBy: 'RUN apt-get upgrade -y',
      },
    ],
  });
  assert.deepEqual(only(r), []);
});

test('dpkg drift: a changed conffile is expected; without the conffiles list it would be found', async () => {
  const layers = (withConffiles: boolean): LayerSpec[] => [
    baseLayer([PROCPS], withConffiles),
    { files: [{ path: 'etc/init.d/procps', content: `${INIT}echo tuned\n`, mode: 0o755 }] },
  ];
  assert.deepEqual(only(await driftOf({ layers: layers(true) })), []);
  const control = only(await driftOf({ layers: layers(false) }));
  assert.deepEqual(
    control.map((f) => [f.path, f.severity]),
    [['etc/init.d/procps', 'medium']],
  );
});

test('dpkg drift: a diverted file and a removed package are not findings', async () => {
  // fake-ps diverts procps's ps aside and installs its own at the path (as dash does for sh).
  const fake: PkgFiles = { name: 'fake-ps', version: '1', files: { 'usr/bin/ps': TROJAN } };
  const divertedWith = (distrib: string) =>
    driftOf({
      layers: [
        baseLayer(),
        {
          files: [
            { path: 'usr/bin/ps.distrib', content: distrib, mode: 0o755 },
            { path: 'usr/bin/ps', content: TROJAN, mode: 0o755 },
            { path: 'var/lib/dpkg/diversions', content: '/usr/bin/ps\n/usr/bin/ps.distrib\nfake-ps\n' },
            ...dpkgDb([PROCPS, fake]),
          ],
        },
      ],
    });
  assert.deepEqual(only(await divertedWith(PS_V1)), []);
  // procps's digest now applies where its file went: tampering there is found.
  assert.deepEqual(
    only(await divertedWith(HELPER)).map((f) => f.path),
    ['usr/bin/ps.distrib'],
  );
  const removed = await driftOf({
    layers: [
      baseLayer(),
      {
        files: [{ path: 'usr/bin/ps', content: TROJAN, mode: 0o755 }, ...dpkgDb([])],
        whiteouts: ['var/lib/dpkg/info/procps.md5sums', 'var/lib/dpkg/info/procps.list'],
      },
    ],
  });
  assert.deepEqual(only(removed), []);
});

test(
  'dpkg drift: the Debian minbase root filesystem has none; one binary swapped on top is found',
  { skip: skipDebian, timeout: 600_000 },
  async () => {
    const tar = await debianLayerTar();
    const clean = await driftOf({ layers: [{ tar, createdBy: 'debootstrap --variant=minbase bookworm' }] });
    assert.deepEqual(only(clean), [], 'zero false positives on a clean Debian');
    const swapped = await driftOf({
      layers: [
        { tar, createdBy: 'debootstrap --variant=minbase bookworm' },
        { files: [{ path: 'usr/bin/ls', content: TROJAN, mode: 0o755 }], createdBy: 'COPY ls /usr/bin/ls' },
      ],
    });
    assert.deepEqual(
      only(swapped).map((f) => [f.path, f.layer, f.severity]),
      [['usr/bin/ls', 1, 'high']],
    );
    assert.match(only(swapped)[0]!.evidence, /^package coreutils \(dpkg, layer 0\) lists md5 /);
  },
);

function tree(entries: [string, PlacedFile['type'], string?][]): Map<string, PlacedFile> {
  return new Map(
    entries.map(([path, type, linkTarget]) => [
      path,
      { path, type, mode: 0o755, size: 0, uid: 0, gid: 0, layer: 0, ...(linkTarget ? { linkTarget } : {}) },
    ]),
  );
}

test('tree paths: relative, absolute and chained directory links; loops end; the last component stays', () => {
  const paths = new TreePaths(
    tree([
      ['bin', 'symlink', 'usr/bin'],
      ['lib', 'symlink', '/usr/lib'],
      ['usr/lib64', 'symlink', '../lib'],
      ['a', 'symlink', 'b'],
      ['b', 'symlink', 'a'],
      ['usr/bin/sh', 'symlink', 'dash'],
      ['up', 'symlink', '../../..'],
    ]),
  );
  assert.equal(paths.resolve('bin/ls'), 'usr/bin/ls');
  assert.equal(paths.resolve('lib/x.so'), 'usr/lib/x.so');
  assert.equal(paths.resolve('usr/lib64/ld.so'), 'usr/lib/ld.so');
  assert.equal(paths.resolve('bin/sh'), 'usr/bin/sh');
  assert.equal(paths.resolve('a/x'), null);
  assert.equal(paths.resolve('up/etc/passwd'), 'etc/passwd', 'never above the root');
  assert.equal(paths.resolve('top'), 'top');
});

test('dpkg meta: conffiles with flags, diversions, and random text never throws', () => {
  assert.deepEqual(parseConffiles(['/etc/a.conf', '/etc/b remove-on-upgrade', '', '/etc/with space']), [
    'etc/a.conf',
    'etc/b',
    'etc/with space',
  ]);
  const d = parseDiversions(['/bin/sh', '/bin/sh.distrib', 'dash', '/x', '/y', ':', '']);
  assert.deepEqual(d, {
    diversions: [
      { from: 'bin/sh', to: 'bin/sh.distrib', by: 'dash' },
      { from: 'x', to: 'y', by: ':' },
    ],
    problems: [],
  });
  assert.equal(parseDiversions(['/a', '/b']).problems.length, 1, 'a cut diversion is a problem');
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 40, unit: 'binary' }), { maxLength: 30 }), (lines) => {
      parseConffiles(lines);
      const r = parseDiversions(lines);
      assert.ok(r.diversions.length <= lines.length / 3, 'at most one diversion per three lines');
    }),
    { numRuns: 1000 },
  );
});
