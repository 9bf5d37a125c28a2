/**
 * A small tar writer for tests and fixtures. It writes what it is told, including lies: names
 * with '../' or a leading '/', devices, hard links to anywhere, and a declared size larger than
 * the data that follows. Real tar tools refuse to make such archives, which is why tests need
 * their own writer.
 */

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntrySpec {
  /** Written as is: no normalisation, so hostile names stay hostile. */
  name: string;
  type: TarEntryType;
  content?: Buffer | string;
  /** Permission bits; defaults to 0o755 for directories and 0o644 otherwise. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch; defaults to a fixed time so archives are reproducible. */
  mtime?: number;
  /** Target of a symlink or hard link, written as is. */
  linkname?: string;
  /** The size the header claims. Defaults to the content length; larger values make a truncated archive. */
  declaredSize?: number;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records to write before this entry (for example `{ 'SCHILY.xattr.user.x': 'y' }`). */
  pax?: Record<string, string>;
  /** How to store a name or link target longer than 100 bytes: PAX records (default) or GNU 'L'/'K' entries. */
  longNames?: 'pax' | 'gnu';
  /** Raw typeflag overriding `type`, for entry kinds the union does not name ('S' sparse, '7' contiguous ...). */
  typeflag?: string;
}

export interface TarOptions {
  /** Write the two zero blocks that end an archive (default true). */
  endOfArchive?: boolean;
}

const BLOCK = 512;
const DEFAULT_MTIME = 1_700_000_000;

const TYPEFLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/** A whole archive in memory. */
export function tarEntries(entries: readonly TarEntrySpec[], options: TarOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = contentOf(entry);
    parts.push(tarHeader(entry, content.length), content, tarPadding(content.length));
  }
  if (options.endOfArchive !== false) parts.push(tarEnd());
  return Buffer.concat(parts);
}

/**
 * The header block(s) of one entry: any PAX or GNU long-name entries, then the ustar header.
 * `bodyLength` is the size written when the spec declares none. Streaming writers call this,
 * then write the body and `tarPadding(bodyLength)` themselves.
 */
export function tarHeader(entry: TarEntrySpec, bodyLength = contentOf(entry).length): Buffer {
  const size = entry.declaredSize ?? bodyLength;
  const linkname = entry.linkname ?? '';
  const nameBytes = Buffer.byteLength(entry.name);
  const linkBytes = Buffer.byteLength(linkname);
  const blocks: Buffer[] = [];
  const pax: Record<string, string> = { ...entry.pax };
  const tooLongForUstar = size > 0o77777777777;

  if (entry.longNames === 'gnu') {
    if (nameBytes > 100) blocks.push(gnuLongEntry('L', entry.name));
    if (linkBytes > 100) blocks.push(gnuLongEntry('K', linkname));
  } else {
    if (nameBytes > 100) pax.path = entry.name;
    if (linkBytes > 100) pax.linkpath = linkname;
  }
  if (tooLongForUstar) pax.size = String(size);
  if (Object.keys(pax).length > 0) blocks.push(paxEntry(pax, entry.name));

  blocks.push(
    ustarHeader({
      name: entry.name,
      typeflag: entry.typeflag ?? TYPEFLAGS[entry.type],
      mode: entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      size: tooLongForUstar ? 0 : size,
      mtime: entry.mtime ?? DEFAULT_MTIME,
      linkname,
      devmajor: entry.devmajor ?? 0,
      devminor: entry.devminor ?? 0,
    }),
  );
  return Buffer.concat(blocks);
}

/** Zero bytes that round a body of `length` bytes up to a whole block. */
export function tarPadding(length: number): Buffer {
  const rest = length % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

function contentOf(entry: TarEntrySpec): Buffer {
  if (entry.content === undefined) return Buffer.alloc(0);
  return typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
}

interface UstarFields {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function ustarHeader(f: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitUstarName(f.name);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, f.mode);
  writeOctal(block, 108, 8, f.uid);
  writeOctal(block, 116, 8, f.gid);
  writeOctal(block, 124, 12, f.size);
  writeOctal(block, 136, 12, f.mtime);
  block.write(f.typeflag.slice(0, 1), 156, 1, 'latin1');
  block.write(f.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write('root', 265, 32, 'utf8');
  block.write('root', 297, 32, 'utf8');
  writeOctal(block, 329, 8, f.devmajor);
  writeOctal(block, 337, 8, f.devminor);
  block.write(prefix, 345, 155, 'utf8');
  writeChecksum(block);
  return block;
}

/**
 * Names up to 100 bytes go in `name`. Longer ones are carried by a PAX or GNU entry, so the
 * ustar fields only need a readable stand-in: the last 100 bytes, as GNU tar does.
 */
function splitUstarName(full: string): { name: string; prefix: string } {
  const bytes = Buffer.from(full);
  if (bytes.length <= 100) return { name: full, prefix: '' };
  return { name: bytes.subarray(bytes.length - 100).toString('utf8'), prefix: '' };
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = Math.max(0, Math.floor(value))
    .toString(8)
    .padStart(width - 1, '0');
  if (digits.length > width - 1) throw new RangeError(`${value} does not fit a ${width}-byte tar field`);
  block.write(digits + '\0', offset, width, 'latin1');
}

function writeChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
}

function paxEntry(records: Record<string, string>, forName: string): Buffer {
  const body = Buffer.concat(Object.entries(records).map(([key, value]) => paxRecord(key, value)));
  const base = forName.split('/').filter(Boolean).pop() ?? 'entry';
  const header = ustarHeader({
    name: `PaxHeaders.0/${base}`.slice(0, 99),
    typeflag: 'x',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: DEFAULT_MTIME,
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([header, body, tarPadding(body.length)]);
}

/** `"<len> key=value\n"`, where len counts the whole record including its own digits. */
export function paxRecord(key: string, value: string): Buffer {
  const payload = ` ${key}=${value}\n`;
  const payloadBytes = Buffer.byteLength(payload);
  let length = payloadBytes + 1;
  while (String(length).length + payloadBytes !== length) length = String(length).length + payloadBytes;
  return Buffer.from(`${length}${payload}`);
}

function gnuLongEntry(typeflag: 'L' | 'K', value: string): Buffer {
  const body = Buffer.concat([Buffer.from(value), Buffer.alloc(1)]);
  const header = ustarHeader({
    name: '././@LongLink',
    typeflag,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([header, body, tarPadding(body.length)]);
}
