/**
 * The destination a container really asked for. The responder redirects every TCP/UDP flow to
 * one listening port (iptables REDIRECT), so the socket sees its own address; the kernel's
 * connection table (`/proc/self/net/nf_conntrack`, read from inside the responder namespace)
 * still holds the original tuple. Node cannot read SO_ORIGINAL_DST, and TPROXY needs
 * IP_TRANSPARENT, which Node cannot set either (measured: the SYN is dropped), so this is it.
 */
import { open } from 'node:fs/promises';
import { canonicalIp, expandIpv6, parseIpv6 } from './ip6.js';

export interface Tuple {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export interface ConntrackEntry {
  proto: 'tcp' | 'udp';
  orig: Tuple;
  reply: Tuple;
}

const MAX_TABLE_BYTES = 8 * 1024 * 1024;

function tupleAt(fields: Map<string, string[]>, index: number): Tuple | null {
  const src = fields.get('src')?.[index];
  const dst = fields.get('dst')?.[index];
  if (!src || !dst) return null;
  const sport = Number(fields.get('sport')?.[index]);
  const dport = Number(fields.get('dport')?.[index]);
  if (!Number.isInteger(sport) || !Number.isInteger(dport)) return null;
  return { src: canonicalIp(src), dst: canonicalIp(dst), sport, dport };
}

/**
 * One line of nf_conntrack (`ipv4 2 tcp 6 431999 ESTABLISHED src=... dport=... src=...`, or
 * `ipv6 10 ...` with addresses written out in full); addresses come back canonical (ip6.ts).
 */
export function parseConntrackLine(line: string): ConntrackEntry | null {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'ipv4' && words[0] !== 'ipv6') return null;
  const proto = words[2];
  if (proto !== 'tcp' && proto !== 'udp') return null;
  const fields = new Map<string, string[]>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    const key = w.slice(0, eq);
    const list = fields.get(key) ?? [];
    list.push(w.slice(eq + 1));
    fields.set(key, list);
  }
  const orig = tupleAt(fields, 0);
  const reply = tupleAt(fields, 1);
  return orig && reply ? { proto, orig, reply } : null;
}

/**
 * The original destination of the flow from `src:sport` that was redirected to `localPort`,
 * found in the text of the table; null when it is not there.
 */
export function findOriginal(
  table: string,
  proto: 'tcp' | 'udp',
  src: string,
  sport: number,
  localPort: number,
): { ip: string; port: number } | null {
  // The table spells an IPv6 address in full; a socket gives it compressed.
  const groups = src.includes(':') ? parseIpv6(src) : null;
  const needle = `src=${groups ? expandIpv6(groups) : src} `;
  const from = canonicalIp(src);
  for (const line of table.split('\n')) {
    if (!line.includes(needle) || !line.includes(` sport=${sport} `)) continue;
    const e = parseConntrackLine(line);
    if (!e || e.proto !== proto) continue;
    if (
      e.orig.src === from &&
      e.orig.sport === sport &&
      e.reply.sport === localPort &&
      e.reply.dst === from
    ) {
      return { ip: e.orig.dst, port: e.orig.dport };
    }
  }
  return null;
}

/** Reads this network namespace's connection table, at most MAX_TABLE_BYTES of it. */
export async function readConntrack(path = '/proc/self/net/nf_conntrack'): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < MAX_TABLE_BYTES) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    await fh.close();
  }
}

/**
 * Looks up original destinations, sharing one table read between lookups that arrive together
 * (a burst of connections costs one read, not one each). A lookup that joined a read begun
 * before its flow existed reads again once on a miss.
 */
export class OriginalDestinations {
  private pending: Promise<string> | null = null;

  constructor(private readonly read: () => Promise<string> = () => readConntrack()) {}

  async lookup(proto: 'tcp' | 'udp', src: string, sport: number, localPort: number) {
    const joined = this.pending !== null;
    const hit = findOriginal(await this.table().catch(() => ''), proto, src, sport, localPort);
    if (hit || !joined) return hit;
    return findOriginal(await this.read().catch(() => ''), proto, src, sport, localPort);
  }

  private table(): Promise<string> {
    if (!this.pending) {
      const read = this.read();
      this.pending = read;
      const clear = () => {
        if (this.pending === read) this.pending = null;
      };
      read.then(clear, clear);
    }
    return this.pending;
  }
}
