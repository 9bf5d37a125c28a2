/**
 * The ClamAV spool: a layer analyzer that copies every regular file of every layer into a private
 * temp directory during the normal single pass, so ClamAV can scan them afterwards.
 *
 * Unlike every other analyzer this one does file-system I/O: ClamAV only scans files on disk (no
 * maintained library binding, and clamd's INSTREAM would cost one connection per file), while
 * shipshape reads layers as streams it never unpacks. The writes are confined to the spool:
 * names on disk come from a counter (`f1`, `f2` ...), never from the image's hostile paths, and
 * files are opened with O_EXCL|O_NOFOLLOW inside a 0700 directory made by mkdtemp. The writes
 * block, on purpose: a sink's write() cannot make the pass wait, so asynchronous writes would
 * need unbounded buffering (measured: an async path for small files was no faster).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import type { EntryHeader } from '../../layer/types.js';
import type { ScanGapFact } from '../findings.js';
import type { Analyzer, Fact, FileSink } from '../types.js';

export const CLAMAV_SPOOL_ANALYZER = 'clamav-spool';
/** The `analyzer` of the scan gaps the spool and the ClamAV run report. */
export const CLAMAV_GAP_ANALYZER = 'clamav';

export interface SpoolBudgets {
  /** A larger file is not spooled (a scan gap instead). */
  maxFileBytes: number;
  /** Bytes spooled for the whole image; files past it are scan gaps. */
  maxTotalBytes: number;
}

/** ClamAV 1.4 cannot scan a file of 2 GiB or more, whatever its limits say. */
export const CLAMAV_MAX_FILE_BYTES = 2 ** 31 - 1;

export const DEFAULT_SPOOL_BUDGETS: SpoolBudgets = {
  maxFileBytes: 256 * 1024 ** 2,
  maxTotalBytes: 4 * 1024 ** 3,
};

/** One file copied into the spool: `spoolName` is its name there, `path` its path in the layer. */
export interface ClamavSpooledFact extends Fact {
  kind: 'clamav-spooled';
  path: string;
  spoolName: string;
  size: number;
  sha256: string;
}

export interface ClamavSpool {
  /** The spool directory (mode 0700); give it to runClamav. */
  readonly dir: string;
  /** Add to the analyzer list of the scan that runs ClamAV, and only that one. */
  readonly analyzer: Analyzer;
  readonly budgets: SpoolBudgets;
  /** Bytes spooled so far. */
  spooledBytes(): number;
  /** Closes what is still open and deletes the spool. Idempotent; call it in a `finally`. */
  remove(): Promise<void>;
}

/** Spool file names: what the ClamAV output parser accepts as ours. */
export const SPOOL_NAME = /^f[1-9][0-9]{0,11}$/;

/** Creates the spool directory under `parent` (default the system temp dir). */
export async function createClamavSpool(
  parent: string = tmpdir(),
  budgets: Partial<SpoolBudgets> = {},
): Promise<ClamavSpool> {
  const limits = resolveSpoolBudgets(budgets);
  // mkdtemp creates the directory with mode 0700: other local users can neither read the
  // image's files nor plant their own among them.
  const dir = await mkdtemp(join(parent, 'shipshape-clamav-'));
  return new Spool(dir, limits);
}

function resolveSpoolBudgets(budgets: Partial<SpoolBudgets>): SpoolBudgets {
  const pick = (value: number | undefined, fallback: number) =>
    value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
  return {
    maxFileBytes: Math.min(
      CLAMAV_MAX_FILE_BYTES,
      pick(budgets.maxFileBytes, DEFAULT_SPOOL_BUDGETS.maxFileBytes),
    ),
    maxTotalBytes: pick(budgets.maxTotalBytes, DEFAULT_SPOOL_BUDGETS.maxTotalBytes),
  };
}

const OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

class Spool implements ClamavSpool {
  readonly analyzer: Analyzer;
  private counter = 0;
  private reserved = 0;
  private readonly open = new Set<number>();
  private removed = false;

  constructor(
    readonly dir: string,
    readonly budgets: SpoolBudgets,
  ) {
    this.analyzer = {
      name: CLAMAV_SPOOL_ANALYZER,
      version: 1,
      wants: (header) => (header.type === 'file' && header.size > 0 ? { mode: 'stream' } : false),
      open: (header) => this.sink(header),
    };
  }

  spooledBytes(): number {
    return this.reserved;
  }

  async remove(): Promise<void> {
    this.removed = true;
    for (const fd of this.open) closeQuietly(fd);
    this.open.clear();
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Reserves room for one file: its spool name, or the reason it is a scan gap. */
  private admit(size: number): { spoolName: string } | { gap: string } {
    if (this.removed) return { gap: 'the ClamAV spool was already removed' };
    if (size > this.budgets.maxFileBytes) {
      return { gap: `larger than the ClamAV per-file limit (${this.budgets.maxFileBytes} bytes)` };
    }
    if (this.reserved + size > this.budgets.maxTotalBytes) {
      return { gap: `past the ClamAV per-image limit (${this.budgets.maxTotalBytes} bytes spooled)` };
    }
    this.reserved += size;
    return { spoolName: `f${++this.counter}` };
  }

  private sink(header: EntryHeader): FileSink {
    const size = header.size;
    const admitted = this.admit(size);
    if ('gap' in admitted) return gapSink(header.path, admitted.gap, size);
    let fd: number;
    try {
      fd = openSync(join(this.dir, admitted.spoolName), OPEN_FLAGS, 0o600);
    } catch (err) {
      this.reserved -= size;
      return gapSink(header.path, `could not spool for ClamAV: ${errorMessage(err)}`, size);
    }
    this.open.add(fd);
    return new SpoolSink(this, header.path, admitted.spoolName, fd, size);
  }

  /** Whether `fd` is still this spool's: after remove() its number may belong to anything. */
  holds(fd: number): boolean {
    return this.open.has(fd);
  }

  /** The sink is done with `fd`; `unused` reserved bytes go back to the budget. */
  release(fd: number, unused: number): void {
    if (this.open.delete(fd)) closeQuietly(fd);
    this.reserved -= unused;
  }

  discard(spoolName: string): void {
    try {
      unlinkSync(join(this.dir, spoolName));
    } catch {
      // Already gone (the spool was removed); nothing is left to clean.
    }
  }
}

class SpoolSink implements FileSink {
  private written = 0;
  private extra = 0;
  private failure: string | undefined;
  private readonly hash: Hash = createHash('sha256');

  constructor(
    private readonly spool: Spool,
    private readonly path: string,
    private readonly spoolName: string,
    private readonly fd: number,
    private readonly limit: number,
  ) {}

  write(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    if (!this.spool.holds(this.fd)) {
      this.failure = 'the spool was removed during the scan';
      return;
    }
    // A rootfs file can grow while it is read: what goes past the header's size is not spooled.
    const room = this.limit - this.written;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.extra += chunk.length - part.length;
    try {
      let at = 0;
      while (at < part.length) at += writeSync(this.fd, part, at, part.length - at);
    } catch (err) {
      this.failure = errorMessage(err);
      return;
    }
    this.hash.update(part);
    this.written += part.length;
  }

  end(): Fact[] {
    if (this.failure !== undefined) {
      this.spool.release(this.fd, this.limit);
      this.spool.discard(this.spoolName);
      return [gap(this.path, `could not spool for ClamAV: ${this.failure}`, this.limit)];
    }
    this.spool.release(this.fd, this.limit - this.written);
    const spooled: ClamavSpooledFact = {
      kind: 'clamav-spooled',
      path: this.path,
      spoolName: this.spoolName,
      size: this.written,
      sha256: this.hash.digest('hex'),
    };
    if (this.extra === 0) return [spooled];
    return [spooled, gap(this.path, 'the file grew while it was read', this.extra)];
  }
}

function gapSink(path: string, reason: string, bytes: number): FileSink {
  return { write() {}, end: () => [gap(path, reason, bytes)] };
}

export function gap(path: string, reason: string, bytes: number): ScanGapFact {
  return { kind: 'scan-gap', analyzer: CLAMAV_GAP_ANALYZER, path, reason, bytes };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already; the spool is being torn down either way.
  }
}
