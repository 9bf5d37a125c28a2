import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { binaryCatalogers } from '../src/analyze/packages/binary-catalogers.js';
import { BUILDINFO_MAGIC, readUvarint } from '../src/analyze/packages/golang/buildinfo.js';
import { findAll, openGoBinarySink, parseGoBinary } from '../src/analyze/packages/golang/cataloger.js';
import { isExecutableCandidate } from '../src/analyze/packages/executable/candidate.js';
import { ExecutableCollector } from '../src/analyze/packages/executable/stream-collector.js';
import { parseModInfo, unquoteGo } from '../src/analyze/packages/golang/modinfo.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import type { Fact } from '../src/analyze/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { buildElf, buildMachO, buildPe } from './support/synthetic-executables.js';
import { tempDir } from './support/tmp.js';

const run = promisify(execFile);

/** Streams `content` through the analyzer's sink in chunks of `chunk` bytes. */
function stream(content: Buffer, chunk = 65_521, path = 'usr/bin/x'): { facts: Fact[]; warnings: string[] } {
  const warnings: string[] = [];
  const sink = openGoBinarySink(
    { path, type: 'file', mode: 0o755, size: content.length, uid: 0, gid: 0 },
    { warn: (p, m) => warnings.push(`${p}: ${m}`) },
  );
  for (let i = 0; i < content.length; i += chunk) sink.write(content.subarray(i, i + chunk));
  return { facts: sink.end() as Fact[], warnings };
}

/** What `go version -m` says, as the facts the cataloger should emit (names, versions, replacements). */
function expectedFromGoTool(file: string): { rows: string[]; settings: Record<string, string> } {
  const out = execFileSync('go', ['version', '-m', file], { encoding: 'utf8' });
  const lines = out.split('\n');
  const goVersion = lines[0]!.slice(lines[0]!.lastIndexOf(': ') + 2).trim();
  const rows = [`stdlib@${goVersion.replace(/^go/, '')}`];
  const settings: Record<string, string> = {};
  const mods: { kind: string; path: string; version: string; repl?: { path: string; version: string } }[] =
    [];
  for (const line of lines.slice(1)) {
    const f = line.replace(/^\t/, '').split('\t');
    if (f[0] === 'mod' || f[0] === 'dep') mods.push({ kind: f[0], path: f[1]!, version: f[2] ?? '' });
    else if (f[0] === '=>') mods[mods.length - 1]!.repl = { path: f[1]!, version: f[2] ?? '' };
    else if (f[0] === 'build') {
      const eq = f[1]!.indexOf('=');
      const value = f[1]!.slice(eq + 1);
      // `go version -m` prints values that need it quoted; the build info means the unquoted value.
      settings[f[1]!.slice(0, eq)] = value.startsWith('"') ? unquoteGo(value)! : value;
    }
  }
  for (const m of mods) {
    const tag = m.kind === 'mod' ? ' main' : '';
    if (!m.repl) rows.push(`${m.path}@${m.version}${tag}`);
    else if (m.repl.path.startsWith('.') || m.repl.path.startsWith('/'))
      rows.push(`${m.path}@(devel)${tag} local:${m.repl.path}`);
    else rows.push(`${m.repl.path}@${m.repl.version}${tag} replaces:${m.path}@${m.version}`);
  }
  return { rows: rows.sort(), settings };
}

function rowsOf(facts: Fact[]): string[] {
  return (facts as PackageFact[])
    .map((p) => {
      const md = p.metadata ?? {};
      const replaces = md.replaces as { path: string; version: string } | undefined;
      const local = md.replacement as { path: string } | undefined;
      return (
        `${p.name}@${p.version}${md.main ? ' main' : ''}` +
        (local ? ` local:${local.path}` : '') +
        (replaces ? ` replaces:${replaces.path}@${replaces.version}` : '')
      );
    })
    .sort();
}

function checkAgainstGoTool(file: string): number {
  const content = readFileSync(file);
  const expected = expectedFromGoTool(file);
  const parsed = parseGoBinary(file, content);
  assert.equal(parsed.problem, undefined, file);
  assert.deepEqual(rowsOf(parsed.facts), expected.rows, file);
  const main = (parsed.facts as PackageFact[]).find((p) => p.metadata?.main);
  if (main) assert.deepEqual(main.metadata?.buildSettings, expected.settings, file);
  // Streaming (odd chunk sizes, so the magic may straddle chunks) gives the same facts.
  for (const chunk of [65_521, 4093, 16]) {
    if (chunk === 16 && content.length > 4_000_000) continue;
    const streamed = stream(content, chunk, file);
    assert.deepEqual(streamed.warnings, []);
    assert.deepEqual(streamed.facts, parsed.facts, `${file} streamed in ${chunk}-byte chunks`);
  }
  return expected.rows.length;
}

test('golang: Debian skopeo and docker-registry match `go version -m`', () => {
  for (const file of ['/usr/bin/skopeo', '/usr/bin/docker-registry']) {
    const n = checkAgainstGoTool(file);
    assert.ok(n >= 1);
    const stdlib = (parseGoBinary(file, readFileSync(file)).facts as PackageFact[]).find(
      (p) => p.name === 'stdlib',
    );
    assert.match(stdlib!.version, /^1\.\d+/);
    assert.match(String(stdlib!.metadata?.goVersion), /^go1\./);
  }
});

/** Two small programs built offline: deps come from vendor/ (with versions) or a local replace. */
const programsDir = tempDir('shipshape-go-');

async function buildPrograms(): Promise<Record<string, string>> {
  const dir = programsDir;
  const env = {
    ...process.env,
    GOPROXY: 'off',
    GOFLAGS: '-mod=vendor',
    CGO_ENABLED: '0',
    GOPATH: join(dir, 'gopath'),
    // Kept between runs: cross-compiling the standard library the first time takes a while.
    GOCACHE: join(tmpdir(), 'shipshape-go-build-cache'),
  };
  const vapp = join(dir, 'vapp-src');
  const files: Record<string, string> = {
    'go.mod':
      'module example.com/vapp\n\ngo 1.19\n\nrequire (\n\texample.com/dep v1.4.0\n\texample.com/old v1.0.0\n)\n\n' +
      'replace example.com/old => example.com/new v1.5.0\n',
    'vendor/modules.txt':
      '# example.com/dep v1.4.0\n## explicit; go 1.19\nexample.com/dep\n' +
      '# example.com/old v1.0.0 => example.com/new v1.5.0\n## explicit; go 1.19\nexample.com/old\n' +
      '# example.com/old => example.com/new v1.5.0\n',
    'vendor/example.com/dep/dep.go': 'package dep\n\nfunc D() string { return "d" }\n',
    'vendor/example.com/old/old.go': 'package old\n\nfunc O() string { return "o" }\n',
    'main.go':
      'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n\t"example.com/old"\n)\n\nfunc main() { fmt.Println(dep.D(), old.O()) }\n',
  };
  const local: Record<string, string> = {
    'lib/go.mod': 'module example.com/lib\n\ngo 1.19\n',
    'lib/lib.go': 'package lib\n\nfunc Hello() string { return "hi" }\n',
    'app/go.mod':
      'module example.com/app\n\ngo 1.19\n\nrequire example.com/lib v1.2.3\n\nreplace example.com/lib => ../lib\n',
    'app/main.go':
      'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/lib"\n)\n\nfunc main() { fmt.Println(lib.Hello()) }\n',
  };
  for (const [base, set] of [
    [vapp, files],
    [dir, local],
  ] as const) {
    for (const [name, text] of Object.entries(set)) {
      mkdirSync(join(base, name, '..'), { recursive: true });
      writeFileSync(join(base, name), text);
    }
  }
  const out = (n: string) => join(dir, n);
  const builds: [string, string, Record<string, string>, string[]][] = [
    ['vapp', vapp, {}, []],
    ['vapp-stripped', vapp, {}, ['-ldflags=-s -w']],
    ['vapp.exe', vapp, { GOOS: 'windows' }, []],
    ['vapp-darwin', vapp, { GOOS: 'darwin' }, []],
    ['app-local', join(dir, 'app'), { GOFLAGS: '-mod=mod' }, []],
  ];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < builds.length; i += 2) {
    await Promise.all(
      builds
        .slice(i, i + 2)
        .map(([name, cwd, extra, flags]) =>
          run('go', ['build', ...flags, '-o', out(name), '.'], { cwd, env: { ...env, ...extra } }),
        ),
    );
  }
  return Object.fromEntries(builds.map(([name]) => [name, out(name)]));
}

let built: Promise<Record<string, string>> | undefined;
const programs = () => (built ??= buildPrograms());

test('golang: programs built here (ELF, stripped, PE, Mach-O, local replace) match `go version -m`', async () => {
  const bins = await programs();
  for (const file of Object.values(bins)) checkAgainstGoTool(file);
  const facts = parseGoBinary('x', readFileSync(bins['vapp-stripped']!)).facts as PackageFact[];
  assert.deepEqual(rowsOf(facts), [
    'example.com/dep@v1.4.0',
    'example.com/new@v1.5.0 replaces:example.com/old@v1.0.0',
    'example.com/vapp@(devel) main',
    `stdlib@${String(facts[0]!.version)}`,
  ]);
  const main = facts.find((p) => p.metadata?.main)!;
  assert.equal(main.metadata?.mainPath, 'example.com/vapp');
  assert.equal(main.arch, 'amd64');
  const exe = parseGoBinary('x', readFileSync(bins['vapp.exe']!)).facts as PackageFact[];
  assert.equal(
    (exe.find((p) => p.metadata?.main)!.metadata?.buildSettings as Record<string, string>).GOOS,
    'windows',
  );
  const local = parseGoBinary('x', readFileSync(bins['app-local']!)).facts as PackageFact[];
  const lib = local.find((p) => p.name === 'example.com/lib')!;
  assert.equal(lib.version, '(devel)');
  assert.deepEqual(lib.metadata?.replacement, { path: '../lib', version: '(devel)' });
  assert.equal(lib.metadata?.requiredVersion, 'v1.2.3');
});

/** Go 1.13-1.17 build info: a header with two pointers to Go string headers in the data. */
function oldLayoutBinary(opts: {
  is64: boolean;
  bigEndian: boolean;
  corrupt?: 'pointer' | 'length';
}): Buffer {
  const ptr = opts.is64 ? 8 : 4;
  const le = !opts.bigEndian;
  const put = (b: Buffer, at: number, v: number) => {
    if (ptr === 8) {
      if (le) b.writeBigUInt64LE(BigInt(v), at);
      else b.writeBigUInt64BE(BigInt(v), at);
    } else if (le) b.writeUInt32LE(v, at);
    else b.writeUInt32BE(v, at);
  };
  const version = Buffer.from('go1.16.15');
  const modText =
    'path\texample.com/old/cmd/tool\nmod\texample.com/old\tv0.3.1\th1:abc=\n' +
    'dep\tgolang.org/x/sys\tv0.0.0-20210630005230-0f9fa26af87c\th1:def=\n' +
    'dep\tgithub.com/pkg/errors\tv0.8.0\n=>\tgithub.com/pkg/errors\tv0.9.1\th1:ghi=\n';
  const sentinelA = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const sentinelB = Buffer.from('f932433186182072008242104116d8f2', 'hex');
  const mod = Buffer.concat([sentinelA, Buffer.from(modText), sentinelB]);
  // Read-only data bigger than the streamed head, so the reader must have kept it.
  const rodataBase = 0x10000;
  const rodata = Buffer.alloc(300_000, 0x90);
  const versionAt = 200_000;
  const modAt = 250_000;
  version.copy(rodata, versionAt);
  mod.copy(rodata, modAt);
  const dataBase = 0x100000;
  const data = Buffer.alloc(4096);
  BUILDINFO_MAGIC.copy(data, 0);
  data[14] = ptr;
  data[15] = opts.bigEndian ? 1 : 0;
  const hdrVersion = 64;
  const hdrMod = 96;
  put(data, 16, opts.corrupt === 'pointer' ? 0x7fff0000 : dataBase + hdrVersion);
  put(data, 16 + ptr, dataBase + hdrMod);
  put(data, hdrVersion, rodataBase + versionAt);
  put(data, hdrVersion + ptr, version.length);
  put(data, hdrMod, rodataBase + modAt);
  put(data, hdrMod + ptr, opts.corrupt === 'length' ? 0x7000_0000 : mod.length);
  return buildElf({
    is64: opts.is64,
    bigEndian: opts.bigEndian,
    goBuildId: 'abc/def',
    segments: [
      { vaddr: 0x1000, data: Buffer.alloc(1000, 0xc3), executable: true, section: '.text' },
      { vaddr: rodataBase, data: rodata, section: '.rodata' },
      { vaddr: dataBase, data, writable: true, section: '.go.buildinfo' },
    ],
  });
}

test('golang: the pre-1.18 pointer layout (64/32-bit, little/big endian), whole and streamed', () => {
  for (const [is64, bigEndian] of [
    [true, false],
    [false, true],
  ] as const) {
    const bin = oldLayoutBinary({ is64, bigEndian });
    const parsed = parseGoBinary('usr/local/bin/tool', bin);
    assert.equal(parsed.problem, undefined);
    assert.deepEqual(rowsOf(parsed.facts), [
      'example.com/old@v0.3.1 main',
      'github.com/pkg/errors@v0.9.1 replaces:github.com/pkg/errors@v0.8.0',
      'golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c',
      'stdlib@1.16.15',
    ]);
    const stdlib = (parsed.facts as PackageFact[])[0]!;
    assert.equal(stdlib.metadata?.buildInfoLayout, 'pointer');
    assert.equal(stdlib.metadata?.goVersion, 'go1.16.15');
    for (const chunk of [4096, 7, 100_003]) {
      const s = stream(bin, chunk, 'usr/local/bin/tool');
      assert.deepEqual(s.warnings, []);
      assert.deepEqual(s.facts, parsed.facts);
    }
  }
});

test('golang: module info text: replacements, quoted build settings, junk lines', () => {
  const info = parseModInfo(
    'path\tx/cmd\nmod\tx\t(devel)\t\ndep\ta\tv1.0.0\th1:x=\n=>\tb\tv2.0.0\th1:y=\n=>\tc\tv3\n' +
      'garbage\nbuild\t-ldflags="-X main.v=1 -s"\nbuild\t"we ird"=ok\nbuild\tvcs.modified=true\n',
  );
  assert.equal(info.path, 'x/cmd');
  assert.deepEqual(info.main, { path: 'x', version: '(devel)' });
  assert.deepEqual(info.deps, [
    { path: 'a', version: 'v1.0.0', sum: 'h1:x=', replace: { path: 'b', version: 'v2.0.0', sum: 'h1:y=' } },
  ]);
  assert.deepEqual(info.settings, { '-ldflags': '-X main.v=1 -s', 'we ird': 'ok', 'vcs.modified': 'true' });
  assert.equal(unquoteGo('"a\\x41\\u00e9\\t\\101"'), 'aAé\tA');
  assert.equal(unquoteGo('"bad\\q"'), undefined);
  assert.deepEqual(readUvarint(Buffer.from([0xac, 0x02]), 0), { value: 300, next: 2 });
  assert.equal(readUvarint(Buffer.from([0xff, 0xff]), 0), undefined);
});

/** A Go >= 1.18 style binary whose inline strings follow the header (to corrupt at will). */
function inlineBinary(after: Buffer, format: 'elf' | 'pe' | 'macho' = 'elf'): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header, 0);
  header[14] = 8;
  header[15] = 2;
  const data = Buffer.concat([header, after, Buffer.alloc(64)]);
  if (format === 'pe') return buildPe({ sections: [{ name: '.data', rva: 0x1000, data, writable: true }] });
  if (format === 'macho') {
    return buildMachO({
      segments: [{ segname: '__DATA', vaddr: 0x100000, sections: [{ name: '__go_buildinfo', data }] }],
    });
  }
  return buildElf({ segments: [{ vaddr: 0x1000, data, writable: true, section: '.go.buildinfo' }] });
}

function inlineStrings(version: string, mod: string): Buffer {
  const sentinel = Buffer.alloc(16, 0x41);
  const m = Buffer.concat([sentinel, Buffer.from(mod), sentinel]);
  return Buffer.concat([
    Buffer.from([version.length]),
    Buffer.from(version),
    Buffer.from([(m.length & 0x7f) | 0x80, m.length >> 7]),
    m,
  ]);
}

test('golang: inline layout in synthetic PE and Mach-O files', () => {
  const body = inlineStrings('go1.22.1 X:boringcrypto', 'path\tp\nmod\tm\tv1.0.0\t\n');
  for (const format of ['elf', 'pe', 'macho'] as const) {
    const r = parseGoBinary('x', inlineBinary(body, format));
    assert.deepEqual(rowsOf(r.facts), ['m@v1.0.0 main', 'stdlib@1.22.1'], format);
    assert.equal((r.facts as PackageFact[])[0]!.metadata?.goVersion, 'go1.22.1 X:boringcrypto');
  }
});

test('golang: corrupt and truncated build info warns with the path and never throws', async () => {
  const skopeo = readFileSync('/usr/bin/skopeo');
  const at = skopeo.indexOf(BUILDINFO_MAGIC);
  const cases: [string, Buffer, RegExp | null][] = [
    ['truncated before the build info', skopeo.subarray(0, at - 100), null],
    ['truncated inside the build info', skopeo.subarray(0, at + 40), /runs past the end|not a valid varint/],
    ['truncated ELF header', skopeo.subarray(0, 30), null],
    ['corrupt varint', inlineBinary(Buffer.alloc(12, 0xff)), /not a valid varint/],
    ['length out of range', inlineBinary(Buffer.from([0xff, 0xff, 0xff, 0x7f])), /claims \d+ bytes/],
    [
      'module info runs past the data',
      inlineBinary(Buffer.concat([Buffer.from([8]), Buffer.from('go1.21.0'), Buffer.from([0xf0, 0x7f])])),
      /runs past/,
    ],
    ['not a Go version', inlineBinary(inlineStrings('hello', 'x')), /is not one/],
    [
      'pointer out of range',
      oldLayoutBinary({ is64: true, bigEndian: false, corrupt: 'pointer' }),
      /not readable/,
    ],
    [
      'string length out of range',
      oldLayoutBinary({ is64: true, bigEndian: false, corrupt: 'length' }),
      /claims/,
    ],
  ];
  for (const [what, bytes, warning] of cases) {
    const whole = parseGoBinary('usr/bin/bad', bytes);
    const s = stream(bytes, 8191, 'usr/bin/bad');
    assert.deepEqual(s.facts, [], what);
    if (warning) {
      assert.match(whole.problem ?? '', warning, what);
      assert.equal(s.warnings.length, 1, what);
      assert.match(s.warnings[0]!, /^usr\/bin\/bad: Go build info unreadable: /, what);
    } else {
      assert.deepEqual(s.warnings, [], what);
    }
  }
});

test('golang: end to end through analyzeImage: facts with paths, a warning naming the corrupt file', async () => {
  const bins = await programs();
  const dir = tempDir();
  const image = buildImage({
    layers: [
      {
        compression: 'none',
        files: [
          { path: 'usr/bin/skopeo', content: readFileSync('/usr/bin/skopeo'), mode: 0o755 },
          { path: 'usr/bin/hello.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
        ],
      },
      {
        compression: 'gzip',
        files: [
          { path: 'app/server', content: readFileSync(bins['vapp-stripped']!), mode: 0o755 },
          {
            path: 'opt/tool/bin/tool',
            content: oldLayoutBinary({ is64: true, bigEndian: false }),
            mode: 0o755,
          },
          { path: 'usr/local/bin/broken', content: inlineBinary(Buffer.alloc(12, 0xff)), mode: 0o755 },
          { path: 'srv/data.bin', content: readFileSync(bins['vapp']!), mode: 0o644 },
        ],
      },
    ],
  });
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'go', image }]);
  const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:go`), {
    analyzers: binaryCatalogers,
    cache: null,
  });
  const [l0, l1] = r.facts.layers;
  const go0 = l0!.facts['golang-binary'] as PackageFact[];
  assert.deepEqual(
    go0.map((p) => `${p.path} ${p.name}`),
    ['usr/bin/skopeo stdlib'],
  );
  const go1 = l1!.facts['golang-binary'] as PackageFact[];
  assert.deepEqual([...new Set(go1.map((p) => p.path))], ['app/server', 'opt/tool/bin/tool']);
  assert.equal(go1.filter((p) => p.path === 'app/server').length, 4);
  assert.ok(
    l1!.warnings.some((w) => w.startsWith('golang-binary: usr/local/bin/broken: Go build info unreadable')),
  );
  // Not executable and not in a bin directory: not a candidate.
  assert.ok(!go1.some((p) => p.path === 'srv/data.bin'));
});

test('golang: fuzz: random bytes and mutations of valid build info only ever give facts or warnings', () => {
  const samples = [
    oldLayoutBinary({ is64: true, bigEndian: false }),
    inlineBinary(
      inlineStrings('go1.21.4', 'path\tp\nmod\tm\tv1.0.0\t\ndep\td\tv0.1.0\th1:x=\n=>\te\tv0.2.0\t\n'),
    ),
    inlineBinary(inlineStrings('go1.21.4', 'x'), 'pe'),
    inlineBinary(inlineStrings('go1.21.4', 'x'), 'macho'),
  ];
  const check = (bytes: Buffer) => {
    const whole = parseGoBinary('f', bytes);
    assert.ok(Array.isArray(whole.facts));
    const s = stream(bytes, 1 + (bytes.length % 977), 'f');
    assert.deepEqual(s.facts, whole.facts);
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }),
      fc.option(fc.nat(), { nil: undefined }),
      (sample, edits, cut) => {
        const bytes = Buffer.from(sample);
        for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
        check(cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length));
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat({ max: 4000 }), (raw, at) => {
      // Random bytes with the magic and an ELF header planted: the parser must cope with anything after it.
      const bytes = Buffer.from(raw);
      if (bytes.length > at + 16) BUILDINFO_MAGIC.copy(bytes, at);
      if (bytes.length > 4 && at % 2 === 0) Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]).copy(bytes, 0);
      check(bytes);
    }),
    { numRuns: 300 },
  );
});

test('executable stream collector: markers split across chunks of any size are all found and kept', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 3000 }),
      fc.array(fc.nat({ max: 3000 }), { maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
      fc.constantFrom(1, 16),
      (raw, positions, sizes, align) => {
        // Only files that start like an executable are looked into.
        const bytes = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), raw]);
        for (const p of positions) {
          // Some aligned, some not; never over the ELF magic, which decides that the file is read.
          const at = Math.max(16, p % 3 === 0 ? p - (p % 16) : p);
          if (at + BUILDINFO_MAGIC.length <= bytes.length) BUILDINFO_MAGIC.copy(bytes, at);
        }
        const expected = findAll(bytes, BUILDINFO_MAGIC, 8, align);
        const collector = new ExecutableCollector(bytes.length, {
          headBytes: 64,
          marker: { pattern: BUILDINFO_MAGIC, window: 40, maxHits: 8, align },
        });
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const n = sizes[i % sizes.length]!;
          collector.write(bytes.subarray(at, at + n));
          at += n;
        }
        const got = collector.finish();
        assert.deepEqual(got.hits, expected);
        for (const h of got.hits) {
          const n = Math.min(40, bytes.length - h);
          assert.deepEqual(got.view.read(h, n), bytes.subarray(h, h + n));
        }
        const head = Math.min(64, bytes.length);
        assert.deepEqual(got.view.read(0, head), bytes.subarray(0, head));
      },
    ),
    { numRuns: 300 },
  );
});

test('executable candidates: chosen from path and mode alone', () => {
  const h = (path: string, mode: number, size = 10_000) => ({
    path,
    type: 'file' as const,
    mode,
    size,
    uid: 0,
    gid: 0,
  });
  assert.equal(isExecutableCandidate(h('app/server', 0o755)), true);
  assert.equal(isExecutableCandidate(h('usr/lib/x86_64-linux-gnu/libfoo.so.1.2', 0o644)), true);
  assert.equal(isExecutableCandidate(h('Windows/System32/x.dll', 0o644)), true);
  assert.equal(isExecutableCandidate(h('usr/local/bin/tool', 0o644)), true);
  assert.equal(isExecutableCandidate(h('usr/share/doc/readme', 0o644)), false);
  assert.equal(isExecutableCandidate(h('usr/bin/script.py', 0o755)), false);
  assert.equal(isExecutableCandidate(h('usr/bin/tiny', 0o755, 10)), false);
});
