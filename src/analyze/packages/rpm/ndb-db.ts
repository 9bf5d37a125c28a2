/**
 * rpm's ndb database (`Packages.db`: openSUSE, SLES 15 SP3+): a little-endian blob store. A
 * 32-byte file header ('RpmP', version 0, generation, slot page count, next package index),
 * then slot pages of 4096 bytes holding 16-byte slots ('Slot', package index, block offset,
 * block count; offset 0 = free), then the blobs in 16-byte blocks, each framed by a head
 * ('BlbS', package index, timestamp, length) and a tail (adler32, length, 'BlbE').
 */
import type { DbBlobs } from './db-blobs.js';

const FILE_MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_HEAD_MAGIC = 0x53626c42; // 'BlbS'
const BLOB_TAIL_MAGIC = 0x45626c42; // 'BlbE'
const HEADER_SIZE = 32;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const SLOT_PAGE_SIZE = 4096;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

export function isNdb(content: Buffer): boolean {
  return content.length >= HEADER_SIZE && content.readUInt32LE(0) === FILE_MAGIC;
}

/** The blob a slot points at, or a problem. */
function readBlob(buf: Buffer, pkgidx: number, blkoff: number, blkcnt: number): Buffer | string {
  const start = blkoff * BLK_SIZE;
  const end = start + blkcnt * BLK_SIZE;
  if (end > buf.length) return `blob at block ${blkoff} runs past the end of the file`;
  if (blkcnt * BLK_SIZE < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE) return `blob of ${blkcnt} blocks is too small`;
  if (buf.readUInt32LE(start) !== BLOB_HEAD_MAGIC) return `no blob at block ${blkoff}`;
  if (buf.readUInt32LE(start + 4) !== pkgidx)
    return `blob at block ${blkoff} belongs to package ${buf.readUInt32LE(start + 4)}`;
  const length = buf.readUInt32LE(start + 12);
  if (blkcnt !== Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLK_SIZE)) {
    return `blob length ${length} does not fit its ${blkcnt} blocks`;
  }
  const tail = end - BLOB_TAIL_SIZE;
  if (buf.readUInt32LE(tail + 8) !== BLOB_TAIL_MAGIC || buf.readUInt32LE(tail + 4) !== length) {
    return `blob at block ${blkoff} has a damaged tail`;
  }
  return buf.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length);
}

export function readNdbRpmdb(content: Buffer, maxPackages: number): DbBlobs {
  const problems: string[] = [];
  const blobs: DbBlobs['blobs'] = [];
  if (!isNdb(content)) return { blobs, problems: ['not an ndb package database'] };
  const version = content.readUInt32LE(4);
  if (version !== 0) return { blobs, problems: [`unknown ndb version ${version}`] };
  const slotPages = content.readUInt32LE(12);
  if (slotPages < 1 || slotPages * SLOT_PAGE_SIZE > content.length) {
    return {
      blobs,
      problems: [
        `${slotPages} slot pages declared, the file has room for ${Math.floor(content.length / SLOT_PAGE_SIZE)}`,
      ],
    };
  }
  const firstBlobBlock = (slotPages * SLOT_PAGE_SIZE) / BLK_SIZE;
  const seen = new Set<number>();
  for (let at = HEADER_SIZE; at < slotPages * SLOT_PAGE_SIZE; at += SLOT_SIZE) {
    if (content.readUInt32LE(at) !== SLOT_MAGIC) {
      problems.push(`slot at byte ${at} has no slot magic; the slot table ends there`);
      break;
    }
    const blkoff = content.readUInt32LE(at + 8);
    if (blkoff === 0) continue;
    const pkgidx = content.readUInt32LE(at + 4);
    const blkcnt = content.readUInt32LE(at + 12);
    if (pkgidx === 0 || blkcnt === 0 || blkoff < firstBlobBlock) {
      problems.push(`slot at byte ${at} is invalid (package ${pkgidx}, block ${blkoff}, ${blkcnt} blocks)`);
      continue;
    }
    if (seen.has(pkgidx)) {
      problems.push(`package ${pkgidx} has two slots; the first is kept`);
      continue;
    }
    const blob = readBlob(content, pkgidx, blkoff, blkcnt);
    if (typeof blob === 'string') {
      problems.push(`package ${pkgidx}: ${blob}`);
      continue;
    }
    if (blobs.length >= maxPackages) {
      problems.push(`more than ${maxPackages} packages; the rest are not read`);
      break;
    }
    seen.add(pkgidx);
    blobs.push({ id: pkgidx, blob });
  }
  blobs.sort((a, b) => a.id - b.id);
  return { blobs, problems };
}
