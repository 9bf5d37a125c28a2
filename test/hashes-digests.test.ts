/**
 * The file-digests analyzer: which files it hashes (from the header alone), that its digests are
 * those of the whole file however it is chunked, and that a file read short is not hashed.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  FILE_DIGESTS_ANALYZER,
  fileDigestFacts,
  fileDigestsAnalyzer,
  isSharedObject,
  wantsDigest,
  type FileDigestFact,
} from '../src/analyze/hashes/file-digests.js';
import { createFileDigestsAnalyzer, DigestRequests, hashAnalyzers } from '../src/analyze/hashes/index.js';
import { availableBackends, createMalwareAnalyzers, defaultEngines } from '../src/analyze/malware/index.js';
import type { EntryHeader } from '../src/layer/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { ociTarget } from './support/oci-target.js';

function header(path: string, mode = 0o644, size = 10, type: EntryHeader['type'] = 'file'): EntryHeader {
  return { path, type, mode, size, uid: 0, gid: 0 };
}

const digest = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

test('file-digests: executables, shared objects, bin dirs and payload names; not data files', () => {
  const wanted = [
    header('usr/share/foo/run', 0o755),
    header('usr/lib/x86_64-linux-gnu/libc.so.6'),
    header('usr/lib/libssl.so.3.0.1'),
    header('lib/security/pam_unix.so'),
    header('usr/bin/readme-without-x-bit'),
    header('usr/local/sbin/tool'),
    header('opt/app/payload.exe'),
    header('srv/www/x.jar'),
    header('tmp/anything.dat'),
    header('dev/shm/.hidden'),
  ];
  for (const h of wanted) assert.ok(wantsDigest(h), `wants ${h.path}`);
  const unwanted = [
    header('usr/share/doc/libc6/copyright'),
    header('usr/lib/python3/dist-packages/x.py'),
    header('usr/bin/sub/dir-file'),
    header('etc/passwd'),
    header('usr/lib/libfoo.sonnet'),
    header('usr/bin/empty', 0o755, 0),
    header('usr/bin/link', 0o777, 0, 'symlink'),
    header('usr/bin/dir', 0o755, 0, 'dir'),
  ];
  for (const h of unwanted) assert.equal(wantsDigest(h), false, `does not want ${h.path}`);
  assert.equal(isSharedObject('usr/lib/.so'), false, 'a bare .so is no library');
  assert.equal(isSharedObject('usr/lib/libpython3.11.so.1.0'), true, 'dots before .so');
  assert.equal(isSharedObject('usr/lib/libfoo.sonic.so.2'), true, 'a later .so');
  assert.equal(isSharedObject('usr/share/x.so.txt'), false, 'a text file');
  assert.deepEqual(fileDigestsAnalyzer.wants(header('bin/ls', 0o755)), { mode: 'stream' });
});

test('file-digests: sha256, md5 and sha1 of the whole file, whatever the chunks; sha256 only in usr/local', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      fc.integer({ min: 1, max: 700 }),
      (bytes, step) => {
        const body = Buffer.from(bytes);
        for (const path of ['usr/bin/x', 'usr/local/bin/x']) {
          const warnings: string[] = [];
          const sink = fileDigestsAnalyzer.open!(header(path, 0o755, body.length), {
            warn: (_p, m) => warnings.push(m),
          });
          for (let at = 0; at < body.length; at += step) sink.write(body.subarray(at, at + step));
          const [fact] = sink.end() as FileDigestFact[];
          assert.deepEqual(warnings, [], 'no warnings');
          const packaged = path === 'usr/bin/x';
          assert.deepEqual(fact, {
            kind: 'file-digest',
            path,
            size: body.length,
            sha256: digest('sha256', body),
            ...(packaged ? { md5: digest('md5', body), sha1: digest('sha1', body) } : {}),
          });
        }
      },
    ),
    { numRuns: 200 },
  );
  const warnings: string[] = [];
  const short = fileDigestsAnalyzer.open!(header('usr/bin/x', 0o755, 100), {
    warn: (_p, m) => warnings.push(m),
  });
  short.write(Buffer.alloc(40));
  assert.deepEqual(short.end(), [], 'a file read short is not hashed');
  assert.match(warnings[0] ?? '', /read 40 of 100 bytes/);
});

test('file-digests: any file that starts like an executable is hashed, whatever its name and mode', () => {
  const run = (path: string, body: Buffer, step: number) => {
    const sink = fileDigestsAnalyzer.open!(header(path, 0o644, body.length), { warn() {} });
    for (let at = 0; at < body.length; at += step) sink.write(body.subarray(at, at + step));
    return sink.end() as FileDigestFact[];
  };
  const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(100, 7)]);
  const cases: [string, Buffer, boolean][] = [
    ['ELF named as data', elf, true],
    ['PE', Buffer.from('MZ\x90\0rest of it', 'latin1'), true],
    ['Mach-O 64', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), true],
    ['universal Mach-O', Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), true],
    ['a script', Buffer.from('#!/bin/sh\necho hi\n'), true],
    ['a two-byte script', Buffer.from('#!'), true],
    ['a data file', Buffer.from('{"not": "an executable"}'), false],
    ['three bytes of data', Buffer.from('abc'), false],
  ];
  for (const [what, body, hashed] of cases) {
    for (const step of [1, 2, 3, 64]) {
      const facts = run('opt/data/blob.bin', body, step);
      assert.equal(
        facts.length,
        hashed ? 1 : 0,
        `${what}, chunks of ${step}: ${hashed ? 'hashed' : 'passed over'}`,
      );
      if (hashed) assert.equal(facts[0]!.sha256, digest('sha256', body), `${what}: the whole file's digest`);
    }
  }
  assert.deepEqual(
    fileDigestsAnalyzer.wants(header('etc/passwd')),
    { mode: 'stream' },
    'every file is sniffed',
  );
});

test('file-digests through the engine: one fact per hashed file of each layer', async () => {
  const ps = Buffer.from('#!/bin/sh\necho ps\n');
  const target = await ociTarget({
    layers: [
      {
        files: [
          { path: 'usr/bin/ps', content: ps, mode: 0o755 },
          { path: 'usr/bin/ps2', type: 'hardlink', target: 'usr/bin/ps' },
          { path: 'usr/share/doc/ps.txt', content: 'doc' },
        ],
      },
    ],
  });
  const a = await analyzeImage(openSource(target), { analyzers: hashAnalyzers, cache: null });
  const facts = a.facts.layers[0]!.facts[FILE_DIGESTS_ANALYZER] as FileDigestFact[];
  assert.deepEqual(
    facts.map((f) => [f.path, f.sha256]),
    [['usr/bin/ps', digest('sha256', ps)]],
  );
});

test('file-digests hashed by the content rules (scan worker, WebAssembly) equal its own digests', async () => {
  const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), randomBytes(3000)]);
  const big = Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(300_000)]);
  const target = await ociTarget({
    layers: [
      {
        files: [
          { path: 'usr/bin/tool', content: elf, mode: 0o755 },
          // Sniffed: no exec bit, no telling name, but it starts like a script.
          { path: 'srv/app/run-me', content: '#!/bin/sh\necho hi\n' },
          { path: 'usr/local/bin/mine', content: elf, mode: 0o755 },
          { path: 'usr/share/doc/readme', content: 'plain text' },
          // Larger than the content rules' per-file limit below: hashed by file-digests itself.
          { path: 'usr/bin/big', content: big, mode: 0o755 },
        ],
      },
      { files: [{ path: 'usr/bin/tool', content: Buffer.concat([elf, Buffer.from('x')]), mode: 0o755 }] },
    ],
  });
  const alone = await analyzeImage(openSource(target), { analyzers: hashAnalyzers, cache: null });
  const byPath = (facts: FileDigestFact[]) => [...facts].sort((a, b) => a.path.localeCompare(b.path));
  const expected = alone.facts.layers.map((l) => l.facts[FILE_DIGESTS_ANALYZER] as FileDigestFact[]);
  assert.deepEqual(
    expected[0]!.map((f) => f['path']),
    ['usr/bin/tool', 'srv/app/run-me', 'usr/local/bin/mine', 'usr/bin/big'],
    'the files worth hashing',
  );
  for (const backend of availableBackends()) {
    const digests = new DigestRequests();
    const analyzers = [
      ...createMalwareAnalyzers({ engines: defaultEngines(backend), digests, maxFileBytes: 100_000 }),
      createFileDigestsAnalyzer(digests),
    ];
    const shared = await analyzeImage(openSource(target), { analyzers, cache: null });
    assert.deepEqual(
      shared.facts.layers.map((l) => byPath(fileDigestFacts(l.facts))),
      expected.map(byPath),
      `${backend}: the same digests, md5 and sha1 only outside usr/local`,
    );
    assert.equal(
      digests.taken,
      4,
      `${backend}: all but the file over the content rules' limit hashed by them`,
    );
    assert.deepEqual(
      shared.facts.layers.flatMap((l) => l.warnings),
      [],
      `${backend}: no warnings`,
    );
  }
});

test('file-digests: once a layer shows a dpkg or rpm system (and no apk one), no sha1', async () => {
  const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), randomBytes(500)]);
  const exe = (path: string) => ({ path, content: elf, mode: 0o755 });
  const target = await ociTarget({
    layers: [
      // Debian: a file before the layer shows dpkg's own config gets all three.
      {
        files: [exe('bin/early'), { path: 'etc/dpkg/dpkg.cfg', content: 'no-debsig\n' }, exe('usr/bin/late')],
      },
      { files: [{ path: 'etc/apk/world', content: 'busybox\n' }, exe('bin/busybox')] },
      // An application layer shows nothing: a file it puts over a package's is checkable by any.
      { files: [exe('usr/bin/app'), exe('usr/local/bin/mine')] },
      { files: [{ path: 'var/lib/rpm/rpmdb.sqlite', content: 'x' }, exe('usr/bin/rpmtool')] },
      {
        files: [{ path: 'etc/debian_version', content: '12.5\n' }, exe('lib/apk/db/x'), exe('usr/bin/both')],
      },
    ],
  });
  const expected: Record<string, string[]> = {
    'bin/early': ['md5', 'sha1', 'sha256'],
    'usr/bin/late': ['md5', 'sha256'],
    // apk keeps md5 too (old databases list it).
    'bin/busybox': ['md5', 'sha1', 'sha256'],
    'usr/bin/app': ['md5', 'sha1', 'sha256'],
    'usr/local/bin/mine': ['sha256'],
    'usr/bin/rpmtool': ['md5', 'sha256'],
    // dpkg, then apk (the file itself shows it): apk's sha1 again.
    'lib/apk/db/x': ['md5', 'sha1', 'sha256'],
    'usr/bin/both': ['md5', 'sha1', 'sha256'],
  };
  const kinds = (facts: FileDigestFact[]) =>
    Object.fromEntries(
      facts.map((f) => [f.path, (['md5', 'sha1', 'sha256'] as const).filter((a) => f[a] !== undefined)]),
    );
  const alone = await analyzeImage(openSource(target), { analyzers: hashAnalyzers, cache: null });
  const facts = alone.facts.layers.flatMap((l) => fileDigestFacts(l.facts));
  assert.deepEqual(kinds(facts), expected, 'hashed as they stream');
  for (const f of facts) {
    if (f.md5) assert.equal(f.md5, digest('md5', elf), `${f.path}: md5`);
    if (f.sha1) assert.equal(f.sha1, digest('sha1', elf), `${f.path}: sha1`);
  }
  for (const backend of availableBackends()) {
    const digests = new DigestRequests();
    const analyzers = [
      ...createMalwareAnalyzers({ engines: defaultEngines(backend), digests }),
      createFileDigestsAnalyzer(digests),
    ];
    const shared = await analyzeImage(openSource(target), { analyzers, cache: null });
    assert.deepEqual(
      kinds(shared.facts.layers.flatMap((l) => fileDigestFacts(l.facts))),
      expected,
      `${backend}: the same digests when the content rules compute them`,
    );
  }
});
