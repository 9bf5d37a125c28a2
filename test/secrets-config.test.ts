/**
 * Secrets in the image config and history (`secrets-config`): ENV values, labels, build
 * arguments recorded by RUN, ARG defaults and values written by RUN commands; each reported
 * once, masked, at `config:Env/NAME` or `history:N` with the layer that entry made.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { historyLayerIndex } from '../src/analyze/config/index.js';
import { configSecrets, secretAnalyzers, secretImageChecks } from '../src/analyze/secrets/index.js';
import { buildImage } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import type { HistoryEntry, ImageConfig } from '../src/image/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { tempDir } from './support/tmp.js';
import { ALNUM, HEX, UPPERNUM, checkContext, configOnlyImage, fake } from './secrets-fakes.js';

const image = (config: NonNullable<ImageConfig['config']>, history: HistoryEntry[] = [], layers = 1) =>
  configOnlyImage(config, history, layers);

const ghToken = `ghp_${fake(ALNUM, 36, 61)}`;
const npmToken = `npm_${fake(ALNUM, 36, 62)}`;
const password = fake(ALNUM, 18, 63);

test('historyLayerIndex: config-only entries make no layer', () => {
  const img = image(
    {},
    [
      { created_by: 'ADD rootfs /' },
      { created_by: 'ENV A=1', empty_layer: true },
      { created_by: 'RUN make' },
      { created_by: 'CMD ["x"]', empty_layer: true },
      { created_by: 'RUN extra' },
    ],
    2,
  );
  assert.deepEqual(historyLayerIndex(img), [0, null, 1, null, null], 'past the last layer is null too');
});

test('secrets-config: ENV values by rule and by name, placeholders left alone', () => {
  const found = configSecrets(
    image({
      Env: [
        'PATH=/usr/local/bin:/usr/bin',
        `GITHUB_TOKEN=${ghToken}`,
        `DB_PASSWORD=${password}`,
        'POSTGRES_PASSWORD_FILE=/run/secrets/db',
        'API_KEY=${API_KEY}',
        'ADMIN_PASSWORD=changeme',
        'TOKEN_URL=https://auth.example.test/token',
        `GPG_KEY=${fake(HEX, 40, 64).toUpperCase()}`,
        'SECRET_ENABLED=true',
      ],
    }),
  );
  const paths = found.map((f) => `${f.rule} ${f.path}`).sort();
  assert.deepEqual(
    paths,
    ['env-secret config:Env/DB_PASSWORD', 'github-token config:Env/GITHUB_TOKEN'],
    paths.join('; '),
  );
  for (const f of found) {
    assert.equal(f.layer, 0, 'Env findings sit at layer 0');
    assert.ok(
      !f.evidence.includes(password.slice(4, -4)) && !f.evidence.includes(ghToken.slice(4, -4)),
      'masked',
    );
  }
  assert.match(
    found.find((f) => f.path.endsWith('DB_PASSWORD'))!.evidence,
    /^DB_PASSWORD=\S{2,4}\*{4,}/,
    'name shown',
  );
});

test('secrets-config: an AWS key id with any digit in Env; the documented example is not one', () => {
  const id = `AKIA${fake(UPPERNUM, 16, 65)}`;
  const found = configSecrets(
    image({ Env: [`AWS_ACCESS_KEY_ID=${id}`, 'BACKUP_AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE'] }),
  );
  assert.deepEqual(
    found.map((f) => `${f.rule} ${f.path}`),
    ['aws-access-key-id config:Env/AWS_ACCESS_KEY_ID'],
    found.map((f) => f.evidence).join('; '),
  );
});

test('secrets-config: history tokens, build args and ARG defaults, once each, at their layer', () => {
  const history: HistoryEntry[] = [
    { created_by: '/bin/sh -c #(nop) ADD file:abc in /' },
    { created_by: `/bin/sh -c #(nop)  ARG NPM_AUTH_TOKEN=${npmToken}`, empty_layer: true },
    {
      created_by: `|1 NPM_AUTH_TOKEN=${npmToken} /bin/sh -c echo "//registry.npmjs.org/:_authToken=${npmToken}" > .npmrc && npm ci`,
    },
    { created_by: `RUN |1 DEPLOY_SECRET=${password} /bin/sh -c ./deploy.sh # buildkit` },
    { created_by: `ENV GITHUB_TOKEN=${ghToken}`, empty_layer: true },
    { created_by: 'ARG VERSION=1.2.3', empty_layer: true },
  ];
  const found = configSecrets(image({ Env: [`GITHUB_TOKEN=${ghToken}`] }, history, 3));
  const got = found.map((f) => `${f.rule} ${f.path} ${f.layer}`).sort();
  assert.deepEqual(
    got,
    ['build-arg-secret history:3 2', 'github-token config:Env/GITHUB_TOKEN 0', 'npm-token history:1 0'],
    got.join('; '),
  );
});

test('secrets-config: the check runs on a built image, and the analyzer sees the .npmrc', async () => {
  const dir = tempDir();
  const built = buildImage({
    layers: [
      {
        files: [{ path: 'root/.npmrc', content: `//registry.npmjs.org/:_authToken=${npmToken}\n` }],
        createdBy: `RUN |1 TOKEN=${npmToken} /bin/sh -c echo "//registry.npmjs.org/:_authToken=$TOKEN" > /root/.npmrc`,
      },
    ],
    config: {
      Env: [
        `SLACK_BOT_TOKEN=xoxb-${fake('0123456789', 12, 65)}-${fake('0123456789', 13, 66)}-${fake(ALNUM, 24, 67)}`,
      ],
    },
  });
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: built }]);
  const analyzed = await analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), {
    analyzers: secretAnalyzers,
    cache: null,
  });
  const fileFacts = analyzed.facts.layers[0]!.facts.secrets ?? [];
  assert.deepEqual(
    fileFacts.map((f) => [f.rule, f.path, f.line]),
    [['npm-token', 'root/.npmrc', 1]],
    'the file',
  );
  const result = await secretImageChecks[0]!.run(checkContext(analyzed.image, analyzed.facts));
  const got = (result.secrets ?? []).map((f) => `${f.rule} ${f.path} ${f.layer}`).sort();
  assert.deepEqual(
    got,
    ['npm-token history:0 0', 'slack-token config:Env/SLACK_BOT_TOKEN 0'],
    got.join('; '),
  );
});

test('secrets-config: rules keyed on the name see Env and labels; public keys and references are not secrets', () => {
  const awsSecret = fake(`${ALNUM}+/`, 40, 70);
  const found = configSecrets(
    image({
      Env: [
        `AWS_SECRET_ACCESS_KEY=${awsSecret}`,
        `ENCRYPTION_KEY=${fake(ALNUM, 32, 71)}`,
        `GPG_KEY=${fake(HEX, 40, 72).toUpperCase()}`,
        `APP_PUBLIC_KEY=${fake(ALNUM, 44, 73)}`,
        'SIGNING_KEY=${SIGNING_KEY}',
      ],
      Labels: {
        'com.acme.deploy-password': fake(ALNUM, 18, 74),
        'org.opencontainers.image.revision': fake(HEX, 40, 75),
      },
    }),
  );
  const got = found.map((f) => `${f.rule} ${f.path}`).sort();
  assert.deepEqual(
    got,
    [
      'aws-secret-access-key config:Env/AWS_SECRET_ACCESS_KEY',
      'env-secret config:Env/ENCRYPTION_KEY',
      'label-secret config:Labels/com.acme.deploy-password',
    ],
    got.join('; '),
  );
});

test('secrets-config: passwords and tokens written into RUN commands', () => {
  const run = (cmd: string) => ({ created_by: `RUN /bin/sh -c ${cmd} # buildkit` });
  const history: HistoryEntry[] = [
    run(`sshpass -p ${fake(ALNUM, 14, 76)} scp a.tgz host:/srv`),
    run(`echo "root:${fake(ALNUM, 12, 77)}" | chpasswd`),
    run(`git clone https://oauth2:${fake(ALNUM, 20, 78)}@git.acme-corp.io/team/app.git /app`),
    run(`curl -H "Authorization: Bearer ${fake(ALNUM, 40, 79)}" -o /a https://api.acme-corp.io/a`),
    run('mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "select 1"'),
    run('echo $TOKEN > /dev/null'),
  ];
  const got = configSecrets(image({}, history, history.length))
    .map((f) => `${f.rule} ${f.path}`)
    .sort();
  assert.deepEqual(
    got,
    [
      'authorization-header history:3',
      'command-line-password history:0',
      'command-line-password history:1',
      'url-credentials history:2',
    ],
    got.join('; '),
  );
});
