/**
 * A zip archive in memory, read with yauzl, with every size checked before and while inflating:
 * the central directory says how large each entry is, and a zip bomb says so too (or lies, and
 * is cut off at the limit as it inflates). Entry names are taken as bytes and checked here
 * (no absolute paths, no `..`, no NUL), so one bad name skips that entry, not the archive.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface ZipEntryInfo {
  name: string;
  uncompressedSize: number;
  compressedSize: number;
  /** Opaque handle for `read`. */
  entry: yauzl.Entry;
}

export interface ZipListing {
  entries: ZipEntryInfo[];
  /** Entries skipped for unsafe names. */
  unsafeNames: number;
  /** The archive has more entries than were listed. */
  truncated: boolean;
  /** Why listing stopped early (a corrupt central directory record); entries before it are kept. */
  error?: string;
  zip: yauzl.ZipFile;
}

const MAX_NAME_LENGTH = 4096;

export function safeEntryName(raw: Buffer | string): string | undefined {
  const name = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || name.includes('\0')) return undefined;
  const normal = name.replace(/\\/g, '/');
  if (normal.startsWith('/') || /^[A-Za-z]:/.test(normal)) return undefined;
  if (normal.split('/').some((seg) => seg === '..')) return undefined;
  return normal;
}

/** Lists up to `maxEntries` entries (directories left out). Rejects when it is not a zip. */
export async function listZip(buffer: Buffer, maxEntries: number): Promise<ZipListing> {
  const zip = await yauzl.fromBufferPromise(buffer, {
    lazyEntries: true,
    decodeStrings: false,
    validateEntrySizes: true,
  });
  const entries: ZipEntryInfo[] = [];
  let unsafeNames = 0;
  let seen = 0;
  let truncated = false;
  try {
    for await (const entry of zip.eachEntry()) {
      if (seen++ >= maxEntries) {
        truncated = true;
        break;
      }
      const name = safeEntryName(entry.fileName as unknown as Buffer);
      if (name === undefined) {
        unsafeNames++;
        continue;
      }
      if (name.endsWith('/')) continue;
      entries.push({
        name,
        uncompressedSize: entry.uncompressedSize,
        compressedSize: entry.compressedSize,
        entry,
      });
    }
  } catch (err) {
    return { entries, unsafeNames, truncated, zip, error: (err as Error).message };
  }
  return { entries, unsafeNames, truncated, zip };
}

/**
 * The entry's bytes, when it inflates to at most `maxBytes`; rejects otherwise (declared size
 * over the limit, more bytes than declared, corrupt deflate data, encryption).
 */
export async function readZipEntry(
  zip: yauzl.ZipFile,
  info: ZipEntryInfo,
  maxBytes: number,
): Promise<Buffer> {
  if (info.uncompressedSize > maxBytes) {
    throw new Error(`${info.name} inflates to ${info.uncompressedSize} bytes (limit ${maxBytes})`);
  }
  if (info.entry.isEncrypted()) throw new Error(`${info.name} is encrypted`);
  const stream: Readable = await zip.openReadStreamPromise(info.entry);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`${info.name} inflates past ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}
