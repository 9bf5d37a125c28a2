/**
 * node-tar's Parser, made strict. node-tar is built to extract what it can from damaged
 * archives: it skips headers with bad checksums and reads on, ignores what follows the end
 * marker, and sniffs for gzip inside the tar. A scanner must instead read exactly what
 * `docker pull` would extract, or refuse: any place where two tar readers could disagree is a
 * place to hide a file from the scan. Every such case here is a MALFORMED error.
 */
import { Parser, type ReadEntry } from 'tar';
import { ShipshapeError } from '../errors.js';
import { startsWith } from './decompress.js';
import { quoteName } from './paths.js';
import type { EntryType } from './types.js';

const BLOCK = 512;
/** PAX keys holding names, which Go refuses to read with a NUL inside. */
const PAX_NAME_KEYS = new Set(['path', 'linkpath', 'uname', 'gname']);
const GZIP_MAGIC = [0x1f, 0x8b];

/** An entry as the archive states it, before path normalisation. */
export interface RawEntry {
  name: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime?: number;
  linkname?: string;
}

/** Receives one entry's body, chunk by chunk. */
export interface BodyConsumer {
  write(chunk: Buffer): void;
  end(): void;
}

export interface TarReaderHandlers {
  /** Returns a consumer for the body, or undefined to skip it. May throw to stop the read. */
  onEntry(entry: RawEntry): BodyConsumer | undefined;
  /** An entry kind shipshape does not read (sparse file, tape volume header ...); its body is skipped. */
  onUnsupported(name: string, kind: string): void;
}

export interface TarEnd {
  /** False when the stream ended without the two zero blocks that close an archive. */
  sawEndMarker: boolean;
}

const ENTRY_TYPES: Record<string, EntryType> = {
  File: 'file',
  OldFile: 'file',
  // Contiguous files are regular files to every extractor on Linux.
  ContiguousFile: 'file',
  Directory: 'dir',
  // A GNU dump directory carries a listing of its content as its body; it is still a directory.
  GNUDumpDir: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
};

/**
 * Where node-tar keeps the bytes it has not parsed. After the end marker those bytes are the
 * archive's trailer, which must be zeros; node-tar offers no other way to see them. If an
 * upgrade renames it, fail at load rather than silently stop checking.
 */
const UNPARSED_BYTES = Object.getOwnPropertySymbols(new Parser()).find((s) => s.description === 'buffer');
if (UNPARSED_BYTES === undefined) {
  throw new Error(
    'tar: Parser no longer keeps its unparsed bytes under Symbol(buffer); update src/layer/tar-reader.ts',
  );
}

export class TarReader {
  private readonly parser: Parser;
  private failure: Error | undefined;
  private headPending: Buffer[] | undefined = [];
  private headPendingBytes = 0;
  private fedBytes = 0;
  private entries = 0;
  private sawEndMarker = false;
  private afterEndMarker = false;
  private loneZeroBlock = false;
  private truncatedEntry: string | undefined;

  constructor(private readonly handlers: TarReaderHandlers) {
    this.parser = new Parser({
      // Never decompress inside the tar: the layer's compression was dealt with already.
      zstd: false,
      brotli: false,
      onReadEntry: (entry) => this.onReadEntry(entry),
      onwarn: (code, message, data) => this.guard(() => this.onWarning(code, message, data)),
    });
    this.parser.on('error', (err: Error) =>
      this.fail(new ShipshapeError('MALFORMED', `tar: ${err.message}`, { cause: err })),
    );
    this.parser.on('ignoredEntry', (entry: ReadEntry) => this.guard(() => this.ignoredEntry(entry)));
    this.parser.on('meta', (text: string) => this.guard(() => this.checkMeta(text)));
    this.parser.on('nullBlock', () => {
      this.loneZeroBlock = true;
    });
    this.parser.on('eof', () => {
      this.sawEndMarker = true;
      this.loneZeroBlock = false;
    });
  }

  /** Feeds the next bytes of the tar. Throws the first problem found, as a ShipshapeError where it is the archive's fault. */
  write(chunk: Buffer): void {
    this.throwIfFailed();
    if (this.afterEndMarker) {
      this.checkTrailer(chunk);
      return;
    }
    if (this.headPending) {
      // node-tar sniffs its first write for gzip; make sure that write is a whole block we checked.
      this.headPending.push(chunk);
      this.headPendingBytes += chunk.length;
      if (this.headPendingBytes < BLOCK) return;
      chunk = this.takeHead();
    }
    this.feed(chunk);
  }

  /** Ends the archive. Throws when it was truncated or was not a tar at all. */
  end(): TarEnd {
    this.throwIfFailed();
    if (this.headPending) {
      const head = this.takeHead();
      if (head.length > 0) this.feed(head);
    }
    if (!this.afterEndMarker) this.parser.end();
    if (this.truncatedEntry !== undefined) {
      throw new ShipshapeError(
        'MALFORMED',
        `truncated tar: entry ${quoteName(this.truncatedEntry)} declares more bytes than the stream holds`,
      );
    }
    this.throwIfFailed();
    if (!this.afterEndMarker && this.fedBytes % BLOCK !== 0) {
      throw new ShipshapeError('MALFORMED', 'truncated tar: the stream ends inside a header block');
    }
    return { sawEndMarker: this.sawEndMarker };
  }

  private takeHead(): Buffer {
    const head = Buffer.concat(this.headPending ?? [], this.headPendingBytes);
    this.headPending = undefined;
    if (startsWith(head, GZIP_MAGIC)) {
      throw new ShipshapeError('MALFORMED', 'the tar stream starts with a gzip header (compressed twice?)');
    }
    return head;
  }

  private feed(chunk: Buffer): void {
    this.fedBytes += chunk.length;
    this.parser.write(chunk);
    this.throwIfFailed();
    if (this.sawEndMarker && !this.afterEndMarker) {
      this.afterEndMarker = true;
      const trailer = (this.parser as unknown as Record<symbol, Buffer | undefined>)[UNPARSED_BYTES!];
      if (trailer) this.checkTrailer(trailer);
    }
  }

  /** Tar writers pad the archive with zero blocks after the end marker; anything else is hidden data. */
  private checkTrailer(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0) {
        throw new ShipshapeError('MALFORMED', 'data after the tar end-of-archive marker');
      }
    }
  }

  private onReadEntry(entry: ReadEntry): void {
    try {
      if (this.failure) throw this.failure;
      this.readEntry(entry);
    } catch (err) {
      this.fail(err);
      // Drain it, or node-tar waits for this entry forever.
      entry.ignore = true;
      entry.resume();
    }
  }

  private readEntry(entry: ReadEntry): void {
    this.beforeEntry();
    const type = ENTRY_TYPES[entry.type];
    if (type === undefined) {
      // node-tar hands over only the kinds above; a new one must not slip through unclassified.
      throw new ShipshapeError(
        'MALFORMED',
        `entry ${quoteName(entry.path)} has unexpected type ${entry.type}`,
      );
    }
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
      throw new ShipshapeError('MALFORMED', `entry ${quoteName(entry.path)} has an invalid size`);
    }
    const consumer = this.handlers.onEntry({
      name: entry.path,
      type,
      size: entry.size,
      mode: finiteOr(entry.mode, 0) & 0o7777,
      uid: finiteOr(entry.uid, 0),
      gid: finiteOr(entry.gid, 0),
      mtime: secondsOf(entry.mtime),
      linkname: entry.linkpath || undefined,
    });
    if (consumer === undefined) {
      // An ignored entry's chunks are dropped inside node-tar without passing through a stream.
      entry.ignore = true;
      entry.resume();
      return;
    }
    entry.on('data', (chunk: Buffer) => {
      if (!this.failure) this.guard(() => consumer.write(chunk));
    });
    entry.on('end', () => {
      // node-tar also ends a truncated entry, with what it had; that body must not be analyzed.
      if (!this.failure && this.truncatedEntry === undefined) this.guard(() => consumer.end());
    });
  }

  private ignoredEntry(entry: ReadEntry): void {
    if (this.failure) return;
    this.beforeEntry();
    if (entry.meta) {
      // node-tar drops an extended header over 1 MiB and carries on without it, so the next
      // entry would get its ustar name instead of the one the header gave; Go refuses these.
      throw new ShipshapeError('MALFORMED', `tar extended header of ${entry.size} bytes is too large`);
    }
    this.handlers.onUnsupported(entry.path, entry.type);
  }

  private beforeEntry(): void {
    this.entries++;
    if (this.loneZeroBlock) {
      // One zero block then more entries: Go's reader (docker) fails here, node-tar reads on.
      throw new ShipshapeError('MALFORMED', 'a single zero block in the middle of the tar');
    }
  }

  /**
   * node-tar splits PAX records at newlines, so a record whose value holds a newline (a legal
   * file name) is silently dropped and the entry keeps its ustar name, while Go and GNU tar
   * honour it; and it cuts a value at a NUL byte, where Go refuses the archive. Refuse both,
   * rather than scan a different name than docker extracts.
   */
  private checkMeta(text: string): void {
    if (this.loneZeroBlock)
      throw new ShipshapeError('MALFORMED', 'a single zero block in the middle of the tar');
    const records = parsePaxRecords(Buffer.from(text));
    if (!records) return;
    for (const { key, value } of records) {
      if (key.includes('\n') || value.includes('\n')) {
        throw new ShipshapeError(
          'MALFORMED',
          `tar PAX record ${quoteName(key)} has a newline (tar readers disagree on it)`,
        );
      }
      if (value.includes('\0') && PAX_NAME_KEYS.has(key)) {
        throw new ShipshapeError(
          'UNSAFE_PATH',
          `tar PAX record ${key}=${quoteName(value)} contains a NUL byte`,
        );
      }
    }
  }

  private onWarning(code: string, message: string, data: { [key: string]: unknown }): void {
    if (code === 'TAR_BAD_ARCHIVE' && /^Truncated input/.test(message)) {
      this.truncatedEntry = (data.entry as ReadEntry | undefined)?.path ?? '(unknown)';
      return;
    }
    if (code === 'TAR_BAD_ARCHIVE' && /Unrecognized archive format/.test(message)) {
      // node-tar says this of an archive with no entries, which is a fine (empty) layer when
      // it is made of zero blocks: an end marker, or a lone zero block with nothing else.
      const onlyZeroBlocks = this.entries === 0 && (this.sawEndMarker || this.loneZeroBlock);
      if (onlyZeroBlocks && this.fedBytes % BLOCK === 0) return;
      throw new ShipshapeError('MALFORMED', 'not a tar archive');
    }
    throw new ShipshapeError('MALFORMED', `invalid tar: ${message}`);
  }

  /** Runs a callback node-tar calls; problems are kept and thrown once control is back with us. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

interface PaxRecord {
  key: string;
  value: string;
}

/**
 * Parses PAX records by their length prefix, as POSIX says (and Go and GNU tar do). Returns
 * undefined when the text is not a well-formed record sequence (then it is no PAX header: GNU
 * long names arrive through the same event).
 */
export function parsePaxRecords(bytes: Buffer): PaxRecord[] | undefined {
  const records: PaxRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const space = bytes.indexOf(0x20, pos);
    if (space < 0 || space === pos || space - pos > 12) return undefined;
    const lengthText = bytes.toString('latin1', pos, space);
    if (!/^[0-9]+$/.test(lengthText)) return undefined;
    const length = Number(lengthText);
    const end = pos + length;
    if (end > bytes.length || end <= space + 1 || bytes[end - 1] !== 0x0a) return undefined;
    const record = bytes.toString('utf8', space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) return undefined;
    records.push({ key: record.slice(0, equals), value: record.slice(equals + 1) });
    pos = end;
  }
  return records;
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

function secondsOf(date: Date | undefined): number | undefined {
  if (!date) return undefined;
  const ms = date.getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}
