/**
 * DNS over UDP and TCP on port 53 inside the responder namespace (port 53 to any address is
 * redirected here). Each query is answered (`dns.ts`) and recorded with the resolver address
 * the sample really asked.
 */
import type { Socket } from 'node:net';
import { track, type CatcherContext, type UdpHandler } from './catcher.js';
import { answerDnsMessage, dnsTypeName } from './dns.js';
import { printable } from './escape.js';
import { DNS_PORT } from './protocol.js';

const TCP_LIMITS = { maxConnections: 64, idleMs: 5000, maxQueries: 100 };

function answer(
  ctx: CatcherContext,
  msg: Buffer,
  proto: 'tcp' | 'udp',
  src: string,
  sport: number,
): Buffer | null {
  const result = answerDnsMessage(msg, ctx.book);
  if (!result) return null;
  const first = Buffer.from(msg.subarray(0, 512));
  const p = ctx.originals.lookup(proto, src, sport, DNS_PORT).then((d) => {
    ctx.emit({
      kind: 'dns',
      host: result.query.name,
      ip: d?.ip ?? null,
      port: d?.port ?? DNS_PORT,
      firstBytes: printable(first),
      detail: dnsTypeName(result.query.type),
    });
  });
  track(ctx, p);
  return result.reply;
}

/** DNS over UDP, for the IPv4 and the IPv6 socket alike. */
export function dnsUdpHandler(ctx: CatcherContext): UdpHandler {
  return (sock, msg, rinfo) => {
    const reply = answer(ctx, msg, 'udp', rinfo.address, rinfo.port);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  };
}

/** DNS over TCP: one connection listener for both families' servers (they share the limits). */
export function dnsTcpListener(ctx: CatcherContext): (sock: Socket) => void {
  let active = 0;
  return (sock) => {
    sock.on('error', () => sock.destroy());
    if (active >= TCP_LIMITS.maxConnections || !sock.remoteAddress || !sock.remotePort) {
      sock.destroy();
      return;
    }
    active++;
    const src = sock.remoteAddress;
    const sport = sock.remotePort;
    let buf = Buffer.alloc(0);
    let queries = 0;
    sock.setTimeout(TCP_LIMITS.idleMs, () => sock.destroy());
    sock.on('close', () => active--);
    sock.on('data', (chunk: Buffer) => {
      // A frame is at most 65535 + 2 bytes, so the buffer never holds more than one and a chunk.
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) {
          if (buf.length > 2 + 65535 + 65536) sock.destroy();
          return;
        }
        const reply = answer(ctx, buf.subarray(2, 2 + len), 'tcp', src, sport);
        buf = buf.subarray(2 + len);
        if (!reply || ++queries > TCP_LIMITS.maxQueries) {
          sock.end();
          return;
        }
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        sock.write(framed);
      }
    });
  };
}
