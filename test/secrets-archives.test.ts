/**
 * Secrets inside archives: the configuration members of jars, zips and tarballs, and gzipped
 * files, found with the archive's path and the member's; classes and compressed manuals are
 * never read; what could not be read is a gap.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ScanGapFact, SecretFact } from '../src/analyze/findings.js';
import { secretsAnalyzer } from '../src/analyze/secrets/index.js';
import { archiveSecrets } from '../src/analyze/secrets/archive-members.js';
import { buildLayer } from '../src/fixtures/builder.js';
import { tarEntries } from '../src/fixtures/tar-writer.js';
import { scanLayer } from '../src/layer/engine.js';
import { ALNUM, UPPER32, fake } from './secrets-fakes.js';
import { zipBuffer } from './support/zip-writer.js';

const awsId = `AKIA${fake(UPPER32, 16, 81)}`;
const awsSecret = fake(`${ALNUM}/+`, 40, 82);
const ghToken = `ghp_${fake(ALNUM, 36, 83)}`;

test('secrets in a jar, a tarball and a gzipped file are found; classes and manuals are not read', async () => {
  const properties = `spring.datasource.url=jdbc:postgresql://db:5432/app\naws.accessKeyId=${awsId}\naws_secret_access_key=${awsSecret}\n`;
  const jar = zipBuffer([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' },
    // A class holding a token: classes are code, not configuration, and are never inflated here.
    { name: 'BOOT-INF/classes/com/x/App.class', data: `\xca\xfe\xba\xbe token=${ghToken}`, method: 8 },
    { name: 'BOOT-INF/classes/application.properties', data: properties, method: 8 },
  ]);
  const backup = gzipSync(
    tarEntries([
      { name: 'srv/app/', type: 'dir' },
      { name: 'srv/app/conf/.env', type: 'file', content: `GITHUB_TOKEN=${ghToken}\n` },
      { name: 'srv/app/README.md', type: 'file', content: `token ${ghToken}\n` },
    ]),
  );
  const layer = buildLayer({
    compression: 'gzip',
    files: [
      { path: 'app/app.jar', content: jar },
      { path: 'opt/backup.tar.gz', content: backup },
      { path: 'root/creds.gz', content: gzipSync(`aws_secret_access_key=${awsSecret}\n`) },
      { path: 'usr/share/doc/x/changelog.gz', content: gzipSync(`GITHUB_TOKEN=${ghToken}\n`) },
    ],
  });
  const result = await scanLayer(Readable.from([layer.blob]), {
    analyzers: [secretsAnalyzer],
    label: 'test',
  });
  const facts = result.facts.secrets ?? [];
  const secrets = facts.filter((f): f is SecretFact => f.kind === 'secret');
  assert.deepEqual(
    secrets.map((f) => `${f.rule} ${f.path} ${f.innerPath ?? ''}`).sort(),
    [
      'aws-access-key-id app/app.jar app.jar!/BOOT-INF/classes/application.properties',
      'aws-secret-access-key app/app.jar app.jar!/BOOT-INF/classes/application.properties',
      'aws-secret-access-key root/creds.gz creds.gz!/creds',
      'github-token opt/backup.tar.gz backup.tar.gz!/srv/app/conf/.env',
    ],
    JSON.stringify(facts),
  );
  for (const f of secrets) {
    assert.ok(![awsId, awsSecret, ghToken].some((s) => f.evidence.includes(s)), 'masked');
    assert.equal(typeof f.line, 'number', 'with the line in the member');
  }
  assert.deepEqual(
    facts.filter((f) => f.kind === 'scan-gap'),
    [],
    'nothing was left unread',
  );
});

test('archives: too large, or corrupt, is a gap, never a silent clean result', () => {
  const big = archiveSecrets('app/big.jar', Buffer.alloc(16), true) as ScanGapFact[];
  assert.match(big[0]?.reason ?? '', /larger than .* not searched for secrets/);
  const corrupt = Buffer.concat([gzipSync(`GITHUB_TOKEN=${ghToken}\n`).subarray(0, 20), Buffer.alloc(40, 7)]);
  const gaps = archiveSecrets('opt/x.tar.gz', corrupt, false);
  assert.equal(gaps.length, 1, JSON.stringify(gaps));
  assert.match((gaps[0] as ScanGapFact).reason, /corrupt gzip|unexpected end/);
});

test('archives: a configuration member after hundreds of classes is still read (a Spring Boot jar)', () => {
  const classes = Array.from({ length: 300 }, (_, i) => ({
    name: `org/springframework/boot/loader/C${i}.class`,
    data: `\xca\xfe\xba\xbe${i}`,
  }));
  const jar = zipBuffer([
    ...classes,
    { name: 'BOOT-INF/classes/application.properties', data: `aws_secret_access_key=${awsSecret}\n` },
  ]);
  const found = archiveSecrets('app/app.jar', jar, false);
  assert.deepEqual(
    found.map((f) => (f.kind === 'secret' ? `${f.rule} ${f.innerPath}` : `gap ${f.reason}`)),
    ['aws-secret-access-key app.jar!/BOOT-INF/classes/application.properties'],
  );
});
