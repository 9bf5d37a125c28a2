/**
 * rpm header blobs, as every rpm database stores them (the header without its 8-byte magic):
 * big-endian `il` (index entries) and `dl` (data bytes), then `il` entries of 16 bytes (tag,
 * type, offset into the data, count), then the data store. Every entry is checked against the
 * blob before it is read: a hostile offset or count yields an error for that tag, never a read
 * outside the buffer.
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESTATES: 1029,
  FILEDIGESTS: 1035,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  FILEVERIFYFLAGS: 1045,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  FILEDIGESTALGO: 5011,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { CHAR: 1, INT8: 2, INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01]);
// rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX).
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_BYTES = 0x0fffffff;
// Far above any real package (the largest own some 100,000 files), low enough that a header of
// empty strings cannot make a hundred million JavaScript values.
export const MAX_ARRAY_LENGTH = 1_000_000;

export class RpmHeaderError extends Error {}

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private constructor(
    private readonly data: Buffer,
    private readonly entries: Map<number, Entry>,
  ) {}

  /** Reads the index; throws RpmHeaderError when the blob cannot be a header. */
  static parse(blob: Buffer): RpmHeader {
    let b = blob;
    // Some writers keep the magic and reserved bytes in front: skip them.
    if (b.length >= 16 && b.subarray(0, 4).equals(HEADER_MAGIC)) b = b.subarray(8);
    if (b.length < 8) throw new RpmHeaderError(`header blob of ${blob.length} bytes is too short`);
    const il = b.readUInt32BE(0);
    const dl = b.readUInt32BE(4);
    if (il < 1 || il > MAX_INDEX_ENTRIES) throw new RpmHeaderError(`header claims ${il} index entries`);
    if (dl > MAX_DATA_BYTES) throw new RpmHeaderError(`header claims ${dl} data bytes`);
    const dataStart = 8 + il * 16;
    if (dataStart + dl > b.length) {
      throw new RpmHeaderError(
        `header claims ${il} entries and ${dl} data bytes but the blob has ${b.length} bytes`,
      );
    }
    const data = b.subarray(dataStart, dataStart + dl);
    const entries = new Map<number, Entry>();
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = b.readUInt32BE(at);
      // The first occurrence wins; later ones are installed-time additions of other tags.
      if (entries.has(tag)) continue;
      entries.set(tag, {
        type: b.readUInt32BE(at + 4),
        offset: b.readUInt32BE(at + 8),
        count: b.readUInt32BE(at + 12),
      });
    }
    return new RpmHeader(data, entries);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  private entry(tag: number, types: readonly number[]): Entry | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (!types.includes(e.type)) throw new RpmHeaderError(`tag ${tag} has type ${e.type}`);
    if (e.offset >= this.data.length)
      throw new RpmHeaderError(`tag ${tag} points outside the data (${e.offset})`);
    return e;
  }

  /** `count` NUL-terminated strings starting at `offset`. */
  private strings(tag: number, e: Entry, count: number): string[] {
    // Every string takes at least one byte: a count larger than the data is a lie.
    if (count > this.data.length - e.offset || count > MAX_ARRAY_LENGTH) {
      throw new RpmHeaderError(`tag ${tag} claims ${count} strings`);
    }
    const out: string[] = new Array<string>(count);
    let at = e.offset;
    for (let i = 0; i < count; i++) {
      const nul = this.data.indexOf(0, at);
      if (nul < 0) throw new RpmHeaderError(`tag ${tag}: string ${i} runs past the data`);
      out[i] = this.data.toString('utf8', at, nul);
      at = nul + 1;
    }
    return out;
  }

  /** A STRING (or the first of an I18NSTRING) tag's value. */
  string(tag: number): string | undefined {
    const e = this.entry(tag, [TYPE.STRING, TYPE.I18NSTRING, TYPE.STRING_ARRAY]);
    if (!e) return undefined;
    if (e.type !== TYPE.STRING && e.count < 1) throw new RpmHeaderError(`tag ${tag} has no strings`);
    return this.strings(tag, e, 1)[0];
  }

  stringArray(tag: number): string[] | undefined {
    const e = this.entry(tag, [TYPE.STRING_ARRAY]);
    return e ? this.strings(tag, e, e.count) : undefined;
  }

  /** A CHAR or INT8 array, as signed bytes (rpm's FILESTATES keeps -1 for a missing file). */
  int8Array(tag: number): number[] | undefined {
    const e = this.entry(tag, [TYPE.CHAR, TYPE.INT8]);
    if (!e) return undefined;
    if (e.count > this.data.length - e.offset || e.count > MAX_ARRAY_LENGTH) {
      throw new RpmHeaderError(`tag ${tag} claims ${e.count} bytes`);
    }
    const out: number[] = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = this.data.readInt8(e.offset + i);
    return out;
  }

  int32Array(tag: number): number[] | undefined {
    const e = this.entry(tag, [TYPE.INT32]);
    if (!e) return undefined;
    if (e.offset % 4 !== 0) throw new RpmHeaderError(`tag ${tag}: misaligned INT32 data`);
    if (e.count > (this.data.length - e.offset) / 4 || e.count > MAX_ARRAY_LENGTH) {
      throw new RpmHeaderError(`tag ${tag} claims ${e.count} numbers`);
    }
    const out: number[] = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = this.data.readUInt32BE(e.offset + i * 4);
    return out;
  }
}
