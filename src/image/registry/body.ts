/**
 * Reading response bodies from a registry that may be slow, stalled or hostile: every read waits
 * at most `idleMs` for the next chunk, and documents are read against a byte cap so a huge body
 * fails early instead of filling memory.
 */
import { Readable } from 'node:stream';
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import { ShipshapeError } from '../../errors.js';

export interface BodyReadOptions {
  /** How long one read may wait for bytes before the transfer counts as stalled. */
  idleMs: number;
  /** Aborts the underlying request, closing its connection. */
  abort: (reason?: unknown) => void;
  /** What is being read, for messages: `docker.io/library/nginx:1.25: blob sha256:...`. */
  what: string;
}

function stalled(opts: BodyReadOptions): ShipshapeError {
  return new ShipshapeError(
    'TIMEOUT',
    `${opts.what}: no data from the registry for ${opts.idleMs} ms (transfer stalled)`,
  );
}

function broken(opts: BodyReadOptions, e: unknown): ShipshapeError {
  if (e instanceof ShipshapeError) return e;
  const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
  return new ShipshapeError(
    'NETWORK',
    `${opts.what}: connection lost while reading the response (${cause})`,
    {
      cause: e,
    },
  );
}

type ChunkReader = ReadableStreamDefaultReader<Uint8Array>;

/** One read that fails with TIMEOUT (and aborts the request) if no chunk arrives in time. */
async function readChunk(
  reader: ChunkReader,
  opts: BodyReadOptions,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = stalled(opts);
      opts.abort(err);
      reject(err);
    }, opts.idleMs);
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } catch (e) {
    throw broken(opts, e);
  } finally {
    clearTimeout(timer);
  }
}

/** After a timeout a read is still pending, and releasing the lock then may throw; it no longer matters. */
function releaseQuietly(reader: ChunkReader): void {
  try {
    reader.releaseLock();
  } catch {
    // the request was aborted; nothing is left to release
  }
}

/** Reads a whole body, refusing more than `maxBytes` (by Content-Length up front, or while reading). */
export async function readBodyLimited(
  res: Response,
  maxBytes: number,
  opts: BodyReadOptions,
): Promise<Buffer> {
  const tooLarge = (n: string): ShipshapeError =>
    new ShipshapeError('TOO_LARGE', `${opts.what}: ${n} bytes exceeds the ${maxBytes}-byte limit`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    opts.abort();
    throw tooLarge(String(declared));
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await readChunk(reader, opts);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        opts.abort();
        throw tooLarge(`more than ${maxBytes}`);
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } finally {
    releaseQuietly(reader);
  }
  return Buffer.concat(chunks, total);
}

/** Reads a small body for an error message; never fails, since the status already says enough. */
export async function readErrorBody(res: Response, opts: BodyReadOptions): Promise<string> {
  try {
    return (await readBodyLimited(res, 64 * 1024, opts)).toString('utf8');
  } catch {
    return '';
  }
}

/** Discards a body we will not read, so the connection is released rather than left pending. */
export function discardBody(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/**
 * The response body as a Node stream. The idle timer only runs while the stream waits on the
 * network, not while a slow consumer holds it back, so backpressure never looks like a stall.
 */
export function bodyToReadable(res: Response, opts: BodyReadOptions): Readable {
  if (!res.body) return Readable.from([]);
  const reader = res.body.getReader();
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      readChunk(reader, opts).then(
        ({ done, value }) => {
          if (done) this.push(null);
          else this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
        },
        (e: unknown) => this.destroy(e as Error),
      );
    },
    destroy(err, cb) {
      // Stopping early (a consumer that gave up, or an error) must close the connection too.
      if (err) opts.abort(err);
      reader.cancel().catch(() => undefined);
      cb(err);
    },
  });
}
