/**
 * Static threat detection through `shipshape scan`, as a user runs it: the demo's image of
 * harmless stand-ins gives a finding in every category it carries (with the layer, and the
 * layer that deleted a file), secrets masked, the config audit, the default gate; a deny-listed
 * hash is found; `--clamav-db` runs ClamAV with signatures this test writes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eicar, threatDemoImage } from '../src/demo/threat-image.js';
import { buildImage } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

interface Report {
  malware: {
    category: string;
    rule: string;
    path: string;
    layer: number;
    removedIn?: number;
    innerPath?: string;
  }[];
  secrets: { rule: string; evidence: string; path: string; innerPath?: string }[];
  misconfigurations: { rule: string }[];
  binaries: { path: string; language: string }[];
  checks: string[];
  verdict: { pass: boolean };
}

function hasClamscan(): boolean {
  try {
    execFileSync('clamscan', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('scan: every static threat category of the demo image, with layers and masked secrets', async () => {
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'threats', image: buildImage(threatDemoImage()) }]);
  const target = `oci:${join(dir, 'oci')}:threats`;
  const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite') };

  const r = await runCli(['scan', '--format', 'json', target], env);
  assert.equal(r.code, 1, `malware fails the default gate: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  const categories = new Set(report.malware.map((m) => m.category));
  for (const c of ['miner', 'webshell', 'backdoor', 'persistence', 'windows-malware', 'suspicious'])
    assert.ok(
      categories.has(c),
      `${c}: ${JSON.stringify(report.malware.map((m) => [m.category, m.rule, m.path]))}`,
    );
  const deleted = report.malware.find((m) => m.path === 'opt/.cache/start.sh');
  assert.ok(deleted, 'the miner launcher deleted by the last layer is still reported');
  assert.equal(deleted.layer, 1, 'at the layer that shipped it');
  assert.equal(deleted.removedIn, 2, 'and the layer that deleted it');
  assert.ok(
    report.malware.some(
      (m) => m.path === 'opt/app/lib/helper.jar' && m.innerPath?.includes('scripts/start.sh'),
    ),
    'the launcher inside a jar is found, with its member path',
  );
  assert.ok(
    report.malware.some((m) => m.path === 'opt/.cache/run.b64' && m.category === 'miner'),
    'the base64-encoded launcher is found',
  );
  assert.ok(
    report.malware.some(
      (m) =>
        m.path === 'opt/.cache/boot.sh' &&
        m.category === 'miner' &&
        m.innerPath?.includes('!/base64@') === true,
    ),
    'the config hidden as base64 of gzip in a dropper is found in the decoded payload',
  );
  assert.ok(
    report.malware.some((m) => m.path === 'opt/.cache/settings.dat' && m.rule === 'miner-config-file'),
    'the zstd-compressed config is found, whatever its name',
  );
  const secretRules = report.secrets.map((s) => s.rule);
  assert.ok(secretRules.includes('aws-access-key-id'), `aws key id: ${secretRules.join(',')}`);
  assert.ok(secretRules.includes('env-secret'), `GITHUB_TOKEN in Env: ${secretRules.join(',')}`);
  assert.ok(
    report.secrets.some(
      (s) => s.path === 'opt/app/app.jar' && s.innerPath?.endsWith('application.properties'),
    ),
    `the password in the jar's configuration: ${JSON.stringify(report.secrets)}`,
  );
  for (const s of report.secrets)
    assert.ok(!/[A-Za-z0-9]{12}/.test(s.evidence.replace(/^[A-Z_]+=/, '')), `masked: ${s.evidence}`);
  const misconfig = report.misconfigurations.map((m) => m.rule);
  for (const m of [
    'runtime-build',
    'curl-pipe-shell',
    'exposed-miner-port',
    'exposed-ssh',
    'runs-as-root',
    'reverse-shell',
  ])
    assert.ok(misconfig.includes(m), `${m}: ${misconfig.join(',')}`);
  assert.ok(
    report.binaries.some((b) => b.language === 'powershell'),
    'the PowerShell script is classified',
  );
  assert.equal(report.verdict.pass, false, 'the verdict fails');

  // An executable whose sha256 is on a deny-list the user imports is a known-bad finding, also
  // when a later layer deleted it.
  const agent = Buffer.from('#!/bin/sh\necho harmless stand-in for a listed sample\n');
  await writeOciLayout(join(dir, 'oci2'), [
    {
      ref: 'listed',
      image: buildImage({
        layers: [
          { files: [{ path: 'opt/agent', content: agent, mode: 0o755 }] },
          { whiteouts: ['opt/agent'] },
        ],
      }),
    },
  ]);
  const list = join(dir, 'bad.txt');
  writeFileSync(list, `# a deny-list\n${createHash('sha256').update(agent).digest('hex')} Test.Agent\n`);
  const imported = await runCli(['db', 'import-hashes', list, '--source', 'test-feed'], env);
  assert.equal(imported.code, 0, imported.stderr);
  const listed = await runCli(['scan', '--format', 'json', `oci:${join(dir, 'oci2')}:listed`], env);
  const again = JSON.parse(listed.stdout) as Report;
  const known = again.malware.find((m) => m.rule === 'known-bad-hash');
  assert.ok(known, `the deny-listed file is reported: ${JSON.stringify(again.malware.map((m) => m.rule))}`);
  assert.deepEqual([known.path, known.layer, known.removedIn], ['opt/agent', 0, 1], 'where it was shipped');
  assert.equal(listed.code, 1, 'a known-bad file fails the gate');
});

test(
  'scan --clamav-db: ClamAV with signatures the test writes',
  { skip: hasClamscan() ? false : 'clamscan is not installed' },
  async () => {
    const dir = tempDir();
    await writeOciLayout(join(dir, 'oci'), [{ ref: 'threats', image: buildImage(threatDemoImage()) }]);
    const sigs = join(dir, 'sigs');
    mkdirSync(sigs);
    const body = Buffer.from(eicar());
    writeFileSync(
      join(sigs, 'test.hdb'),
      `${createHash('md5').update(body).digest('hex')}:${body.length}:Test.EICAR.Demo\n`,
    );
    const r = await runCli(
      ['scan', '--format', 'json', '--clamav-db', sigs, `oci:${join(dir, 'oci')}:threats`],
      { SHIPSHAPE_DB: join(dir, 'db.sqlite') },
      300_000,
    );
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.ok(report.checks.includes('clamav'), `clamav ran: ${report.checks.join(',')}`);
    const hit = report.malware.find((m) => m.rule.startsWith('clamav:'));
    assert.ok(hit, `a ClamAV finding: ${JSON.stringify(report.malware.map((m) => m.rule))}`);
    assert.equal(hit.path, 'opt/tools/test-av.txt', 'mapped back to the image path');
  },
);
