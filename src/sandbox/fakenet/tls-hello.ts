/**
 * Reads the server name (SNI) and ALPN protocols out of a TLS ClientHello, as the first bytes a
 * client sends. Hostile input: every length is checked against what is there, the handshake may
 * span several records but is reassembled only up to `MAX_HELLO_BYTES`, and nothing throws.
 */

/** Bigger than any real ClientHello (post-quantum key shares included) by a wide margin. */
export const MAX_HELLO_BYTES = 32 * 1024;

export type HelloResult =
  | { status: 'need-more' }
  | { status: 'not-tls' }
  | { status: 'malformed'; reason: string }
  | { status: 'ok'; sni: string | null; alpn: string[]; version: number };

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const MAX_ALPN = 16;

/** Whether `bytes` can be the start of a TLS record carrying a handshake. */
export function looksLikeTls(bytes: Uint8Array): boolean | 'need-more' {
  if (bytes.length < 1) return 'need-more';
  if (bytes[0] !== RECORD_HANDSHAKE) return false;
  if (bytes.length < 2) return 'need-more';
  return bytes[1] === 3;
}

/** The handshake bytes carried by the leading handshake records, or a status. */
function handshakeBytes(bytes: Uint8Array): Uint8Array | HelloResult {
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = 0;
  let want = -1; // the handshake message's full length, once its header is in
  while (true) {
    if (want >= 0 && total >= want) break;
    if (pos + 5 > bytes.length) return { status: 'need-more' };
    if (bytes[pos] !== RECORD_HANDSHAKE || bytes[pos + 1] !== 3) {
      return pos === 0 ? { status: 'not-tls' } : { status: 'malformed', reason: 'handshake interrupted' };
    }
    const len = ((bytes[pos + 3] as number) << 8) | (bytes[pos + 4] as number);
    if (len === 0 || len > 16384 + 2048) return { status: 'malformed', reason: `record length ${len}` };
    if (pos + 5 + len > bytes.length) return { status: 'need-more' };
    parts.push(bytes.subarray(pos + 5, pos + 5 + len));
    total += len;
    pos += 5 + len;
    if (want < 0 && total >= 4) {
      const head = Buffer.concat(parts).subarray(0, 4);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return { status: 'malformed', reason: 'not a ClientHello' };
      want = 4 + (((head[1] as number) << 16) | ((head[2] as number) << 8) | (head[3] as number));
      if (want > MAX_HELLO_BYTES) return { status: 'malformed', reason: `ClientHello of ${want} bytes` };
    }
    if (total > MAX_HELLO_BYTES) return { status: 'malformed', reason: 'handshake too long' };
  }
  return Buffer.concat(parts).subarray(4, want);
}

/** A bounds-checked cursor: every read past the end returns null. */
class Cursor {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  u8(): number | null {
    return this.pos + 1 <= this.b.length ? (this.b[this.pos++] as number) : null;
  }
  u16(): number | null {
    if (this.pos + 2 > this.b.length) return null;
    const v = ((this.b[this.pos] as number) << 8) | (this.b[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }
  take(n: number | null): Uint8Array | null {
    if (n === null || this.pos + n > this.b.length) return null;
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  get left(): number {
    return this.b.length - this.pos;
  }
}

function ascii(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes)
    out +=
      b > 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

function serverName(ext: Uint8Array): string | null | undefined {
  const c = new Cursor(ext);
  const list = c.take(c.u16());
  if (!list) return undefined;
  const l = new Cursor(list);
  while (l.left > 0) {
    const type = l.u8();
    const name = l.take(l.u16());
    if (type === null || !name) return undefined;
    if (type === 0) return name.length > 0 && name.length <= 255 ? ascii(name).toLowerCase() : undefined;
  }
  return null;
}

function alpnList(ext: Uint8Array): string[] | undefined {
  const c = new Cursor(ext);
  const list = c.take(c.u16());
  if (!list) return undefined;
  const l = new Cursor(list);
  const out: string[] = [];
  while (l.left > 0 && out.length < MAX_ALPN) {
    const proto = l.take(l.u8());
    if (!proto) return undefined;
    out.push(ascii(proto.subarray(0, 64)));
  }
  return out;
}

/** Parses the ClientHello at the start of `bytes` (the raw TCP stream from the client). */
export function parseClientHello(bytes: Uint8Array): HelloResult {
  const tls = looksLikeTls(bytes);
  if (tls === 'need-more') return { status: 'need-more' };
  if (!tls) return { status: 'not-tls' };
  const hs = handshakeBytes(bytes);
  if (!(hs instanceof Uint8Array)) return hs;
  const c = new Cursor(hs);
  const version = c.u16();
  if (version === null || !c.take(32)) return { status: 'malformed', reason: 'short hello' };
  const session = c.u8();
  if (session === null || session > 32 || !c.take(session))
    return { status: 'malformed', reason: 'session id' };
  const suites = c.u16();
  if (suites === null || suites % 2 !== 0 || !c.take(suites))
    return { status: 'malformed', reason: 'cipher suites' };
  if (!c.take(c.u8())) return { status: 'malformed', reason: 'compression methods' };
  let sni: string | null = null;
  let alpn: string[] = [];
  if (c.left === 0) return { status: 'ok', sni, alpn, version };
  const exts = c.take(c.u16());
  if (!exts) return { status: 'malformed', reason: 'extensions length' };
  const e = new Cursor(exts);
  while (e.left > 0) {
    const type = e.u16();
    const data = e.take(e.u16());
    if (type === null || !data) return { status: 'malformed', reason: 'extension' };
    if (type === EXT_SERVER_NAME) {
      const name = serverName(data);
      if (name === undefined) return { status: 'malformed', reason: 'server_name' };
      sni = name;
    } else if (type === EXT_ALPN) {
      const list = alpnList(data);
      if (list === undefined) return { status: 'malformed', reason: 'alpn' };
      alpn = list;
    }
  }
  return { status: 'ok', sni, alpn, version };
}
