/**
 * Where `db update` reads osv.dev's bucket layout from: the public bucket (or another base
 * URL), or a local mirror folder with the same layout. Paths are given as segments (an
 * ecosystem name, a file name) that the caller has validated; they are URL-encoded for a
 * remote source and joined for a local one, so neither can leave the source.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ShipshapeError, printable } from '../errors.js';
import { readCappedFile } from './files.js';
import { HttpClient, type DownloadOptions, type HttpOptions } from './http.js';

export const DEFAULT_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface FetchedFile {
  /** A local file to read. */
  path: string;
  /** What identifies this version of the file: the ETag, or size and mtime for a local file. */
  tag: string | null;
  /** Bytes downloaded for it now. */
  bytes: number;
}

export interface MirrorSource {
  /** The normalised base URL or absolute folder; recorded as the ecosystem's source. */
  readonly label: string;
  readonly remote: boolean;
  /** Requests made so far (remote only). */
  requests(): number;
  /** Where a path is, for messages. */
  where(segments: string[]): string;
  /** A small text file; null when absent. */
  text(segments: string[]): Promise<string | null>;
  /** A text file's lines, streamed (stopping early stops the download); null when absent. */
  lines(segments: string[]): Promise<AsyncGenerator<string> | null>;
  /**
   * A file made available locally: a remote one is downloaded to `stageAs` (resuming a partial
   * download, reusing a complete one); a local one is used where it is. Null when absent;
   * 'not-modified' when its tag equals `ifTag`.
   */
  file(
    segments: string[],
    stageAs: string,
    options: Omit<DownloadOptions, 'ifNoneMatch'> & { ifTag?: string | null },
  ): Promise<FetchedFile | 'not-modified' | null>;
}

class RemoteSource implements MirrorSource {
  readonly remote = true;
  private readonly http: HttpClient;
  constructor(
    readonly label: string,
    http: HttpOptions,
  ) {
    this.http = new HttpClient(http);
  }
  requests(): number {
    return this.http.requests;
  }
  where(segments: string[]): string {
    return `${this.label}/${segments.map(encodeURIComponent).join('/')}`;
  }
  text(segments: string[]): Promise<string | null> {
    return this.http.text(this.where(segments));
  }
  lines(segments: string[]): Promise<AsyncGenerator<string> | null> {
    return this.http.lines(this.where(segments));
  }
  async file(
    segments: string[],
    stageAs: string,
    o: Omit<DownloadOptions, 'ifNoneMatch'> & { ifTag?: string | null },
  ): Promise<FetchedFile | 'not-modified' | null> {
    const r = await this.http.download(this.where(segments), stageAs, { ...o, ifNoneMatch: o.ifTag ?? null });
    if (r === null || r === 'not-modified') return r;
    return { path: r.path, tag: r.etag, bytes: r.bytes };
  }
}

class LocalSource implements MirrorSource {
  readonly remote = false;
  constructor(readonly label: string) {}
  requests(): number {
    return 0;
  }
  where(segments: string[]): string {
    return join(this.label, ...segments);
  }
  async text(segments: string[]): Promise<string | null> {
    try {
      const r = await readCappedFile(this.where(segments), 1024 * 1024);
      if (typeof r === 'string') throw new ShipshapeError('TOO_LARGE', `${this.where(segments)}: ${r}`);
      return r.toString('utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }
  async lines(segments: string[]): Promise<AsyncGenerator<string> | null> {
    const path = this.where(segments);
    try {
      if (!(await stat(path)).isFile()) return null;
    } catch {
      return null;
    }
    return (async function* () {
      const stream = createReadStream(path, { encoding: 'utf8' });
      const rl = createInterface({ input: stream, crlfDelay: Infinity });
      try {
        for await (const line of rl) yield line;
      } finally {
        rl.close();
        stream.destroy();
      }
    })();
  }
  async file(
    segments: string[],
    _stageAs: string,
    o: { ifTag?: string | null },
  ): Promise<FetchedFile | 'not-modified' | null> {
    const path = this.where(segments);
    let tag: string;
    try {
      const st = await stat(path);
      if (!st.isFile()) return null;
      tag = `${st.size}-${Math.trunc(st.mtimeMs)}`;
    } catch {
      return null;
    }
    if (o.ifTag && o.ifTag === tag) return 'not-modified';
    return { path, tag, bytes: 0 };
  }
}

/** `--source`: an http(s) base URL, a `file:` URL or a folder. */
export async function openMirrorSource(spec: string, http: HttpOptions = {}): Promise<MirrorSource> {
  if (/^https?:\/\//i.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new ShipshapeError('BAD_ARGUMENT', `--source ${printable(spec)}: not a valid URL`);
    }
    if (url.search || url.hash) {
      throw new ShipshapeError(
        'BAD_ARGUMENT',
        `--source ${printable(spec)}: a base URL has no query or fragment`,
      );
    }
    return new RemoteSource(url.href.replace(/\/+$/, ''), http);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !/^file:/i.test(spec)) {
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      `--source ${printable(spec)}: only http(s) URLs and folders are supported`,
    );
  }
  const dir = resolve(/^file:/i.test(spec) ? fileURLToPath(spec) : spec);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ShipshapeError('NOT_FOUND', `--source ${printable(spec)}: not a URL or an existing folder`);
  }
  return new LocalSource(dir);
}
