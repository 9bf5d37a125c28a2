import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildImage } from './fixtures/builder.js';
import { writeDockerArchive, writeOciLayout } from './fixtures/layouts.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

function envFor(dir: string): NodeJS.ProcessEnv {
  return { HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), SHIPSHAPE_DB: join(dir, 'cache', 'db.sqlite') };
}

const image = () =>
  buildImage({
    layers: [
      {
        files: [
          {
            path: 'etc/os-release',
            content: 'ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
          },
        ],
        createdBy: 'ADD alpine-minirootfs.tar.gz /',
      },
      {
        files: [{ path: 'app/main', content: 'x', mode: 0o755 }],
        createdBy: 'COPY main /app/main',
        compression: 'zstd',
      },
    ],
    config: {
      User: 'app',
      Entrypoint: ['/app/main'],
      Cmd: ['--serve'],
      Env: ['A=1'],
      ExposedPorts: { '8080/tcp': {} },
      Labels: { team: 'x' },
    },
  });

test('cli: inspect --format json gives target and layers as in the contract', async () => {
  const dir = tempDir();
  const img = image();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'v1', image: img }]);
  const target = `oci:${join(dir, 'oci')}:v1`;
  const r = await runCli(['inspect', '--format', 'json', target], envFor(dir));
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.tool.name, 'shipshape');
  assert.deepEqual(j.target, {
    input: target,
    ref: null,
    digest: img.manifestDigest,
    platform: 'linux/amd64',
    os: { family: 'alpine', version: '3.20.3', name: 'Alpine Linux v3.20' },
  });
  assert.deepEqual(
    j.layers.map((l: Record<string, unknown>) => [l.index, l.digest, l.diffId, l.size, l.createdBy]),
    img.layers.map((l, i) => [
      i,
      l.digest,
      l.diffId,
      l.size,
      i === 0 ? 'ADD alpine-minirootfs.tar.gz /' : 'COPY main /app/main',
    ]),
  );
  assert.deepEqual(j.config.entrypoint, ['/app/main']);
  assert.deepEqual(j.config.exposedPorts, ['8080/tcp']);
  assert.equal(j.config.user, 'app');
  const table = await runCli(['inspect', target], envFor(dir));
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Entrypoint \["\/app\/main"\]/);
  assert.match(table.stdout, /COPY main \/app\/main/);
  assert.match(table.stdout, /2\/2 layers from cache/, 'the json run filled the cache');
});

test('cli: bad input exits 2 with one line naming the target and the cause', async () => {
  const dir = tempDir();
  const cases: [string[], RegExp][] = [
    [['inspect', `oci:${join(dir, 'none')}`], /oci:.*none.*not found/],
    [['inspect', join(dir, 'missing.tar')], /missing\.tar.*(not found|cannot open)/],
    [['inspect', 'UPPER/Case:tag'], /UPPER\/Case:tag/],
    [['inspect', '--platform', 'linux', 'x.tar'], /bad platform/],
    [['inspect', '--format', 'yaml', 'x.tar'], /yaml/],
    [['no-such-command'], /unknown command/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args, envFor(dir));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('cli: a hostile layer is refused (exit 2) and nothing is written outside the temp dir', async () => {
  const dir = tempDir();
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  const hostile = buildImage({
    layers: [
      {
        files: [
          { path: 'escape', type: 'symlink', target: `../../../../../../..${outside}` },
          { path: 'escape/pwned', content: 'gotcha' },
        ],
      },
    ],
  });
  const file = await writeDockerArchive(join(dir, 'hostile.tar'), hostile, ['evil:1']);
  const r = await runCli(['inspect', file], envFor(dir));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /hostile\.tar.*escape\/pwned/);
  assert.deepEqual(readdirSync(outside), []);
});

test('cli: a docker-archive with symlinked layers inspects; --help and --version exit 0', async () => {
  const dir = tempDir();
  const file = await writeDockerArchive(join(dir, 'img.tar'), image(), ['team/app:1.0'], {
    layerSymlinks: true,
  });
  const r = await runCli(['inspect', '--no-cache', '--format', 'json', file], envFor(dir));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).target.ref, 'team/app:1.0');
  assert.equal(existsSync(join(dir, 'cache', 'db.sqlite')), false, '--no-cache writes no database');
  assert.equal((await runCli(['--help'], envFor(dir))).code, 0);
  assert.equal((await runCli(['--version'], envFor(dir))).code, 0);
});

test('cli: demo builds its images offline and inspects each, the second pass from cache', async () => {
  const dir = tempDir();
  const r = await runCli(['demo', '--dir', join(dir, 'demo')], envFor(dir));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /linux\/amd64, linux\/arm64\/v8/);
  assert.match(r.stdout, /Debian GNU\/Linux 12/);
  assert.match(r.stdout, /removed or replaced by a later layer/);
  assert.match(r.stdout, /\(4 of 4 layers from cache\)/);
  assert.match(r.stdout, /MAL-DEMO-flatmap-stream/);
  assert.match(r.stdout, /CVE-2019-10744/);
  assert.match(r.stdout, /Verdict: FAIL/);
  assert.match(r.stdout, /refused \(exit code 2\): .*written through symlink/);
});
