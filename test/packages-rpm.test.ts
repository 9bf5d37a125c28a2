/**
 * The rpm cataloger against Debian's `rpm` tool. Tiny packages are built with `rpmbuild` and
 * installed into a fresh SQLite database with `rpm -i --justdb`; `rpm -qa` and `rpm -ql` on it
 * are the ground truth. The same header blobs are then stored as a Berkeley DB hash database
 * with `db5.3_load` (which rpm's own read-only BDB backend must read back identically: so it is
 * a real rpm database) and as an ndb `Packages.db` written here after rpm's rpmpkg.c (Debian's
 * rpm cannot write ndb). Then malformed databases and headers, and fuzzing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { osDetectors } from '../src/analyze/os/index.js';
import { osCatalogers } from '../src/analyze/packages/os-catalogers.js';
import { readBdbRpmdb } from '../src/analyze/packages/rpm/bdb-db.js';
import { MAX_ARRAY_LENGTH, RpmHeader, RPMTAG } from '../src/analyze/packages/rpm/header.js';
import { RPM_ANALYZER, rpmdbAnalyzer, readRpmdbBlobs } from '../src/analyze/packages/rpm/index.js';
import { readNdbRpmdb } from '../src/analyze/packages/rpm/ndb-db.js';
import { rpmRecordFromBlob, splitSourceRpm } from '../src/analyze/packages/rpm/package.js';
import { readSqliteRpmdb } from '../src/analyze/packages/rpm/sqlite-db.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import type { FileInput } from '../src/analyze/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../src/scan/analyze-image.js';
import { buildImage, type ImageSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const analyzers = [...osDetectors, ...osCatalogers];
const QF = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

// ---------------------------------------------------------------- fixtures made with rpm itself

// No debuginfo, no post-install scripts and no dependency generators: they cost seconds per
// build and add nothing the cataloger reads.
const MAIN_SPEC = `
%global debug_package %{nil}
%global __os_install_post %{nil}
Name: shipshape-fixture
Version: 1.2.3
Release: 4.fc39
Epoch: 2
AutoReqProv: no
Summary: shipshape test fixture
License: MIT and (GPL-2.0-or-later)

%description
A package made by shipshape's tests.

%package -n libtiny
Summary: a subpackage with its own name and license
License: BSD-3-Clause
BuildArch: noarch

%description -n libtiny
A subpackage.

%package big
Summary: enough files for a header far larger than a database page

%description big
Many files.

%install
mkdir -p %{buildroot}/usr/share/shipshape-fixture %{buildroot}/etc %{buildroot}/usr/lib/libtiny
echo hi > %{buildroot}/usr/share/shipshape-fixture/greeting.txt
echo x > %{buildroot}/etc/shipshape-fixture.conf
echo t > "%{buildroot}/usr/lib/libtiny/tiny file.txt"
for d in $(seq 1 40); do
  mkdir -p %{buildroot}/usr/share/shipshape-big/directory-with-a-long-name-$d
  for f in $(seq 1 60); do
    : > %{buildroot}/usr/share/shipshape-big/directory-with-a-long-name-$d/file-with-a-long-name-$f.txt
  done
done

%files
%dir /usr/share/shipshape-fixture
/usr/share/shipshape-fixture/greeting.txt
%config /etc/shipshape-fixture.conf

%files -n libtiny
"/usr/lib/libtiny/tiny file.txt"

%files big
/usr/share/shipshape-big
`;

const OTHER_SPEC = `
%global __os_install_post %{nil}
Name: other-tool
Version: 0.9
Release: 1
AutoReqProv: no
Summary: a second source package, no epoch, noarch
License: Apache-2.0
BuildArch: noarch

%description
Another one.

%install
mkdir -p %{buildroot}/usr/bin
printf '#!/bin/sh\\n' > %{buildroot}/usr/bin/other-tool

%files
/usr/bin/other-tool
`;

interface Fixture {
  /** `rpm -qa` lines, sorted. */
  expected: string[];
  /** Package name → `rpm -ql` paths without the leading '/'. */
  files: Map<string, string[]>;
  sqlite: Buffer;
  blobs: { id: number; blob: Buffer }[];
  bdb: Buffer;
  bdbSmallPages: Buffer;
  bdbLargePages: Buffer;
  bdbChecksummed: Buffer;
}

/** Built on first use (not in a before() hook, which under test/run-all.ts would run for every file). */
let fx: Fixture;
let built = false;
function useFixture(): void {
  if (!built) fx = buildFixture();
  built = true;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function rpmQa(dbpath: string, backend?: string): string[] {
  const define = backend ? ['--define', `_db_backend ${backend}`] : [];
  return run('rpm', ['-qa', '--dbpath', dbpath, ...define, '--qf', QF])
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** A db_load dump of the blobs keyed as rpm keys them (native-endian package numbers), with rpm's key-0 counter. */
function bdbFromBlobs(
  dir: string,
  blobs: { id: number; blob: Buffer }[],
  pageSize: number,
  extra: string[] = [],
): Buffer {
  const key = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', `db_pagesize=${pageSize}`, 'HEADER=END'];
  lines.push(` ${key(0)}`, ` ${key(blobs.length + 1)}`);
  for (const { id, blob } of blobs) lines.push(` ${key(id)}`, ` ${blob.toString('hex')}`);
  lines.push('DATA=END', '');
  const dump = join(dir, `dump-${pageSize}-${extra.length}.txt`);
  writeFileSync(dump, lines.join('\n'));
  const out = join(dir, `bdb-${pageSize}-${extra.length}`);
  mkdirSync(out);
  run('db5.3_load', [...extra, '-f', dump, join(out, 'Packages')]);
  return readFileSync(join(out, 'Packages'));
}

function buildFixture(): Fixture {
  const dir = tempDir();
  for (const [name, spec] of [
    ['main', MAIN_SPEC],
    ['other', OTHER_SPEC],
  ] as const) {
    const top = join(dir, `top-${name}`);
    mkdirSync(join(top, 'SPECS'), { recursive: true });
    writeFileSync(join(top, 'SPECS', `${name}.spec`), spec);
    run('rpmbuild', [
      '-bb',
      '--define',
      `_topdir ${top}`,
      '--define',
      `_rpmdir ${join(dir, 'rpms')}`,
      join(top, 'SPECS', `${name}.spec`),
    ]);
  }
  const rpms = run('sh', ['-c', `ls "${dir}"/rpms/*/*.rpm`])
    .split('\n')
    .filter(Boolean);
  assert.equal(rpms.length, 4);
  const dbpath = join(dir, 'db');
  mkdirSync(dbpath);
  run('rpm', ['--initdb', '--dbpath', dbpath]);
  run('rpm', [
    '-i',
    '--dbpath',
    dbpath,
    '--justdb',
    '--nodeps',
    '--ignorearch',
    '--ignoreos',
    '--noscripts',
    ...rpms,
  ]);
  const expected = rpmQa(dbpath);
  const files = new Map<string, string[]>();
  for (const line of expected) {
    const name = line.split('\t')[0]!;
    const listed = run('rpm', ['-ql', '--dbpath', dbpath, name]).split('\n').filter(Boolean);
    files.set(
      name,
      listed.map((p) => p.slice(1)),
    );
  }
  const sqlite = readFileSync(join(dbpath, 'rpmdb.sqlite'));
  // The test reads the blobs with SQLite itself (not the code under test) to store them elsewhere.
  const copy = Buffer.from(sqlite);
  copy[18] = copy[19] = 1;
  const db = new Database(copy, { readonly: true });
  const blobs = (
    db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: number; blob: Buffer }[]
  ).map((r) => ({ id: r.hnum, blob: r.blob }));
  db.close();
  const bdb = bdbFromBlobs(dir, blobs, 4096);
  // rpm's own reader accepts the Berkeley DB file and finds the same packages in it.
  assert.deepEqual(rpmQa(join(dir, 'bdb-4096-0'), 'bdb_ro'), expected);
  return {
    expected,
    files,
    sqlite,
    blobs,
    bdb,
    bdbSmallPages: bdbFromBlobs(dir, blobs, 512),
    bdbLargePages: bdbFromBlobs(dir, blobs, 65536),
    bdbChecksummed: bdbFromBlobs(dir, blobs, 4096, ['-c', 'chksum=1']),
  };
}

// ---------------------------------------------------------------- ndb, written after rpm's rpmpkg.c

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function le(...words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b;
}

const tag = (s: string) => Buffer.from(s, 'latin1').readUInt32LE(0);

/** Packages.db as rpm's ndb backend lays it out; `freed` packages leave a free slot and zeroed blocks. */
function writeNdb(blobs: { id: number; blob: Buffer }[], freed: number[] = []): Buffer {
  const slotPages = 1;
  const parts: Buffer[] = [];
  const slots: Buffer[] = [];
  let blk = (slotPages * 4096) / 16;
  for (const { id, blob } of blobs) {
    const blkcnt = Math.ceil((16 + blob.length + 12) / 16);
    const head = le(tag('BlbS'), id, 1_700_000_000, blob.length);
    const pad = Buffer.alloc(blkcnt * 16 - (16 + blob.length + 12));
    const tail = le(adler32(Buffer.concat([head, blob, pad])), blob.length, tag('BlbE'));
    const framed = Buffer.concat([head, blob, pad, tail]);
    if (freed.includes(id)) {
      slots.push(le(tag('Slot'), 0, 0, 0));
      parts.push(Buffer.alloc(framed.length));
    } else {
      slots.push(le(tag('Slot'), id, blk, blkcnt));
      parts.push(framed);
    }
    blk += blkcnt;
  }
  const slotArea = Buffer.alloc(slotPages * 4096 - 32);
  for (let at = 0; at < slotArea.length; at += 16) slotArea.writeUInt32LE(tag('Slot'), at);
  Buffer.concat(slots).copy(slotArea, 0);
  const header = Buffer.concat([
    le(tag('RpmP'), 0, 7, slotPages, Math.max(...blobs.map((b) => b.id)) + 1),
    Buffer.alloc(12),
  ]);
  return Buffer.concat([header, slotArea, ...parts]);
}

// ---------------------------------------------------------------- a big-endian Berkeley DB (s390x)

/** Byte-swaps a little-endian BDB hash file into what a big-endian machine writes. */
function toBigEndian(src: Buffer): Buffer {
  const b = Buffer.from(src);
  const pageSize = src.readUInt32LE(20);
  const swap32 = (at: number) => b.writeUInt32BE(src.readUInt32LE(at), at);
  const swap16 = (at: number) => b.writeUInt16BE(src.readUInt16LE(at), at);
  for (let base = 0; base + pageSize <= src.length; base += pageSize) {
    const type = src[base + 25];
    [0, 4, 8, 12, 16].forEach((o) => swap32(base + o));
    if (base === 0) {
      for (let o = 20; o < 224; o += 4) if (o !== 24) swap32(o);
      continue;
    }
    swap16(base + 20);
    swap16(base + 22);
    if (type !== 13 && type !== 2) continue;
    const entries = src.readUInt16LE(base + 20);
    for (let i = 0; i < entries; i++) {
      const off = src.readUInt16LE(base + 26 + 2 * i);
      swap16(base + 26 + 2 * i);
      const itemType = src[base + off];
      if (itemType === 3) {
        swap32(base + off + 4);
        swap32(base + off + 8);
      } else if (i % 2 === 0 && itemType === 1) {
        swap32(base + off + 1); // the key: a package number in the machine's byte order
      }
    }
  }
  return b;
}

// ---------------------------------------------------------------- helpers

async function scanSpec(spec: ImageSpec): Promise<AnalyzedImage> {
  const dir = tempDir();
  await writeOciLayout(dir, [{ ref: 'x', image: buildImage(spec) }]);
  return analyzeImage(openSource(`oci:${dir}:x`), { analyzers, cache: null });
}

function input(path: string, content: Buffer, truncated = false): FileInput {
  return {
    header: { path, type: 'file', mode: 0o644, size: content.length, uid: 0, gid: 0 },
    content,
    truncated,
  };
}

function collect() {
  const warnings: string[] = [];
  return { warnings, ctx: { warn: (path: string, msg: string) => warnings.push(`${path}: ${msg}`) } };
}

/** The facts in rpm -qa's format. */
function qaLines(facts: PackageFact[]): string[] {
  return facts
    .map((f) => {
      const dash = f.version.indexOf('-');
      const sourceRpm = (f.metadata?.sourceRpm as string | undefined) ?? '(none)';
      return [
        f.name,
        f.epoch ?? 0,
        f.version.slice(0, dash),
        f.version.slice(dash + 1),
        f.arch,
        sourceRpm,
      ].join('\t');
    })
    .sort();
}

function parseAll(content: Buffer, path = 'var/lib/rpm/Packages') {
  const { warnings, ctx } = collect();
  const facts = rpmdbAnalyzer.analyze!(input(path, content), ctx) as PackageFact[];
  return { facts, warnings };
}

function assertMatchesRpm(facts: PackageFact[]) {
  assert.deepEqual(qaLines(facts), fx.expected);
  for (const f of facts) {
    assert.deepEqual(f.files, fx.files.get(f.name), `${f.name} files`);
    assert.equal(`${f.sourceName}-${f.sourceVersion}.src.rpm`, f.metadata?.sourceRpm);
  }
}

// ---------------------------------------------------------------- ground truth

test('rpm: the SQLite database rpm wrote, through an image, equals rpm -qa and rpm -ql', async () => {
  useFixture();
  assert.equal(fx.expected.length, 4);
  const a = await scanSpec({
    layers: [
      { files: [{ path: 'var/lib/rpm', type: 'symlink', target: '../../usr/lib/sysimage/rpm' }] },
      {
        files: [
          { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: fx.sqlite },
          { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite-shm', content: Buffer.alloc(32768) },
          { path: 'etc/redhat-release', content: 'Fedora release 39 (Thirty Nine)\n' },
        ],
      },
    ],
  });
  const facts = a.facts.layers[1]!.facts[RPM_ANALYZER] as PackageFact[];
  assertMatchesRpm(facts);
  assert.deepEqual(a.facts.layers[1]!.warnings, []);
  const main = facts.find((f) => f.name === 'shipshape-fixture')!;
  assert.deepEqual(
    { type: main.type, epoch: main.epoch, version: main.version, licenses: main.licenses, path: main.path },
    {
      type: 'rpm',
      epoch: 2,
      version: '1.2.3-4.fc39',
      licenses: ['MIT and (GPL-2.0-or-later)'],
      path: 'usr/lib/sysimage/rpm/rpmdb.sqlite',
    },
  );
  const tiny = facts.find((f) => f.name === 'libtiny')!;
  assert.deepEqual(
    [tiny.sourceName, tiny.sourceVersion, tiny.arch],
    ['shipshape-fixture', '1.2.3-4.fc39', 'noarch'],
  );
  assert.equal(facts.find((f) => f.name === 'other-tool')!.epoch, undefined);
  assert.ok(
    facts.find((f) => f.name === 'shipshape-fixture-big')!.files!.length > 2400,
    'the big package lists all its files',
  );
  assert.deepEqual(a.os, { family: 'fedora', version: '39', name: 'Fedora release 39 (Thirty Nine)' });
});

test('rpm: the Berkeley DB hash database (read back by rpm itself) equals rpm -qa, at every page size', async () => {
  useFixture();
  const a = await scanSpec({
    layers: [
      {
        files: [
          { path: 'var/lib/rpm/Packages', content: fx.bdb },
          { path: 'etc/centos-release', content: 'CentOS Linux release 7.9.2009 (Core)\n' },
        ],
      },
    ],
  });
  assertMatchesRpm(a.facts.layers[0]!.facts[RPM_ANALYZER] as PackageFact[]);
  assert.deepEqual(a.facts.layers[0]!.warnings, []);
  assert.deepEqual(a.os, { family: 'centos', version: '7', name: 'CentOS Linux release 7.9.2009 (Core)' });
  for (const db of [
    fx.bdbSmallPages,
    fx.bdbLargePages,
    fx.bdbChecksummed,
    toBigEndian(fx.bdb),
    toBigEndian(fx.bdbSmallPages),
  ]) {
    const { facts, warnings } = parseAll(db);
    assert.deepEqual(warnings, []);
    assertMatchesRpm(facts);
  }
  // The same blobs, whichever store they came out of.
  assert.deepEqual(readBdbRpmdb(fx.bdbLargePages, 100).blobs, fx.blobs);
});

test('rpm: the ndb database (SUSE Packages.db) equals rpm -qa; freed slots are skipped', async () => {
  useFixture();
  const a = await scanSpec({
    layers: [{ files: [{ path: 'usr/lib/sysimage/rpm/Packages.db', content: writeNdb(fx.blobs) }] }],
  });
  assertMatchesRpm(a.facts.layers[0]!.facts[RPM_ANALYZER] as PackageFact[]);
  assert.deepEqual(a.facts.layers[0]!.warnings, []);
  const freed = readNdbRpmdb(writeNdb(fx.blobs, [fx.blobs[1]!.id]), 100);
  assert.deepEqual(freed.problems, []);
  assert.deepEqual(
    freed.blobs.map((b) => b.id),
    fx.blobs.filter((_, i) => i !== 1).map((b) => b.id),
  );
});

// ---------------------------------------------------------------- headers built by hand

type TagValue = { tag: number; type: number; value: string | string[] | number[] };

/** A header blob: il, dl, index entries, data store (INT32 data aligned to 4, as rpm does). */
function buildHeader(tags: TagValue[]): Buffer {
  const index: Buffer[] = [];
  let data = Buffer.alloc(0);
  for (const t of tags) {
    if (t.type === 4) data = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    const offset = data.length;
    let bytes: Buffer;
    let count: number;
    if (t.type === 4) {
      const nums = t.value as number[];
      bytes = Buffer.alloc(nums.length * 4);
      nums.forEach((n, i) => bytes.writeUInt32BE(n, i * 4));
      count = nums.length;
    } else {
      const strs = Array.isArray(t.value) ? (t.value as string[]) : [t.value as string];
      bytes = Buffer.concat(strs.map((s) => Buffer.from(`${s}\0`)));
      count = strs.length;
    }
    data = Buffer.concat([data, bytes]);
    const e = Buffer.alloc(16);
    e.writeUInt32BE(t.tag, 0);
    e.writeUInt32BE(t.type, 4);
    e.writeUInt32BE(offset, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, ...index, data]);
}

const BASIC: TagValue[] = [
  { tag: RPMTAG.NAME, type: 6, value: 'zlib' },
  { tag: RPMTAG.VERSION, type: 6, value: '1.2.11' },
  { tag: RPMTAG.RELEASE, type: 6, value: '40.el9' },
  { tag: RPMTAG.EPOCH, type: 4, value: [0] },
  { tag: RPMTAG.ARCH, type: 6, value: 'x86_64' },
  { tag: RPMTAG.SOURCERPM, type: 6, value: 'zlib-1.2.11-40.el9.src.rpm' },
  { tag: RPMTAG.LICENSE, type: 6, value: 'zlib and Boost' },
  { tag: RPMTAG.MODULARITYLABEL, type: 6, value: 'perl:5.30:8030020200:12345' },
  { tag: RPMTAG.OLDFILENAMES, type: 8, value: ['/usr/lib64/libz.so.1', '/usr/lib64/libz.so.1.2.11'] },
];

test('rpm headers: fields, epoch 0, OLDFILENAMES, the modularity label, a header with its magic', () => {
  const r = rpmRecordFromBlob(buildHeader(BASIC));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.record, {
    name: 'zlib',
    version: '1.2.11',
    release: '40.el9',
    epoch: 0,
    arch: 'x86_64',
    license: 'zlib and Boost',
    modularityLabel: 'perl:5.30:8030020200:12345',
    sourceRpm: 'zlib-1.2.11-40.el9.src.rpm',
    sourceName: 'zlib',
    sourceVersion: '1.2.11-40.el9',
    files: ['usr/lib64/libz.so.1', 'usr/lib64/libz.so.1.2.11'],
  });
  const withMagic = Buffer.concat([Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]), buildHeader(BASIC)]);
  assert.equal(rpmRecordFromBlob(withMagic).record?.name, 'zlib');
  assert.deepEqual(splitSourceRpm('python3-pip-21.3.1-1.el9.noarch.src.rpm'), {
    name: 'python3-pip',
    version: '21.3.1-1.el9.noarch',
  });
  assert.deepEqual(splitSourceRpm('kernel-5.14.0-1.nosrc.rpm'), { name: 'kernel', version: '5.14.0-1' });
  assert.equal(splitSourceRpm('nodash.src.rpm'), null);
  assert.equal(splitSourceRpm('a-b.src.rpm'), null);
});

test('rpm headers: entries pointing out of range, wrong types and huge counts cost their field, with a problem', () => {
  const blob = buildHeader(BASIC);
  const entry = (i: number, field: number, v: number) => {
    const b = Buffer.from(blob);
    b.writeUInt32BE(v, 8 + i * 16 + field * 4);
    return b;
  };
  // LICENSE (entry 6) offset past the data: the package stays, without its license.
  let r = rpmRecordFromBlob(entry(6, 2, 0x7fffffff));
  assert.equal(r.record?.name, 'zlib');
  assert.equal(r.record?.license, undefined);
  assert.match(r.problems.join(), /outside the data/);
  // OLDFILENAMES with a count of 2^31: refused without allocating.
  r = rpmRecordFromBlob(entry(8, 3, 0x80000000));
  assert.equal(r.record?.files, undefined);
  assert.match(r.problems.join(), /claims 2147483648 strings/);
  // EPOCH declared as a string.
  r = rpmRecordFromBlob(entry(3, 1, 6));
  assert.equal(r.record?.epoch, undefined);
  // NAME unreadable: no package.
  r = rpmRecordFromBlob(entry(0, 2, 0xfffffff0));
  assert.equal(r.record, null);
  // il/dl larger than the blob, or absurd.
  for (const [il, dl] of [
    [0xffff, 10],
    [2, 0x7fffffff],
    [0, 0],
    [0x7fffffff, 0x7fffffff],
  ] as const) {
    const b = Buffer.from(blob);
    b.writeUInt32BE(il, 0);
    b.writeUInt32BE(dl, 4);
    const bad = rpmRecordFromBlob(b);
    assert.equal(bad.record, null);
    assert.equal(bad.problems.length, 1);
  }
  assert.equal(rpmRecordFromBlob(Buffer.alloc(3)).record, null);
  // Directory indexes that do not match the base names.
  const files = rpmRecordFromBlob(
    buildHeader([
      ...BASIC.slice(0, 3),
      { tag: RPMTAG.BASENAMES, type: 8, value: ['a', 'b'] },
      { tag: RPMTAG.DIRNAMES, type: 8, value: ['/usr/'] },
      { tag: RPMTAG.DIRINDEXES, type: 4, value: [0, 7] },
    ]),
  );
  assert.equal(files.record?.files, undefined);
  assert.match(files.problems.join(), /directory 7 of 1/);
  assert.throws(() => RpmHeader.parse(Buffer.alloc(8)), /index entries/);
  // A million and one empty file names fit in the data, but are not turned into a million values.
  const empties = buildHeader([...BASIC.slice(0, 2), { tag: RPMTAG.OLDFILENAMES, type: 8, value: [''] }]);
  const tooMany = Buffer.concat([empties, Buffer.alloc(MAX_ARRAY_LENGTH + 1)]);
  tooMany.writeUInt32BE(empties.readUInt32BE(4) + MAX_ARRAY_LENGTH + 1, 4);
  tooMany.writeUInt32BE(MAX_ARRAY_LENGTH + 1, 8 + 2 * 16 + 12);
  const capped = rpmRecordFromBlob(tooMany);
  assert.equal(capped.record?.name, 'zlib');
  assert.equal(capped.record?.files, undefined);
  assert.match(capped.problems.join(), /claims 1000001 strings/);
});

// ---------------------------------------------------------------- malformed databases

test('rpm: a BDB overflow loop, a chain into the void and page-count lies are bounded and reported', () => {
  useFixture();
  const db = Buffer.from(fx.bdbSmallPages);
  const pageSize = 512;
  const pages = db.length / pageSize;
  // Make every overflow page point back at the first overflow page: a loop.
  let firstOverflow = -1;
  for (let p = 1; p < pages; p++) {
    if (db[p * pageSize + 25] !== 7) continue;
    if (firstOverflow < 0) firstOverflow = p;
    db.writeUInt32LE(firstOverflow, p * pageSize + 16);
  }
  assert.ok(firstOverflow > 0, 'the database has overflow pages');
  const t0 = Date.now();
  const looped = readBdbRpmdb(db, 100);
  assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  assert.match(looped.problems.join('\n'), /loops back/);
  // Claimed last page far beyond the file: truncated, the pages present are still read.
  const lying = Buffer.from(fx.bdb);
  lying.writeUInt32LE(0x7fffffff, 32);
  const r = readBdbRpmdb(lying, 100);
  assert.match(r.problems[0]!, /truncated/);
  assert.equal(r.blobs.length, fx.blobs.length);
  // A file cut in half keeps what is whole.
  const { facts, warnings } = parseAll(fx.bdbSmallPages.subarray(0, Math.floor(fx.bdbSmallPages.length / 2)));
  assert.ok(facts.length < fx.blobs.length, 'a cut database loses packages');
  assert.ok(
    warnings.length > 0 && warnings.every((w) => w.startsWith('var/lib/rpm/Packages: ')),
    warnings.join('\n'),
  );
  assert.match(readBdbRpmdb(Buffer.alloc(4096), 10).problems[0]!, /not a Berkeley DB/);
});

test('rpm: ndb slots and blobs that lie are reported; the good packages stay', () => {
  useFixture();
  const db = writeNdb(fx.blobs);
  const slot = (i: number) => 32 + i * 16;
  const bad = Buffer.from(db);
  bad.writeUInt32LE(0xffffff, slot(0) + 8); // blob offset beyond the file
  bad.writeUInt32LE(1, slot(1) + 8); // blob offset inside the slot pages
  const r = readNdbRpmdb(bad, 100);
  assert.equal(r.blobs.length, fx.blobs.length - 2);
  assert.equal(r.problems.length, 2);
  const hugePages = Buffer.from(db);
  hugePages.writeUInt32LE(0x7fffffff, 12);
  assert.match(readNdbRpmdb(hugePages, 100).problems[0]!, /slot pages/);
  const noMagic = Buffer.from(db);
  noMagic.writeUInt32LE(0, slot(2));
  assert.equal(readNdbRpmdb(noMagic, 100).blobs.length, 2);
});

test('rpm: a truncated or garbage SQLite file, a view named Packages and unknown files warn, never throw', () => {
  useFixture();
  const cut = parseAll(fx.sqlite.subarray(0, 8192), 'var/lib/rpm/rpmdb.sqlite');
  assert.equal(cut.facts.length, 0);
  assert.match(cut.warnings.join(), /^var\/lib\/rpm\/rpmdb.sqlite: /);
  const garbage = parseAll(
    Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(5000, 0xab)]),
    'var/lib/rpm/rpmdb.sqlite',
  );
  assert.equal(garbage.facts.length, 0);
  assert.ok(garbage.warnings.length > 0, 'garbage warns');
  assert.match(parseAll(Buffer.from('hello')).warnings[0]!, /not an rpm database/);

  const dir = tempDir();
  const path = join(dir, 'hostile.sqlite');
  const db = new Database(path);
  db.exec(
    'CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, zeroblob(1000000) AS blob FROM c',
  );
  db.close();
  const view = readSqliteRpmdb(readFileSync(path), 100);
  assert.deepEqual(view.blobs, []);
  assert.match(view.problems[0]!, /view/);
  const path2 = join(dir, 'generated.sqlite');
  const db2 = new Database(path2);
  db2.exec(
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL)',
  );
  db2.exec('INSERT INTO Packages (hnum) VALUES (1)');
  db2.close();
  assert.match(readSqliteRpmdb(readFileSync(path2), 100).problems[0]!, /generated/);
});

test('rpm: over the size limit, the first part is read with a warning', () => {
  useFixture();
  const { warnings, ctx } = collect();
  const facts = rpmdbAnalyzer.analyze!(input('var/lib/rpm/Packages', fx.bdb, true), ctx) as PackageFact[];
  assert.equal(facts.length, fx.blobs.length);
  assert.match(warnings[0]!, /larger than/);
  assert.equal(rpmdbAnalyzer.wants(input('var/lib/rpm/Packages.db', Buffer.alloc(0)).header) !== false, true);
  assert.equal(rpmdbAnalyzer.wants(input('var/lib/rpm/Name', Buffer.alloc(0)).header), false);
});

// ---------------------------------------------------------------- fuzzing

function mutate(src: Buffer, edits: [number, number][]): Buffer {
  const b = Buffer.from(src);
  for (const [at, v] of edits) b[at % b.length] = v;
  return b;
}

const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 });

test('rpm fuzz: mutated header blobs never throw', () => {
  useFixture();
  const blob = fx.blobs[0]!.blob;
  fc.assert(
    fc.property(edits, (e) => {
      // Mostly the index and the first data bytes, where the structure is.
      const b = mutate(
        blob,
        e.map(([at, v]) => [at % Math.min(blob.length, 1200), v]),
      );
      const r = rpmRecordFromBlob(b);
      assert.ok(r.record === null || typeof r.record.name === 'string', 'a record has a name');
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      rpmRecordFromBlob(Buffer.from(bytes));
    }),
    { numRuns: 1000 },
  );
});

test('rpm fuzz: mutated BDB, ndb and SQLite databases never throw and stay bounded', () => {
  useFixture();
  const t0 = Date.now();
  const ndb = writeNdb(fx.blobs);
  for (const db of [fx.bdbSmallPages, fx.bdb, ndb]) {
    fc.assert(
      fc.property(edits, (e) => {
        const { facts } = parseAll(mutate(db, e));
        assert.ok(facts.length <= fx.blobs.length, 'no invented packages');
      }),
      { numRuns: 400 },
    );
  }
  fc.assert(
    fc.property(edits, (e) => {
      readRpmdbBlobs(mutate(fx.sqlite, e));
    }),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 8192 }),
      fc.constantFrom(0, 1, 2),
      (bytes, kind) => {
        const b = Buffer.from(bytes);
        // Give random bytes each format's magic, so the parsers (not the sniffing) see them.
        if (kind === 0) b.writeUInt32LE(0x061561, 12 % (b.length - 3));
        if (kind === 1) b.writeUInt32LE(tag('RpmP'), 0);
        if (kind === 2) Buffer.from('SQLite format 3\0').copy(b, 0);
        parseAll(b);
      },
    ),
    { numRuns: 800 },
  );
  assert.ok(Date.now() - t0 < 60_000, `${Date.now() - t0} ms`);
});
