/**
 * The deny-list feed parsers: plain lists, MalwareBazaar-style CSV (with its commented header),
 * the bounded line splitter; properties: random text never throws, valid lines round-trip, and
 * any chunking of a stream gives the same lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  HashListParser,
  LineSplitter,
  csvHeader,
  parseCsvLine,
  parseListLine,
  splitCsvRecord,
  type LineResult,
} from '../src/threats-db/parse.js';

const H1 = 'a'.repeat(64);
const H2 = '0123456789abcdef'.repeat(4);

function entryOf(r: LineResult) {
  assert.equal(r.kind, 'entry', `expected an entry, got ${JSON.stringify(r)}`);
  return r.kind === 'entry' ? r.entry : undefined;
}

test('plain list lines: hash, name, sha256sum output, comments, bad lines', () => {
  assert.deepEqual(entryOf(parseListLine(H1)), { sha256: H1 });
  assert.deepEqual(entryOf(parseListLine(`  ${H1.toUpperCase()}\tXMRig  6.21 `)), {
    sha256: H1,
    name: 'XMRig 6.21',
  });
  assert.deepEqual(entryOf(parseListLine(`${H2} *dropper.bin`)), { sha256: H2, name: 'dropper.bin' });
  assert.deepEqual(entryOf(parseListLine(`sha256:${H2} n/a`)), { sha256: H2 });
  assert.deepEqual(parseListLine('# a comment'), { kind: 'skip' });
  assert.deepEqual(parseListLine('   '), { kind: 'skip' });
  for (const bad of [H1.slice(1), `${H1}0`, 'g'.repeat(64), 'md5 d41d8cd98f00b204e9800998ecf8427e'])
    assert.equal(parseListLine(bad).kind, 'bad', `bad: ${bad}`);
  // Control characters in a name are folded, never passed on.
  assert.deepEqual(entryOf(parseListLine(`${H1} evil\u0007\u001b[31mname`)), {
    sha256: H1,
    name: 'evil [31mname',
  });
});

test('CSV: split records, the commented MalwareBazaar header, signature before file name', () => {
  assert.deepEqual(splitCsvRecord('"a", "b ""q""",c ,  "d,e"'), ['a', 'b "q"', 'c', 'd,e']);
  assert.equal(splitCsvRecord('"open'), null, 'an open quote');
  const header =
    '# "first_seen_utc","sha256_hash","md5_hash","sha1_hash","reporter","file_name","file_type_guess","signature"';
  const cols = csvHeader(header);
  assert.deepEqual(cols, { sha256: 1, signature: 7, fileName: 5 });
  assert.equal(csvHeader('# list of hashes, one sha256_hash value a line'), null, 'prose is no header');
  const line = (name: string, sig: string) =>
    `"2024-01-01 00:00:00", "${H2}", "x", "y", "r", "${name}", "elf", "${sig}"`;
  assert.deepEqual(entryOf(parseCsvLine(line('a.elf', 'Mirai'), cols!)), { sha256: H2, name: 'Mirai' });
  assert.deepEqual(entryOf(parseCsvLine(line('xmrig', 'n/a'), cols!)), { sha256: H2, name: 'xmrig' });
  assert.equal(parseCsvLine('"2024", "nothex"', cols!).kind, 'bad');
  assert.equal(parseCsvLine('"only one field"', cols!).kind, 'bad');
  assert.equal(parseCsvLine('"2024", "unclosed', cols!).kind, 'bad');
});

test('the parser decides the format from the first non-comment line', () => {
  const csv = new HashListParser();
  const results = [
    '################',
    '# MalwareBazaar dump',
    '# "first_seen_utc","sha256_hash","file_name","signature"',
    `"2024-01-01", "${H1}", "m.exe", "AgentTesla"`,
    '# trailing comment',
  ].map((l) => csv.line(l));
  assert.equal(csv.format, 'csv');
  assert.deepEqual(
    results.filter((r) => r.kind === 'entry'),
    [{ kind: 'entry', entry: { sha256: H1, name: 'AgentTesla' } }],
  );
  const list = new HashListParser();
  list.line('# my list');
  assert.equal(list.line(H1).kind, 'entry');
  // A header after data is just a bad line of a plain list.
  assert.equal(list.line('"sha256_hash","signature"').kind, 'bad');
  assert.equal(list.format, 'list');
});

test('line splitter: CRLF, a last line without newline, over-long lines reported once and skipped', () => {
  const s = new LineSplitter(8);
  const out = [
    ...s.push(Buffer.from('ab\r\ncd')),
    ...s.push(Buffer.from('ef\n0123456789abc')),
    ...s.push(Buffer.from('def\nxy')),
    ...s.end(),
  ];
  assert.deepEqual(out, ['ab', 'cdef', null, 'xy']);
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
// Names as feeds write them: printable, no leading/trailing space, no runs of spaces.
const name = fc
  .stringMatching(/^[A-Za-z0-9._\-:/()"',#][A-Za-z0-9 ._\-:/()"',#]{0,60}$/)
  .map((s) => s.replace(/\s+/g, ' ').trim())
  .filter((s) => s !== '' && !['n/a', 'na', 'none', 'null', 'unknown', '-'].includes(s.toLowerCase()));

test('property: random text never throws in any parser', () => {
  const cols = { sha256: 1, signature: 2, fileName: 3 };
  fc.assert(
    fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (s) => {
      parseListLine(s);
      parseCsvLine(s, cols);
      splitCsvRecord(s);
      csvHeader(s);
      const p = new HashListParser();
      for (const l of s.split('\n')) p.line(l);
    }),
    { numRuns: 2000 },
  );
});

test('property: valid list and CSV lines round-trip', () => {
  fc.assert(
    fc.property(hex64, fc.option(name, { nil: undefined }), fc.boolean(), (hash, n, upper) => {
      const h = upper ? hash.toUpperCase() : hash;
      const expected = n === undefined ? { sha256: hash } : { sha256: hash, name: n };
      assert.deepEqual(entryOf(parseListLine(n === undefined ? h : `${h}  ${n}`)), expected);
      const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const cols = csvHeader('"first_seen_utc","sha256_hash","signature"')!;
      assert.deepEqual(
        entryOf(parseCsvLine(['"2024-01-01"', quote(h), quote(n ?? 'n/a')].join(', '), cols)),
        expected,
      );
    }),
    { numRuns: 1000 },
  );
});

test('property: any chunking of a stream gives the same lines', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ maxLength: 20 }).filter((l) => !l.includes('\n') && !l.endsWith('\r')),
        {
          maxLength: 30,
        },
      ),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
      (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
        const s = new LineSplitter(1000);
        const out: (string | null)[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length]!;
          out.push(...s.push(bytes.subarray(at, at + n)));
          at += n;
        }
        out.push(...s.end());
        assert.deepEqual(out, lines, 'the same lines');
      },
    ),
    { numRuns: 500 },
  );
});
