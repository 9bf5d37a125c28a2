/**
 * The catch-all listeners inside the responder namespace: every TCP flow (any address, any port
 * but 53) arrives at one listener, every UDP datagram at another. Each TCP stream is sniffed
 * and answered so the sample goes on to its next step, and recorded once as a NetworkEvent.
 * Memory per connection and the number of connections are bounded; every socket has timers.
 */
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { AddressBook } from './dns.js';
import type { OriginalDestinations } from './conntrack.js';
import { printable } from './escape.js';
import type { ChildEvent } from './protocol.js';
import {
  MAX_HEAD_BYTES,
  classifyStream,
  firstLine,
  httpDetail,
  httpReply,
  parseHttpHead,
  stratumReplies,
  stratumRequest,
} from './sniff.js';
import { MAX_HELLO_BYTES, parseClientHello } from './tls-hello.js';

export const LIMITS = {
  maxConnections: 256,
  /** Wait this long for the first bytes before calling the stream unknown (banner-first protocols). */
  sniffMs: 3000,
  idleMs: 5000,
  lifetimeMs: 20_000,
  /** An unknown stream is read this long after its first bytes, then closed. */
  unknownLingerMs: 1000,
  stratumMaxLines: 256,
  drainMaxBytes: 1024 * 1024,
  udpMaxFlows: 4096,
  udpDatagramsPerFlow: 3,
};

type Kind = ChildEvent['kind'];
type Record = (kind: Kind, host: string | null, detail: string | undefined, first: Buffer) => void;

/**
 * One application-layer conversation: decides what the stream is from its first bytes, answers,
 * and records one event. Used for the plain stream and again for what a TLS stream carries.
 */
class Session {
  private buf = Buffer.alloc(0);
  private mode: 'sniff' | 'stratum' | 'unknown' | 'drain' = 'sniff';
  private recorded = false;
  private drained = 0;
  private lines = 0;
  private linger: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Duplex,
    private readonly record: Record,
    private readonly startTls: ((buffered: Buffer, sni: string | null) => boolean) | null,
    private readonly fallbackHost: string | null,
    /** Whether a stream that sent nothing is still an event (a bare connect is; a TLS session whose client gave up is not). */
    private readonly recordEmpty: boolean,
  ) {}

  feed(chunk: Buffer): void {
    if (this.mode === 'drain') {
      this.drained += chunk.length;
      if (this.drained > LIMITS.drainMaxBytes) this.out.destroy();
      return;
    }
    const room = MAX_HELLO_BYTES + 1024 - this.buf.length;
    this.buf = Buffer.concat([this.buf, chunk.subarray(0, Math.max(0, room))]);
    if (this.mode === 'stratum') return this.stratum();
    if (this.mode === 'unknown') return this.unknownMore();
    this.sniff();
  }

  /** The first-bytes window closed with nothing decided. */
  timeout(): void {
    if (this.mode === 'sniff' || this.mode === 'unknown') this.finishUnknown();
  }

  /** The stream ended: record what there was, once. */
  close(): void {
    clearTimeout(this.linger);
    this.emit('tcp', this.fallbackHost, undefined);
  }

  private emit(kind: Kind, host: string | null, detail: string | undefined): void {
    if (this.recorded || (!this.recordEmpty && this.buf.length === 0)) return;
    this.recorded = true;
    this.record(kind, host, detail, this.buf);
  }

  private sniff(): void {
    const kind = classifyStream(this.buf);
    const full = this.buf.length >= MAX_HEAD_BYTES;
    if (kind === 'need-more') {
      if (full) this.finishUnknown();
      return;
    }
    if (kind === 'http') {
      const head = parseHttpHead(this.buf);
      if (head === 'need-more') return;
      if (head === null) return this.startUnknown();
      this.emit('http', head.host ?? this.fallbackHost, httpDetail(head));
      this.mode = 'drain';
      this.out.end(httpReply(head));
      return;
    }
    if (kind === 'tls') {
      const hello = parseClientHello(this.buf);
      if (hello.status === 'need-more') return;
      if (hello.status !== 'ok') {
        this.emit(
          'tls',
          this.fallbackHost,
          `malformed ClientHello: ${'reason' in hello ? hello.reason : hello.status}`,
        );
        this.mode = 'drain';
        this.out.end();
        return;
      }
      const alpn = hello.alpn.length > 0 ? ` alpn=${hello.alpn.join(',')}` : '';
      this.emit('tls', hello.sni ?? this.fallbackHost, `ClientHello${alpn}`);
      this.mode = 'drain';
      if (!this.startTls?.(this.buf, hello.sni)) this.out.end();
      return;
    }
    if (kind === 'stratum') {
      this.mode = 'stratum';
      return this.stratum();
    }
    this.startUnknown();
  }

  private stratum(): void {
    while (this.lines < LIMITS.stratumMaxLines) {
      const line = firstLine(this.buf);
      if (line === null) {
        if (this.buf.length >= MAX_HEAD_BYTES) this.out.destroy();
        return;
      }
      const req = stratumRequest(line);
      if (!this.recorded) this.emit('tcp', this.fallbackHost, req ? `stratum ${req.method}` : 'stratum');
      this.buf = this.buf.subarray(this.buf.indexOf(0x0a) + 1);
      this.lines++;
      if (req) for (const reply of stratumReplies(req)) this.out.write(`${reply}\n`);
    }
    this.out.end();
  }

  private startUnknown(): void {
    this.mode = 'unknown';
    this.linger = setTimeout(() => this.finishUnknown(), LIMITS.unknownLingerMs);
    this.unknownMore();
  }

  private unknownMore(): void {
    if (this.buf.length >= 512) this.finishUnknown();
  }

  private finishUnknown(): void {
    clearTimeout(this.linger);
    this.emit('tcp', this.fallbackHost, undefined);
    this.mode = 'drain';
    this.out.end();
  }
}

/** A duplex over `sock` whose readable side replays `head` first: TLS must see the hello again. */
class Replay extends Duplex {
  constructor(
    private readonly sock: Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    sock.on('data', (d: Buffer) => {
      if (!this.push(d)) sock.pause();
    });
    sock.on('end', () => this.push(null));
    sock.on('close', () => this.destroy());
  }
  override _read(): void {
    this.sock.resume();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.sock.write(chunk, (e) => cb(e ?? null));
  }
  override _final(cb: () => void): void {
    this.sock.end();
    cb();
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.sock.destroy();
    cb(err);
  }
}

export interface CatcherContext {
  emit(event: ChildEvent): void;
  book: AddressBook;
  originals: OriginalDestinations;
  tls: SecureContext | null;
  /** Promises of events still being recorded, awaited at shutdown. */
  pending: Set<Promise<void>>;
}

/** Keeps `p` in the set shutdown waits for until it settles. */
export function track(ctx: CatcherContext, p: Promise<void>): void {
  ctx.pending.add(p);
  void p.finally(() => ctx.pending.delete(p));
}

/** What a UDP socket of either family does with a datagram (`sock` is the one it came in on). */
export type UdpHandler = (sock: UdpSocket, msg: Buffer, rinfo: RemoteInfo) => void;

/**
 * The TCP catch-all's connection listener (the IPv4 and the IPv6 server share it, and with it
 * the connection limit), and a way to end every open connection (recording each) at shutdown.
 */
export function tcpCatcher(
  ctx: CatcherContext,
  onDrop: () => void,
): { listener(sock: Socket): void; destroyAll(): void } {
  let active = 0;
  const open = new Set<Socket>();
  const listener = (sock: Socket): void => {
    sock.on('error', () => sock.destroy());
    if (active >= LIMITS.maxConnections || !sock.remoteAddress || !sock.remotePort) {
      onDrop();
      sock.destroy();
      return;
    }
    active++;
    open.add(sock);
    const src = sock.remoteAddress;
    const dst = ctx.originals.lookup('tcp', src, sock.remotePort, sock.localPort ?? 0);
    const record =
      (host: string | null) => (kind: Kind, h: string | null, detail: string | undefined, first: Buffer) => {
        track(
          ctx,
          dst.then((d) => {
            const name = d ? ctx.book.nameFor(d.ip) : null;
            const event: ChildEvent = {
              kind,
              host: h ?? host ?? name,
              ip: d?.ip ?? null,
              port: d?.port ?? null,
              firstBytes: printable(first),
            };
            if (detail !== undefined) event.detail = detail;
            ctx.emit(event);
          }),
        );
      };
    let inner: Session | null = null;
    const startTls = (buffered: Buffer, sni: string | null): boolean => {
      if (!ctx.tls) return false;
      sock.removeListener('data', onData);
      const secure = new TLSSocket(new Replay(sock, buffered), { isServer: true, secureContext: ctx.tls });
      secure.on('error', () => sock.destroy());
      inner = new Session(secure, record(sni), null, sni, false);
      const session = inner;
      secure.on('data', (d: Buffer) => session.feed(d));
      return true;
    };
    const outer = new Session(sock, record(null), startTls, null, true);
    const onData = (d: Buffer) => outer.feed(d);
    sock.on('data', onData);
    const sniff = setTimeout(() => {
      outer.timeout();
      inner?.timeout();
    }, LIMITS.sniffMs);
    const life = setTimeout(() => sock.destroy(), LIMITS.lifetimeMs);
    sock.setTimeout(LIMITS.idleMs, () => sock.destroy());
    sock.on('close', () => {
      clearTimeout(sniff);
      clearTimeout(life);
      active--;
      open.delete(sock);
      outer.close();
      (inner as Session | null)?.close();
    });
  };
  return {
    listener,
    destroyAll() {
      for (const s of open) s.destroy();
    },
  };
}

/** The UDP catch-all for datagrams redirected to `port`; both families share the flow limits. */
export function udpCatcher(ctx: CatcherContext, port: number): UdpHandler {
  const flows = new Map<string, number>();
  return (_sock, msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    const seen = flows.get(key) ?? 0;
    if (seen >= LIMITS.udpDatagramsPerFlow || (seen === 0 && flows.size >= LIMITS.udpMaxFlows)) return;
    flows.set(key, seen + 1);
    const first = Buffer.from(msg.subarray(0, 512));
    track(
      ctx,
      ctx.originals.lookup('udp', rinfo.address, rinfo.port, port).then((d) => {
        ctx.emit({
          kind: 'udp',
          host: d ? ctx.book.nameFor(d.ip) : null,
          ip: d?.ip ?? null,
          port: d?.port ?? null,
          firstBytes: printable(first),
          detail: `${msg.length} bytes`,
        });
      }),
    );
  };
}
