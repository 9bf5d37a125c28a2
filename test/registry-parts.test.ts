/** Unit tests of the registry client's parts that need no server. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { ShipshapeError } from '../src/errors.js';
import { parseWwwAuthenticate } from '../src/image/registry/challenge.js';
import {
  credentialsFromDockerConfig,
  registryFromAuthKey,
  resolveCredentials,
} from '../src/image/registry/credentials.js';
import { allowsPlainHttp, isLoopbackHost, registryBaseUrl } from '../src/image/registry/endpoint.js';
import { canonicalPlatform, chooseManifest, platformEntries } from '../src/image/registry/platform-select.js';
import { describeRateLimit, parseRateLimit } from '../src/image/registry/ratelimit.js';
import {
  DEFAULT_RETRY,
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfter,
} from '../src/image/registry/retry.js';
import type { Descriptor } from '../src/image/types.js';

describe('WWW-Authenticate', () => {
  test('Bearer with realm, service and scope', () => {
    const [c, ...rest] = parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    });
  });

  test('Basic, case-insensitive, with spaces', () => {
    assert.deepEqual(parseWwwAuthenticate('basic  Realm = "my realm"'), [
      { scheme: 'basic', params: { realm: 'my realm' } },
    ]);
  });

  test('several challenges in one header', () => {
    const got = parseWwwAuthenticate('Basic realm="r", Bearer realm="http://t/token", service=s, Negotiate');
    assert.deepEqual(
      got.map((c) => c.scheme),
      ['basic', 'bearer', 'negotiate'],
    );
    assert.equal(got[1]?.params.service, 's');
  });

  test('quoted escapes and commas inside quotes', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="a\\"b,c",error="insufficient_scope"');
    assert.equal(c?.params.realm, 'a"b,c');
    assert.equal(c?.params.error, 'insufficient_scope');
  });

  test('token68 credentials are skipped', () => {
    const got = parseWwwAuthenticate('Negotiate abc==, Basic realm="x"');
    assert.deepEqual(
      got.map((c) => c.scheme),
      ['negotiate', 'basic'],
    );
    assert.equal(got[1]?.params.realm, 'x');
  });

  test('empty and missing headers give no challenges', () => {
    assert.deepEqual(parseWwwAuthenticate(null), []);
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.deepEqual(parseWwwAuthenticate(' , ,'), []);
  });

  test('never throws, always returns well-formed challenges', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.constantFrom('Bearer', 'Basic', ' ', ',', '=', '"', '\\', 'realm', 'x', '==', '\t'), {
          maxLength: 40,
        })
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(header, (h) => {
        const got = parseWwwAuthenticate(h);
        for (const c of got) {
          assert.equal(typeof c.scheme, 'string');
          assert.ok(c.scheme.length > 0);
          for (const [k, v] of Object.entries(c.params)) {
            assert.equal(typeof k, 'string');
            assert.equal(typeof v, 'string');
          }
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('retry timing', () => {
  test('Retry-After in seconds and as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  test('backoff grows, is capped, and is jittered within [ceiling/2, ceiling]', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelayMs(1, policy, () => 0),
      50,
    );
    assert.equal(
      backoffDelayMs(1, policy, () => 1),
      100,
    );
    assert.equal(
      backoffDelayMs(3, policy, () => 1),
      400,
    );
    assert.equal(
      backoffDelayMs(10, policy, () => 1),
      1000,
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelayMs(n, policy, () => r);
        assert.ok(d >= 50 && d <= 1000);
      }),
    );
  });

  test('retryable statuses', () => {
    for (const s of [429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s));
    for (const s of [200, 400, 401, 403, 404, 501]) assert.ok(!isRetryableStatus(s));
  });
});

describe('credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-creds-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
        'http://127.0.0.1:5000/v2/': { username: 'u', password: 'p' },
        'ghcr.io': { auth: '' },
      },
    }),
  );

  test('Docker Hub key https://index.docker.io/v1/ serves docker.io, password may hold colons', () => {
    const c = credentialsFromDockerConfig('docker.io', join(dir, 'config.json'));
    assert.equal(c?.username, 'hubuser');
    assert.equal(c?.password, 'hub:pass');
  });

  test('username/password fields and URL keys', () => {
    const c = credentialsFromDockerConfig('127.0.0.1:5000', join(dir, 'config.json'));
    assert.deepEqual([c?.username, c?.password], ['u', 'p']);
    assert.equal(credentialsFromDockerConfig('ghcr.io', join(dir, 'config.json')), undefined);
    assert.equal(credentialsFromDockerConfig('127.0.0.1:5001', join(dir, 'config.json')), undefined);
  });

  test('DOCKER_CONFIG is honoured, and flags and env come first', () => {
    assert.equal(resolveCredentials('docker.io', { env: { DOCKER_CONFIG: dir } })?.username, 'hubuser');
    assert.equal(
      resolveCredentials('docker.io', {
        env: { DOCKER_CONFIG: dir, SHIPSHAPE_USERNAME: 'e', SHIPSHAPE_PASSWORD: 'x' },
      })?.username,
      'e',
    );
    assert.equal(
      resolveCredentials('docker.io', {
        username: 'f',
        password: 'y',
        env: { DOCKER_CONFIG: dir, SHIPSHAPE_USERNAME: 'e', SHIPSHAPE_PASSWORD: 'x' },
      })?.username,
      'f',
    );
    assert.equal(resolveCredentials('docker.io', { env: { DOCKER_CONFIG: join(dir, 'absent') } }), undefined);
  });

  test('a username without a password is a usage error', () => {
    assert.throws(() => resolveCredentials('docker.io', { username: 'f', env: {} }), {
      code: 'BAD_ARGUMENT',
    });
  });

  test('a broken config.json names the file', () => {
    const broken = mkdtempSync(join(dir, 'broken-'));
    writeFileSync(join(broken, 'config.json'), '{nope');
    assert.throws(
      () => resolveCredentials('docker.io', { env: { DOCKER_CONFIG: broken } }),
      (e: unknown) => e instanceof ShipshapeError && e.code === 'MALFORMED' && e.message.includes(broken),
    );
  });

  test('auth keys reduce to registry names', () => {
    assert.equal(registryFromAuthKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryFromAuthKey('registry-1.docker.io'), 'docker.io');
    assert.equal(registryFromAuthKey('https://ghcr.io'), 'ghcr.io');
    assert.equal(registryFromAuthKey('localhost:5000/'), 'localhost:5000');
  });
});

describe('endpoints', () => {
  test('loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'foo.localhost'])
      assert.ok(isLoopbackHost(h), h);
    for (const h of ['10.0.0.1', 'example.com', '128.0.0.1', '::2', 'localhost.example.com'])
      assert.ok(!isLoopbackHost(h), h);
  });

  test('plain HTTP only for loopback and listed insecure registries', () => {
    assert.equal(registryBaseUrl('127.0.0.1:5000', []).href, 'http://127.0.0.1:5000/v2/');
    assert.equal(registryBaseUrl('[::1]:5000', []).href, 'http://[::1]:5000/v2/');
    assert.equal(registryBaseUrl('docker.io', []).href, 'https://registry-1.docker.io/v2/');
    assert.equal(registryBaseUrl('reg.lan:5000', []).href, 'https://reg.lan:5000/v2/');
    assert.equal(registryBaseUrl('reg.lan:5000', ['reg.lan:5000']).href, 'http://reg.lan:5000/v2/');
    assert.equal(registryBaseUrl('reg.lan:5000', ['reg.lan']).href, 'http://reg.lan:5000/v2/');
    assert.ok(!allowsPlainHttp('reg.lan:5000', ['reg.lan:5001']));
  });
});

describe('rate limit headers', () => {
  test('Docker Hub style', () => {
    const h = new Headers({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' });
    const r = parseRateLimit(h);
    assert.deepEqual(r, { limit: 100, remaining: 76, windowSeconds: 21600 });
    assert.equal(
      describeRateLimit('docker.io', r!),
      'docker.io rate limit: 76 of 100 pulls remaining per 6 h',
    );
  });

  test('absent or garbled', () => {
    assert.equal(parseRateLimit(new Headers()), undefined);
    assert.equal(
      parseRateLimit(new Headers({ 'ratelimit-limit': 'x', 'ratelimit-remaining': '1' })),
      undefined,
    );
  });
});

describe('platform selection', () => {
  const d = (
    n: number,
    platform?: Descriptor['platform'],
    annotations?: Record<string, string>,
  ): Descriptor => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: n,
    ...(platform ? { platform } : {}),
    ...(annotations ? { annotations } : {}),
  });
  const index = [
    d(1, { os: 'linux', architecture: 'amd64' }),
    d(2, { os: 'linux', architecture: 'amd64', variant: 'v3' }),
    d(3, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    d(4, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    d(5, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    d(6, { os: 'linux', architecture: 's390x' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
  ];

  test('exact and default variants', () => {
    assert.equal(chooseManifest(index, 'linux/amd64', 'img').size, 1);
    assert.equal(chooseManifest(index, 'linux/amd64/v3', 'img').size, 2);
    assert.equal(chooseManifest(index, 'linux/arm64', 'img').size, 3);
    assert.equal(chooseManifest(index, 'linux/arm64/v8', 'img').size, 3);
  });

  test('a lower compatible variant is taken when the asked one is missing', () => {
    assert.equal(chooseManifest(index, 'linux/amd64/v2', 'img').size, 1);
    assert.equal(chooseManifest(index, 'linux/amd64/v4', 'img').size, 2);
    assert.equal(chooseManifest(index, 'linux/arm/v7', 'img').size, 4);
  });

  test('attestations are never chosen, and a miss lists what is offered', () => {
    assert.throws(
      () => chooseManifest(index, 'linux/s390x', 'img'),
      (e: unknown) =>
        e instanceof ShipshapeError &&
        e.code === 'NOT_FOUND' &&
        e.message.includes('linux/arm64/v8') &&
        !e.message.includes('unknown'),
    );
    assert.throws(() => chooseManifest(index, 'linux/arm/v5', 'img'), { code: 'NOT_FOUND' });
    assert.deepEqual(
      platformEntries(index).map((p) => p.platform),
      ['linux/amd64', 'linux/amd64/v3', 'linux/arm64/v8', 'linux/arm/v6'],
    );
  });

  test('architecture aliases', () => {
    assert.equal(canonicalPlatform('linux/x86_64'), 'linux/amd64');
    assert.equal(canonicalPlatform('linux/aarch64'), 'linux/arm64');
    assert.equal(canonicalPlatform('Linux/armhf'), 'linux/arm/v7');
    assert.equal(canonicalPlatform('linux/arm64/v8'), 'linux/arm64/v8');
  });
});
