/**
 * What the first bytes of a TCP stream are, and what to answer so the sample takes its next
 * step: HTTP gets a harmless shell script, a mining pool login gets a plausible job, TLS is
 * handled by `tls-hello.ts`. Pure functions over bounded buffers; hostile input yields null.
 */
import { printableText } from './escape.js';
import { looksLikeTls } from './tls-hello.js';

export type StreamKind = 'http' | 'tls' | 'stratum' | 'unknown';

/** The payload every HTTP request gets: a script that does nothing but say it ran. */
export const FAKE_PAYLOAD = '#!/bin/sh\necho shipshape-fake-payload\n';

/** Bytes of request head (or stratum line) we wait for before deciding. */
export const MAX_HEAD_BYTES = 16 * 1024;

const HTTP_METHODS = [
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
  'PROPFIND',
];
const MAX_HEADERS = 100;

/** What kind of stream `bytes` starts, or 'need-more' when a few more bytes would tell. */
export function classifyStream(bytes: Uint8Array): StreamKind | 'need-more' {
  if (bytes.length === 0) return 'need-more';
  const tls = looksLikeTls(bytes);
  if (tls === true) return 'tls';
  if (tls === 'need-more') return 'need-more';
  const head = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  for (const m of HTTP_METHODS) {
    if (head.startsWith(`${m} `)) return 'http';
    if (head.length <= m.length && m.startsWith(head)) return 'need-more';
  }
  let i = 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  )
    i++;
  if (i === bytes.length) return 'need-more';
  if (bytes[i] === 0x7b) {
    const line = firstLine(bytes);
    if (line === null) return bytes.length >= MAX_HEAD_BYTES ? 'unknown' : 'need-more';
    return stratumRequest(line) ? 'stratum' : 'unknown';
  }
  return 'unknown';
}

/** The first newline-terminated line (without the newline), or null if none yet. */
export function firstLine(bytes: Uint8Array): string | null {
  const nl = bytes.indexOf(0x0a);
  return nl < 0 ? null : Buffer.from(bytes.subarray(0, nl)).toString('utf8').replace(/\r$/, '');
}

export interface HttpHead {
  method: string;
  /** The request target as sent (`/stage2.sh`, or an absolute URL through a proxy). */
  path: string;
  version: string;
  host: string | null;
  userAgent: string | null;
  /** Bytes of the head including the blank line. */
  headLength: number;
}

/** Parses an HTTP/1.x request head; 'need-more' until the blank line; null when not HTTP. */
export function parseHttpHead(bytes: Uint8Array): HttpHead | 'need-more' | null {
  const text = Buffer.from(bytes.subarray(0, MAX_HEAD_BYTES)).toString('latin1');
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
  if (end < 0) return bytes.length >= MAX_HEAD_BYTES ? null : 'need-more';
  const lines = text.slice(0, end).split(/\r?\n/);
  const request = /^([A-Z]{3,10}) (\S{1,8192}) (HTTP\/\d\.\d)$/.exec(lines[0] ?? '');
  if (!request) return null;
  let host: string | null = null;
  let userAgent: string | null = null;
  for (const line of lines.slice(1, 1 + MAX_HEADERS)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'host' && host === null) host = printableText(value.toLowerCase());
    else if (name === 'user-agent' && userAgent === null) userAgent = printableText(value);
  }
  return {
    method: request[1] as string,
    path: printableText(request[2] as string, 2048),
    version: request[3] as string,
    host,
    userAgent,
    headLength: end,
  };
}

/** The reply to any HTTP request: 200 and the fake script (no body for HEAD). */
export function httpReply(head: HttpHead): Buffer {
  const body = head.method === 'HEAD' ? '' : FAKE_PAYLOAD;
  return Buffer.from(
    'HTTP/1.1 200 OK\r\n' +
      'Server: nginx\r\n' +
      'Content-Type: application/octet-stream\r\n' +
      `Content-Length: ${FAKE_PAYLOAD.length}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
    'latin1',
  );
}

/** `GET /x.sh`, plus the User-Agent when there is one: the event's `detail`. */
export function httpDetail(head: HttpHead): string {
  return head.userAgent ? `${head.method} ${head.path} ua=${head.userAgent}` : `${head.method} ${head.path}`;
}

export interface StratumRequest {
  id: unknown;
  method: string;
}

/** A JSON-RPC request line as miners send it, or null. */
export function stratumRequest(line: string): StratumRequest | null {
  if (line.length > MAX_HEAD_BYTES) return null;
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const { id, method } = msg as { id?: unknown; method?: unknown };
  if (typeof method !== 'string' || method.length === 0 || method.length > 64) return null;
  const safeId = typeof id === 'number' || typeof id === 'string' || id === null ? id : null;
  return { id: safeId ?? null, method: printableText(method, 64) };
}

const FAKE_BLOB = '0e0e' + 'a5'.repeat(37) + '00000000' + '5c'.repeat(32) + '01';
const FAKE_SEED = '9d'.repeat(32);

/** Lines a pool would answer `req` with (each without its trailing newline). */
export function stratumReplies(req: StratumRequest): string[] {
  const id = req.id;
  const ok = (result: unknown) => JSON.stringify({ id, jsonrpc: '2.0', error: null, result });
  switch (req.method) {
    case 'login':
      // Monero-style (XMRig and friends): the login result carries the first job.
      return [
        ok({
          id: 'shipshape-fake-session',
          job: {
            blob: FAKE_BLOB,
            job_id: '1',
            target: 'b88d0600',
            algo: 'rx/0',
            height: 3000000,
            seed_hash: FAKE_SEED,
          },
          extensions: ['algo', 'nicehash', 'connect', 'tls', 'keepalive'],
          status: 'OK',
        }),
      ];
    case 'getjob':
      return [ok({ blob: FAKE_BLOB, job_id: '2', target: 'b88d0600', algo: 'rx/0', seed_hash: FAKE_SEED })];
    case 'submit':
    case 'keepalived':
      return [ok({ status: req.method === 'submit' ? 'OK' : 'KEEPALIVED' })];
    case 'mining.subscribe':
      return [
        JSON.stringify({
          id,
          result: [
            [
              ['mining.set_difficulty', '1'],
              ['mining.notify', '1'],
            ],
            '08000002',
            4,
          ],
          error: null,
        }),
      ];
    case 'mining.authorize':
      return [
        JSON.stringify({ id, result: true, error: null }),
        JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [1] }),
        JSON.stringify({
          id: null,
          method: 'mining.notify',
          params: [
            '1',
            '00'.repeat(32),
            '01000000',
            '00000000',
            [],
            '20000000',
            '1d00ffff',
            '00000000',
            true,
          ],
        }),
      ];
    case 'eth_submitLogin':
    case 'eth_submitWork':
    case 'eth_submitHashrate':
      return [ok(true)];
    case 'eth_getWork':
      return [ok(['0x' + '11'.repeat(32), '0x' + '22'.repeat(32), '0x' + '00'.repeat(4) + 'ff'.repeat(28)])];
    default:
      return [JSON.stringify({ id, result: true, error: null })];
  }
}
