/**
 * The fake internet's parsers on their own: DNS queries and answers, TLS ClientHello (SNI,
 * ALPN), HTTP request heads, stratum lines, conntrack lines (IPv4 and IPv6), IPv6 address text
 * and printable escaping. Each is fed
 * hostile bytes by fast-check: it may say "malformed" or "need more", never throw or hang.
 */
import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { test } from 'node:test';
import fc from 'fast-check';
import { findOriginal, OriginalDestinations, parseConntrackLine } from '../src/sandbox/fakenet/conntrack.js';
import { AddressBook, answerDnsMessage, buildDnsAnswer, parseDnsQuery } from '../src/sandbox/fakenet/dns.js';
import { printable } from '../src/sandbox/fakenet/escape.js';
import { canonicalIp, expandIpv6, formatIpv6, ipv6Bytes, parseIpv6 } from '../src/sandbox/fakenet/ip6.js';
import {
  classifyStream,
  FAKE_PAYLOAD,
  httpDetail,
  httpReply,
  parseHttpHead,
  stratumReplies,
  stratumRequest,
} from '../src/sandbox/fakenet/sniff.js';
import { parseClientHello } from '../src/sandbox/fakenet/tls-hello.js';

function dnsQuery(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

/** The ClientHello Node's own TLS client sends, captured from a fake socket. */
function nodeClientHello(servername: string, alpn?: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const sock = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        resolve(Buffer.from(chunk));
        cb();
      },
    });
    const t = connect({ socket: sock, servername, ALPNProtocols: alpn, rejectUnauthorized: false });
    t.on('error', () => undefined);
    setTimeout(() => t.destroy(), 100);
  });
}

const FALLBACK = { v4: '172.17.0.1', v6: 'fd17:ac11::1' };

test('DNS: A and AAAA questions get their addresses, TXT and MX get NODATA, junk gets nothing', () => {
  const book = new AddressBook(FALLBACK);
  const a = answerDnsMessage(dnsQuery('Pool.MineXMR.com', 1), book);
  assert.ok(a, 'A query is answered');
  assert.equal(a.query.name, 'pool.minexmr.com', 'name is lower-cased');
  assert.equal(a.reply.readUInt16BE(0), 0x1234, 'id echoed');
  assert.equal(a.reply.readUInt16BE(6), 1, 'one answer');
  assert.deepEqual([...a.reply.subarray(-4)], [198, 18, 0, 1], 'first pool address');
  assert.equal(book.nameFor('198.18.0.1'), 'pool.minexmr.com', 'address maps back to the name');
  assert.equal(book.addressFor('pool.minexmr.com'), '198.18.0.1', 'same name, same address');
  const aaaa = answerDnsMessage(dnsQuery('pool.minexmr.com', 28), book);
  assert.ok(aaaa, 'AAAA query is answered');
  assert.equal(aaaa.reply.readUInt16BE(6), 1, 'AAAA: one answer');
  assert.equal(aaaa.reply.readUInt16BE(aaaa.reply.length - 26), 28, 'AAAA: record type');
  assert.equal(aaaa.reply.readUInt16BE(aaaa.reply.length - 18), 16, 'AAAA: 16 bytes of data');
  assert.equal(
    aaaa.reply.subarray(-16).toString('hex'),
    '20010002' + '0000'.repeat(4) + 'c6120001',
    'the A address in the last 32 bits of 2001:2::/48',
  );
  assert.equal(book.addressV6For('pool.minexmr.com'), '2001:2::c612:1', 'AAAA as text');
  for (const spelling of ['2001:2::c612:1', '2001:0002:0000:0000:0000:0000:c612:0001', '2001:2:0:0::C612:1'])
    assert.equal(
      book.nameFor(spelling),
      'pool.minexmr.com',
      `AAAA address ${spelling} maps back to the name`,
    );
  for (const type of [16, 15]) {
    const r = answerDnsMessage(dnsQuery('x.example.test', type), book);
    assert.ok(r, `type ${type} answered`);
    assert.equal(r.reply.readUInt16BE(6), 0, `type ${type}: no answer records`);
    assert.equal(r.reply.readUInt16BE(2) & 0xf, 0, `type ${type}: NOERROR`);
  }
  assert.equal(parseDnsQuery(Buffer.from([1, 2, 3])), null, 'short message');
  const pointer = Buffer.concat([dnsQuery('a.b', 1).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal(parseDnsQuery(pointer), null, 'compression pointer in a query is junk');
});

test('DNS: AAAA answers are unique per name, inside 2001:2::/48, and tied to the A answer', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,2}$/), { maxLength: 60 }),
      (names) => {
        const book = new AddressBook(FALLBACK);
        // Interleave the two families in any order: the slot is the name's, not the query's.
        const v6 = names.map((n, i) =>
          i % 2 ? book.addressV6For(n) : (book.addressFor(n), book.addressV6For(n)),
        );
        const v4 = names.map((n) => book.addressFor(n));
        const bytes = v6.map((ip) => ipv6Bytes(ip));
        return (
          new Set(v6).size === names.length &&
          bytes.every((b, i) => {
            if (!b) return false;
            const inRange = b.readUInt32BE(0) === 0x20010002 && b.readUInt16BE(4) === 0;
            const twin = [...b.subarray(12)].join('.') === v4[i];
            return inRange && twin && book.nameFor(v6[i] as string) === names[i];
          })
        );
      },
    ),
  );
});

test('DNS parser survives any bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const q = parseDnsQuery(bytes);
      if (q) {
        buildDnsAnswer(q, '198.18.0.1');
        buildDnsAnswer(q, '2001:2::c612:1');
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z0-9-]{1,20}(\.[a-z0-9-]{1,20}){0,4}$/),
      fc.integer({ min: 0, max: 65535 }),
      (name, type) => {
        const q = parseDnsQuery(dnsQuery(name, type));
        return q !== null && q.name === name && q.type === type;
      },
    ),
  );
});

test('TLS: SNI and ALPN from a real ClientHello, need-more on every truncation', async () => {
  const hello = await nodeClientHello('c2.evil-domain.test', ['h2', 'http/1.1']);
  const r = parseClientHello(hello);
  assert.equal(r.status, 'ok', 'parsed');
  assert.ok(r.status === 'ok' && r.sni === 'c2.evil-domain.test', 'SNI');
  assert.ok(r.status === 'ok' && r.alpn.join(',') === 'h2,http/1.1', 'ALPN');
  for (let n = 0; n < hello.length; n += 7) {
    assert.equal(parseClientHello(hello.subarray(0, n)).status, 'need-more', `truncated at ${n}`);
  }
  // The same hello split over two records, as a client may send it.
  const body = hello.subarray(5);
  const rec = (b: Buffer) => Buffer.concat([Buffer.from([0x16, 3, 1, b.length >> 8, b.length & 0xff]), b]);
  const split = Buffer.concat([rec(body.subarray(0, 3)), rec(body.subarray(3))]);
  const s = parseClientHello(split);
  assert.ok(s.status === 'ok' && s.sni === 'c2.evil-domain.test', 'SNI across records');
  assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')).status, 'not-tls', 'not TLS');
});

test('TLS ClientHello parser survives random and mutated input', async () => {
  const hello = await nodeClientHello('x.example.test');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const withHeader = Buffer.concat([Buffer.from([0x16, 3, 1]), bytes]);
      parseClientHello(withHeader);
      parseClientHello(bytes);
      return true;
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(hello.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      (edits) => {
        const copy = Buffer.from(hello);
        for (const [at, v] of edits) copy[at] = v;
        const r = parseClientHello(copy);
        return ['ok', 'need-more', 'malformed', 'not-tls'].includes(r.status);
      },
    ),
    { numRuns: 3000 },
  );
});

test('HTTP: request head, reply and detail', () => {
  const req = Buffer.from(
    'GET /stage2.sh HTTP/1.1\r\nHost: Payload.Evil.test\r\nUser-Agent: Wget/1.21.3\r\n\r\n',
  );
  assert.equal(classifyStream(req), 'http', 'classified');
  assert.equal(classifyStream(Buffer.from('GE')), 'need-more', 'prefix of a method');
  const head = parseHttpHead(req);
  assert.ok(head && head !== 'need-more', 'parsed');
  assert.equal(head.host, 'payload.evil.test', 'host');
  assert.equal(head.userAgent, 'Wget/1.21.3', 'user agent');
  assert.equal(httpDetail(head), 'GET /stage2.sh ua=Wget/1.21.3', 'detail');
  assert.ok(httpReply(head).toString().endsWith(FAKE_PAYLOAD), 'the fake script');
  assert.equal(parseHttpHead(Buffer.from('GET / HTTP/1.1\r\nHost: a')), 'need-more', 'head incomplete');
  assert.equal(parseHttpHead(Buffer.from('GET  HTTP/9\r\n\r\n')), null, 'not a request line');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      classifyStream(bytes);
      parseHttpHead(bytes);
      return true;
    }),
  );
});

test('stratum: login, subscribe, authorize get plausible replies', () => {
  const login = stratumRequest(
    '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"4abc","pass":"x"}}',
  );
  assert.ok(login && login.method === 'login', 'login parsed');
  const reply = JSON.parse(stratumReplies(login)[0] as string) as {
    id: number;
    result: { job: { job_id: string } };
  };
  assert.equal(reply.id, 1, 'id echoed');
  assert.equal(reply.result.job.job_id, '1', 'a job');
  assert.equal(
    classifyStream(Buffer.from('{"id":1,"method":"mining.subscribe","params":[]}\n')),
    'stratum',
    'classified',
  );
  const auth = stratumReplies({ id: 2, method: 'mining.authorize' });
  assert.ok(
    auth.some((l) => l.includes('mining.notify')),
    'authorize is followed by work',
  );
  assert.equal(stratumRequest('{"id":1}'), null, 'no method');
  assert.equal(stratumRequest('[1,2]'), null, 'not an object');
  assert.equal(classifyStream(Buffer.from('{"hello":1}\n')), 'unknown', 'JSON without a method');
});

test('conntrack: the original destination of a redirected flow', async () => {
  const table = [
    'ipv4     2 tcp      6 431999 ESTABLISHED src=172.17.0.2 dst=203.0.113.7 sport=40000 dport=3333 src=172.17.0.1 dst=172.17.0.2 sport=9999 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 udp      17 29 src=172.17.0.2 dst=8.8.8.8 sport=5353 dport=53 src=172.17.0.1 dst=172.17.0.2 sport=53 dport=5353 mark=0 zone=0 use=2',
    'ipv4     2 unknown  2 598 src=172.17.0.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=172.17.0.1 mark=0 zone=0 use=2',
  ].join('\n');
  assert.deepEqual(
    findOriginal(table, 'tcp', '172.17.0.2', 40000, 9999),
    { ip: '203.0.113.7', port: 3333 },
    'tcp',
  );
  assert.deepEqual(findOriginal(table, 'udp', '172.17.0.2', 5353, 53), { ip: '8.8.8.8', port: 53 }, 'udp');
  assert.equal(findOriginal(table, 'tcp', '172.17.0.2', 40001, 9999), null, 'other source port');
  assert.equal(parseConntrackLine('ipv4 2 unknown 2 598 src=1.1.1.1'), null, 'not tcp/udp');
  // IPv6 lines as this kernel prints them (captured): every group in full.
  const v6 = (dst: string, sport: number, dport: number, proto = 'tcp      6 431999 ESTABLISHED') =>
    `ipv6     10 ${proto} src=fd17:ac11:0000:0000:0000:0000:0000:0002 dst=${dst} sport=${sport} dport=${dport} src=fd17:ac11:0000:0000:0000:0000:0000:0001 dst=fd17:ac11:0000:0000:0000:0000:0000:0002 sport=${proto.startsWith('udp') ? 9998 : 9999} dport=${sport} [ASSURED] mark=0 zone=0 use=2`;
  const table6 = [
    v6('2001:0002:0000:0000:0000:0000:c612:0001', 33334, 80),
    v6('2606:4700:0000:0000:0000:0000:0000:1111', 41188, 443),
    v6('2001:0db8:0000:0000:0000:0000:0000:0009', 42802, 5555, 'udp      17 29'),
    table,
  ].join('\n');
  assert.deepEqual(
    findOriginal(table6, 'tcp', 'fd17:ac11::2', 33334, 9999),
    { ip: '2001:2::c612:1', port: 80 },
    'IPv6 tcp, destination canonical',
  );
  assert.deepEqual(
    findOriginal(table6, 'tcp', 'fd17:ac11:0:0::2', 41188, 9999),
    { ip: '2606:4700::1111', port: 443 },
    'IPv6 source in any spelling',
  );
  assert.deepEqual(
    findOriginal(table6, 'udp', 'fd17:ac11::2', 42802, 9998),
    { ip: '2001:db8::9', port: 5555 },
    'IPv6 udp',
  );
  assert.equal(findOriginal(table6, 'udp', 'fd17:ac11::2', 33334, 9998), null, 'IPv6: protocol must match');
  assert.deepEqual(
    findOriginal(table6, 'tcp', '172.17.0.2', 40000, 9999),
    { ip: '203.0.113.7', port: 3333 },
    'IPv4 still found in a mixed table',
  );
  let reads = 0;
  const od = new OriginalDestinations(async () => {
    reads++;
    return table;
  });
  const both = await Promise.all([
    od.lookup('tcp', '172.17.0.2', 40000, 9999),
    od.lookup('udp', '172.17.0.2', 5353, 53),
  ]);
  assert.equal(both[1]?.ip, '8.8.8.8', 'second lookup shares the read');
  assert.equal(reads, 1, 'one read for a burst');
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => (parseConntrackLine(s), true)));
});

/** How the WHATWG URL parser (Node's own) writes an IPv6 address: RFC 5952, as inet_ntop does. */
function urlCanonical(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

test('IPv6 text: RFC 5952 form, the full conntrack form and parsing agree with Node', () => {
  assert.equal(
    canonicalIp('2001:0002:0000:0000:0000:0000:C612:0001'),
    '2001:2::c612:1',
    'conntrack spelling',
  );
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1', 'zone dropped');
  assert.equal(canonicalIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3', 'longest zero run');
  assert.equal(canonicalIp('1:0:2:3:4:5:6:7'), '1:0:2:3:4:5:6:7', 'a single zero group stays');
  assert.equal(canonicalIp('::ffff:1.2.3.4'), '::ffff:102:304', 'embedded IPv4');
  assert.equal(canonicalIp('198.18.0.1'), '198.18.0.1', 'IPv4 unchanged');
  for (const bad of [
    ':::',
    '1:::2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    '::1.2.3',
    '::01.2.3.4',
    'g::',
  ])
    assert.equal(parseIpv6(bad), null, `${bad} is not an address`);
  const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  });
  fc.assert(
    fc.property(groups, (g) => {
      const text = formatIpv6(g);
      const full = expandIpv6(g);
      return (
        text === urlCanonical(full) &&
        isIPv6(text) &&
        /^([0-9a-f]{4}:){7}[0-9a-f]{4}$/.test(full) &&
        JSON.stringify(parseIpv6(text)) === JSON.stringify(g) &&
        JSON.stringify(parseIpv6(full)) === JSON.stringify(g)
      );
    }),
    { numRuns: 3000 },
  );
  // Any valid spelling fast-check can write (compressed, embedded IPv4, upper case) parses to Node's reading.
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const g = parseIpv6(ip);
      return g !== null && formatIpv6(g) === urlCanonical(ip);
    }),
    { numRuns: 3000 },
  );
  // Hostile text: never throws, and accepts exactly what Node's isIPv6 accepts.
  const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.:%th-'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: chars, maxLength: 46 })), (s) => {
      const g = parseIpv6(s);
      return (g !== null) === isIPv6(s) && (g === null || g.every((x) => x >= 0 && x <= 0xffff));
    }),
    { numRuns: 5000 },
  );
});

test('printable escaping is bounded and never splits an escape', () => {
  assert.equal(printable(Buffer.from('a\\b\n\x00\xff', 'latin1')), 'a\\\\b\\n\\x00\\xff', 'escapes');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 600 }), (bytes, max) => {
      const s = printable(bytes, max);
      return s.length <= max && /^[\x20-\x7e]*$/.test(s) && !/\\x?[0-9a-f]?$/.test(s.replace(/\\\\/g, ''));
    }),
  );
});
