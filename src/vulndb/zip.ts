/**
 * Reads the JSON entries of a zip file (osv.dev's `all.zip`) one at a time, straight from the
 * file: nothing is extracted to disk, and memory is bounded by one entry plus a 1 MiB read
 * window. yauzl parses the central directory and local headers (through a random-access reader
 * that serves its small reads from that window, so they cost no thread-pool round trip); each
 * entry's bytes are then read and inflated synchronously, with the output capped.
 *
 * Hostile zips: an entry whose declared size, compressed size, or actual inflated size passes
 * `maxEntryBytes` is refused (a zip bomb inflates only up to the cap); an entry whose inflated
 * size or CRC-32 differs from the directory is refused; an unsafe name (absolute, `..`,
 * backslash, NUL), an encrypted entry or an unknown compression method is skipped. Each of
 * those is a warning, and the next entry is read. A file that is not a zip or whose directory
 * is damaged (a truncated download) fails as a whole with a MALFORMED error.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { ShipshapeError, errorMessage, printable } from '../errors.js';

export const DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024;

export interface ZipEntryData {
  /** The entry's name (printable form). */
  name: string;
  bytes: Buffer;
}

export interface ZipReadOptions {
  maxEntryBytes?: number;
  warn: (message: string) => void;
  /** Called after each entry with (entries read, entries in the zip). */
  onEntry?: (done: number, total: number) => void;
  /** Only entries whose name passes are read (the rest are not even inflated). */
  wants?: (name: string) => boolean;
}

const WINDOW = 512 * 1024;

interface Window {
  buf: Buffer;
  start: number;
  length: number;
  used: number;
}

/**
 * Random access to a file for yauzl, with small reads served from two read-ahead windows (the
 * central directory at the end and the entry data from the start are read alternately).
 */
class FileWindowReader extends yauzl.RandomAccessReader {
  private readonly windows: Window[] = [0, 1].map(() => ({
    buf: Buffer.allocUnsafe(WINDOW),
    start: 0,
    length: 0,
    used: 0,
  }));
  private tick = 0;
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    super();
  }

  /** Exactly `length` bytes at `position` (a view that is valid until the next call). */
  bytesAt(position: number, length: number): Buffer {
    if (position < 0 || length < 0 || position + length > this.size)
      throw new Error('unexpected end of file');
    if (length > WINDOW) {
      const buf = Buffer.allocUnsafe(length);
      if (readSync(this.fd, buf, 0, length, position) !== length) throw new Error('unexpected end of file');
      return buf;
    }
    let w = this.windows.find((x) => position >= x.start && position + length <= x.start + x.length);
    if (!w) {
      w = this.windows[0]!.used <= this.windows[1]!.used ? this.windows[0]! : this.windows[1]!;
      const n = Math.min(WINDOW, this.size - position);
      if (readSync(this.fd, w.buf, 0, n, position) !== n) throw new Error('unexpected end of file');
      w.start = position;
      w.length = n;
    }
    w.used = ++this.tick;
    return w.buf.subarray(position - w.start, position - w.start + length);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    try {
      this.bytesAt(position, length).copy(buffer, offset);
      process.nextTick(callback, null, length);
    } catch (e) {
      process.nextTick(callback, e as Error);
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([Buffer.from(this.bytesAt(start, end - start))]);
  }

  override close(callback: (err: Error | null) => void): void {
    try {
      closeSync(this.fd);
      process.nextTick(callback, null);
    } catch (e) {
      process.nextTick(callback, e as Error);
    }
  }
}

function malformed(label: string, e: unknown): ShipshapeError {
  return new ShipshapeError(
    'MALFORMED',
    `${label}: not a readable zip file (${printable(errorMessage(e), 200)})`,
    {
      cause: e,
    },
  );
}

/** The next central-directory entry, or null at the end; zip-level errors reject. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => {
      cleanup();
      resolve(e);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** The entry's bytes, or the reason they are refused. */
async function readEntryData(
  zip: yauzl.ZipFile,
  reader: FileWindowReader,
  entry: yauzl.Entry,
  cap: number,
): Promise<Buffer | string> {
  if (entry.compressedSize > cap + 64 * 1024)
    return `${entry.compressedSize} bytes compressed, over the limit`;
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const raw = reader.bytesAt(fileDataStart, entry.compressedSize);
  let data: Buffer;
  if (entry.compressionMethod === 0) {
    data = Buffer.from(raw);
  } else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: cap });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        return `inflates past the ${cap}-byte limit`;
      throw e;
    }
  }
  if (data.length !== entry.uncompressedSize) {
    return `inflates to ${data.length} bytes, not the ${entry.uncompressedSize} its directory entry says`;
  }
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) return 'CRC-32 mismatch (damaged data)';
  return data;
}

function entryName(entry: yauzl.Entry): { name: string; unsafe: string | null } {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  // decodeStrings is off so that an unsafe name is our warning, not yauzl's fatal error.
  const decoded = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  const name = printable(decoded, 200);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000]/.test(decoded)) return { name, unsafe: 'NUL in entry name' };
  return { name, unsafe: yauzl.validateFileName(decoded) };
}

/** Yields every wanted `*.json` entry of the zip at `path`; `label` names it in messages. */
export async function* zipJsonEntries(
  path: string,
  label: string,
  options: ZipReadOptions,
): AsyncGenerator<ZipEntryData> {
  const cap = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  let zip: yauzl.ZipFile;
  let reader: FileWindowReader;
  try {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    reader = new FileWindowReader(fd, size);
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(reader, size, {
        lazyEntries: true,
        autoClose: false,
        decodeStrings: false,
        validateEntrySizes: true,
      });
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  } catch (e) {
    throw malformed(label, e);
  }
  const total = zip.entryCount;
  let done = 0;
  try {
    while (true) {
      let entry: yauzl.Entry | null;
      try {
        entry = await nextEntry(zip);
      } catch (e) {
        throw malformed(label, e);
      }
      if (!entry) break;
      done++;
      const { name, unsafe } = entryName(entry);
      const where = `${label}: ${name}`;
      if (unsafe) {
        options.warn(`${where}: skipped: unsafe entry name (${printable(unsafe, 200)})`);
      } else if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) {
        // directories and non-JSON files (a README) are not records
      } else if (options.wants && !options.wants(name)) {
        // not needed this time
      } else if (entry.isEncrypted()) {
        options.warn(`${where}: skipped: encrypted entry`);
      } else if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        options.warn(`${where}: skipped: unsupported compression method ${entry.compressionMethod}`);
      } else if (entry.uncompressedSize > cap) {
        options.warn(
          `${where}: skipped: ${entry.uncompressedSize} bytes uncompressed, over the ${cap}-byte limit`,
        );
      } else {
        let bytes: Buffer | null = null;
        try {
          const r = await readEntryData(zip, reader, entry, cap);
          if (typeof r === 'string') options.warn(`${where}: skipped: ${r}`);
          else bytes = r;
        } catch (e) {
          options.warn(`${where}: skipped: unreadable (${printable(errorMessage(e), 200)})`);
        }
        if (bytes) yield { name, bytes };
      }
      options.onEntry?.(done, total);
    }
  } finally {
    zip.close();
  }
}
