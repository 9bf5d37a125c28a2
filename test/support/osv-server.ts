/**
 * Serves a folder in osv.dev's bucket layout over HTTP on loopback, as the bucket does: ETag,
 * If-None-Match (304), Range with If-Range (206), Content-Length. Every request is logged, and
 * faults can be injected per path: a 500 or 429, a connection dropped after some bytes of the
 * body, or no answer at all.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';

export interface LoggedRequest {
  method: string;
  /** Decoded path, e.g. `/Debian/all.zip`. */
  path: string;
  range: string | null;
  ifRange: string | null;
  ifNoneMatch: string | null;
  status: number;
  /** Body bytes sent. */
  bytes: number;
}

export type FaultKind = '500' | '429' | 'drop' | 'hang';

export interface Fault {
  /** Decoded path it applies to (exact), or a predicate. */
  path: string | ((path: string) => boolean);
  kind: FaultKind;
  /** How many requests it hits (default: all of them). */
  times?: number;
  /** For 'drop': body bytes sent before the connection is cut. */
  afterBytes?: number;
}

export interface OsvServer {
  url: string;
  log: LoggedRequest[];
  faults: Fault[];
  /** Requests for a path (decoded), e.g. `/PyPI/PYSEC-2024-1.json`. */
  requestsFor(path: string): LoggedRequest[];
  close(): Promise<void>;
}

export async function startOsvServer(root: string): Promise<OsvServer> {
  const base = resolve(root);
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      path = '/';
    }
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range ?? null,
      ifRange: (req.headers['if-range'] as string | undefined) ?? null,
      ifNoneMatch: req.headers['if-none-match'] ?? null,
      status: 0,
      bytes: 0,
    };
    log.push(entry);
    const fault = faults.find(
      (f) =>
        (f.times === undefined || f.times > 0) &&
        (typeof f.path === 'string' ? f.path === path : f.path(path)),
    );
    if (fault && fault.times !== undefined) fault.times--;
    if (fault?.kind === 'hang') return; // never answers
    if (fault?.kind === '500' || fault?.kind === '429') {
      entry.status = Number(fault.kind);
      res.writeHead(entry.status, fault.kind === '429' ? { 'retry-after': '0' } : {});
      res.end('try again');
      return;
    }
    const file = resolve(join(base, path));
    let body: Buffer;
    try {
      if (!file.startsWith(base + sep) || !statSync(file).isFile()) throw new Error('no');
      body = readFileSync(file);
    } catch {
      entry.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    if (entry.ifNoneMatch === etag && !entry.range) {
      entry.status = 304;
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    let status = 200;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(entry.range ?? '');
    if (m && (!entry.ifRange || entry.ifRange === etag)) {
      start = Number(m[1]);
      if (start >= body.length) {
        entry.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      status = 206;
    }
    const part = body.subarray(start);
    const headers: Record<string, string | number> = {
      etag,
      'content-length': part.length,
      'accept-ranges': 'bytes',
      'content-type': path.endsWith('.zip') ? 'application/zip' : 'text/plain',
    };
    if (status === 206) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    entry.status = status;
    res.writeHead(status, headers);
    if (fault?.kind === 'drop') {
      const n = Math.min(fault.afterBytes ?? 0, part.length - 1);
      entry.bytes = n;
      res.write(part.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    entry.bytes = part.length;
    res.end(part);
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    faults,
    requestsFor: (p) => log.filter((l) => l.path === p),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
