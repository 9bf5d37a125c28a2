import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ShipshapeError } from '../src/errors.js';
import { parseReference, registryApiHost } from '../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

function parts(s: string): {
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
} {
  const r = parseReference(s);
  return { registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest };
}

function assertBad(input: string, why?: RegExp): void {
  assert.throws(
    () => parseReference(input),
    (e: unknown) => {
      assert.ok(e instanceof ShipshapeError, `expected ShipshapeError for ${JSON.stringify(input)}`);
      assert.equal(e.code, 'BAD_REFERENCE');
      assert.ok(e.message.includes(input.slice(0, 50)), `message names the input: ${e.message}`);
      if (why) assert.match(e.message, why);
      return true;
    },
  );
}

describe('parseReference: normalisation', () => {
  const cases: Array<[string, string, string, string | null, string | null]> = [
    ['nginx', 'docker.io', 'library/nginx', 'latest', null],
    ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', null],
    ['user/app', 'docker.io', 'user/app', 'latest', null],
    ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest', null],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', null],
    ['registry-1.docker.io/user/app', 'docker.io', 'user/app', 'latest', null],
    [`nginx@${D}`, 'docker.io', 'library/nginx', null, D],
    [`nginx:1.25@${D}`, 'docker.io', 'library/nginx', '1.25', D],
    ['localhost/x', 'localhost', 'x', 'latest', null],
    ['localhost', 'docker.io', 'library/localhost', 'latest', null],
    ['localhost:5000/x', 'localhost:5000', 'x', 'latest', null],
    ['localhost:5000/x:tag', 'localhost:5000', 'x', 'tag', null],
    ['[::1]:5000/x', '[::1]:5000', 'x', 'latest', null],
    ['[::1]/x:2', '[::1]', 'x', '2', null],
    ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000', 'team/app', '1.0', null],
    ['ghcr.io/a/b/c:v1.2.3-rc_1', 'ghcr.io', 'a/b/c', 'v1.2.3-rc_1', null],
    ['quay.io/a__b/c-d.e:TAG', 'quay.io', 'a__b/c-d.e', 'TAG', null],
    [`example.com:443/a@${D}`, 'example.com:443', 'a', null, D],
    ['Registry/app', 'Registry', 'app', 'latest', null],
  ];
  for (const [input, registry, repository, tag, digest] of cases) {
    test(input, () => {
      assert.deepEqual(parts(input), { registry, repository, tag, digest });
    });
  }

  test('toString is the full normalised form', () => {
    assert.equal(parseReference('nginx').toString(), 'docker.io/library/nginx:latest');
    assert.equal(parseReference(`nginx@${D}`).toString(), `docker.io/library/nginx@${D}`);
    assert.equal(parseReference(`a/b:1@${D}`).toString(), `docker.io/a/b:1@${D}`);
    assert.equal(parseReference('[::1]:5000/x').toString(), '[::1]:5000/x:latest');
  });

  test('registryApiHost maps Docker Hub to its API host only', () => {
    assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryApiHost('ghcr.io'), 'ghcr.io');
    assert.equal(registryApiHost('127.0.0.1:5000'), '127.0.0.1:5000');
  });
});

describe('parseReference: rejects', () => {
  test('upper-case repository', () => assertBad('docker.io/User/app', /lower-case/));
  test('upper-case single name', () => assertBad('Nginx', /lower-case/));
  test('empty tag', () => assertBad('alpine:', /empty tag/));
  test('empty', () => assertBad(''));
  test('name over 255 characters', () => assertBad(`a/${'b'.repeat(254)}`, /255/));
  test('name with registry over 255 characters', () => assertBad(`example.com/${'b'.repeat(250)}`, /255/));
  test('short digest', () => assertBad('nginx@sha256:abc', /digest/));
  test('upper-case digest', () => assertBad(`nginx@sha256:${'A'.repeat(64)}`, /digest/));
  test('unknown digest algorithm', () => assertBad(`nginx@md5:${'a'.repeat(32)}`, /digest/));
  test('empty digest', () => assertBad('nginx@', /digest/));
  test('tag too long', () => assertBad(`nginx:${'t'.repeat(129)}`, /tag/));
  test('tag starting with a dot', () => assertBad('nginx:.x', /tag/));
  test('double slash', () => assertBad('a//b'));
  test('trailing slash', () => assertBad('a/b/'));
  test('bad separator', () => assertBad('a/b--'));
  test('whitespace', () => assertBad('nginx :1'));
  test('bad port', () => assertBad('host:99999/a'));
  test('bracket without address', () => assertBad('[zz]:5000/a'));
  test('only a registry', () => assertBad('example.com/'));
});

describe('parseReference: properties', () => {
  test('throws nothing but BAD_REFERENCE on arbitrary input', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[a-zA-Z0-9:@/._\-[\]]{0,80}$/),
      fc.string({ unit: 'binary', maxLength: 100 }),
    );
    fc.assert(
      fc.property(input, (s) => {
        try {
          parseReference(s);
        } catch (e) {
          assert.ok(e instanceof ShipshapeError && e.code === 'BAD_REFERENCE', `threw ${String(e)}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  const component = fc
    .stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/)
    .filter((c) => c.length <= 30);
  const domainLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const registry = fc.oneof(
    fc.constant('docker.io'),
    fc.constant('localhost'),
    fc.integer({ min: 1, max: 65535 }).map((p) => `localhost:${p}`),
    fc.integer({ min: 1, max: 65535 }).map((p) => `127.0.0.1:${p}`),
    fc.integer({ min: 1, max: 65535 }).map((p) => `[::1]:${p}`),
    fc.tuple(domainLabel, domainLabel).map(([a, b]) => `${a}.${b}`),
  );
  const tag = fc.option(fc.stringMatching(/^[\w][\w.-]{0,127}$/), { nil: null });
  const digest = fc.option(
    fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
    { nil: null },
  );

  test('toString parses back to the same reference', () => {
    fc.assert(
      fc.property(
        registry,
        fc.array(component, { minLength: 1, maxLength: 4 }),
        tag,
        digest,
        (reg, path, t, d) => {
          let s = `${reg}/${path.join('/')}`;
          if (s.length > 255) return;
          if (t !== null) s += `:${t}`;
          if (d !== null) s += `@${d}`;
          const first = parseReference(s);
          const again = parseReference(first.toString());
          assert.equal(again.toString(), first.toString());
          assert.deepEqual(
            [again.registry, again.repository, again.tag, again.digest],
            [first.registry, first.repository, first.tag, first.digest],
          );
          assert.equal(first.digest, d);
          if (t !== null) assert.equal(first.tag, t);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('parsing is idempotent on whatever parses', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9:@/._\-[\]]{1,60}$/), (s) => {
        let r;
        try {
          r = parseReference(s);
        } catch {
          return;
        }
        assert.equal(parseReference(r.toString()).toString(), r.toString());
      }),
      { numRuns: 3000 },
    );
  });
});
