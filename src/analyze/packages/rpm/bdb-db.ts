/**
 * rpm's Berkeley DB database (`Packages`: RHEL/CentOS 5-8, Amazon Linux 2, SLES 12-15.2): a
 * BDB hash file whose keys are package numbers and whose values are header blobs. Read without
 * Berkeley DB: page 0 is the hash metadata (magic, byte order, page size, last page); every
 * hash page holds key/data item pairs, small values inline and large ones on chains of
 * overflow pages. Pages are read in file order rather than through the hash buckets, so a
 * corrupt bucket chain cannot loop; overflow chains are followed with a global page budget.
 * Key 0 is rpm's own counter record, not a package.
 */
import type { DbBlobs } from './db-blobs.js';

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;
const PAGE_HEADER = 26;
const DBMETA_CHKSUM = 0x01;
// With page checksums on, a 6-byte checksum block follows the page header.
const CHKSUM_BLOCK = 6;

interface Layout {
  buf: Buffer;
  le: boolean;
  pageSize: number;
  pages: number;
  /** Where a page's item index (or an overflow page's data) starts. */
  overhead: number;
}

function u16(l: Layout, at: number): number {
  return l.le ? l.buf.readUInt16LE(at) : l.buf.readUInt16BE(at);
}
function u32(l: Layout, at: number): number {
  return l.le ? l.buf.readUInt32LE(at) : l.buf.readUInt32BE(at);
}

export function isBdbHash(content: Buffer): boolean {
  return (
    content.length >= 512 &&
    (content.readUInt32LE(12) === HASH_MAGIC || content.readUInt32BE(12) === HASH_MAGIC)
  );
}

function readLayout(buf: Buffer, problems: string[]): Layout | null {
  if (!isBdbHash(buf)) {
    problems.push('not a Berkeley DB hash database');
    return null;
  }
  const le = buf.readUInt32LE(12) === HASH_MAGIC;
  const probe: Layout = { buf, le, pageSize: 0, pages: 0, overhead: PAGE_HEADER };
  const pageSize = u32(probe, 20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    problems.push(`invalid page size ${pageSize}`);
    return null;
  }
  if (buf[25] !== P_HASHMETA) {
    problems.push(`page 0 is of type ${buf[25]}, not hash metadata`);
    return null;
  }
  if (buf[24] !== 0) {
    problems.push('the database is encrypted');
    return null;
  }
  const lastPgno = u32(probe, 32);
  const inFile = Math.floor(buf.length / pageSize);
  if (lastPgno + 1 > inFile) {
    problems.push(`truncated: ${lastPgno + 1} pages declared, ${inFile} present`);
  }
  const overhead = PAGE_HEADER + ((buf[26]! & DBMETA_CHKSUM) !== 0 ? CHKSUM_BLOCK : 0);
  return { buf, le, pageSize, pages: Math.min(lastPgno + 1, inFile), overhead };
}

/**
 * The bytes of a value stored on overflow pages, or a problem. `budget.pages` is shared by all
 * chains of the file, so chains crafted to share (or loop over) pages cost bounded work.
 */
function readOverflow(l: Layout, first: number, length: number, budget: { pages: number }): Buffer | string {
  // Pieces are kept as views and joined at the end: memory follows the pages actually read,
  // not the length an item claims.
  const pieces: Buffer[] = [];
  let filled = 0;
  let pgno = first;
  const visited = new Set<number>();
  while (filled < length) {
    if (pgno === 0 || pgno >= l.pages) return `overflow chain leads to page ${pgno}, outside the file`;
    if (visited.has(pgno)) return `overflow chain loops back to page ${pgno}`;
    visited.add(pgno);
    if (--budget.pages < 0) return 'overflow chains visit more pages than the file has';
    const base = pgno * l.pageSize;
    if (l.buf[base + 25] !== P_OVERFLOW)
      return `overflow chain reaches page ${pgno} of type ${l.buf[base + 25]}`;
    const onPage = u16(l, base + 22);
    if (onPage === 0 || onPage > l.pageSize - l.overhead)
      return `overflow page ${pgno} claims ${onPage} bytes`;
    const take = Math.min(onPage, length - filled);
    pieces.push(l.buf.subarray(base + l.overhead, base + l.overhead + take));
    filled += take;
    pgno = u32(l, base + 16);
  }
  return Buffer.concat(pieces, filled);
}

/** Item `i` of a hash page: its type and byte range, checked against the page. */
function item(
  l: Layout,
  base: number,
  entries: number,
  i: number,
): { type: number; start: number; end: number } | null {
  const off = u16(l, base + l.overhead + 2 * i);
  // Items are packed downwards from the page end: item i ends where item i-1 starts.
  const end = i === 0 ? l.pageSize : u16(l, base + l.overhead + 2 * (i - 1));
  if (off < l.overhead + 2 * entries || off >= end || end > l.pageSize) return null;
  return { type: l.buf[base + off]!, start: base + off, end: base + end };
}

export function readBdbRpmdb(content: Buffer, maxPackages: number): DbBlobs {
  const problems: string[] = [];
  const blobs: DbBlobs['blobs'] = [];
  const l = readLayout(content, problems);
  if (!l) return { blobs, problems };
  const budget = { pages: 2 * l.pages };
  const seen = new Set<number>();
  pages: for (let pgno = 1; pgno < l.pages; pgno++) {
    const base = pgno * l.pageSize;
    const type = content[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(l, base + 20);
    if (entries > (l.pageSize - l.overhead) / 2) {
      problems.push(`page ${pgno} claims ${entries} items`);
      continue;
    }
    for (let i = 0; i + 1 < entries; i += 2) {
      const key = item(l, base, entries, i);
      const data = item(l, base, entries, i + 1);
      if (!key || !data) {
        problems.push(`page ${pgno}: item ${i} lies outside the page`);
        continue pages;
      }
      if (key.type !== H_KEYDATA || key.end - key.start !== 5) {
        problems.push(`page ${pgno}: item ${i} is not a 4-byte package number`);
        continue;
      }
      const hnum = u32(l, key.start + 1);
      if (hnum === 0) continue;
      let value: Buffer | string;
      if (data.type === H_KEYDATA) {
        value = content.subarray(data.start + 1, data.end);
      } else if (data.type === H_OFFPAGE && data.end - data.start >= 12) {
        value = readOverflow(l, u32(l, data.start + 4), u32(l, data.start + 8), budget);
      } else if (data.type === H_DUPLICATE || data.type === H_OFFDUP) {
        value = 'duplicate values are not an rpm database';
      } else {
        value = `unknown item type ${data.type}`;
      }
      if (typeof value === 'string') {
        problems.push(`package ${hnum} (page ${pgno}): ${value}`);
        if (budget.pages < 0) break pages;
        continue;
      }
      if (seen.has(hnum)) {
        problems.push(`package ${hnum} is stored twice; the first copy is kept`);
        continue;
      }
      if (blobs.length >= maxPackages) {
        problems.push(`more than ${maxPackages} packages; the rest are not read`);
        break pages;
      }
      seen.add(hnum);
      blobs.push({ id: hnum, blob: value });
    }
  }
  blobs.sort((a, b) => a.id - b.id);
  return { blobs, problems };
}
