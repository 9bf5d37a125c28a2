/**
 * HTTP for `db update`, on global fetch: a timeout on every request (no response headers, or
 * no body bytes, for `timeoutMs`), retries with exponential backoff on network errors, 429 and
 * 5xx (honouring Retry-After), resumable downloads into a staging file (HTTP Range with
 * If-Range on the ETag, then the size checked against Content-Length / Content-Range), and one
 * clear error line naming the URL when it gives up.
 */
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { ShipshapeError, errorMessage, printable } from '../errors.js';
import { VERSION } from '../version.js';

export interface HttpOptions {
  fetch?: typeof fetch;
  /** No response headers, or no body bytes, for this long: the attempt fails. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** First backoff delay; doubled each retry, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Longest Retry-After honoured. Default 30 s. */
  maxRetryAfterMs?: number;
}

export interface Downloaded {
  path: string;
  etag: string | null;
  /** Bytes transferred by this call (0 when a staged file was reused). */
  bytes: number;
  reused: boolean;
}

export interface DownloadOptions {
  /** Keep a partial file and its ETag so an interrupted download resumes with Range. */
  resumable: boolean;
  /** Send If-None-Match; a 304 answer returns 'not-modified'. */
  ifNoneMatch?: string | null;
  /** Refuse (TOO_LARGE) a body larger than this. */
  maxBytes?: number;
  /** A complete staged file younger than this is reused without a request. */
  reuseMaxAgeMs?: number;
  onBytes?: (done: number, total: number | null) => void;
}

interface Meta {
  url: string;
  etag: string | null;
  total: number | null;
  complete?: boolean;
  fetchedAt?: number;
}

/** A failure worth another attempt (network, timeout, 429, 5xx, short body). */
class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Aborts the request when no progress is made for `ms`; reset on every chunk. */
class IdleTimer {
  fired = false;
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly ac: AbortController,
    private readonly ms: number,
  ) {
    this.reset();
  }
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.ac.abort();
    }, this.ms);
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function describeFetchError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const base = errorMessage(e);
  if (cause?.code) return `${base} (${cause.code})`;
  if (cause?.message) return `${base} (${cause.message})`;
  return base;
}

function retryAfterMs(res: Response): number | null {
  const h = res.headers.get('retry-after');
  if (!h) return null;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

async function readMeta(path: string): Promise<Meta | null> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as Meta;
    return typeof m.url === 'string' ? m : null;
  } catch {
    return null;
  }
}

export class HttpClient {
  /** Requests sent (every attempt counts). */
  requests = 0;
  /** Body bytes received. */
  bytes = 0;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(options: HttpOptions = {}) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  /** Runs `fn` until it succeeds, throws a non-retryable error, or the retries run out. */
  private async withRetries<T>(url: string, fn: () => Promise<T>): Promise<T> {
    let last: Retryable | null = null;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (last) {
        const backoff = this.retryBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        await sleep(Math.min(Math.max(backoff, last.retryAfterMs ?? 0), this.maxRetryAfterMs));
      }
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        last = e;
      }
    }
    const tries = this.retries > 0 ? ` (after ${this.retries + 1} attempts)` : '';
    throw new ShipshapeError('NETWORK', `GET ${printable(url, 500)}: ${last?.message ?? 'failed'}${tries}`);
  }

  /** One attempt: the response with its idle timer running, or Retryable. */
  private async send(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ res: Response; idle: IdleTimer }> {
    const ac = new AbortController();
    const idle = new IdleTimer(ac, this.timeoutMs);
    this.requests++;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        headers: { 'user-agent': `shipshape/${VERSION}`, 'accept-encoding': 'identity', ...headers },
        signal: ac.signal,
      });
    } catch (e) {
      idle.stop();
      throw new Retryable(
        idle.fired ? `no response within ${this.timeoutMs / 1000} s` : printable(describeFetchError(e), 300),
      );
    }
    if (res.status === 429 || res.status >= 500) {
      idle.stop();
      await res.body?.cancel().catch(() => {});
      throw new Retryable(`HTTP ${res.status} ${res.statusText}`.trim(), retryAfterMs(res));
    }
    return { res, idle };
  }

  private async *body(res: Response, idle: IdleTimer): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        idle.reset();
        this.bytes += chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw new Retryable(
        idle.fired
          ? `stalled: no data for ${this.timeoutMs / 1000} s`
          : `connection lost during download (${printable(describeFetchError(e), 200)})`,
      );
    } finally {
      idle.stop();
    }
  }

  private fail(url: string, res: Response): ShipshapeError {
    return new ShipshapeError(
      'NETWORK',
      `GET ${printable(url, 500)}: HTTP ${res.status} ${res.statusText}`.trim(),
    );
  }

  /** A small text file; null when the server says 404. */
  async text(url: string, maxBytes = 1024 * 1024): Promise<string | null> {
    return this.withRetries(url, async () => {
      const { res, idle } = await this.send(url, {});
      if (res.status === 404) {
        idle.stop();
        await res.body?.cancel().catch(() => {});
        return null;
      }
      if (!res.ok) {
        idle.stop();
        await res.body?.cancel().catch(() => {});
        throw this.fail(url, res);
      }
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const c of this.body(res, idle)) {
        n += c.length;
        if (n > maxBytes) {
          await res.body?.cancel().catch(() => {});
          throw new ShipshapeError('TOO_LARGE', `GET ${printable(url, 500)}: more than ${maxBytes} bytes`);
        }
        chunks.push(c);
      }
      return Buffer.concat(chunks).toString('utf8');
    });
  }

  /**
   * The lines of a text file, streamed; stopping early (break) closes the connection. Null when
   * 404. Opening is retried; a connection lost midway fails (the caller's next run starts over).
   */
  async lines(url: string, maxLineBytes = 64 * 1024): Promise<AsyncGenerator<string> | null> {
    const opened = await this.withRetries(url, async () => {
      const r = await this.send(url, {});
      if (r.res.status === 404) {
        r.idle.stop();
        await r.res.body?.cancel().catch(() => {});
        return null;
      }
      if (!r.res.ok) {
        r.idle.stop();
        await r.res.body?.cancel().catch(() => {});
        throw this.fail(url, r.res);
      }
      return r;
    });
    if (!opened) return null;
    const { res, idle } = opened;
    const chunks = this.body(res, idle);
    return (async function* () {
      const decoder = new TextDecoder();
      let pending = '';
      try {
        for await (const chunk of chunks) {
          pending += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            yield pending.slice(0, nl).replace(/\r$/, '');
            pending = pending.slice(nl + 1);
          }
          if (pending.length > maxLineBytes) {
            throw new ShipshapeError(
              'MALFORMED',
              `${printable(url, 500)}: a line longer than ${maxLineBytes} bytes`,
            );
          }
        }
        pending += decoder.decode();
        if (pending) yield pending.replace(/\r$/, '');
      } catch (e) {
        if (e instanceof Retryable) {
          throw new ShipshapeError('NETWORK', `GET ${printable(url, 500)}: ${e.message}`);
        }
        throw e;
      } finally {
        idle.stop();
        await res.body?.cancel().catch(() => {});
      }
    })();
  }

  /**
   * Downloads `url` to `dest` via `dest.part`, renamed only once the size is verified. Null when
   * 404; 'not-modified' on 304. A resumable download keeps `dest.meta.json` (URL, ETag, size)
   * and continues a partial file with Range + If-Range; a complete staged file is reused.
   */
  async download(url: string, dest: string, o: DownloadOptions): Promise<Downloaded | 'not-modified' | null> {
    const part = `${dest}.part`;
    const metaPath = `${dest}.meta.json`;
    if (o.resumable) {
      const meta = await readMeta(metaPath);
      const size = await sizeOf(dest);
      const fresh = meta?.fetchedAt !== undefined && Date.now() - meta.fetchedAt < (o.reuseMaxAgeMs ?? 0);
      if (meta?.url === url && meta.complete && size !== null && (meta.total ?? size) === size && fresh) {
        return { path: dest, etag: meta.etag, bytes: 0, reused: true };
      }
      await rm(dest, { force: true });
    }
    let transferred = 0;
    return this.withRetries(url, async () => {
      const meta = o.resumable ? await readMeta(metaPath) : null;
      const have = meta?.url === url && meta.etag ? ((await sizeOf(part)) ?? 0) : 0;
      const headers: Record<string, string> = {};
      if (have > 0 && meta?.etag) {
        headers.range = `bytes=${have}-`;
        headers['if-range'] = meta.etag;
      } else if (o.ifNoneMatch) {
        headers['if-none-match'] = o.ifNoneMatch;
      }
      const { res, idle } = await this.send(url, headers);
      const drop = async () => {
        idle.stop();
        await res.body?.cancel().catch(() => {});
      };
      if (res.status === 304 && !headers.range) {
        await drop();
        return 'not-modified' as const;
      }
      if (res.status === 404) {
        await drop();
        return null;
      }
      if (res.status === 416) {
        await drop();
        await rm(part, { force: true });
        await rm(metaPath, { force: true });
        throw new Retryable('HTTP 416 for the resumed range; starting over');
      }
      if (res.status !== 200 && res.status !== 206) {
        await drop();
        throw this.fail(url, res);
      }
      const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
      let offset = 0;
      let total: number | null = null;
      if (res.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== have) {
          await drop();
          await rm(part, { force: true });
          throw new Retryable('the server resumed at the wrong offset; starting over');
        }
        offset = have;
        total = m[3] === '*' ? null : Number(m[3]);
      } else {
        const len = res.headers.get('content-length');
        total = len !== null && !encoded && /^\d+$/.test(len) ? Number(len) : null;
      }
      if (o.maxBytes !== undefined && total !== null && total > o.maxBytes) {
        await drop();
        throw new ShipshapeError(
          'TOO_LARGE',
          `GET ${printable(url, 500)}: ${total} bytes, over the ${o.maxBytes}-byte limit`,
        );
      }
      const etag = encoded ? null : res.headers.get('etag');
      if (o.resumable) await writeFile(metaPath, JSON.stringify({ url, etag, total } satisfies Meta));
      const fh = await open(part, offset > 0 ? 'a' : 'w');
      let written = offset;
      let tooLarge = false;
      try {
        for await (const chunk of this.body(res, idle)) {
          await fh.write(chunk);
          written += chunk.length;
          transferred += chunk.length;
          if (total !== null && written > total) break;
          if (o.maxBytes !== undefined && written > o.maxBytes) {
            tooLarge = true;
            break;
          }
          o.onBytes?.(written, total);
        }
      } finally {
        await fh.close();
      }
      if (tooLarge) {
        await rm(part, { force: true });
        throw new ShipshapeError(
          'TOO_LARGE',
          `GET ${printable(url, 500)}: over the ${o.maxBytes}-byte limit`,
        );
      }
      if (total !== null && written !== total) {
        if (written > total) {
          await rm(part, { force: true });
          throw new ShipshapeError(
            'SIZE_MISMATCH',
            `GET ${printable(url, 500)}: got more than the ${total} bytes announced`,
          );
        }
        throw new Retryable(`connection closed after ${written} of ${total} bytes`);
      }
      await rename(part, dest);
      if (o.resumable) {
        await writeFile(
          metaPath,
          JSON.stringify({ url, etag, total: written, complete: true, fetchedAt: Date.now() } satisfies Meta),
        );
      }
      return { path: dest, etag, bytes: transferred, reused: false };
    });
  }
}
