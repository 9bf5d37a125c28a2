/**
 * npm catalogers. Ground truth: one app installed for real from the npm registry by npm (lockfile
 * v3 and v1), yarn classic, yarn berry and pnpm 7/8/9 (lockfile 5.4, 6.0, 9.0), packed into an
 * image; the installed list must equal what `npm ls` / `pnpm ls` report for each node_modules,
 * and each lockfile's list what its package manager installed. The installs are cached outside
 * the repo between runs. Set SHIPSHAPE_SKIP_NPM=1 on a machine without the npm registry.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { npmCatalogers } from '../src/analyze/packages/npm/index.js';
import { installedPackageDir } from '../src/analyze/packages/npm/installed-path.js';
import { npmInstalledAnalyzer } from '../src/analyze/packages/npm/installed.js';
import { isAppLockfile, npmLockfileAnalyzer } from '../src/analyze/packages/npm/lockfile.js';
import { parseBlockYaml, UnsupportedYaml } from '../src/analyze/packages/npm/block-yaml.js';
import { parsePnpmKey } from '../src/analyze/packages/npm/pnpm-lock.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage, type FileSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { fuzzAnalyzer, runAnalyzer } from './support/catalog-harness.js';
import { TEST_CACHE } from './support/debian-rootfs.js';
import { dirLayerFiles } from './support/dir-layer.js';
import { tempDir } from './support/tmp.js';

const run = promisify(execFile);
const skipNetwork = process.env.SHIPSHAPE_SKIP_NPM === '1';

// ---------------------------------------------------------------------------------------------
// Real installs

const APP_PACKAGE_JSON = {
  name: 'fixture-app',
  version: '1.0.0',
  private: true,
  // express@4 nests debug@2 and ms@2 under several packages (debug@4 is at the top); @babel
  // brings scoped packages; the alias installs string-width under another name.
  dependencies: {
    express: '^4.21.0',
    '@babel/code-frame': '^7.24.0',
    lodash: '^4.17.21',
    chalk: '^4.1.2',
    debug: '^4.3.0',
    'string-width-cjs': 'npm:string-width@^4.2.0',
  },
  devDependencies: { 'is-odd': '^3.0.1' },
};

interface AppInstall {
  /** Directory under the cache and in the image (`srv/<name>`). */
  name: string;
  lockfile: string;
  files?: Record<string, string>;
  command: string[];
  /** The command that lists what is in node_modules: `path:name@version` lines. */
  list: string[];
}

const NPM_LS = ['npm', 'ls', '--all', '--parseable', '--long'];
const NPM_QUIET = ['--ignore-scripts', '--no-audit', '--no-fund'];
const APPS: AppInstall[] = [
  { name: 'npm', lockfile: 'package-lock.json', command: ['npm', 'install', ...NPM_QUIET], list: NPM_LS },
  {
    name: 'npm-v1',
    lockfile: 'package-lock.json',
    command: ['npm', 'install', '--lockfile-version=1', ...NPM_QUIET],
    list: NPM_LS,
  },
  {
    name: 'yarn1',
    lockfile: 'yarn.lock',
    command: ['npx', '--yes', 'yarn@1', 'install', '--non-interactive', '--ignore-scripts'],
    list: NPM_LS,
  },
  {
    name: 'berry',
    lockfile: 'yarn.lock',
    // An empty yarn.lock makes the directory its own project; node-modules linker, not PnP.
    files: { 'yarn.lock': '', '.yarnrc.yml': 'nodeLinker: node-modules\nenableTelemetry: false\n' },
    command: ['npx', '--yes', '@yarnpkg/cli-dist@4', 'install', '--mode=skip-build'],
    list: NPM_LS,
  },
  ...[7, 8, 9].map((v) => ({
    name: `pnpm${v}`,
    lockfile: 'pnpm-lock.yaml',
    command: ['npx', '--yes', `pnpm@${v}`, 'install', '--ignore-scripts'],
    list: ['npx', '--yes', `pnpm@${v}`, 'ls', '--depth', 'Infinity', '--parseable', '--long'],
  })),
];

const APPS_DIR = join(TEST_CACHE, 'npm-apps-v1');

/** Installs every app (once; cached) and records each package manager's own listing. */
async function fixtureApps(): Promise<string> {
  if (existsSync(join(APPS_DIR, 'done'))) return APPS_DIR;
  const tmp = `${APPS_DIR}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const env = {
    ...process.env,
    YARN_ENABLE_SCRIPTS: '0',
    YARN_ENABLE_TELEMETRY: '0',
    npm_config_ignore_scripts: 'true',
  };
  for (const app of APPS) {
    const dir = join(tmp, app.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify(APP_PACKAGE_JSON, null, 2));
    for (const [f, text] of Object.entries(app.files ?? {})) await writeFile(join(dir, f), text);
    const [cmd, ...args] = app.command;
    await run(cmd!, args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    // `npm ls` exits 1 on extraneous packages (yarn's trees); its listing is still complete.
    const [lcmd, ...largs] = app.list;
    const listed = await run(lcmd!, largs, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    // Locations relative to the app: the directory is renamed into place below.
    await writeFile(join(dir, 'listed.txt'), listed.stdout.split(`${dir}/`).join(''));
  }
  await writeFile(join(tmp, 'done'), '');
  await rm(APPS_DIR, { recursive: true, force: true });
  await rename(tmp, APPS_DIR);
  return APPS_DIR;
}

/** `npm ls`/`pnpm ls` lines (`location:name@version`) → location → `name@version`. */
function listedPackages(listing: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of listing.split('\n')) {
    if (!line.startsWith('node_modules/')) continue; // the app itself (absolute), warnings
    const colon = line.indexOf(':');
    // `npm ls` writes an alias as `alias@npm:real@1.2.3`.
    const spec = line.slice(colon + 1).replace(/:PRIVATE$/, '');
    const real = /^(?:@[^/]+\/)?[^@]+@npm:(.+)$/.exec(spec)?.[1] ?? spec;
    out.set(line.slice(0, colon), real);
  }
  return out;
}

function id(p: PackageFact): string {
  return `${p.name}@${p.version}`;
}

function sorted<T>(xs: Iterable<T>): T[] {
  return [...xs].sort();
}

test(
  'npm: real installs by npm, yarn and pnpm; installed and lockfile lists equal the tools own',
  { skip: skipNetwork, timeout: 600_000 },
  async (t) => {
    const apps = await fixtureApps();
    const files: FileSpec[] = [];
    for (const app of APPS) {
      const everything = app.name === 'npm';
      files.push(
        ...dirLayerFiles(join(apps, app.name), {
          prefix: `srv/${app.name}`,
          // The npm app goes in whole (with every non-package file a real tree has); the others
          // only as their package.json files, lockfiles and links, to keep the test quick.
          skip: (rel) => rel === '.yarn' || rel === 'listed.txt',
          keepFile: (rel) =>
            everything || /(^|\/)(package\.json|yarn\.lock|pnpm-lock\.yaml|package-lock\.json)$/.test(rel),
        }),
      );
    }
    const dir = tempDir();
    await writeOciLayout(join(dir, 'oci'), [
      { ref: 'x', image: buildImage({ layers: [{ files, createdBy: 'COPY srv /srv' }] }) },
    ]);
    const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
      analyzers: npmCatalogers,
      cache: null,
    });
    const layer = r.facts.layers[0]!;
    assert.deepEqual(layer.warnings, []);
    const installed = layer.facts['npm-installed'] as PackageFact[];
    const locked = layer.facts['npm-lockfile'] as PackageFact[];

    const counts: Record<string, number[]> = {};
    for (const app of APPS) {
      const appDir = join(apps, app.name);
      const prefix = `srv/${app.name}/`;
      // Installed: location → name@version, exactly as the package manager lists its tree.
      const expected = listedPackages(readFileSync(join(appDir, 'listed.txt'), 'utf8'));
      const mine = installed.filter((p) => p.path.startsWith(prefix));
      const got = new Map(mine.map((p) => [p.path.slice(prefix.length, -'/package.json'.length), id(p)]));
      assert.ok(expected.size > 80, `${app.name}: ${expected.size} listed`);
      assert.deepEqual(sorted(got), sorted(expected), app.name);
      assert.ok(mine.every((p) => p.metadata?.source === 'installed'));
      // Lockfile: the set of packages the package manager installed.
      const fromLock = locked.filter((p) => p.path === `${prefix}${app.lockfile}`);
      assert.ok(fromLock.every((p) => p.metadata?.source === 'lockfile'));
      assert.deepEqual(
        sorted(new Set(fromLock.map(id))),
        sorted(new Set(expected.values())),
        `${app.name} lockfile`,
      );
      counts[app.name] = [expected.size, mine.length, fromLock.length];
      // Development-only packages: the devDependency and its dependency, where the format says so.
      if (!app.name.startsWith('yarn') && app.name !== 'berry') {
        const dev = sorted(fromLock.filter((p) => p.metadata?.dev === true).map((p) => p.name));
        assert.deepEqual(dev, ['is-number', 'is-odd'], `${app.name} dev`);
      }
    }
    // npm lockfiles keep install locations: they must match node_modules one to one.
    for (const name of ['npm', 'npm-v1']) {
      const prefix = `srv/${name}/`;
      const byLocation = new Map(
        locked
          .filter((p) => p.path === `${prefix}package-lock.json`)
          .map((p) => [p.metadata?.location, id(p)]),
      );
      const tree = new Map(
        installed
          .filter((p) => p.path.startsWith(prefix))
          .map((p) => [p.path.slice(prefix.length, -'/package.json'.length), id(p)]),
      );
      assert.deepEqual(sorted(byLocation), sorted(tree), `${name} locations`);
    }
    // The lockfile as npm wrote it, read independently: every `packages` entry but the app.
    const lock = JSON.parse(readFileSync(join(apps, 'npm', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { name?: string; version: string; link?: boolean }>;
    };
    const entries = Object.entries(lock.packages).filter(([k, v]) => k !== '' && !v.link);
    const v3 = locked.filter((p) => p.path === 'srv/npm/package-lock.json');
    assert.deepEqual(
      sorted(v3.map((p) => `${String(p.metadata?.location)} ${id(p)}`)),
      sorted(
        entries.map(
          ([k, v]) => `${k} ${v.name ?? k.slice(k.lastIndexOf('node_modules/') + 13)}@${v.version}`,
        ),
      ),
    );
    const alias = installed.find((p) => p.path === 'srv/npm/node_modules/string-width-cjs/package.json');
    assert.deepEqual([alias?.name, alias?.metadata?.alias], ['string-width', 'string-width-cjs']);
    assert.ok(installed.some((p) => p.name === '@babel/code-frame' && p.licenses?.includes('MIT')));
    t.diagnostic(`npm ground truth [listed, installed, lockfile]: ${JSON.stringify(counts)}`);
  },
);

// ---------------------------------------------------------------------------------------------
// Which package.json files are installed packages

test('npm: installed package.json positions, nested and scoped; fixtures inside packages are not', () => {
  const cases: [string, string | undefined][] = [
    ['app/node_modules/express/package.json', 'express'],
    ['node_modules/@babel/code-frame/package.json', '@babel/code-frame'],
    ['app/node_modules/send/node_modules/debug/node_modules/ms/package.json', 'ms'],
    ['app/node_modules/@a/b/node_modules/@c/d/package.json', '@c/d'],
    ['usr/local/lib/node_modules/npm/node_modules/semver/package.json', 'semver'],
    [
      'app/node_modules/.pnpm/@babel+code-frame@7.0.0/node_modules/@babel/code-frame/package.json',
      '@babel/code-frame',
    ],
    ['app/node_modules/.pnpm/a@1.0.0_b@2.0.0/node_modules/a/package.json', 'a'],
    ['app/node_modules/resolve/test/resolver/node_modules/x/package.json', undefined],
    ['app/node_modules/x/esm/package.json', undefined],
    ['app/node_modules/x/node_modules/package.json', undefined],
    ['app/node_modules/.bin/package.json', undefined],
    ['app/node_modules/@scope/package.json', undefined],
    ['app/node_modules/.package-lock.json', undefined],
    ['app/package.json', undefined],
    ['node_modules/package.json', undefined],
    ['app/node_modules/.pnpm/node_modules/x/package.json', undefined],
  ];
  for (const [path, dir] of cases) assert.equal(installedPackageDir(path), dir, path);
  assert.equal(isAppLockfile('srv/app/package-lock.json'), true);
  assert.equal(isAppLockfile('package-lock.json'), true);
  assert.equal(isAppLockfile('srv/app/node_modules/x/package-lock.json'), false);
  assert.equal(isAppLockfile('srv/app/node_modules/.package-lock.json'), false);
  assert.equal(isAppLockfile('srv/app/node_modules/.pnpm/lock.yaml'), false);
});

test('npm: package.json licenses in every form npm has written', () => {
  const path = 'node_modules/x/package.json';
  const cases: [unknown, string[] | undefined][] = [
    [{ license: 'MIT' }, ['MIT']],
    [{ license: '(MIT OR Apache-2.0)' }, ['(MIT OR Apache-2.0)']],
    [{ license: { type: 'BSD', url: 'http://x' } }, ['BSD']],
    [{ licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }] }, ['MIT', 'GPL-2.0']],
    [{ licenses: ['ISC'] }, ['ISC']],
    [{ license: 42 }, undefined],
    [{}, undefined],
  ];
  for (const [extra, licenses] of cases) {
    const r = runAnalyzer(
      npmInstalledAnalyzer,
      path,
      JSON.stringify({ name: 'x', version: '1.0.0', ...(extra as object) }),
    );
    assert.deepEqual(r.packages[0]?.licenses, licenses, JSON.stringify(extra));
  }
  const aliased = runAnalyzer(
    npmInstalledAnalyzer,
    'node_modules/y/package.json',
    '{"name":"x","version":"1.0.0"}',
  );
  assert.equal(aliased.packages[0]?.metadata?.alias, 'y');
});

test('npm: a package.json padded past the size limit still names itself by its npm 6 "_id"', () => {
  const path = 'app/node_modules/p4300000/package.json';
  const padded = (head: object) =>
    `${JSON.stringify(head).slice(0, -1)},"readme":"${'A'.repeat(33 * 1024 * 1024)}","name":"flatmap-stream","version":"0.1.1"}`;
  const r = runAnalyzer(
    npmInstalledAnalyzer,
    path,
    padded({ _from: 'flatmap-stream@0.1.1', _id: 'flatmap-stream@0.1.1' }),
  );
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version}`),
    ['flatmap-stream@0.1.1'],
  );
  assert.match(r.warnings.join('\n'), /larger than .* identified by its "_id" only/);
  const scoped = runAnalyzer(npmInstalledAnalyzer, path, padded({ _id: '@scope/pkg@2.0.0-rc.1' }));
  assert.deepEqual(
    scoped.packages.map((p) => `${p.name}@${p.version}`),
    ['@scope/pkg@2.0.0-rc.1'],
  );
  const anonymous = runAnalyzer(npmInstalledAnalyzer, path, padded({ description: 'x' }));
  assert.deepEqual(anonymous.packages, [], 'without an _id, nothing to go by');
  assert.match(anonymous.warnings.join('\n'), /skipped/);
});

// ---------------------------------------------------------------------------------------------
// Lockfile formats, small samples written from their documented forms

const LOCK_V1 = JSON.stringify({
  name: 'app',
  lockfileVersion: 1,
  requires: true,
  dependencies: {
    a: {
      version: '1.0.0',
      resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz',
      integrity: 'sha512-aaaa',
      requires: { b: '^2.0.0' },
      dependencies: { b: { version: '2.0.0', dependencies: { c: { version: '3.0.0' } } } },
    },
    b: { version: '1.0.0', dev: true },
    '@s/d': { version: '4.0.0', optional: true },
    e: { version: 'npm:@s/real@5.0.0' },
    f: { version: 'git+https://github.com/u/f.git#0123456789abcdef', from: 'github:u/f' },
  },
});

test('npm: package-lock v1 nested tree, with locations, dev, optional, aliases and git versions', () => {
  const r = runAnalyzer(npmLockfileAnalyzer, 'srv/package-lock.json', LOCK_V1);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(
    r.packages.map((p) => [
      String(p.metadata?.location),
      id(p),
      p.metadata?.dev ?? false,
      p.metadata?.optional ?? false,
    ]),
    [
      ['node_modules/a', 'a@1.0.0', false, false],
      ['node_modules/a/node_modules/b', 'b@2.0.0', false, false],
      ['node_modules/a/node_modules/b/node_modules/c', 'c@3.0.0', false, false],
      ['node_modules/b', 'b@1.0.0', true, false],
      ['node_modules/@s/d', '@s/d@4.0.0', false, true],
      ['node_modules/e', '@s/real@5.0.0', false, false],
      ['node_modules/f', 'f@git+https://github.com/u/f.git#0123456789abcdef', false, false],
    ],
  );
  assert.equal(r.packages[5]?.metadata?.alias, 'e');
  assert.equal(r.packages[0]?.metadata?.integrity, 'sha512-aaaa');
});

test('npm: package-lock v2/v3 skips the app, workspaces and links', () => {
  const lock = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', version: '1.0.0', workspaces: ['packages/*'] },
      'packages/w': { name: 'w', version: '0.1.0' },
      'node_modules/w': { resolved: 'packages/w', link: true },
      'node_modules/x': { version: '1.0.0', license: 'MIT', dev: true },
      'packages/w/node_modules/y': { version: '2.0.0', devOptional: true },
      'node_modules/z': { name: '@s/z', version: '3.0.0' },
      'node_modules/bad': { version: 7 },
    },
  };
  const r = runAnalyzer(npmLockfileAnalyzer, 'package-lock.json', JSON.stringify(lock));
  assert.deepEqual(
    r.packages.map((p) => [p.metadata?.location, id(p)]),
    [
      ['node_modules/x', 'x@1.0.0'],
      ['packages/w/node_modules/y', 'y@2.0.0'],
      ['node_modules/z', '@s/z@3.0.0'],
    ],
  );
  assert.deepEqual(r.packages[0]?.licenses, ['MIT']);
  assert.equal(r.packages[0]?.metadata?.dev, true);
  assert.equal(r.packages[1]?.metadata?.dev, undefined);
  assert.equal(r.packages[1]?.metadata?.optional, true);
  assert.equal(r.packages[2]?.metadata?.alias, 'z');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /^package-lock\.json: .*node_modules\/bad/);
});

const YARN_V1 = `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

debug@2.6.9, debug@^2.2.0:
  version "2.6.9"
  resolved "https://registry.yarnpkg.com/debug/-/debug-2.6.9.tgz#5d128515df134ff327e90a4c93f4e077a536341f"
  dependencies:
    ms "2.0.0"

debug@^4.1.0:
  version "4.3.4"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"

"left-pad@git+https://github.com/u/left-pad.git#abc":
  version "1.3.0"
  resolved "git+https://github.com/u/left-pad.git#abc"
`;

test('npm: yarn classic lockfile, parsed as its own format', () => {
  const r = runAnalyzer(npmLockfileAnalyzer, 'app/yarn.lock', YARN_V1);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.packages.map(id), [
    '@babel/code-frame@7.12.13',
    'debug@2.6.9',
    'debug@4.3.4',
    'string-width@4.2.3',
    'left-pad@1.3.0',
  ]);
  assert.equal(r.packages[3]?.metadata?.alias, 'string-width-cjs');
  assert.equal(r.packages[0]?.metadata?.lockfile, 'yarn');
  assert.match(String(r.packages[0]?.metadata?.integrity), /^sha512-/);
});

const YARN_BERRY = `# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  languageName: unknown
  linkType: soft

"lib@link:./lib::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "lib@link:./lib::locator=app%40workspace%3A."
  languageName: node
  linkType: soft

"@babel/code-frame@npm:^7.0.0, @babel/code-frame@npm:^7.10.4":
  version: 7.12.13
  resolution: "@babel/code-frame@npm:7.12.13"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"resolve@npm:^1.22.1":
  version: 1.22.10
  resolution: "resolve@npm:1.22.10"
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.1#optional!builtin<compat/resolve>":
  version: 1.22.10
  resolution: "resolve@patch:resolve@npm%3A1.22.10#optional!builtin<compat/resolve>::version=1.22.10&hash=c3c19d"
  languageName: node
  linkType: hard

"semver@npm:1.10":
  version: 1.10
  resolution: "semver@npm:1.10"
  languageName: node
  linkType: hard
`;

test('npm: yarn berry lockfile (YAML): workspaces and links skipped, patches folded, versions as text', () => {
  const r = runAnalyzer(npmLockfileAnalyzer, 'app/yarn.lock', YARN_BERRY);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.packages.map(id), ['@babel/code-frame@7.12.13', 'resolve@1.22.10', 'semver@1.10']);
  assert.equal(r.packages[0]?.metadata?.lockfile, 'yarn-berry');
});

const PNPM_V5 = `lockfileVersion: 5.4

specifiers:
  a: ^1.0.0

dependencies:
  a: 1.0.0_react@17.0.2

devDependencies:
  d: 1.0.0

packages:

  /a/1.0.0_react@17.0.2:
    resolution: {integrity: sha512-aaa}
    peerDependencies:
      react: '*'
    dev: false

  /@s/b/2.0.0:
    resolution: {integrity: sha512-bbb}
    dev: false
    optional: true

  /d/1.0.0:
    resolution: {integrity: sha512-ddd}
    dev: true

  github.com/u/e/0123456789abcdef:
    resolution: {tarball: https://codeload.github.com/u/e/tar.gz/0123456789abcdef}
    name: e
    version: 0.5.0
    dev: false
`;

const PNPM_V6 = `lockfileVersion: '6.0'

packages:

  /a@1.0.0(react@17.0.2):
    resolution: {integrity: sha512-aaa}
    dev: false

  /@s/b@2.0.0:
    resolution: {integrity: sha512-bbb}
    dev: true
`;

const PNPM_V9 = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0(react@17.0.2)
      alias-c:
        specifier: npm:c@^3
        version: c@3.0.0
      w:
        specifier: workspace:*
        version: link:packages/w
    devDependencies:
      d:
        specifier: ^1.0.0
        version: 1.0.0

  packages/w:
    devDependencies:
      '@s/b':
        specifier: ^2.0.0
        version: 2.0.0

packages:

  a@1.0.0:
    resolution: {integrity: sha512-aaa}

  '@s/b@2.0.0':
    resolution: {integrity: sha512-bbb}

  c@3.0.0:
    resolution: {integrity: sha512-ccc}

  d@1.0.0:
    resolution: {integrity: sha512-ddd}

  shared@1.0.0:
    resolution: {integrity: sha512-sss}

  dev-only@1.0.0:
    resolution: {integrity: sha512-xxx}

snapshots:

  a@1.0.0(react@17.0.2):
    dependencies:
      shared: 1.0.0

  '@s/b@2.0.0':
    dependencies:
      shared: 1.0.0
      dev-only: 1.0.0

  c@3.0.0: {}

  d@1.0.0: {}

  shared@1.0.0: {}

  dev-only@1.0.0: {}
`;

test('npm: pnpm lockfiles 5.x, 6.x and 9.x; dev-only packages derived from the 9.x graph', () => {
  const v5 = runAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', PNPM_V5);
  assert.deepEqual(v5.warnings, []);
  assert.deepEqual(
    v5.packages.map((p) => [id(p), p.metadata?.dev ?? false]),
    [
      ['a@1.0.0', false],
      ['@s/b@2.0.0', false],
      ['d@1.0.0', true],
      ['e@0.5.0', false],
    ],
  );
  assert.equal(v5.packages[1]?.metadata?.optional, true);
  const v6 = runAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', PNPM_V6);
  assert.deepEqual(
    v6.packages.map((p) => [id(p), p.metadata?.dev ?? false]),
    [
      ['a@1.0.0', false],
      ['@s/b@2.0.0', true],
    ],
  );
  const v9 = runAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', PNPM_V9);
  assert.deepEqual(v9.warnings, []);
  assert.deepEqual(
    v9.packages.map((p) => [id(p), p.metadata?.dev ?? false]),
    [
      ['a@1.0.0', false],
      ['@s/b@2.0.0', true],
      ['c@3.0.0', false],
      ['d@1.0.0', true],
      ['shared@1.0.0', false],
      ['dev-only@1.0.0', true],
    ],
  );
  assert.deepEqual(parsePnpmKey('/@s/b/2.0.0_@babel+core@7.0.0', true), { name: '@s/b', version: '2.0.0' });
  assert.deepEqual(parsePnpmKey('/@s/b@2.0.0(a@1.0.0)(b@2.0.0)', false), { name: '@s/b', version: '2.0.0' });
  assert.equal(parsePnpmKey('nonsense', false), undefined);
});

// ---------------------------------------------------------------------------------------------
// Hostile input

test('npm: malformed files warn with their path and the scan goes on', async () => {
  const files: FileSpec[] = [
    { path: 'app/node_modules/ok/package.json', content: '{"name":"ok","version":"1.0.0"}' },
    { path: 'app/node_modules/garbage/package.json', content: '{"name": "garbage", "vers' },
    { path: 'app/node_modules/noversion/package.json', content: '{"name": "noversion"}' },
    { path: 'app/node_modules/array/package.json', content: '[1,2,3]' },
    { path: 'app/package-lock.json', content: '\u0000\u0001 not json' },
    {
      path: 'b/package-lock.json',
      content: '{"lockfileVersion": 2, "packages": {"node_modules/x": {"version": "1.0.0"}}}',
    },
    { path: 'c/yarn.lock', content: 'this is not\n  a lockfile at all\n' },
    { path: 'd/yarn.lock', content: '__metadata:\n  version: 6\n"a@npm:1": [unclosed\n' },
    { path: 'e/pnpm-lock.yaml', content: 'lockfileVersion: 9.0\npackages: [1, 2]\n' },
    { path: 'f/pnpm-lock.yaml', content: 'packages:\n  a@1.0.0: {}\n' },
  ];
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage({ layers: [{ files }] }) }]);
  const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
    analyzers: npmCatalogers,
    cache: null,
  });
  const layer = r.facts.layers[0]!;
  const names = [...(layer.facts['npm-installed'] ?? []), ...(layer.facts['npm-lockfile'] ?? [])].map(
    (f) => `${f.path} ${f.name}`,
  );
  assert.deepEqual(names, ['app/node_modules/ok/package.json ok', 'b/package-lock.json x']);
  const warned = (path: string) =>
    layer.warnings.some((w) => w.includes(`${path}: malformed`) || w.includes(`${path}: `));
  for (const path of [
    'app/node_modules/garbage/package.json',
    'app/node_modules/noversion/package.json',
    'app/node_modules/array/package.json',
    'app/package-lock.json',
    'c/yarn.lock',
    'd/yarn.lock',
    'e/pnpm-lock.yaml',
    'f/pnpm-lock.yaml',
  ]) {
    assert.ok(warned(path), `warns about ${path}: ${layer.warnings.join('\n')}`);
  }
});

test('npm: a v1 tree deeper than any real one is cut off with a warning, not a stack overflow', () => {
  const depth = 5000;
  const nested = '{"x":{"version":"1.0.0","dependencies":'.repeat(depth) + '{}' + '}}'.repeat(depth);
  const r = runAnalyzer(
    npmLockfileAnalyzer,
    'package-lock.json',
    `{"lockfileVersion":1,"dependencies":${nested}}`,
  );
  assert.ok(r.packages.length > 100 && r.packages.length < 200);
  assert.ok(r.warnings.some((w) => /deeper than/.test(w)));
});

test('npm: a monorepo-sized package-lock.json (45 MB) is read, and what is nested in it found', () => {
  const lock = {
    name: 'app',
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', version: '1.0.0' },
      'node_modules/event-stream': { version: '3.3.6' },
      'node_modules/event-stream/node_modules/flatmap-stream': { version: '0.1.1' },
    },
    // Stands in for tens of thousands of entries.
    padding: 'x'.repeat(45 * 1000 * 1000),
  };
  const r = runAnalyzer(npmLockfileAnalyzer, 'srv/package-lock.json', JSON.stringify(lock));
  assert.deepEqual(r.warnings, []);
  assert.ok(
    r.packages.some((p) => p.name === 'flatmap-stream' && p.version === '0.1.1'),
    r.packages.map((p) => `${p.name}@${p.version}`).join(' '),
  );
});

test('npm: a package.json larger than the read limit is reported, not half-parsed', () => {
  const big = JSON.stringify({ name: 'big', version: '1.0.0', readme: 'x'.repeat(33 * 1024 * 1024) });
  const r = runAnalyzer(npmInstalledAnalyzer, 'node_modules/big/package.json', big);
  assert.deepEqual(r.packages, []);
  assert.match(r.warnings[0]!, /^node_modules\/big\/package\.json: package\.json is larger than/);
});

// ---------------------------------------------------------------------------------------------
// Lockfile YAML

/** The YAML features the lockfile reader takes on besides what the samples above use. */
const YAML_FEATURES = `# comment
a: "x\\ty \\u00e9"
b: 'it''s'
c: |
  line1
    indented
  line2
d: >-
  folded
  text
e: [a, 'b', {c: d}]
f:
- x
- y: 1
  z: 2
-
  w: 3
g: ~
h: ''
i: plain # comment
j:
  - k
k: "multi
  line"
l: {
  m: n }
__proto__:
  polluted: yes
`;

function yamlMutations(samples: string[]) {
  const op = fc.oneof(
    fc.record({ k: fc.constant('del' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('dup' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -3, max: 3 }) }),
    fc.record({
      k: fc.constant('char' as const),
      at: fc.nat(),
      col: fc.nat(),
      ch: fc.constantFrom(...':\'"-#{}[], |>&*!?@`%\\\t'.split(''), ' - ', ': ', '\n'),
    }),
  );
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(op, { minLength: 1, maxLength: 3 }))
    .map(([sample, ops]) => {
      const lines = sample.split('\n');
      for (const o of ops) {
        if (lines.length === 0) break;
        const at = o.at % lines.length;
        if (o.k === 'del') lines.splice(at, 1);
        else if (o.k === 'dup') lines.splice(at, 0, lines[at]!);
        else if (o.k === 'indent')
          lines[at] = o.by > 0 ? ' '.repeat(o.by) + lines[at] : lines[at]!.slice(-o.by);
        else {
          const l = lines[at]!;
          const c = o.col % (l.length + 1);
          lines[at] = l.slice(0, c) + o.ch + l.slice(c);
        }
      }
      return lines.join('\n');
    });
}

test('npm: the lockfile YAML reader reads what the yaml package reads, or declines', () => {
  const samples = [PNPM_V5, PNPM_V6, PNPM_V9, YARN_BERRY, YAML_FEATURES];
  if (existsSync(join(APPS_DIR, 'done'))) {
    for (const f of [
      'pnpm7/pnpm-lock.yaml',
      'pnpm8/pnpm-lock.yaml',
      'pnpm9/pnpm-lock.yaml',
      'berry/yarn.lock',
    ]) {
      // The head of each real lockfile: every construct, and quick to mutate.
      samples.push(readFileSync(join(APPS_DIR, f), 'utf8').split('\n').slice(0, 80).join('\n'));
    }
  }
  const full = (text: string) =>
    JSON.stringify(parseYaml(text, { schema: 'failsafe', logLevel: 'error', prettyErrors: false }));
  for (const sample of samples) assert.equal(JSON.stringify(parseBlockYaml(sample)), full(sample));
  // Found by the property below: a tab after a colon makes a mapping indicator too.
  assert.throws(
    () => parseBlockYaml('a:\n  specifier: workspace:\t*\n'),
    UnsupportedYaml,
    'declined, as the yaml package refuses it',
  );
  // Found by the property below: a blank line inside a quoted value is a newline, not a space.
  for (const text of ['k: "multi\n\n  line"\n', "k: 'a\n  \n  b'\n", 'k: "a\\\n  b"\n', 'k: "a\\ \n  b"\n'])
    assert.throws(() => parseBlockYaml(text), UnsupportedYaml, JSON.stringify(text));
  assert.equal(
    JSON.stringify(parseBlockYaml('k: "multi\n  line"\n')),
    '{"k":"multi line"}',
    'a single break is a space',
  );
  // Found by the property below: the yaml package refuses a tab-started blank line after `key:`.
  assert.throws(() => parseBlockYaml('a:\n\t\nb: 1\n'), UnsupportedYaml, 'a blank line starting with a tab');
  const features = parseBlockYaml(YAML_FEATURES) as Record<string, unknown>;
  assert.deepEqual(
    [features.c, features.d, features.k],
    ['line1\n  indented\nline2\n', 'folded text', 'multi line'],
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  fc.assert(
    fc.property(yamlMutations(samples), (text) => {
      let mine: string | undefined;
      try {
        mine = JSON.stringify(parseBlockYaml(text));
      } catch (err) {
        if (!(err instanceof UnsupportedYaml)) throw err;
        return; // declined: the full parser gets it (if small)
      }
      assert.equal(mine, full(text), text);
    }),
    { numRuns: 1500 },
  );
});

test('npm: hostile YAML is refused quickly, before the full parser could spend gigabytes on it', () => {
  const cases: [string, string][] = [
    ['flow nesting', `lockfileVersion: '9.0'\npackages: ${'['.repeat(1_000_000)}`],
    ['compact sequences', `${'- '.repeat(1_000_000)}x\n`],
    [
      'deep indentation',
      `a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}b:`).join('\n')}\n`,
    ],
    [
      'alias bomb',
      `lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n`,
    ],
    ['unterminated quote', `lockfileVersion: "${'x\n'.repeat(2_000_000)}`],
  ];
  for (const [what, text] of cases) {
    const started = Date.now();
    const r = runAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', text);
    assert.deepEqual(r.packages, [], what);
    assert.equal(r.warnings.length, 1, what);
    assert.match(r.warnings[0]!, /^app\/pnpm-lock\.yaml: malformed pnpm-lock\.yaml: /, what);
    assert.ok(Date.now() - started < 5000, `${what}: ${Date.now() - started} ms`);
  }
});

test('npm: a lockfile of 20,000 packages reads in linear time', () => {
  const entries: string[] = [];
  const snapshots: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    entries.push(
      `  pkg-${i}@1.0.${i}:\n    resolution: {integrity: sha512-${'A'.repeat(86)}==}\n    engines: {node: '>=8'}\n`,
    );
    snapshots.push(`  pkg-${i}@1.0.${i}:\n    dependencies:\n      pkg-${i + 1}: 1.0.${i + 1}\n`);
  }
  const text = `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      pkg-0:\n        specifier: ^1\n        version: 1.0.0\n\npackages:\n\n${entries.join('\n')}\nsnapshots:\n\n${snapshots.join('\n')}`;
  const started = Date.now();
  const r = runAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', text);
  const ms = Date.now() - started;
  assert.equal(r.packages.length, 20_000);
  assert.ok(r.packages.every((p) => p.metadata?.dev === true));
  // The general YAML parser takes well over ten seconds for this (about 5 MiB).
  assert.ok(ms < 8000, `${ms} ms for ${text.length} bytes`);
});

test('npm: fuzzed package.json and lockfiles give records or warnings, never a crash', () => {
  fuzzAnalyzer(npmInstalledAnalyzer, 'node_modules/@s/x/package.json', [
    JSON.stringify({ name: '@s/x', version: '1.0.0', licenses: [{ type: 'MIT' }] }),
  ]);
  fuzzAnalyzer(npmLockfileAnalyzer, 'app/package-lock.json', [LOCK_V1]);
  fuzzAnalyzer(npmLockfileAnalyzer, 'app/yarn.lock', [YARN_V1, YARN_BERRY]);
  fuzzAnalyzer(npmLockfileAnalyzer, 'app/pnpm-lock.yaml', [PNPM_V5, PNPM_V6, PNPM_V9]);
});

test('npm: a lockfile with thousands of bad entries gives a bounded number of warnings', () => {
  const packages: Record<string, unknown> = {};
  for (let i = 0; i < 5000; i++) packages[`node_modules/p${i}`] = { version: i };
  const r = runAnalyzer(
    npmLockfileAnalyzer,
    'package-lock.json',
    JSON.stringify({ lockfileVersion: 3, packages }),
  );
  assert.deepEqual(r.packages, []);
  assert.equal(r.warnings.length, 21);
  assert.match(r.warnings[20]!, /further problems not reported/);
});
