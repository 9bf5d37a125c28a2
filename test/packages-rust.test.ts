import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { binaryCatalogers } from '../src/analyze/packages/binary-catalogers.js';
import { parseAuditData } from '../src/analyze/packages/rust/audit-data.js';
import { openRustBinarySink, parseRustBinary } from '../src/analyze/packages/rust/cataloger.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import type { Fact } from '../src/analyze/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { buildElf, buildMachO, buildPe } from './support/synthetic-executables.js';
import { tempDir } from './support/tmp.js';

/** A dependency list in cargo-auditable's format (rustsec.org/schemas/cargo-auditable.json). */
const AUDIT = {
  packages: [
    { name: 'myapp', version: '0.1.0', source: 'local', dependencies: [1, 2, 4], root: true },
    { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [3] },
    { name: 'libc', version: '0.2.150', source: 'crates.io' },
    { name: 'serde_derive', version: '1.0.193', source: 'crates.io', kind: 'build' },
    { name: 'regex', version: '1.10.2', source: 'git', kind: 'runtime' },
  ],
};
const EXPECTED = ['libc@0.2.150', 'myapp@0.1.0', 'regex@1.10.2', 'serde@1.0.193'];

function rows(facts: Fact[]): string[] {
  return (facts as PackageFact[]).map((p) => `${p.name}@${p.version}`).sort();
}

function stream(content: Buffer, chunk: number, path = 'usr/bin/app'): { facts: Fact[]; warnings: string[] } {
  const warnings: string[] = [];
  const sink = openRustBinarySink(
    { path, type: 'file', mode: 0o755, size: content.length, uid: 0, gid: 0 },
    { warn: (p, m) => warnings.push(`${p}: ${m}`) },
  );
  for (let i = 0; i < content.length; i += chunk) sink.write(content.subarray(i, i + chunk));
  return { facts: sink.end() as Fact[], warnings };
}

const dir = tempDir('shipshape-rust-');

/** A real ELF (gcc) with the section added the way a linker would keep it: not loaded, flags 0. */
function realElfWithAuditData(json: Buffer, name = 'app'): string {
  const src = join(dir, `${name}.c`);
  // Read-only data larger than the streamed head, so the section lies far from the start.
  writeFileSync(
    src,
    'static const char big[600000] = {1};\nint main(int c, char **v) { return big[c] + (v != 0); }\n',
  );
  const plain = join(dir, `${name}.plain`);
  execFileSync('gcc', ['-O1', '-o', plain, src]);
  const data = join(dir, `${name}.dep`);
  writeFileSync(data, deflateSync(json));
  const out = join(dir, name);
  execFileSync('objcopy', [
    '--add-section',
    `.dep-v0=${data}`,
    '--set-section-flags',
    '.dep-v0=readonly',
    plain,
    out,
  ]);
  return out;
}

test('rust: cargo-auditable data in a real ELF (gcc + objcopy), whole and streamed', () => {
  const file = realElfWithAuditData(Buffer.from(JSON.stringify(AUDIT)));
  const content = readFileSync(file);
  // Ground truth for where the section is and what it holds: binutils' own reading of the file.
  const dumped = join(dir, 'dumped');
  execFileSync('objcopy', ['--dump-section', `.dep-v0=${dumped}`, file, join(dir, 'scratch')]);
  const fromBinutils = parseAuditData(readFileSync(dumped));
  assert.ok(fromBinutils.ok);
  const sectionHeaders = execFileSync('readelf', ['-SW', file], { encoding: 'utf8' });
  assert.match(sectionHeaders, /\.dep-v0\s+PROGBITS\s+0+\s+[0-9a-f]+\s+[0-9a-f]+\s+00\s+0/);
  const whole = parseRustBinary('usr/bin/app', content);
  assert.equal(whole.problem, undefined);
  assert.deepEqual(rows(whole.facts), EXPECTED);
  const root = (whole.facts as PackageFact[]).find((p) => p.name === 'myapp')!;
  assert.equal(root.type, 'cargo');
  assert.equal(root.path, 'usr/bin/app');
  assert.deepEqual(root.metadata, {
    source: 'local',
    root: true,
    dependencies: ['serde@1.0.193', 'libc@0.2.150', 'regex@1.10.2'],
    auditFormat: 0,
  });
  for (const chunk of [65_536, 4093, 333]) {
    const s = stream(content, chunk);
    assert.deepEqual(s.warnings, []);
    assert.deepEqual(s.facts, whole.facts);
  }
  // The same program without the section: nothing, silently.
  assert.deepEqual(parseRustBinary('x', readFileSync(join(dir, 'app.plain'))), { facts: [] });
  assert.deepEqual(stream(readFileSync(join(dir, 'app.plain')), 4096), { facts: [], warnings: [] });
});

test('rust: .dep-v0 in PE and Mach-O (__DATA,.dep-v0)', () => {
  const section = deflateSync(Buffer.from(JSON.stringify(AUDIT)));
  const pe = buildPe({
    sections: [
      { name: '.text', rva: 0x1000, data: Buffer.alloc(200_000, 0xcc), executable: true },
      { name: '.dep-v0', rva: 0x40000, data: section },
    ],
  });
  const macho = buildMachO({
    segments: [
      {
        segname: '__TEXT',
        vaddr: 0x100000000,
        executable: true,
        sections: [{ name: '__text', data: Buffer.alloc(200_000) }],
      },
      { segname: '__DATA', vaddr: 0x100040000, sections: [{ name: '.dep-v0', data: section }] },
    ],
  });
  for (const bin of [pe, macho]) {
    const whole = parseRustBinary('usr/bin/app', bin);
    assert.deepEqual(rows(whole.facts), EXPECTED);
    assert.deepEqual(stream(bin, 1000).facts, whole.facts);
  }
});

test('rust: a long unloaded tail: the section is found at either end, and reported when it is not kept', () => {
  const section = deflateSync(Buffer.from(JSON.stringify(AUDIT)));
  const big = Buffer.alloc(20 * 1024 * 1024);
  const elf = (extra: { name: string; data: Buffer }[]) =>
    buildElf({
      segments: [{ vaddr: 0x1000, data: Buffer.alloc(4096), executable: true }],
      extraSections: extra,
    });
  const first = elf([
    { name: '.dep-v0', data: section },
    { name: '.debug_a', data: big },
    { name: '.debug_b', data: big },
  ]);
  const last = elf([
    { name: '.debug_a', data: big },
    { name: '.debug_b', data: big },
    { name: '.dep-v0', data: section },
  ]);
  const middle = elf([
    { name: '.debug_a', data: big },
    { name: '.dep-v0', data: section },
    { name: '.debug_b', data: big },
  ]);
  for (const bin of [first, last]) assert.deepEqual(rows(stream(bin, 1 << 20).facts), EXPECTED);
  const s = stream(middle, 1 << 20, 'usr/bin/huge');
  assert.deepEqual(s.facts, []);
  assert.match(
    s.warnings[0] ?? '',
    /^usr\/bin\/huge: cargo-auditable data unreadable: .*outside what was kept/,
  );
  // Read whole, the same file is fine: the limit is the streaming bound, not the format.
  assert.deepEqual(rows(parseRustBinary('x', middle).facts), EXPECTED);
});

test('rust: corrupt zlib, a zlib bomb, wrong JSON and a section past the end warn and never throw', () => {
  const withSection = (data: Buffer) =>
    buildElf({
      segments: [{ vaddr: 0x1000, data: Buffer.alloc(256), executable: true }],
      extraSections: [{ name: '.dep-v0', data }],
    });
  const cases: [string, Buffer, RegExp][] = [
    [
      'corrupt zlib',
      withSection(Buffer.from('x\x9cnot really deflate data', 'latin1')),
      /not valid zlib data/,
    ],
    ['zlib bomb', withSection(deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20))), /inflates past/],
    ['not JSON', withSection(deflateSync(Buffer.from('{"packages": ['))), /not JSON/],
    ['wrong shape', withSection(deflateSync(Buffer.from('{"packages": [{"name": 3}]}'))), /does not match/],
  ];
  for (const [what, bin, warning] of cases) {
    const whole = parseRustBinary('usr/bin/bad', bin);
    assert.match(whole.problem ?? '', warning, what);
    const s = stream(bin, 777, 'usr/bin/bad');
    assert.deepEqual(s.facts, [], what);
    assert.match(s.warnings[0] ?? '', /^usr\/bin\/bad: cargo-auditable data unreadable: /, what);
  }
  // A section table that says the section lies past the end of a truncated file.
  const good = withSection(deflateSync(Buffer.from(JSON.stringify(AUDIT))));
  const truncated = Buffer.from(good);
  const shoff = Number(truncated.readBigUInt64LE(40));
  const depHeader = shoff + 2 * 64; // null section, the segment's section, then .dep-v0
  truncated.writeBigUInt64LE(BigInt(good.length + 4096), depHeader + 24);
  assert.match(parseRustBinary('x', truncated).problem ?? '', /outside the file/);
  // A file cut short before its section table: nothing to find, nothing to say.
  assert.deepEqual(stream(good.subarray(0, 100), 50), { facts: [], warnings: [] });
});

test('rust: end to end through analyzeImage', async () => {
  const file = realElfWithAuditData(Buffer.from(JSON.stringify(AUDIT)), 'e2e');
  const image = buildImage({
    layers: [
      {
        files: [
          { path: 'usr/local/bin/app', content: readFileSync(file), mode: 0o755 },
          { path: 'usr/local/bin/plain', content: readFileSync(join(dir, 'e2e.plain')), mode: 0o755 },
          {
            path: 'usr/local/bin/broken',
            content: buildElf({
              segments: [{ vaddr: 0x1000, data: Buffer.alloc(256), executable: true }],
              extraSections: [{ name: '.dep-v0', data: Buffer.from('garbage') }],
            }),
            mode: 0o755,
          },
        ],
      },
    ],
  });
  const oci = join(dir, 'oci');
  await writeOciLayout(oci, [{ ref: 'rs', image }]);
  const r = await analyzeImage(openSource(`oci:${oci}:rs`), { analyzers: binaryCatalogers, cache: null });
  const layer = r.facts.layers[0]!;
  const facts = layer.facts['rust-audit-binary'] as PackageFact[];
  assert.deepEqual(rows(facts), EXPECTED);
  assert.ok(facts.every((p) => p.path === 'usr/local/bin/app'));
  assert.ok(
    layer.warnings.some((w) =>
      w.startsWith('rust-audit-binary: usr/local/bin/broken: cargo-auditable data unreadable'),
    ),
  );
});

test('rust: fuzz: mutated binaries and random section bytes give facts or a warning, never a throw', () => {
  const section = deflateSync(Buffer.from(JSON.stringify(AUDIT)));
  const sample = buildElf({
    segments: [{ vaddr: 0x1000, data: Buffer.alloc(512, 0x90), executable: true }],
    extraSections: [{ name: '.dep-v0', data: section }],
  });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.integer({ min: 1, max: 700 }),
      (edits, cut, chunk) => {
        const bytes = Buffer.from(sample);
        for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
        const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
        const whole = parseRustBinary('f', input);
        assert.ok(Array.isArray(whole.facts));
        assert.deepEqual(stream(input, chunk, 'f').facts, whole.facts);
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), (raw) => {
      const r = parseAuditData(Buffer.from(raw));
      assert.equal(typeof r.ok, 'boolean');
      const d = parseAuditData(deflateSync(Buffer.from(raw)));
      assert.equal(typeof d.ok, 'boolean');
    }),
    { numRuns: 300 },
  );
});
