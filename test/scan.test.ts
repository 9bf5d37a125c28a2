/**
 * End to end through the CLI: an image with a Debian package database and an npm tree holding
 * the flatmap-stream wallet stealer (as a name and version only: no code), scanned against an
 * OSV database imported from records the test writes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OsvRecord } from '../src/vulndb/types.js';
import { buildImage } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const modified = '2024-05-01T00:00:00Z';
const records: OsvRecord[] = [
  {
    id: 'DEBIAN-CVE-2024-0727',
    modified,
    upstream: ['CVE-2024-0727'],
    summary: 'openssl: denial of service via null dereference',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' }],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ],
  },
  {
    id: 'MAL-2018-1002',
    modified,
    summary: 'Malicious code in flatmap-stream (npm)',
    affected: [{ package: { ecosystem: 'npm', name: 'flatmap-stream' }, versions: ['0.1.1'] }],
  },
  {
    id: 'GHSA-mh6f-8j2x-4483',
    modified,
    aliases: ['CVE-2018-16487'],
    summary: 'Prototype pollution in lodash',
    database_specific: { severity: 'MODERATE' },
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.11' }] }],
      },
    ],
  },
];

const status = `Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6000
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
`;

const pkg = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

test('scan: OS and npm vulnerabilities, a malicious nested npm package, layers, --fail-on and sbom: re-matching', async () => {
  const dir = tempDir();
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  for (const r of records) writeFileSync(join(osv, `${r.id}.json`), JSON.stringify(r));
  const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite'), XDG_CACHE_HOME: join(dir, 'cache') };
  const imported = await runCli(['db', 'import', osv], env);
  assert.equal(imported.code, 0, imported.stderr);

  const image = buildImage({
    layers: [
      {
        createdBy: 'ADD rootfs.tar /',
        files: [
          {
            path: 'etc/os-release',
            content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
          },
          { path: 'var/lib/dpkg/status', content: status },
        ],
      },
      {
        createdBy: 'RUN npm install',
        files: [
          { path: 'app/package.json', content: pkg('app', '1.0.0') },
          { path: 'app/node_modules/lodash/package.json', content: pkg('lodash', '4.17.10') },
          { path: 'app/node_modules/event-stream/package.json', content: pkg('event-stream', '3.3.6') },
          {
            path: 'app/node_modules/event-stream/node_modules/flatmap-stream/package.json',
            content: pkg('flatmap-stream', '0.1.1'),
          },
        ],
      },
    ],
  });
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'app', image }]);
  const target = `oci:${join(dir, 'oci')}:app`;

  const r = await runCli(['scan', '--format', 'json', target], env);
  assert.equal(r.code, 1, `a malicious package fails the default gate: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.checks.slice(0, 3),
    ['packages', 'malware', 'secrets'],
    `checks ${report.checks.join(',')}`,
  );
  for (const c of ['vulnerabilities', 'malicious-packages', 'os-eol', 'misconfigurations', 'binaries'])
    assert.ok(report.checks.includes(c), `check ${c} ran: ${report.checks.join(',')}`);
  const vulns = report.vulnerabilities.map(
    (v: { id: string; package: { name: string }; severity: string; fixedVersion: string; layer: number }) => [
      v.id,
      v.package.name,
      v.severity,
      v.fixedVersion,
      v.layer,
    ],
  );
  assert.deepEqual(vulns, [
    ['CVE-2024-0727', 'libssl3', 'medium', '3.0.13-1~deb12u1', 0],
    ['CVE-2018-16487', 'lodash', 'medium', '4.17.11', 1],
  ]);
  assert.equal(report.malware.length, 1);
  assert.equal(report.malware[0].rule, 'MAL-2018-1002');
  assert.equal(report.malware[0].category, 'malicious-package');
  assert.equal(
    report.malware[0].path,
    'app/node_modules/event-stream/node_modules/flatmap-stream/package.json',
  );
  assert.equal(report.layers[report.malware[0].layer].createdBy, 'RUN npm install');
  assert.equal(report.verdict.pass, false, 'malware fails the default gate');
  assert.match(report.verdict.reasons.join('\n'), /MAL-2018-1002/, 'and says why');
  const ungated = await runCli(['scan', '--fail-on', 'none', '--format', 'json', target], env);
  assert.equal(ungated.code, 0, `--fail-on none turns the gate off: ${ungated.stderr}`);

  const gated = await runCli(['scan', '--fail-on', 'high', target], env);
  assert.equal(gated.code, 1, gated.stderr);
  assert.match(gated.stdout, /Verdict: FAIL/);
  assert.match(gated.stdout, /malware MAL-2018-1002 \(critical\)/);

  const sbomFile = join(dir, 'sbom.json');
  const sbom = await runCli(['sbom', target, '-o', sbomFile], env);
  assert.equal(sbom.code, 0, sbom.stderr);
  const again = await runCli(['scan', '--format', 'json', `sbom:${sbomFile}`], env);
  assert.equal(again.code, 1, `the malicious package still fails: ${again.stderr}`);
  const rematched = JSON.parse(again.stdout);
  assert.deepEqual(
    rematched.vulnerabilities.map((v: { id: string }) => v.id),
    ['CVE-2024-0727', 'CVE-2018-16487'],
  );
  assert.equal(rematched.malware[0].rule, 'MAL-2018-1002');
});

test('scan: an empty database says so instead of reporting no vulnerabilities', async () => {
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [
    { image: buildImage({ layers: [{ files: [{ path: 'a', content: 'b' }] }] }) },
  ]);
  const r = await runCli(['scan', '--format', 'json', `oci:${join(dir, 'oci')}`], {
    SHIPSHAPE_DB: join(dir, 'db.sqlite'),
  });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(!report.checks.includes('vulnerabilities'), `no vulnerability check: ${report.checks}`);
  assert.ok(report.checks.includes('malware'), `threat checks still run: ${report.checks}`);
  assert.match(report.warnings.join('\n'), /vulnerability database is empty/);
});

test('scan: an ignore file suppresses what it names (listed in the report); expired entries no longer apply', async () => {
  const dir = tempDir();
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  for (const r of records) writeFileSync(join(osv, `${r.id}.json`), JSON.stringify(r));
  const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite') };
  assert.equal((await runCli(['db', 'import', osv], env)).code, 0);
  const image = buildImage({
    layers: [
      {
        files: [
          {
            path: 'etc/os-release',
            content: 'ID=debian\nVERSION_ID="10"\nPRETTY_NAME="Debian GNU/Linux 10 (buster)"\n',
          },
          { path: 'app/node_modules/lodash/package.json', content: pkg('lodash', '4.17.10') },
          { path: 'app/node_modules/flatmap-stream/package.json', content: pkg('flatmap-stream', '0.1.1') },
        ],
      },
    ],
  });
  await writeOciLayout(join(dir, 'oci'), [{ image }]);
  const ignore = join(dir, 'ignore.yaml');
  writeFileSync(
    ignore,
    [
      '- id: GHSA-mh6f-8j2x-4483',
      '  package: lodash',
      '  reason: prototype pollution not reachable from user input',
      '- id: MAL-2018-1002',
      '  reason: an old exception that must not hide malware any more',
      '  expires: 2020-01-01',
      '- id: CVE-2024-0727',
      '  package: some-other-package',
      '  reason: does not apply to lodash',
    ].join('\n'),
  );
  const r = await runCli(
    ['scan', '--format', 'json', '--ignore-file', ignore, `oci:${join(dir, 'oci')}`],
    env,
  );
  assert.equal(r.code, 1, `the malicious package fails the default gate: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.vulnerabilities.map((v: { id: string }) => v.id),
    ['os-eol'],
    'lodash suppressed (matched through its alias); Debian 10 is end of life',
  );
  assert.match(
    report.vulnerabilities[0].title,
    /Debian GNU\/Linux 10 \(buster\) reached its end of life on 2024-06-30/,
  );
  assert.deepEqual(
    report.suppressed.map((s: { id: string; reason: string }) => [s.id, s.reason]),
    [['CVE-2018-16487', 'prototype pollution not reachable from user input']],
  );
  assert.equal(report.malware[0].rule, 'MAL-2018-1002', 'the expired entry hides nothing');
  assert.match(report.warnings.join('\n'), /MAL-2018-1002 expired on 2020-01-01/);
  writeFileSync(ignore, '- id: X\n');
  const bad = await runCli(['scan', '--ignore-file', ignore, `oci:${join(dir, 'oci')}`], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /reason/);
});

test('scan: OpenVEX and CycloneDX VEX statements suppress what they cover, for the products they name', async () => {
  const dir = tempDir();
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  for (const r of records) writeFileSync(join(osv, `${r.id}.json`), JSON.stringify(r));
  const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite') };
  assert.equal((await runCli(['db', 'import', osv], env)).code, 0);
  const image = buildImage({
    layers: [
      {
        files: [
          { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { path: 'var/lib/dpkg/status', content: status },
          { path: 'app/node_modules/lodash/package.json', content: pkg('lodash', '4.17.10') },
        ],
      },
    ],
  });
  await writeOciLayout(join(dir, 'oci'), [{ image }]);
  const target = `oci:${join(dir, 'oci')}`;
  const openvex = join(dir, 'openvex.json');
  writeFileSync(
    openvex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.invalid/vex/1',
      statements: [
        {
          vulnerability: { name: 'CVE-2024-0727' },
          products: [{ '@id': 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
        // Another product: must not suppress lodash.
        { vulnerability: 'CVE-2018-16487', products: ['pkg:npm/lodash@4.17.21'], status: 'not_affected' },
      ],
    }),
  );
  const r1 = JSON.parse((await runCli(['scan', '--format', 'json', '--vex', openvex, target], env)).stdout);
  assert.deepEqual(
    r1.vulnerabilities.map((v: { id: string }) => v.id),
    ['CVE-2018-16487'],
  );
  assert.deepEqual(
    r1.suppressed.map((s: { id: string; reason: string }) => [s.id, s.reason]),
    [['CVE-2024-0727', 'VEX not_affected: vulnerable_code_not_in_execute_path']],
  );
  const cdx = join(dir, 'cdx-vex.json');
  writeFileSync(
    cdx,
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      vulnerabilities: [
        {
          id: 'GHSA-mh6f-8j2x-4483',
          analysis: { state: 'false_positive', detail: 'merge() never sees user input' },
          affects: [{ ref: 'pkg:npm/lodash@4.17.10' }],
        },
        { id: 'CVE-2024-0727', analysis: { state: 'in_triage' }, affects: [] },
      ],
    }),
  );
  const r2 = JSON.parse((await runCli(['scan', '--format', 'json', '--vex', cdx, target], env)).stdout);
  assert.deepEqual(
    r2.vulnerabilities.map((v: { id: string }) => v.id),
    ['CVE-2024-0727'],
    'in_triage suppresses nothing; lodash is matched through its GHSA alias',
  );
  const bad = await runCli(['scan', '--vex', join(dir, 'osv', 'MAL-2018-1002.json'), target], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /neither an OpenVEX nor a CycloneDX VEX document/);
});
