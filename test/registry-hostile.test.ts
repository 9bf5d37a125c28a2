/**
 * RegistrySource against a registry that misbehaves: a small HTTP proxy in front of a real
 * docker-registry passes requests through, except where a test makes it corrupt, stall, redirect
 * in circles, throttle or fail. Each case must end in the right ShipshapeError, quickly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { RegistrySource, type RegistrySourceOptions } from '../src/image/registry-source.js';
import { type BuiltImage, buildImage } from './fixtures/builder.js';
import { push } from './fixtures/push.js';
import { readAll, rejectsWith } from './support/assertions.js';
import { type TestRegistry, startRegistry } from './support/registry-server.js';

interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Decides what to do with one request; returns false to let it through to the registry. */
type Intercept = (
  req: IncomingMessage,
  res: ServerResponse,
  upstream: () => Promise<Upstream>,
) => Promise<boolean> | boolean;

interface Proxy {
  host: string;
  url: string;
  intercept: Intercept | undefined;
  /** Requests seen, as `METHOD path`. */
  seen: string[];
  stop(): Promise<void>;
}

const PASSED_HEADERS = [
  'content-type',
  'docker-content-digest',
  'www-authenticate',
  'location',
  'content-length',
];

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function startProxy(registry: TestRegistry): Promise<Proxy> {
  const proxy: Proxy = { host: '', url: '', intercept: undefined, seen: [], stop: async () => undefined };
  const upstreamFor = (req: IncomingMessage) => async (): Promise<Upstream> => {
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'authorization']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const res = await fetch(`${registry.url}${req.url}`, {
      method: req.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const out: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const v = res.headers.get(name);
      if (v !== null) out[name] = v;
    }
    return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
  };
  const server = await listen((req, res) => {
    proxy.seen.push(`${req.method} ${req.url}`);
    const upstream = upstreamFor(req);
    void (async () => {
      try {
        if (proxy.intercept && (await proxy.intercept(req, res, upstream))) return;
        const up = await upstream();
        res.writeHead(up.status, up.headers);
        res.end(up.body);
      } catch (e) {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(e));
      }
    })();
  });
  const { port } = server.address() as AddressInfo;
  proxy.host = `127.0.0.1:${port}`;
  proxy.url = `http://${proxy.host}`;
  proxy.stop = () => close(server);
  return proxy;
}

const isBlob = (req: IncomingMessage, digest: string): boolean =>
  req.method === 'GET' && (req.url ?? '').endsWith(`/blobs/${digest}`);
const isManifest = (req: IncomingMessage): boolean => (req.url ?? '').includes('/manifests/');

const image: BuiltImage = buildImage({
  layers: [
    { files: [{ path: 'etc/os-release', content: 'ID=hostile\n' }] },
    // Incompressible and big, so a stall or a cut can happen well before the end.
    { compression: 'zstd', files: [{ path: 'big.bin', content: randomBytes(512 * 1024) }] },
  ],
});
const layer0 = image.layers[0]!;
const layer1 = image.layers[1]!;

describe('hostile registry', { timeout: 120_000 }, () => {
  let registry: TestRegistry;
  let proxy: Proxy;

  const source = (extra: Partial<RegistrySourceOptions> = {}, reference = 'team/app:1.0'): RegistrySource =>
    new RegistrySource({
      reference: `${proxy.host}/${reference}`,
      env: {},
      timeouts: { requestMs: 2_000, idleMs: 2_000 },
      retries: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      ...extra,
    });

  before(async () => {
    registry = await startRegistry();
    await push(registry.url, 'team/app', '1.0', image);
    proxy = await startProxy(registry);
  });
  afterEach(() => {
    proxy.intercept = undefined;
    proxy.seen.length = 0;
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  test('the proxy alone changes nothing', async () => {
    const src = source();
    const r = await src.resolve();
    assert.equal(r.digest, image.manifestDigest);
    for (const l of r.layers)
      assert.ok((await readAll((await src.openLayer(l)).stream)).equals(image.layers[l.index]!.blob));
  });

  test('a flipped byte in a layer fails the stream with DIGEST_MISMATCH', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isBlob(req, layer0.digest)) return false;
      const up = await upstream();
      up.body[Math.floor(up.body.length / 2)]! ^= 0xff;
      res.writeHead(200, up.headers);
      res.end(up.body);
      return true;
    };
    const src = source();
    const r = await src.resolve();
    await rejectsWith(
      readAll((await src.openLayer(r.layers[0]!)).stream),
      'DIGEST_MISMATCH',
      layer0.digest,
      proxy.host,
    );
  });

  test('a flipped byte in the config fails resolve with DIGEST_MISMATCH', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isBlob(req, image.configDigest)) return false;
      const up = await upstream();
      up.body[1]! ^= 0x01;
      res.writeHead(200, up.headers);
      res.end(up.body);
      return true;
    };
    await rejectsWith(source().resolve(), 'DIGEST_MISMATCH', 'config', image.configDigest);
  });

  test('a manifest that does not hash to the digest asked for is DIGEST_MISMATCH', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isManifest(req)) return false;
      const up = await upstream();
      const doc = JSON.parse(up.body.toString('utf8')) as Record<string, unknown>;
      doc.annotations = { tampered: 'yes' };
      res.writeHead(200, { 'content-type': up.headers['content-type']! });
      res.end(JSON.stringify(doc));
      return true;
    };
    await rejectsWith(
      source({}, `team/app@${image.manifestDigest}`).resolve(),
      'DIGEST_MISMATCH',
      image.manifestDigest,
    );
  });

  test('by tag, a manifest contradicting Docker-Content-Digest is DIGEST_MISMATCH', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isManifest(req)) return false;
      const up = await upstream();
      res.writeHead(200, { ...up.headers, 'content-length': String(up.body.length + 1) });
      res.end(Buffer.concat([up.body, Buffer.from(' ')]));
      return true;
    };
    await rejectsWith(source().resolve(), 'DIGEST_MISMATCH', 'registry says digest');
  });

  test('a layer longer than declared fails with SIZE_MISMATCH', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isBlob(req, layer0.digest)) return false;
      const up = await upstream();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.concat([up.body, Buffer.from('extra')]));
      return true;
    };
    const src = source();
    const r = await src.resolve();
    await rejectsWith(readAll((await src.openLayer(r.layers[0]!)).stream), 'SIZE_MISMATCH', layer0.digest);
  });

  for (const chunked of [false, true]) {
    test(`an oversized manifest is TOO_LARGE (${chunked ? 'chunked' : 'with Content-Length'})`, async () => {
      const huge = Buffer.from(JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(5 * 1024 * 1024) }));
      proxy.intercept = (req, res) => {
        if (!isManifest(req)) return false;
        const headers: Record<string, string> = {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
        };
        if (!chunked) headers['content-length'] = String(huge.length);
        res.writeHead(200, headers);
        if (chunked) for (let i = 0; i < huge.length; i += 65536) res.write(huge.subarray(i, i + 65536));
        res.end(chunked ? undefined : huge);
        return true;
      };
      await rejectsWith(source().resolve(), 'TOO_LARGE', proxy.host, 'manifest');
    });
  }

  test('an oversized config is TOO_LARGE before it is fetched', async () => {
    await rejectsWith(source({ maxConfigBytes: 64 }).resolve(), 'TOO_LARGE', 'config');
    assert.ok(!proxy.seen.some((s) => s.includes(image.configDigest)), 'config not requested');
  });

  test('a redirect loop is an error, found without following it forever', async () => {
    proxy.intercept = (req, res) => {
      if (!isBlob(req, layer0.digest) && !(req.url ?? '').startsWith('/loop/')) return false;
      res.writeHead(302, { location: (req.url ?? '').startsWith('/loop/a') ? '/loop/b' : '/loop/a' });
      res.end();
      return true;
    };
    const src = source();
    const r = await src.resolve();
    await rejectsWith(src.openLayer(r.layers[0]!), 'REGISTRY', 'redirect loop');
    assert.ok(proxy.seen.length < 10, proxy.seen.join(', '));
  });

  test('endless distinct redirects stop at the cap', async () => {
    let n = 0;
    proxy.intercept = (req, res) => {
      if (!isBlob(req, layer0.digest) && !(req.url ?? '').startsWith('/hop')) return false;
      res.writeHead(307, { location: `/hop?n=${++n}` });
      res.end();
      return true;
    };
    const src = source({ maxRedirects: 4 });
    const r = await src.resolve();
    await rejectsWith(src.openLayer(r.layers[0]!), 'REGISTRY', 'more than 4 redirects');
    assert.equal(n, 5);
  });

  test('a redirect to plain HTTP off loopback is refused without connecting', async () => {
    proxy.intercept = (req, res) => {
      if (!isBlob(req, layer0.digest)) return false;
      res.writeHead(302, { location: 'http://storage.example.invalid/blob' });
      res.end();
      return true;
    };
    const src = source();
    const r = await src.resolve();
    await rejectsWith(src.openLayer(r.layers[0]!), 'REGISTRY', 'plain HTTP', 'storage.example.invalid');
  });

  test('a schema 1 manifest is UNSUPPORTED with a clear message', async () => {
    proxy.intercept = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end(
        JSON.stringify({
          schemaVersion: 1,
          name: 'team/app',
          tag: '1.0',
          architecture: 'amd64',
          fsLayers: [],
          history: [],
        }),
      );
      return true;
    };
    await rejectsWith(source().resolve(), 'UNSUPPORTED', 'schema 1', proxy.host);
  });

  test('a transfer that stalls mid-blob is a TIMEOUT, promptly', async () => {
    let stalled: ServerResponse | undefined;
    proxy.intercept = async (req, res, upstream) => {
      if (!isBlob(req, layer1.digest)) return false;
      const up = await upstream();
      res.writeHead(200, up.headers);
      res.write(up.body.subarray(0, 1024));
      stalled = res;
      return true; // and never another byte
    };
    const src = source({ timeouts: { requestMs: 2_000, idleMs: 300 } });
    const r = await src.resolve();
    const started = Date.now();
    try {
      await rejectsWith(
        readAll((await src.openLayer(r.layers[1]!)).stream),
        'TIMEOUT',
        'stalled',
        layer1.digest,
      );
      assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
      assert.ok(stalled, 'the stall happened');
    } finally {
      stalled?.destroy();
    }
  });

  test('a registry that never answers is a TIMEOUT', async () => {
    proxy.intercept = (req) => isManifest(req); // swallow: no response at all
    const started = Date.now();
    await rejectsWith(
      source({ timeouts: { requestMs: 300, idleMs: 300 } }).resolve(),
      'TIMEOUT',
      'no response',
      proxy.host,
    );
    assert.ok(Date.now() - started < 3_000);
  });

  test('a connection cut mid-blob fails the stream with NETWORK', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isBlob(req, layer1.digest)) return false;
      const up = await upstream();
      res.writeHead(200, up.headers);
      res.write(up.body.subarray(0, 1024), () => setTimeout(() => req.socket.destroy(), 20));
      return true;
    };
    const src = source();
    const r = await src.resolve();
    await rejectsWith(readAll((await src.openLayer(r.layers[1]!)).stream), 'NETWORK', layer1.digest);
  });

  test('a connection reset before the response is retried', async () => {
    let resets = 0;
    proxy.intercept = (req) => {
      if (!isManifest(req) || resets > 0) return false;
      resets++;
      req.socket.destroy();
      return true;
    };
    assert.equal((await source().resolve()).digest, image.manifestDigest);
    assert.equal(resets, 1);
  });

  test('429 with Retry-After is waited out and retried', async () => {
    let throttled = 0;
    proxy.intercept = (req, res) => {
      if (!isManifest(req) || throttled > 0) return false;
      throttled++;
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return true;
    };
    const started = Date.now();
    assert.equal((await source().resolve()).digest, image.manifestDigest);
    assert.equal(throttled, 1);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
  });

  test('a Retry-After beyond patience fails at once, saying when to come back', async () => {
    proxy.intercept = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
      return true;
    };
    const started = Date.now();
    await rejectsWith(source().resolve(), 'REGISTRY', 'rate limited', 'retry after 3600 s');
    assert.ok(Date.now() - started < 2_000);
  });

  test('503 forever ends after the bounded retries with REGISTRY', async () => {
    proxy.intercept = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}');
      return true;
    };
    await rejectsWith(source().resolve(), 'REGISTRY', 'HTTP 503', 'after 3 attempts', 'UNAVAILABLE');
    assert.equal(proxy.seen.filter((s) => s.includes('/manifests/')).length, 3);
  });

  test('Docker Hub style rate-limit headers are reported in notes', async () => {
    proxy.intercept = async (req, res, upstream) => {
      if (!isManifest(req)) return false;
      const up = await upstream();
      res.writeHead(up.status, {
        ...up.headers,
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '42;w=21600',
      });
      res.end(up.body);
      return true;
    };
    const r = await source().resolve();
    assert.ok(
      r.notes.includes(`${proxy.host} rate limit: 42 of 100 pulls remaining per 6 h`),
      JSON.stringify(r.notes),
    );
  });

  test('credentials are not sent to a plain-HTTP token realm off loopback', async () => {
    proxy.intercept = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://auth.example.invalid/token",service="x"',
      });
      res.end();
      return true;
    };
    await rejectsWith(source({ username: 'u', password: 'p' }).resolve(), 'AUTH', 'plain-HTTP token realm');
  });

  test('a token server that is down is a REGISTRY error after bounded retries', async () => {
    let tokenCalls = 0;
    proxy.intercept = (req, res) => {
      if ((req.url ?? '').startsWith('/token')) {
        tokenCalls++;
        res.writeHead(503);
        res.end();
        return true;
      }
      if (!isManifest(req)) return false;
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${proxy.url}/token",service="x"` });
      res.end();
      return true;
    };
    await rejectsWith(source().resolve(), 'REGISTRY', 'token from', 'HTTP 503', 'after 3 attempts');
    assert.equal(tokenCalls, 3);
  });

  test('an unknown auth scheme is AUTH naming it', async () => {
    proxy.intercept = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(401, { 'www-authenticate': 'Negotiate' });
      res.end();
      return true;
    };
    await rejectsWith(source().resolve(), 'AUTH', 'negotiate');
  });
});

describe('hostile registry: blob redirected to another host', { timeout: 60_000 }, () => {
  let registry: TestRegistry;
  let proxy: Proxy;
  let storage: Server;
  const storageSaw: Array<string | undefined> = [];

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await push(registry.url, 'team/app', '1.0', image, registry.pushAuth('team/app'));
    proxy = await startProxy(registry);
    const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
    // Plays the CDN: serves the blob it is asked for, and notes any Authorization it was sent.
    storage = await listen((req, res) => {
      storageSaw.push(req.headers.authorization);
      const digest = (req.url ?? '').replace('/blob/', '');
      void fetch(`${registry.url}/v2/team/app/blobs/${digest}`, {
        headers: { authorization: basic },
        signal: AbortSignal.timeout(10_000),
      })
        .then(async (up) => {
          res.writeHead(up.status);
          res.end(Buffer.from(await up.arrayBuffer()));
        })
        .catch(() => res.destroy());
    }, 'localhost');
  });
  after(async () => {
    if (storage) await close(storage);
    await proxy?.stop();
    await registry?.stop();
  });

  test('the Authorization header stays with the registry', async () => {
    const storagePort = (storage.address() as AddressInfo).port;
    proxy.intercept = (req, res) => {
      if (!(req.url ?? '').includes('/blobs/') || !req.headers.authorization) return false;
      const digest = (req.url ?? '').split('/blobs/')[1];
      res.writeHead(307, { location: `http://localhost:${storagePort}/blob/${digest}` });
      res.end();
      return true;
    };
    const src = new RegistrySource({
      reference: `${proxy.host}/team/app:1.0`,
      username: registry.username,
      password: registry.password,
      env: {},
    });
    const r = await src.resolve();
    for (const l of r.layers)
      assert.ok((await readAll((await src.openLayer(l)).stream)).equals(image.layers[l.index]!.blob));
    // config + 2 layers went through storage, and none of them carried the credentials.
    assert.equal(storageSaw.length, 3);
    assert.deepEqual(storageSaw, [undefined, undefined, undefined]);
  });
});
