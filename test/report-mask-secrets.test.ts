/**
 * Reports repeat the image's own words (a layer's created_by; Env, labels, history and the
 * command line in `inspect`): a secret the scan masks in its finding is masked there too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectJson, inspectTable } from '../src/report/inspect.js';
import { maskSecretsIn } from '../src/report/mask-secrets.js';
import { reportLayers } from '../src/report/model.js';
import { ALNUM, configOnlyImage, fake } from './secrets-fakes.js';

const ghToken = `ghp_${fake(ALNUM, 36, 71)}`;
const password = fake(ALNUM, 18, 72);

test('maskSecretsIn: rule matches and secret-named assignments are masked, the rest kept', () => {
  const line = `/bin/sh -c export GITHUB_TOKEN=${ghToken} && curl -H "Authorization: token ${ghToken}" https://x.example.test/i.sh | sh`;
  const masked = maskSecretsIn(line);
  assert.ok(!masked.includes(ghToken), masked);
  assert.match(masked, /curl -H "Authorization: token ghp_\*{4}/, 'masked as findings mask');
  assert.match(masked, /https:\/\/x\.example\.test\/i\.sh \| sh$/, 'the rest of the command stays');
  assert.ok(!maskSecretsIn(`DB_PASSWORD=${password} ./run`).includes(password), 'by name');
  for (const plain of [
    'ADD file:4b1d0b6c7a2e7f0a0c6c2b3e1f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6 in / ',
    'ENV PATH=/usr/local/bin:/usr/bin',
    'RUN apt-get install -y curl',
  ])
    assert.equal(maskSecretsIn(plain), plain, plain);
});

test('reports: layers, history, Env, labels and the command line carry no secret', () => {
  const img = configOnlyImage(
    {
      Env: [`GITHUB_TOKEN=${ghToken}`, 'PATH=/usr/bin'],
      Labels: { deploy: `password=${password}` },
      Cmd: ['sh', '-c', `APP_SECRET=${password} ./server`],
    },
    [{ created_by: `/bin/sh -c export GITHUB_TOKEN=${ghToken} && make` }],
    1,
  );
  const layers = JSON.stringify(reportLayers(img));
  assert.ok(!layers.includes(ghToken), layers);
  const r = { image: img, analyzed: null, cached: [], totalMs: 0 } as unknown as Parameters<
    typeof inspectJson
  >[0];
  for (const out of [JSON.stringify(inspectJson(r)), inspectTable(r, false)]) {
    assert.ok(!out.includes(ghToken) && !out.includes(password), out);
    assert.match(out, /ghp_\*{4}/, 'the masked form is shown');
  }
});
