/**
 * Python catalogers. Ground truth: every site-packages and dist-packages directory of this
 * machine (Debian's system Python, each pyenv version), packed into an image with its metadata
 * directories and files at their real paths; the distributions found must equal what
 * importlib.metadata finds on the same directories (name, version, metadata location).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { condaMetaAnalyzer } from '../src/analyze/packages/python/conda-meta.js';
import { pythonLicenses } from '../src/analyze/packages/python/core-metadata.js';
import { pythonCatalogers } from '../src/analyze/packages/python/index.js';
import { pythonMetadataFormat, pythonPackagesAnalyzer } from '../src/analyze/packages/python/installed.js';
import { parseHeaders } from '../src/analyze/packages/python/rfc822.js';
import type { PackageFact } from '../src/analyze/packages/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { buildImage, type FileSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { fuzzAnalyzer, runAnalyzer } from './support/catalog-harness.js';
import { dirLayerFiles } from './support/dir-layer.js';
import { tempDir } from './support/tmp.js';

function sitePackagesDirs(): string[] {
  const dirs = ['/usr/lib/python3/dist-packages', '/usr/local/lib/python3/dist-packages'];
  const pyenv = '/root/.pyenv/versions';
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv)) {
      const lib = join(pyenv, v, 'lib');
      if (!existsSync(lib)) continue;
      for (const py of readdirSync(lib))
        if (py.startsWith('python')) dirs.push(join(lib, py, 'site-packages'));
    }
  }
  return dirs.filter((d) => existsSync(d));
}

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function pythonWorks(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import importlib.metadata'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** importlib.metadata's view: `<metadata location> <name> <version>` per distribution. */
function importlibDistributions(dirs: string[]): string[] {
  const script = `
import importlib.metadata as m, json, sys
out = []
for d in json.loads(sys.argv[1]):
    for dist in m.distributions(path=[d]):
        name = dist.metadata['Name']
        if name is not None:
            out.append('%s %s %s' % (str(dist._path).lstrip('/'), name.strip(), dist.version.strip()))
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync(PYTHON, ['-c', script, JSON.stringify(dirs)], { encoding: 'utf8' }),
  ) as string[];
}

/** Where a record's metadata lives: the .dist-info/.egg-info directory, or the egg-info file. */
function metadataLocation(p: PackageFact): string {
  return p.metadata?.format === 'egg-info' && p.path.endsWith('.egg-info')
    ? p.path
    : p.path.slice(0, p.path.lastIndexOf('/'));
}

test(
  'python: every site-packages of this machine, against importlib.metadata',
  { skip: !pythonWorks() && 'no python3 with importlib.metadata', timeout: 120_000 },
  async (t) => {
    const dirs = sitePackagesDirs();
    assert.ok(dirs.length > 0, 'this machine has Python site-packages');
    const files: FileSpec[] = [];
    const INFO = /\.(dist|egg)-info$/;
    for (const d of dirs) {
      files.push(
        ...dirLayerFiles(d, {
          prefix: d.slice(1),
          // Metadata only (package code is not needed), but with everything the metadata
          // directories hold (RECORD, WHEEL, entry_points.txt, top_level.txt ...).
          skip: (rel) => !INFO.test(rel.split('/')[0]!),
        }),
      );
    }
    const dir = tempDir();
    await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage({ layers: [{ files }] }) }]);
    const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
      analyzers: pythonCatalogers,
      cache: null,
    });
    const layer = r.facts.layers[0]!;
    assert.deepEqual(layer.warnings, []);
    const found = (layer.facts['python-packages'] as PackageFact[]).map(
      (p) => `${metadataLocation(p)} ${p.name} ${p.version}`,
    );
    const expected = importlibDistributions(dirs);
    assert.ok(expected.length >= 30, `${expected.length} distributions`);
    assert.deepEqual([...found].sort(), [...expected].sort());
    const formats = new Map<unknown, number>();
    for (const p of layer.facts['python-packages'] as PackageFact[]) {
      formats.set(p.metadata?.format, (formats.get(p.metadata?.format) ?? 0) + 1);
    }
    t.diagnostic(
      `python ground truth: ${expected.length} distributions in ${dirs.length} directories; ${JSON.stringify([...formats])}`,
    );
  },
);

test('python: metadata positions: directly in site-packages or dist-packages only', () => {
  const cases: [string, string | undefined][] = [
    ['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA', 'dist-info'],
    ['opt/venv/lib/python3.12/site-packages/pip-24.0.dist-info/METADATA', 'dist-info'],
    ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', 'egg-info'],
    ['usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info', 'egg-info'],
    ['usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/EGG-INFO/PKG-INFO', 'egg'],
    ['opt/conda/lib/python3.11/site-packages/numpy-1.26.0.dist-info/METADATA', 'dist-info'],
    // vendored copies and test data inside a package
    ['usr/lib/python3/dist-packages/setuptools/_vendor/packaging-24.0.dist-info/METADATA', undefined],
    ['usr/lib/python3/dist-packages/pkg/tests/data/x-1.0.dist-info/METADATA', undefined],
    ['src/x-1.0.dist-info/METADATA', undefined],
    ['usr/lib/python3/dist-packages/x-1.0.dist-info/RECORD', undefined],
    ['usr/lib/python3/dist-packages/README.egg-info.txt', undefined],
  ];
  for (const [path, format] of cases) assert.equal(pythonMetadataFormat(path), format, path);
});

test('python: licenses: License-Expression, then a short License, then trove classifiers', () => {
  const licenses = (text: string) => pythonLicenses(parseHeaders(text));
  assert.deepEqual(licenses('License-Expression: MIT OR Apache-2.0\nLicense: BSD\n'), ['MIT OR Apache-2.0']);
  assert.deepEqual(licenses('License: BSD-3-Clause\nClassifier: License :: OSI Approved :: MIT License\n'), [
    'BSD-3-Clause',
  ]);
  assert.deepEqual(
    licenses(
      'License: UNKNOWN\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\n' +
        'Classifier: Programming Language :: Python\nClassifier: License :: Public Domain\n',
    ),
    ['MIT License', 'Public Domain'],
  );
  // The whole license text in the header (folded over many lines) is not a license name.
  assert.deepEqual(
    licenses(
      `License: Copyright (c) 2020 Someone\n        ${'Permission is hereby granted. '.repeat(10)}\n        more\nClassifier: License :: OSI Approved :: BSD License\n`,
    ),
    ['BSD License'],
  );
  assert.deepEqual(licenses('Name: x\n'), []);
});

const METADATA = `Metadata-Version: 2.1
Name: requests
Version: 2.31.0
Summary: Python HTTP for Humans.
Home-page: https://requests.readthedocs.io
License: Apache 2.0
Classifier: License :: OSI Approved :: Apache Software License
Requires-Dist: charset-normalizer (<4,>=2)
Requires-Python: >=3.7
Description-Content-Type: text/markdown

# Requests
Name: not-a-header
`;

test('python: a METADATA file: name as written, version, licenses, summary; the body is not read', () => {
  const r = runAnalyzer(
    pythonPackagesAnalyzer,
    'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
    METADATA,
  );
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.packages, [
    {
      kind: 'package',
      type: 'pypi',
      name: 'requests',
      version: '2.31.0',
      path: 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA',
      licenses: ['Apache 2.0'],
      metadata: { format: 'dist-info', metadataVersion: '2.1', summary: 'Python HTTP for Humans.' },
    },
  ]);
  // CRLF line ends and a huge description after the headers (the file is read only in part).
  const big = METADATA.replace(/\n/g, '\r\n') + 'x'.repeat(3 * 1024 * 1024);
  const r2 = runAnalyzer(pythonPackagesAnalyzer, 'site-packages/requests-2.31.0.dist-info/METADATA', big);
  assert.deepEqual([r2.packages[0]?.name, r2.packages[0]?.version, r2.warnings], ['requests', '2.31.0', []]);
});

const CONDA_META = JSON.stringify({
  name: 'openssl',
  version: '3.0.12',
  build: 'h7f8727e_0',
  build_number: 0,
  channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
  subdir: 'linux-64',
  license: 'Apache-2.0',
  files: ['bin/openssl', 'lib/libssl.so.3', '../../etc/shadow', '/etc/passwd'],
  depends: ['ca-certificates', 'libgcc-ng >=7.5.0'],
});

test('conda: conda-meta records with build, channel and the files under the environment', () => {
  const r = runAnalyzer(condaMetaAnalyzer, 'opt/conda/conda-meta/openssl-3.0.12-h7f8727e_0.json', CONDA_META);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.packages, [
    {
      kind: 'package',
      type: 'conda',
      name: 'openssl',
      version: '3.0.12',
      path: 'opt/conda/conda-meta/openssl-3.0.12-h7f8727e_0.json',
      licenses: ['Apache-2.0'],
      files: ['opt/conda/bin/openssl', 'opt/conda/lib/libssl.so.3'],
      metadata: {
        build: 'h7f8727e_0',
        buildNumber: 0,
        channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
        subdir: 'linux-64',
      },
    },
  ]);
  assert.equal(
    condaMetaAnalyzer.wants({
      path: 'opt/conda/conda-meta/history',
      type: 'file',
      mode: 0o644,
      size: 1,
      uid: 0,
      gid: 0,
    }),
    false,
  );
  const atRoot = runAnalyzer(
    condaMetaAnalyzer,
    'conda-meta/x-1-0.json',
    '{"name":"x","version":"1","files":["a"]}',
  );
  assert.deepEqual(atRoot.packages[0]?.files, ['a']);
});

test('python: malformed metadata warns with its path and the scan goes on', async () => {
  const sp = 'usr/lib/python3/dist-packages';
  const files: FileSpec[] = [
    {
      path: `${sp}/good-1.0.dist-info/METADATA`,
      content: 'Metadata-Version: 2.1\nName: good\nVersion: 1.0\n',
    },
    { path: `${sp}/garbage-1.0.dist-info/METADATA`, content: Buffer.from([0xff, 0xfe, 0, 1, 2, 3, 10, 10]) },
    { path: `${sp}/noversion.egg-info/PKG-INFO`, content: 'Metadata-Version: 1.0\nName: noversion\n' },
    { path: `${sp}/empty-1.0.egg-info`, content: '' },
    { path: 'opt/conda/conda-meta/broken-1-0.json', content: '{"name": "broken", ' },
    { path: 'opt/conda/conda-meta/list-1-0.json', content: '[]' },
    { path: 'opt/conda/conda-meta/ok-1-0.json', content: '{"name": "ok", "version": "1"}' },
  ];
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage({ layers: [{ files }] }) }]);
  const r = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
    analyzers: pythonCatalogers,
    cache: null,
  });
  const layer = r.facts.layers[0]!;
  const found = [...(layer.facts['python-packages'] ?? []), ...(layer.facts['conda-meta'] ?? [])].map(
    (f) => f.name,
  );
  assert.deepEqual(found, ['good', 'ok']);
  for (const f of files.slice(1, 6)) {
    assert.ok(
      layer.warnings.some((w) => w.includes(`${f.path}: malformed`)),
      `warns about ${f.path}: ${layer.warnings.join('\n')}`,
    );
  }
});

test('python: fuzzed metadata and conda records give records or warnings, never a crash', () => {
  fuzzAnalyzer(pythonPackagesAnalyzer, 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', [
    METADATA,
  ]);
  fuzzAnalyzer(pythonPackagesAnalyzer, 'usr/lib/python3/dist-packages/crit-1.0.egg-info', [METADATA]);
  fuzzAnalyzer(condaMetaAnalyzer, 'opt/conda/conda-meta/openssl-3.0.12-h7f8727e_0.json', [CONDA_META]);
});
