/**
 * The fake internet's DNS: parse one query, build the answer. Every A and AAAA question gets an
 * address (see `AddressBook`), every other type NODATA, so a dropper always resolves its next
 * hop and the catch-all can tell which name a later connection was meant for. Queries are
 * hostile: anything malformed parses to null (no answer), never throws.
 */
import { canonicalIp, formatIpv6, ipv6Bytes } from './ip6.js';

const TYPE_NAMES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
};

export const DNS_TYPE_A = 1;
export const DNS_TYPE_AAAA = 28;
const CLASS_IN = 1;
const MAX_NAME_BYTES = 255;

export const RCODE_NOERROR = 0;
export const RCODE_NOTIMP = 4;

export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  /** Lower-cased, dot-separated, no trailing dot; odd bytes escaped as `\DDD`. '' is the root. */
  name: string;
  type: number;
  qclass: number;
  /** The question section's bytes (name, type, class), echoed in the answer. */
  question: Uint8Array;
}

export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

function labelText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b >= 0x41 && b <= 0x5a) out += String.fromCharCode(b + 0x20);
    else if (b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\${b.toString().padStart(3, '0')}`;
  }
  return out;
}

/** The first question of a DNS message, or null when the message is not a well-formed query. */
export function parseDnsQuery(msg: Uint8Array): DnsQuery | null {
  if (msg.length < 12) return null;
  const view = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  const id = view.readUInt16BE(0);
  const flags = view.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  const qdcount = view.readUInt16BE(4);
  if (qdcount < 1) return null;
  const labels: string[] = [];
  let pos = 12;
  let nameBytes = 0;
  // A query's name is never compressed; a pointer here is junk (or a loop attempt).
  while (true) {
    if (pos >= msg.length) return null;
    const len = msg[pos] as number;
    if (len === 0) {
      pos++;
      break;
    }
    if (len > 63) return null;
    nameBytes += len + 1;
    if (nameBytes > MAX_NAME_BYTES || pos + 1 + len > msg.length) return null;
    labels.push(labelText(msg.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  if (pos + 4 > msg.length) return null;
  return {
    id,
    opcode: (flags >> 11) & 0xf,
    recursionDesired: (flags & 0x0100) !== 0,
    name: labels.join('.'),
    type: view.readUInt16BE(pos),
    qclass: view.readUInt16BE(pos + 2),
    question: msg.slice(12, pos + 4),
  };
}

/** The record data of an address answer: 4 bytes for A, 16 for AAAA; null for other types or a mismatch. */
function addressData(type: number, address: string | null): Buffer | null {
  if (address === null) return null;
  if (type === DNS_TYPE_AAAA) return ipv6Bytes(address);
  if (type !== DNS_TYPE_A) return null;
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || !octets.every((o) => Number.isInteger(o) && o >= 0 && o < 256)) return null;
  return Buffer.from(octets);
}

/**
 * The answer to `q`: `address` as an A (IPv4) or AAAA (IPv6) record when asked for that type in
 * class IN, otherwise an empty NOERROR (NODATA), which resolvers accept without retrying other
 * servers.
 */
export function buildDnsAnswer(q: DnsQuery, address: string | null, rcode = RCODE_NOERROR): Buffer {
  const asked = rcode === RCODE_NOERROR && q.opcode === 0 && q.qclass === CLASS_IN;
  const data = asked ? addressData(q.type, address) : null;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, the query's opcode, AA, RD echoed, RA.
  header.writeUInt16BE(
    0x8000 | (q.opcode << 11) | 0x0400 | (q.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode,
    2,
  );
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(data ? 1 : 0, 6);
  if (!data) return Buffer.concat([header, q.question]);
  const answer = Buffer.alloc(12);
  answer.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  answer.writeUInt16BE(q.type, 2);
  answer.writeUInt16BE(CLASS_IN, 4);
  answer.writeUInt32BE(60, 6);
  answer.writeUInt16BE(data.length, 10);
  return Buffer.concat([header, q.question, answer, data]);
}

/** The reply for any message: an answer, FORMERR/NOTIMP for junk with a usable header, or null. */
export function answerDnsMessage(
  msg: Uint8Array,
  book: Pick<AddressBook, 'addressFor' | 'addressV6For'>,
): { query: DnsQuery; reply: Buffer } | null {
  const query = parseDnsQuery(msg);
  if (!query) return null;
  if (query.opcode !== 0) return { query, reply: buildDnsAnswer(query, null, RCODE_NOTIMP) };
  const address =
    query.type === DNS_TYPE_A
      ? book.addressFor(query.name)
      : query.type === DNS_TYPE_AAAA
        ? book.addressV6For(query.name)
        : null;
  return { query, reply: buildDnsAnswer(query, address) };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** The IPv6 twin of 198.18.0.0/15: 2001:2::/48, reserved for benchmarking (RFC 5180), never routed. */
export const FAKE_V6_PREFIX = '2001:2::/48';

/** A name's AAAA address: 2001:2:: with its A address in the last 32 bits (198.18.0.1 → 2001:2::c612:1). */
function v6Twin(v4: number): string {
  return formatIpv6([0x2001, 0x0002, 0, 0, 0, 0, v4 >>> 16, v4 & 0xffff]);
}

/**
 * One fake address per name, from 198.18.0.0/15 (RFC 2544 benchmarking space, never routed on
 * the internet, not one of the private ranges a sandbox-aware sample checks for), and its IPv6
 * twin in 2001:2::/48 (see `v6Twin`). A later connection to either address is attributed to the
 * name. Past `maxNames` names, everything gets the fallback (the responder's own addresses), so
 * a name-flooding sample cannot grow the table without bound.
 */
export class AddressBook {
  private readonly byName = new Map<string, number>();
  private readonly byIp = new Map<string, string>();
  private next = ipToInt('198.18.0.1');
  private readonly last = ipToInt('198.19.255.254');

  constructor(
    private readonly fallback: { v4: string; v6: string },
    private readonly maxNames = 20_000,
  ) {}

  addressFor(name: string): string {
    const slot = this.slot(name);
    return slot === null ? this.fallback.v4 : intToIp(slot);
  }

  addressV6For(name: string): string {
    const slot = this.slot(name);
    return slot === null ? this.fallback.v6 : v6Twin(slot);
  }

  /** The name an address (either family, any spelling) was given out for. */
  nameFor(ip: string): string | null {
    return this.byIp.get(canonicalIp(ip)) ?? null;
  }

  private slot(name: string): number | null {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    if (this.byName.size >= this.maxNames || this.next > this.last) return null;
    // Skip .0 and .255 host parts: some clients treat them as network/broadcast addresses.
    while ((this.next & 0xff) === 0 || (this.next & 0xff) === 0xff) this.next++;
    const slot = this.next++;
    this.byName.set(name, slot);
    this.byIp.set(intToIp(slot), name);
    this.byIp.set(v6Twin(slot), name);
    return slot;
  }
}
