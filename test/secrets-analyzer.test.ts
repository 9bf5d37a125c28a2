/**
 * The `secrets` layer analyzer: text only, bounded, masked, line numbers, gaps for the unread
 * tail; and ZERO findings on real clean trees (Debian minbase, this repository's node_modules,
 * the machine's Python dist-packages). Set SHIPSHAPE_SKIP_DEBIAN=1 to skip the Debian part.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { secretsAnalyzer, MAX_SECRET_SCAN_BYTES, looksLikeText } from '../src/analyze/secrets/index.js';
import type { Fact } from '../src/analyze/types.js';
import type { EntryHeader } from '../src/layer/types.js';
import { scanRootDir } from '../src/layer/rootfs-walk.js';
import { debianRootfs } from './support/debian-rootfs.js';
import { ALNUM, UPPER32, fake } from './secrets-fakes.js';

function header(path: string, size: number, mode = 0o644): EntryHeader {
  return { path, type: 'file', mode, size, uid: 0, gid: 0 };
}

function run(path: string, content: Buffer | string, size?: number): Fact[] {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'latin1');
  const h = header(path, size ?? buf.length);
  if (!secretsAnalyzer.wants(h)) return [];
  const warnings: string[] = [];
  const sink = secretsAnalyzer.open!(h, { warn: (_p, m) => warnings.push(m) });
  // Odd-sized chunks, as a layer delivers them; a file larger than its bytes here is cut short.
  for (let at = 0; at < buf.length; at += 3001) sink.write(buf.subarray(at, at + 3001));
  const streamed = sink.end() as Fact[];
  const slice = buf.subarray(0, MAX_SECRET_SCAN_BYTES);
  const whole = secretsAnalyzer.analyze!(
    { header: h, content: slice, truncated: (size ?? buf.length) > slice.length },
    { warn: (_p, m) => warnings.push(m) },
  ) as Fact[];
  assert.deepEqual(warnings, [], 'no warnings');
  if ((size ?? buf.length) === buf.length) {
    assert.deepEqual(streamed, whole, 'streamed and buffered input give the same facts');
  }
  return whole;
}

test('secrets analyzer: a key in a text file, masked, with its line', () => {
  const key = `AKIA${fake(UPPER32, 16, 51)}`;
  const secret = fake(ALNUM, 40, 52);
  const facts = run(
    'app/.env',
    `# settings\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\nAWS_SECRET_ACCESS_KEY=${secret}\n`,
  );
  const byRule = new Map(facts.map((f) => [f.rule, f]));
  assert.equal(byRule.get('aws-access-key-id')?.line, 3, 'line of the key id');
  assert.equal(
    byRule.get('aws-access-key-id')?.evidence,
    `${key.slice(0, 4)}************${key.slice(-4)}`,
    'masked',
  );
  assert.equal(byRule.get('aws-secret-access-key')?.severity, 'critical', 'secret key is critical');
  for (const f of facts) {
    assert.equal(f.kind, 'secret', 'kind');
    assert.ok(
      !String(f.evidence).includes(secret.slice(4, -4)),
      'evidence never holds the middle of a secret',
    );
  }
});

test('secrets analyzer: binaries, media and empty files are passed over', () => {
  const elfish = Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0]),
    Buffer.from(`ghp_${fake(ALNUM, 36, 53)}`),
  ]);
  assert.deepEqual(run('usr/bin/tool', elfish), [], 'NUL bytes: binary');
  assert.equal(secretsAnalyzer.wants(header('a/logo.png', 10)), false, 'png not wanted');
  assert.equal(secretsAnalyzer.wants(header('a/lib.so.1.2', 10)), false, 'shared object not wanted');
  assert.equal(secretsAnalyzer.wants(header('a/empty', 0)), false, 'empty not wanted');
  assert.equal(
    secretsAnalyzer.wants({ ...header('a/l', 0), type: 'symlink', linkTarget: 'x' }),
    false,
    'links',
  );
  assert.ok(looksLikeText(Buffer.from('plain\ttext\r\n\x1b[0m')), 'text with tabs and escapes is text');
  assert.ok(!looksLikeText(Buffer.from(Array.from({ length: 100 }, (_, i) => (i % 8) + 1))), 'control bytes');
});

test('secrets analyzer: only the first 2 MiB are read, and the rest is reported as a gap', () => {
  const token = `ghp_${fake(ALNUM, 36, 54)}`;
  const big = Buffer.alloc(MAX_SECRET_SCAN_BYTES + 100, 0x61);
  big.write(`\n${token}\n`, 1000, 'latin1');
  big.write(`\n${token.replace('ghp', 'gho')}\n`, MAX_SECRET_SCAN_BYTES + 10, 'latin1');
  const facts = run('app/big.log', big);
  assert.equal(facts.filter((f) => f.kind === 'secret').length, 1, 'the token in the first part');
  const gap = facts.find((f) => f.kind === 'scan-gap');
  assert.equal(gap?.bytes, 100, 'the unread tail is a gap');
  assert.equal(gap?.analyzer, 'secrets', 'named');
});

test('secrets analyzer: two tokens in one file are two findings, the same token twice one', () => {
  const [a, b] = [`ghp_${fake(ALNUM, 36, 56)}`, `ghp_${fake(ALNUM, 36, 57)}`];
  const facts = run('app/.env', `A=${a}\nB=${b}\nC=${a}\n`);
  assert.deepEqual(
    facts.map((f) => `${f.rule}:${f.line}:${f.evidence}`),
    [
      `github-token:1:${a.slice(0, 4)}${'*'.repeat(24)}${a.slice(-4)}`,
      `github-token:2:${b.slice(0, 4)}${'*'.repeat(24)}${b.slice(-4)}`,
    ],
    'one finding per distinct value, at its first line',
  );
});

test('secrets analyzer: allow-listed third-party test folders are not read', () => {
  const text = `token: ghp_${fake(ALNUM, 36, 55)}`;
  assert.equal(run('app/node_modules/lib/test/fixtures/a.js', text).length, 0, 'third-party test folder');
  assert.equal(run('app/src/a.js', text).length, 1, 'the application file');
});

/** Feeds every regular file under `root` to the analyzer as if it sat at `prefix + rel`. */
function scanTree(root: string, prefix: string): { files: number; bytes: number; facts: Fact[] } {
  let files = 0;
  let bytes = 0;
  const facts: Fact[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      if (!st.isFile()) continue;
      const h = header(prefix + relative(root, p), st.size, st.mode & 0o7777);
      if (!secretsAnalyzer.wants(h)) continue;
      const buf = Buffer.alloc(Math.min(st.size, MAX_SECRET_SCAN_BYTES));
      const fd = openSync(p, 'r');
      try {
        readSync(fd, buf, 0, buf.length, 0);
      } finally {
        closeSync(fd);
      }
      files++;
      bytes += buf.length;
      const out = secretsAnalyzer.analyze!(
        { header: h, content: buf, truncated: st.size > buf.length },
        { warn() {} },
      );
      facts.push(...(out as Fact[]).filter((f) => f.kind === 'secret'));
    }
  };
  walk(root);
  return { files, bytes, facts };
}

test(
  'secrets analyzer: zero findings in real npm packages (this repository node_modules)',
  { timeout: 300_000 },
  () => {
    const root = join(import.meta.dirname, '..', 'node_modules');
    const r = scanTree(root, 'app/node_modules/');
    assert.ok(r.files > 1000, `read ${r.files} files`);
    assert.deepEqual(r.facts, [], 'no secrets in clean npm packages');
  },
);

test(
  'secrets analyzer: zero findings in /usr/lib/python3/dist-packages',
  { timeout: 300_000, skip: !existsSync('/usr/lib/python3/dist-packages') },
  () => {
    const r = scanTree('/usr/lib/python3/dist-packages', 'usr/lib/python3/dist-packages/');
    assert.ok(r.files > 100, `read ${r.files} files`);
    assert.deepEqual(r.facts, [], 'no secrets in clean Python packages');
  },
);

test(
  'secrets analyzer: zero findings on the Debian minbase root filesystem',
  { timeout: 600_000, skip: process.env.SHIPSHAPE_SKIP_DEBIAN === '1' },
  async () => {
    const root = await debianRootfs();
    const facts = await scanRootDir(root, {
      analyzers: [secretsAnalyzer],
      label: 'debian',
      allowDevices: true,
    });
    const secrets = (facts.facts.secrets ?? []).filter((f) => f.kind === 'secret');
    assert.deepEqual(secrets, [], 'no secrets in Debian minbase');
    assert.ok(facts.entries > 1000, 'walked the tree');
  },
);

test('secrets in UTF-16 text (with or without a byte-order mark, either order) are found', () => {
  const token = `ghp_${fake(ALNUM, 36, 91)}`;
  const text = `# settings\r\nGITHUB_TOKEN=${token}\r\n`;
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  for (const [label, bytes] of [
    ['UTF-16LE with a mark', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['UTF-16LE without one', le],
    ['UTF-16BE with a mark', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
  ] as const) {
    const facts = run('app/settings.env', bytes);
    const found = facts.filter((f) => f.kind === 'secret');
    assert.deepEqual(
      found.map((f) => [f.rule, f.line]),
      [['github-token', 2]],
      label,
    );
    assert.ok(!JSON.stringify(found).includes(token), 'masked');
  }
  // Binary data with NULs is still binary.
  assert.deepEqual(
    run(
      'app/data.bin',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Buffer.from(`GITHUB_TOKEN=${token}`)]),
    ),
    [],
  );
});
