/**
 * Every secret rule fires on a positive sample and stays quiet on a negative one (the table must
 * cover every rule in rules/secrets/rules.yaml); the loader refuses bad rules; masking never
 * shows more than a 4-character prefix and suffix; hostile text stays linear-time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileSecretRules, maskSecret, scanText, secretRules } from '../src/analyze/secrets/index.js';
import { unboundedQuantifier } from '../src/analyze/secrets/regex-guard.js';
import { nativeKeywordScreen } from '../src/analyze/secrets/keyword-screen.js';
import { anyRuleRuns, isAllowedPath, keywordsIn } from '../src/analyze/secrets/scan-text.js';
import { ALNUM, B64, B64URL, DIGITS, HEX, UPPER32, UPPERNUM, fake, fakeJwt } from './secrets-fakes.js';

interface Sample {
  text: string;
  path?: string;
}

const pem = (kind: string, body: string, nl = '\n') =>
  `-----BEGIN ${kind}-----${nl}${body}${nl}-----END ${kind}-----${nl}`;
const keyBody = `MIIEpAIBAAKCAQEA${fake(B64, 120, 7)}`;
const userPass = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');

const SAMPLES: Record<string, { positive: Sample[]; negative: Sample[] }> = {
  'aws-secret-access-key': {
    positive: [
      { text: `[default]\naws_secret_access_key = ${fake(B64, 40, 2)}\n` },
      { text: `{"SecretAccessKey": "${fake(ALNUM, 40, 3)}"}` },
    ],
    negative: [{ text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }],
  },
  'aws-access-key-id': {
    positive: [
      { text: `aws_access_key_id = AKIA${fake(UPPER32, 16, 4)}` },
      // Any digit, as other scanners' and evaluators' fakes have it; a digit run too.
      { text: `AWS_ACCESS_KEY_ID=AKIA${fake(UPPERNUM, 16, 200)}` },
      { text: `AWS_ACCESS_KEY_ID=${['AKIA', '1234567890', 'ABCDEF'].join('')}` },
    ],
    negative: [
      { text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE' },
      { text: `AKIA${'A'.repeat(16)}` },
      // One character short, lower case, or part of a longer word.
      { text: `AWS_ACCESS_KEY_ID=AKIA${fake(UPPERNUM, 15, 201)}` },
      { text: `AWS_ACCESS_KEY_ID=AKIA${fake(UPPERNUM, 16, 202).toLowerCase()}` },
      { text: `id=XAKIA${fake(UPPERNUM, 16, 203)}` },
    ],
  },
  'aws-session-token': {
    positive: [
      { text: `export AWS_SESSION_TOKEN='IQoJb3JpZ2luX2Vj${fake(B64, 300, 204)}'` },
      { text: `aws_session_token = FwoGZXIvYXdzE${fake(B64, 200, 205)}` },
    ],
    negative: [
      { text: `AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj${fake(B64, 40, 206)}` },
      { text: `AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj${'A'.repeat(200)}` },
    ],
  },
  'gcp-service-account-key': {
    positive: [
      {
        text: JSON.stringify({
          type: 'service_account',
          private_key: pem('PRIVATE KEY', keyBody),
          client_email: 'builder@project-1.iam.gserviceaccount.com',
        }),
      },
    ],
    negative: [
      { text: JSON.stringify({ type: 'service_account', private_key: pem('PRIVATE KEY', keyBody) }) },
    ],
  },
  'private-key-encrypted': {
    positive: [
      { text: pem('ENCRYPTED PRIVATE KEY', fake(B64, 128, 8)) },
      { text: pem('RSA PRIVATE KEY', `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n${keyBody}`) },
      {
        text: `key: |\n${indent(pem('RSA PRIVATE KEY', `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n${keyBody}`), '  ')}`,
      },
      { text: pem('ENCRYPTED PRIVATE KEY', fake(B64, 128, 208), ' ') },
    ],
    negative: [
      { text: pem('RSA PRIVATE KEY', keyBody) },
      { text: indent(pem('RSA PRIVATE KEY', keyBody), '    ') },
    ],
  },
  'private-key': {
    positive: [
      { text: pem('RSA PRIVATE KEY', keyBody) },
      { text: pem('OPENSSH PRIVATE KEY', `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ${fake(B64, 80, 9)}`) },
      { text: `KEY="${pem('EC PRIVATE KEY', keyBody, '\\n')}"` },
      // Indented under a YAML block scalar, and joined by spaces on one line.
      {
        text: `deploy_key: |\n${indent(pem('OPENSSH PRIVATE KEY', `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ${fake(B64, 80, 207)}`), '  ')}`,
      },
      { text: `config:\n  tls:\n    key: |\n${indent(pem('RSA PRIVATE KEY', keyBody), '      ')}` },
      { text: pem('RSA PRIVATE KEY', keyBody.match(/.{1,64}/g)!.join(' '), ' ') },
    ],
    negative: [
      // Indented but passphrase-protected: the encrypted rule's (low), not this one.
      {
        text: `key: |\n${indent(pem('RSA PRIVATE KEY', `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\n${keyBody}`), '  ')}`,
      },
      { text: `-----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY-----` },
      { text: pem('PRIVATE KEY', '...') },
      { text: pem('PUBLIC KEY', keyBody) },
      { text: pem('RSA PRIVATE KEY', 'MIIEpAIBAAKCAQEA' + 'X'.repeat(64)) },
    ],
  },
  'azure-storage-connection-string': {
    positive: [
      {
        text: `DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=${fake(ALNUM, 86, 10)}==;EndpointSuffix=core.windows.net`,
      },
    ],
    negative: [
      {
        text: 'AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
      },
    ],
  },
  'github-token': {
    positive: [{ text: `GH=ghp_${fake(ALNUM, 36, 11)}` }, { text: `token: ghs_${fake(ALNUM, 36, 12)}` }],
    negative: [{ text: `ghp_${'x'.repeat(36)}` }, { text: `ghp_${fake(ALNUM, 20, 13)}` }],
  },
  'github-fine-grained-token': {
    positive: [{ text: `github_pat_${fake(ALNUM, 22, 14)}_${fake(ALNUM, 59, 15)}` }],
    negative: [{ text: 'github_pat_ is the prefix of fine-grained tokens' }],
  },
  'gitlab-token': {
    positive: [{ text: `CI_TOKEN=glpat-${fake(ALNUM, 20, 16)}` }],
    negative: [{ text: `glpat-${'x'.repeat(20)}` }],
  },
  'slack-token': {
    positive: [{ text: `SLACK=xoxb-${fake(DIGITS, 12, 17)}-${fake(DIGITS, 13, 18)}-${fake(ALNUM, 24, 19)}` }],
    negative: [{ text: 'xoxb-your-token-here' }],
  },
  'slack-webhook': {
    positive: [
      {
        text: `https://hooks.slack.com/services/T${fake(UPPERNUM, 8, 20)}/B${fake(UPPERNUM, 8, 21)}/${fake(ALNUM, 24, 22)}`,
      },
    ],
    negative: [{ text: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX' }],
  },
  'stripe-secret-key': {
    positive: [{ text: `stripe.api_key = "sk_live_${fake(ALNUM, 24, 23)}"` }],
    negative: [{ text: `stripe.api_key = "sk_test_${fake(ALNUM, 24, 23)}"` }],
  },
  'twilio-api-key': {
    positive: [
      { text: `TWILIO_API_KEY=SK${fake(HEX, 32, 24)}` },
      { text: `account_sid = 'AC${fake(HEX, 32, 209)}'\napi_key = 'SK${fake(HEX, 32, 210)}'\n` },
    ],
    negative: [{ text: `id=SK${fake(HEX, 32, 24)}` }],
  },
  'twilio-auth-token': {
    positive: [
      { text: `twilio_auth_token: "${fake(HEX, 32, 25)}"` },
      { text: `from twilio.rest import Client\nauth_token = "${fake(HEX, 32, 173)}"\n` },
    ],
    negative: [{ text: `twilio_auth_token: "${'0'.repeat(32)}"` }],
  },
  'sendgrid-api-key': {
    positive: [{ text: `SENDGRID=SG.${fake(B64URL, 22, 26)}.${fake(B64URL, 43, 27)}` }],
    negative: [{ text: 'see SG.example.com' }],
  },
  'vault-token': {
    positive: [
      { text: `VAULT_TOKEN=hvs.${fake(ALNUM, 24, 211)}` },
      { text: `X-Vault-Token: hvs.${fake(B64URL, 91, 212)}` },
    ],
    negative: [{ text: `VAULT_TOKEN=hvs.${'x'.repeat(24)}` }, { text: `t = hvs.${fake(ALNUM, 12, 213)}` }],
  },
  'vault-legacy-token': {
    positive: [
      { text: `vault login s.${fake(ALNUM, 24, 214)}` },
      { text: `export VAULT_TOKEN="s.${fake(ALNUM, 24, 215)}"` },
    ],
    negative: [
      // Without Vault named in the file, `s.` and 24 characters are anything.
      { text: `login s.${fake(ALNUM, 24, 214)}` },
      { text: `vault: this.s.${fake(ALNUM, 24, 216)}` },
    ],
  },
  'docker-hub-token': {
    positive: [{ text: `echo dckr_pat_${fake(B64URL, 27, 217)} | docker login -u acme --password-stdin` }],
    negative: [{ text: `DOCKER_TOKEN=dckr_pat_${fake(ALNUM, 12, 218)}` }],
  },
  'telegram-bot-token': {
    positive: [
      { text: `bot = telebot.TeleBot('${fake(DIGITS, 10, 219)}:AA${fake(B64URL, 33, 220)}')` },
      { text: `TELEGRAM_TOKEN=${fake(DIGITS, 9, 221)}:AA${fake(B64URL, 33, 222)}` },
    ],
    negative: [
      // No Telegram or bot in the file; one character short.
      { text: `id = '${fake(DIGITS, 10, 219)}:AA${fake(B64URL, 33, 220)}'` },
      { text: `TELEGRAM_TOKEN=${fake(DIGITS, 9, 221)}:AA${fake(B64URL, 32, 222)}` },
    ],
  },
  'discord-webhook': {
    positive: [
      {
        text: `DISCORD_WEBHOOK='https://discord.com/api/webhooks/${fake(DIGITS, 18, 223)}/${fake(B64URL, 68, 224)}'`,
      },
    ],
    negative: [
      { text: `https://discord.com/api/webhooks/${fake(DIGITS, 18, 223)}/${'x'.repeat(68)}` },
      { text: 'https://discord.com/api/webhooks/{id}/{token}' },
    ],
  },
  'slack-app-token': {
    positive: [
      {
        text: `SLACK_APP='xapp-1-A${fake(UPPERNUM, 10, 225)}-${fake(DIGITS, 13, 226)}-${fake(HEX, 64, 227)}'`,
      },
    ],
    negative: [{ text: 'SLACK_APP_TOKEN=xapp-1-your-app-token' }],
  },
  'openai-api-key': {
    positive: [
      { text: `client = OpenAI(api_key='sk-proj-${fake(B64URL, 156, 228)}')` },
      { text: `openai.api_key = 'sk-${fake(ALNUM, 20, 229)}T3BlbkFJ${fake(ALNUM, 20, 230)}'` },
    ],
    negative: [
      { text: `OPENAI_API_KEY=sk-proj-${'x'.repeat(48)}` },
      { text: `key = 'sk-${fake(ALNUM, 20, 231)}T3BlbkFJ${fake(ALNUM, 12, 232)}'` },
    ],
  },
  'anthropic-api-key': {
    positive: [{ text: `client = Anthropic(api_key='sk-ant-api03-${fake(B64URL, 93, 233)}AA')` }],
    negative: [
      { text: 'ANTHROPIC_API_KEY=sk-ant-api03-...' },
      { text: `k=sk-ant-api03-${fake(B64URL, 40, 234)}` },
    ],
  },
  'huggingface-token': {
    positive: [{ text: `HF_TOKEN='hf_${fake(ALNUM, 34, 235)}'` }],
    negative: [
      { text: `HF_TOKEN='hf_${fake(ALNUM, 30, 236)}'` },
      { text: 'from huggingface_hub import hf_hub_download_with_retriesAndMore' },
    ],
  },
  'google-api-key': {
    positive: [{ text: `GOOGLE_API_KEY = 'AIza${fake(B64URL, 35, 237)}'` }],
    negative: [
      { text: `GOOGLE_API_KEY = 'AIza${fake(B64URL, 30, 238)}'` },
      { text: `AIza${'X'.repeat(35)}` },
    ],
  },
  'shopify-token': {
    positive: [
      { text: `token='shpat_${fake(HEX, 32, 239)}'` },
      { text: `SHOPIFY_SECRET=shpss_${fake(HEX, 32, 240)}` },
    ],
    negative: [{ text: `token='shpat_${fake(HEX, 31, 241)}'` }, { text: `token='shpat_${'0'.repeat(32)}'` }],
  },
  'terraform-cloud-token': {
    positive: [
      {
        path: 'root/.terraformrc',
        text: `credentials "app.terraform.io" {\n  token = "${fake(ALNUM, 14, 242)}.atlasv1.${fake(B64URL, 67, 243)}"\n}\n`,
      },
    ],
    negative: [
      {
        text: 'token = "xxxxxxxxxxxxxx.atlasv1.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"',
      },
    ],
  },
  'wireguard-private-key': {
    positive: [
      {
        path: 'etc/wireguard/wg0.conf',
        text: `[Interface]\nPrivateKey = ${fake(B64, 43, 244)}=\nAddress = 10.0.0.2/24\n`,
      },
    ],
    negative: [
      // A peer's public key, and a private key outside a WireGuard interface section.
      { text: `[Interface]\nAddress = 10.0.0.2/24\n[Peer]\nPublicKey = ${fake(B64, 43, 245)}=\n` },
      { text: `PrivateKey = ${fake(B64, 43, 244)}=\n` },
    ],
  },
  'pgpass-password': {
    positive: [
      { path: 'root/.pgpass', text: `db.internal:5432:app:app:${fake(ALNUM, 16, 246)}\n` },
      { path: 'home/app/.pgpass', text: `# prod\n*:*:*:report:${fake(ALNUM, 12, 247)}\n` },
    ],
    negative: [
      { path: 'app/notes.txt', text: `db.internal:5432:app:app:${fake(ALNUM, 16, 246)}\n` },
      { path: 'root/.pgpass', text: 'db:5432:app:app:changeme\n#db:5432:app:app:x\n' },
    ],
  },
  'markup-password': {
    positive: [
      {
        path: 'root/.m2/settings.xml',
        text: `<server>\n  <id>nexus</id>\n  <password>${fake(ALNUM, 20, 248)}</password>\n</server>\n`,
      },
      {
        path: 'app/web.config',
        text: `<appSettings>\n  <add key="Password" value="${fake(ALNUM, 20, 249)}"/>\n</appSettings>\n`,
      },
      { path: 'var/www/html/wp-config.php', text: "define( 'DB_PASSWORD', 'Zx9kP2qLm7wQa8Rt' );\n" },
    ],
    negative: [
      { text: '<password>${env.NEXUS_PASSWORD}</password>' },
      { text: '<add key="Password" value="changeme"/>' },
      { text: "define('DB_PASSWORD', 'password_here');\ndefine('AUTH_KEY', 'put your unique phrase here');" },
      { text: '<add key="PasswordLength" value="Zx9kP2qLm7wQa8Rt"/>' },
      { text: 'regex: "(?:auth)"\\s{0,4}:"(?<secret>[A-Za-z0-9+/=._-]{8,4096})"' },
    ],
  },
  'password-assignment': {
    positive: [
      { text: 'spring.datasource.password=Zx9kP2qLm7wQ' },
      { text: 'DB_PASSWORD=P@ssw0rd2024' },
      { text: "DATABASES = {'default': {'PASSWORD': 'SuperSecret123!'}}" },
      { text: 'POSTGRES_PASS=Zx9kP2qLm7wQ' },
      { text: 'credentials = {"username": "admin", "password": "P@55w0rd!"}' },
    ],
    negative: [
      { text: 'DB_PASSWORD=hunter2' },
      { text: 'password=Password123' },
      { text: 'password: ${DB_PASSWORD}' },
      { text: 'password = "changeme"' },
      { text: 'password=abcdefgh12' },
      { text: 'password = getPass1(x)' },
      { text: '# password=Zx9kP2qLm7wQ' },
      { text: 'password: <password>' },
      { text: 'bypass=Zx9kP2qLm7wQ' },
      { text: 'password_hash=Zx9kP2qLm7wQ' },
      // A library's mock or default (moto's RDS mock), not an application's setting.
      {
        path: 'app/venv/lib/python3.11/site-packages/moto/rds/models.py',
        text: 'credentials = {"username": "admin", "password": "P@55w0rd!"}',
      },
    ],
  },
  'npm-token': {
    positive: [{ text: `NPM_TOKEN=npm_${fake(ALNUM, 36, 28)}` }],
    negative: [{ text: 'npm_config_cache=/tmp/npm_config_cache_for_tests_only' }],
  },
  'npm-registry-auth-token': {
    positive: [
      {
        text: `//registry.npmjs.org/:_authToken=${fake(HEX, 8, 29)}-${fake(HEX, 4, 30)}-${fake(HEX, 12, 31)}`,
      },
    ],
    negative: [
      { text: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}' },
      { text: '//r.example/:_authToken=MYTOKEN1' },
    ],
  },
  'npmrc-auth': {
    positive: [{ path: 'home/node/.npmrc', text: `_auth=${userPass('ci', fake(ALNUM, 14, 32))}\n` }],
    negative: [
      { path: 'home/node/notes.txt', text: `_auth=${userPass('ci', fake(ALNUM, 14, 32))}\n` },
      { path: 'home/node/.npmrc', text: '_authToken=${NPM_TOKEN}\n' },
    ],
  },
  'pypi-upload-token': {
    positive: [{ text: `password = pypi-AgEIcHlwaS5vcmc${fake(B64URL, 60, 33)}` }],
    negative: [{ text: 'tokens start with pypi-AgEIcHlwaS5vcmc and a macaroon' }],
  },
  'pypirc-password': {
    positive: [{ path: 'root/.pypirc', text: `[pypi]\nusername = me\npassword = ${fake(ALNUM, 16, 34)}\n` }],
    negative: [{ path: 'root/.pypirc', text: '[pypi]\nusername = me\npassword = <your-password>\n' }],
  },
  'docker-config-auth': {
    positive: [
      {
        path: 'root/.docker/config.json',
        text: JSON.stringify({
          auths: { 'registry.example': { auth: userPass('bob', fake(ALNUM, 12, 35)) } },
        }),
      },
    ],
    negative: [
      {
        path: 'root/.docker/config.json',
        text: JSON.stringify({ auths: { 'r.example': { auth: 'bm9jb2xvbnM=' } } }),
      },
      {
        path: 'app/config.json',
        text: JSON.stringify({ auths: { 'r.example': { auth: userPass('bob', 'pw123456') } } }),
      },
    ],
  },
  'database-url-password': {
    positive: [
      { text: `DATABASE_URL=postgres://app:${fake(ALNUM, 14, 36)}@db.internal:5432/app` },
      { text: `URI = "postgresql+psycopg2://app:${fake(ALNUM, 14, 170)}@db/app"` },
      { text: `REDIS_URL=redis://:${fake(ALNUM, 20, 171)}@cache:6379/0` },
    ],
    negative: [
      { text: 'DATABASE_URL=postgres://user:password@localhost/db' },
      { text: 'url = "mysql://root:${DB_PASS}@db/app"' },
    ],
  },
  'jwt-signing-secret': {
    positive: [
      { text: `JWT_SECRET=${fake(ALNUM, 32, 37)}` },
      { text: `app.config['JWT_SECRET_KEY'] = '${fake(ALNUM, 32, 172)}'` },
    ],
    negative: [{ text: 'jwt_secret = "changeme-changeme-1"' }, { text: 'JWT_SECRET=${JWT_SECRET}' }],
  },
  'jwt-token': {
    positive: [{ text: `Authorization: Bearer ${fakeJwt('HS256', 38)}` }],
    negative: [{ text: `token=${fakeJwt('none', 38)}` }],
  },
  'generic-secret': {
    positive: [
      { text: `api_key: "${fake(ALNUM, 32, 39)}"` },
      { text: `MY_SERVICE_PASSWORD=${fake(ALNUM, 20, 40)}` },
      // A dict or array subscript; a two-word password and a number.
      { text: `settings['API_KEY'] = '${fake(ALNUM, 24, 140)}'` },
      { text: 'DB_PASSWORD="Winter2024Harbor!x"' },
      { text: `SECRET=${fake(ALNUM, 16, 139)}` },
      // Environment and version suffixes, short and other secret names.
      ...[
        'API_KEY_PROD',
        'PASSWORD_PROD',
        'DB_PASSWORD_2',
        'SECRET_KEY_V2',
        'client_secret_prod',
        'private_key_value',
        'DB_PASS',
        'POSTGRES_PASS',
        'dbPass',
        'ENCRYPTION_KEY',
        'SIGNING_KEY',
        'MASTER_KEY',
        'credentials',
      ].map((name, i) => ({ text: `${name}=${fake(ALNUM, 24, 250 + i)}` })),
    ],
    negative: [
      { text: 'password = "correct horse battery staple"' },
      { text: 'const token = scanner.reScanGreaterToken1()' },
      { text: 'token=lsdkfol23w54jlksdef&state=x' },
      { text: 'api_key: "your-api-key-goes-here-1234"' },
      // A type name, a secret manager's resource name, an ARN, a page token, a v1 UUID, a
      // commented-out sample setting.
      { text: "'service_account_token': 'V1ServiceAccountTokenProjection'" },
      { text: 'KdcAdminPassword: XmlStringMaxLen256;' },
      { text: '  cancelToken: defaultToConfig2,' },
      { text: "--sasl-password='projects/123/secrets/my-secret/versions/1'" },
      { text: `arn:aws:secretsmanager:region:acct:secret:${fake(ALNUM, 20, 142)}` },
      { text: `Next page token: ${fake(ALNUM, 25, 143)}` },
      { text: '"clientSecret": "b70bb224-65ca-11e7-810c-ecb1d756380e"' },
      { text: `# app.oauth.clientSecret=${fake(ALNUM, 21, 144)}` },
      // Names near the new ones that are not secrets; moto's mock values (a sequential
      // placeholder UUID, SES domain-verification tokens that are published in DNS).
      { text: `bypass = "${fake(ALNUM, 20, 270)}"` },
      { text: `PASSWORD_HASH=${fake(ALNUM, 20, 271)}` },
      { text: `API_KEY_HEADER=${fake(ALNUM, 20, 272)}` },
      { text: `compass=${fake(ALNUM, 20, 273)}` },
      { text: '        self.update_token = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"' },
      { text: `                "VerificationToken": "${fake(B64, 43, 274)}=",` },
      { text: `commit_token = "${fake(HEX, 40, 275)}"` },
      // A type annotation with an acronym (cryptography's pkcs7.py).
      { text: '        private_key: PKCS7PrivateKeyTypes,' },
    ],
  },
  'putty-private-key': {
    positive: [{ text: ppk('none', 145) }],
    negative: [
      { text: ppk('aes256-cbc', 145) },
      { text: 'PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n' },
    ],
  },
  'putty-private-key-encrypted': {
    positive: [{ text: ppk('aes256-cbc', 146) }],
    negative: [{ text: ppk('none', 146) }],
  },
  'private-key-base64': {
    positive: [
      { text: `    client-key-data: ${b64(pem('RSA PRIVATE KEY', fake(B64, 200, 147)))}` },
      { text: `tls.key: ${b64(pem('PRIVATE KEY', fake(B64, 200, 148)))}` },
    ],
    negative: [
      { text: `tls.crt: ${b64(pem('CERTIFICATE', fake(B64, 200, 149)))}` },
      { text: `k: ${b64(pem('ENCRYPTED PRIVATE KEY', fake(B64, 200, 150)))}` },
    ],
  },
  'azure-sas-token': {
    positive: [
      {
        text: `BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2030-01-01T00:00:00Z&spr=https&sig=${fake(B64, 43, 151)}%3D`,
      },
      {
        text: `https://a.blob.core.windows.net/c/f?sp=r&st=2024-01-01T00:00:00Z&se=2030-01-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=${fake(B64, 43, 152)}%3D`,
      },
    ],
    negative: [{ text: `https://api.example.test/x?sp=r&se=1&sig=${fake(B64, 43, 153)}` }],
  },
  'netrc-password': {
    positive: [
      { path: 'root/.netrc', text: `machine git.acme.io login ci password ${fake(ALNUM, 20, 154)}\n` },
    ],
    negative: [
      { path: 'root/.netrc', text: 'machine git.acme.io login ci password secret\n' },
      { path: 'app/notes.txt', text: `machine m login l password ${fake(ALNUM, 20, 154)}\n` },
    ],
  },
  'url-credentials': {
    positive: [
      { text: `index-url = https://build:${fake(ALNUM, 20, 155)}@pypi.acme-corp.io/simple` },
      { text: `git clone https://oauth2:${fake(ALNUM, 20, 156)}@git.acme-corp.io/team/app.git` },
    ],
    negative: [
      { text: 'uri = URI.parse("http://john:S3nsit1ve@my.example.com")' },
      { text: 'proxy=http://user:password@proxy.acme-corp.io:3128' },
      { text: 'url = "https://${USER}:${PASS}@git.acme-corp.io/r.git"' },
    ],
  },
  'command-line-password': {
    positive: [
      { text: `sshpass -p '${fake(ALNUM, 14, 157)}' scp a b:` },
      { text: `mysql -uroot -p${fake(ALNUM, 14, 158)} -e 'select 1'` },
      { text: `curl -fsS -u deploy:${fake(ALNUM, 16, 159)} https://repo.acme-corp.io/x` },
      { text: `echo "root:${fake(ALNUM, 12, 160)}" | chpasswd` },
      { text: `curl -u admin:${fake(ALNUM, 16, 174)} https://repo.acme-corp.io/x` },
      { text: `mysqldump --password=${fake(ALNUM, 16, 175)} app` },
      { text: `htpasswd -bc /etc/nginx/.htpasswd admin ${fake(ALNUM, 12, 161)}` },
    ],
    negative: [
      { text: 'mysql -u root -p mydb' },
      { text: 'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -e "select 1"' },
      { text: `echo "root:${fake(ALNUM, 12, 162)}" > /tmp/notes` },
      { text: 'curl -u "$USER:$TOKEN" https://x' },
    ],
  },
  'authorization-header': {
    positive: [{ text: `curl -H "Authorization: Bearer ${fake(ALNUM, 40, 163)}" https://api.acme-corp.io/` }],
    negative: [
      { text: 'headers["Authorization"] = "Bearer " + token' },
      { text: 'Authorization: Bearer ${ACCESS_TOKEN}' },
    ],
  },
  'web-framework-secret-key': {
    positive: [
      { text: `# Django settings\nSECRET_KEY = 'django-insecure-${fake(B64URL, 40, 164)}'\n` },
      { text: `app = Flask(__name__)\napp.config['SECRET_KEY'] = "${fake(ALNUM, 32, 165)}"\n` },
      { text: `production:\n  secret_key_base: ${fake(HEX, 128, 141)}\n` },
    ],
    negative: [
      { text: "# Django settings\nSECRET_KEY = os.environ['SECRET_KEY']\n" },
      { text: `SECRET_KEY = '${fake(ALNUM, 40, 166)}'\n` },
    ],
  },
  'jwt-sign-literal': {
    positive: [
      { text: `const t = jwt.sign(payload, '${fake(ALNUM, 32, 167)}', { expiresIn: '1h' });` },
      { text: `jwt.encode(claims, "${fake(ALNUM, 32, 168)}", algorithm="HS256")` },
    ],
    negative: [
      { text: "jwt.sign(payload, 'shhhhh')" },
      { text: 'jwt.sign(payload, process.env.JWT_SECRET)' },
    ],
  },
};

function indent(s: string, by: string): string {
  return s.replace(/^(?=.)/gm, by);
}

function ppk(encryption: string, seed: number): string {
  const lines = (n: number, s: number) =>
    Array.from({ length: n }, (_, i) => fake(B64, 64, s + i)).join('\n');
  return `PuTTY-User-Key-File-3: ssh-rsa\nEncryption: ${encryption}\nComment: rsa-key\nPublic-Lines: 2\n${lines(2, seed * 10)}\nPrivate-Lines: 4\n${lines(4, seed * 20)}\nPrivate-MAC: ${fake(HEX, 64, seed)}\n`;
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

function rulesFired(s: Sample): string[] {
  return scanText(s.text, secretRules(), { path: s.path ?? 'app/settings.txt' }).map((m) => m.rule.id);
}

test('secret rules: every rule has samples, fires on each positive and not on any negative', () => {
  const ids = secretRules().rules.map((r) => r.id);
  for (const id of ids) {
    const table = SAMPLES[id];
    assert.ok(table && table.positive.length > 0 && table.negative.length > 0, `rule ${id} lacks samples`);
    for (const s of table.positive) assert.ok(rulesFired(s).includes(id), `${id} should fire on ${s.text}`);
    for (const s of table.negative)
      assert.ok(!rulesFired(s).includes(id), `${id} fired on negative ${s.text}`);
  }
  for (const id of Object.keys(SAMPLES)) assert.ok(ids.includes(id), `samples for unknown rule ${id}`);
});

test('secret rules: an SSH key under .ssh is high, the same key elsewhere medium; line numbers', () => {
  const text = `# deploy key\n\n${pem('OPENSSH PRIVATE KEY', `b3BlbnNzaC1rZXktdjEAAAAABG5vbmU${fake(B64, 80, 41)}`)}`;
  const home = scanText(text, secretRules(), { path: 'root/.ssh/id_ed25519' });
  assert.equal(home[0]?.severity, 'high', 'an SSH identity is high');
  assert.equal(home[0]?.line, 4, 'the line of the key body');
  const elsewhere = scanText(text, secretRules(), { path: 'srv/keys/deploy' });
  assert.equal(elsewhere[0]?.severity, 'medium', 'a key elsewhere is medium');
  // Shipped inside a published package (moto's proxy CA key): public, so low.
  for (const path of [
    'app/venv/lib/python3.11/site-packages/moto/moto_proxy/ca.key',
    'app/node_modules/some-proxy/certs/ca.key',
  ]) {
    assert.equal(scanText(text, secretRules(), { path })[0]?.severity, 'low', `${path} is low`);
  }
});

test('secret rules: every distinct value is a finding, the same value once, at most 20 a file', () => {
  const set = secretRules();
  const found = (text: string) =>
    scanText(text, set, { path: 'app/.env' }).map((m) => `${m.rule.id}:${m.line}`);
  const [a, b] = [`ghp_${fake(ALNUM, 36, 276)}`, `ghp_${fake(ALNUM, 36, 277)}`];
  assert.deepEqual(found(`A=${a}\nB=${b}\n`), ['github-token:1', 'github-token:2'], 'two tokens');
  assert.deepEqual(found(`A=${a}\nB=${a}\nC=${a}\n`), ['github-token:1'], 'one token three times');
  const slack = (kind: string, seed: number) =>
    `xox${kind}-${fake(DIGITS, 12, seed)}-${fake(DIGITS, 12, seed + 1)}-${fake(ALNUM, 24, seed + 2)}`;
  assert.deepEqual(
    found(`BOT=${slack('b', 278)}\nUSER=${slack('p', 281)}\n`),
    ['slack-token:1', 'slack-token:2'],
    'a Slack bot and a user token',
  );
  const aws = (seed: number) =>
    `AWS_ACCESS_KEY_ID=AKIA${fake(UPPER32, 16, seed)}\nAWS_SECRET_ACCESS_KEY=${fake(B64, 40, seed + 1)}\n`;
  assert.deepEqual(
    found(`${aws(284)}BACKUP_${aws(286)}`),
    ['aws-access-key-id:1', 'aws-secret-access-key:2', 'aws-access-key-id:3', 'aws-secret-access-key:4'],
    'two AWS key pairs',
  );
  const history = `mysql -uroot -p${fake(ALNUM, 14, 288)} prod\ncurl -u admin:${fake(ALNUM, 14, 289)} https://api.acme-corp.io\n`;
  assert.deepEqual(
    scanText(history, set, { path: 'root/.bash_history' }).map((m) => `${m.rule.id}:${m.line}`),
    ['command-line-password:1', 'command-line-password:2'],
    'two passwords in a shell history',
  );
  const many = Array.from({ length: 60 }, (_, i) => `T${i}=ghp_${fake(ALNUM, 36, 300 + i)}`).join('\n');
  assert.equal(found(many).length, 20, 'a hostile file stays bounded');
});

test('secret rules: one finding per stretch of text (the earlier rule wins)', () => {
  const token = `npm_${fake(ALNUM, 36, 42)}`;
  const fired = rulesFired({ text: `//registry.npmjs.org/:_authToken=${token}` });
  assert.deepEqual(fired, ['npm-token'], `one finding, not two: ${fired.join(',')}`);
});

test('secret allow-list: third-party test and doc folders only, never the application', () => {
  const { allow } = secretRules();
  const allowed = [
    'app/node_modules/jsonwebtoken/test/keys/priv.pem',
    'usr/lib/python3/dist-packages/tornado/test/test.key',
    'usr/local/lib/python3.12/site-packages/pkg/tests/data/key.pem',
    'usr/local/lib/python3.12/test/keycert.pem',
    'usr/local/go/src/crypto/tls/testdata/example-key.pem',
    'usr/share/doc/openssl/example.pem',
    'app/node_modules/debug/.coveralls.yml',
    'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO',
    'app/node_modules/aws-sdk/README.md',
    // Installed and vendored software's tests, API examples and type declarations.
    'usr/lib/google-cloud-sdk/platform/gsutil/third_party/requests/tests/certs/server.key',
    'opt/tool/third_party/urllib3/dummyserver/certs/server.key',
    'usr/lib/python3/dist-packages/botocore/data/iam/2010-05-08/examples-1.json',
    'app/node_modules/aws-sdk/apis/s3-2006-03-01.examples.json',
    'app/node_modules/aws-sdk/clients/rds.d.ts',
    'usr/lib/sdk/lib/third_party/kubernetes/config/kube_config_test.py',
    'usr/share/go-1.19/src/crypto/tls/example_test.go',
  ];
  const reported = [
    'app/test/keys/priv.pem',
    'app/config/.env',
    'root/.ssh/id_rsa',
    'app/node_modules/my-lib/index.js',
    'app/node_modules/.bin/start',
    'usr/local/lib/python3.12/site-packages/app/settings.py',
    'home/user/docs/key.pem',
    'app/examples-1.json',
    'opt/app/tests/settings.py',
    'app/src/types.d.ts',
    'usr/src/app/test_settings.py',
  ];
  for (const p of allowed) assert.ok(isAllowedPath(p, allow), `${p} should be allow-listed`);
  for (const p of reported) assert.ok(!isAllowedPath(p, allow), `${p} must stay scanned`);
});

test('secret rules loader: refuses unbounded, invalid and duplicate rules', () => {
  const allow = 'values: []\nvaluePatterns: []\npaths: []\n';
  const rule = (regex: string, extra = '') =>
    `rules:\n  - id: r1\n    description: d\n    severity: high\n    regex: '${regex}'\n${extra}`;
  assert.throws(() => compileSecretRules(rule('a+b'), allow), /unbounded/, 'a+ is refused');
  assert.throws(() => compileSecretRules(rule('(x{2,})y'), allow), /unbounded/, '{2,} is refused');
  assert.throws(() => compileSecretRules(rule('(unclosed'), allow), /r1/, 'a bad regex names its rule');
  assert.throws(
    () => compileSecretRules(rule('x', '    severity2: high\n'), allow),
    /severity2|Unrecognized/,
    'unknown key',
  );
  assert.throws(
    () =>
      compileSecretRules(
        `${rule('x')}  - id: r1\n    description: d\n    severity: low\n    regex: y\n`,
        allow,
      ),
    /duplicate/,
    'duplicate ids',
  );
  assert.ok(compileSecretRules(rule('a{1,3}[+*]\\+'), allow).rules.length === 1, 'bounded and escaped pass');
  assert.equal(unboundedQuantifier('[a-z+*]{1,4}\\*'), null, 'classes and escapes are not quantifiers');
});

test('maskSecret: never shows more than 4 leading and 4 trailing characters', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 0, maxLength: 300, unit: 'grapheme-ascii' }), (s) => {
      const masked = maskSecret(s);
      const chars = Array.from(s);
      const m = /^([^*]{0,4})(\*{4,24})([^*]{0,4})$/.exec(masked.replace(/\?/g, 'Q'));
      // Secrets containing '*' themselves: compare by structure instead.
      const prefix = chars.length >= 16 ? 4 : chars.length >= 8 ? 2 : 0;
      const suffix = chars.length >= 16 ? 4 : 0;
      assert.ok(masked.length <= prefix + suffix + 24, `too long: ${masked}`);
      assert.equal(
        masked.slice(prefix, masked.length - suffix).replace(/\*/g, ''),
        '',
        `only stars inside: ${masked}`,
      );
      if (!s.includes('*')) assert.ok(m, `shape of ${JSON.stringify(masked)}`);
      if (chars.length < 8) assert.equal(masked, '****', 'short secrets show nothing');
    }),
    { numRuns: 500 },
  );
  assert.equal(maskSecret('AKIAABCDEFGHIJKLMPLE'), 'AKIA************MPLE', 'the contract example');
});

/** Best of three, in ms. */
function timeOf(f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

test('secret scan: hostile text stays linear (4x input, well under 16x time)', () => {
  const set = secretRules();
  const hostile: Record<string, (n: number) => string> = {
    'one character': (n) => 'a'.repeat(n),
    'keyword storm': (n) => 'password='.repeat(Math.ceil(n / 9)).slice(0, n),
    'AKIA storm': (n) => 'AKIA'.repeat(n / 4),
    'url userinfo': (n) => 'postgres://u:'.repeat(Math.ceil(n / 13)).slice(0, n),
    'pem headers': (n) => '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(Math.ceil(n / 32)).slice(0, n),
    'jwt dots': (n) => `eyJ${'a.eyJ'.repeat(n / 5)}`,
    'binary junk': (n) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919) % 256)).toString('latin1'),
  };
  for (const [name, make] of Object.entries(hostile)) {
    const small = make(128 * 1024);
    const large = make(512 * 1024);
    // Linear predicts 4, quadratic 16. Other processes can stall one run, so a ratio that is
    // off is measured again: a real quadratic pattern fails every time.
    let last = '';
    const ok = [0, 1, 2].some(() => {
      const ts = timeOf(() => scanText(small, set, { path: 'x' }));
      const tl = timeOf(() => scanText(large, set, { path: 'x' }));
      last = `${ts.toFixed(1)} ms -> ${tl.toFixed(1)} ms`;
      return tl <= Math.max(ts, 5) * 10;
    });
    assert.ok(ok, `${name}: ${last}`);
  }
  const t2m = timeOf(() => scanText('x'.repeat(2 * 1024 * 1024), set, { path: 'x' }));
  assert.ok(t2m < 5000, `2 MiB of one character took ${t2m} ms`);
});

test('the native keyword screen: a superset of keywordsIn() (but where a rule screens natively), so every sample gives the same findings either way', (t) => {
  const set = secretRules();
  const screen = nativeKeywordScreen(set);
  if (!screen) return t.skip('the native YARA-X engine does not load here');
  const findings = (text: string, path: string, present?: Set<string> | null) =>
    scanText(text, set, { path, present }).map((m) => `${m.rule.id}@${m.start}`);
  let samples = 0;
  for (const table of Object.values(SAMPLES)) {
    for (const s of [...table.positive, ...table.negative]) {
      const path = s.path ?? 'app/settings.txt';
      const present = screen(Buffer.from(s.text, 'latin1'));
      assert.deepEqual(findings(s.text, path, present), findings(s.text, path), `same findings: ${s.text}`);
      samples++;
    }
  }
  assert.ok(samples > 100, `${samples} samples compared`);
  const screened = set.rules.filter((r) => r.nativeScreen !== null);
  assert.ok(screened.length > 0, 'the generic rule screens natively');
  const screenedOnly = new Set(screened.flatMap((r) => r.keywords));
  for (const r of set.rules) if (r.nativeScreen === null) for (const k of r.keywords) screenedOnly.delete(k);
  const keywords = [...new Set(set.rules.flatMap((r) => r.keywords))];
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...keywords), fc.string({ maxLength: 12 })), { maxLength: 12 }),
      fc.array(fc.boolean(), { maxLength: 64 }),
      (parts, upper) => {
        // Keywords in any case, between arbitrary text.
        const text = [...parts.join(' ')]
          .map((c, i) => (upper[i % Math.max(1, upper.length)] ? c.toUpperCase() : c))
          .join('');
        const bytes = Buffer.from(text, 'latin1');
        const js = keywordsIn(bytes.toString('latin1'), set);
        const native = screen(bytes);
        assert.ok(native, 'the screen answers');
        if (js === null) return;
        for (const k of js) {
          if (screenedOnly.has(k.toLowerCase())) continue;
          assert.ok(native.has(k) || native.has(k.toLowerCase()), `${k} is found natively`);
        }
      },
    ),
    { numRuns: 300 },
  );
  // The screened rules: assignments of every shape their regex takes, and near misses.
  const names = [
    'api_key',
    'apiKey',
    'SECRET_KEY_BASE',
    'client-secret',
    'access.token',
    'secret',
    'Token',
    'PASSWORD',
    'passwd',
    'pwd',
    'keyring',
    'tokens',
    'page_token',
    'x:token',
    'Authorization',
    'authorization',
    'DB_PASS',
    'dbPass',
    'bypass',
    'API_KEY_PROD',
    'password_2',
    'SECRET_KEY_V2',
    'private_key_value',
    'ENCRYPTION_KEY',
    'credentials',
  ];
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom(...names, ...keywords),
          fc.constantFrom('=', ':', '=>', ':=', '"', "'", ']', '[', ' ', '\t', '\n', '\xa0', '\x0b', '`'),
          fc.stringMatching(/^[A-Za-z0-9+/_~.!@#%^*-]{14,24}$/),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 14 },
      ),
      fc.record({
        name: fc.constantFrom(...names),
        quote: fc.constantFrom('', '"', "'"),
        bracket: fc.constantFrom('', ']'),
        before: fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\x0b', '\x0c', '\xa0', '\x85'), {
          maxLength: 9,
        }),
        op: fc.constantFrom('=', ':', '=>', ':='),
        after: fc.constantFrom('', ' ', '\t', '  '),
        value: fc.stringMatching(/^[A-Za-z][A-Za-z0-9+/_~.!@#%^*-]{15,30}[0-9]$/),
        upper: fc.boolean(),
      }),
      fc.record({
        scheme: fc.constantFrom(
          'https',
          'http',
          'git',
          'ssh',
          'postgresql',
          'mysql+pymysql',
          'redis',
          'mongodb+srv',
          'amqps',
          'file',
        ),
        user: fc.stringMatching(/^[A-Za-z0-9._~%!*+,;=-]{0,12}$/),
        secret: fc.stringMatching(/^[A-Za-z0-9!*+,;=~._-]{2,20}$/),
        host: fc.constantFrom('db', 'example.com', 'x.y-z.internal'),
        scheme2: fc.constantFrom('bearer', 'Basic', 'TOKEN', 'digest'),
      }),
      (parts, a, u) => {
        const name = a.upper ? a.name.toUpperCase() : a.name;
        // An assignment (generic secret, Authorization header) and a URL with a user part.
        const assignment = `${name}${a.quote}${a.bracket}${a.before.join('')}${a.op}${a.after}${name.toLowerCase() === 'authorization' ? `${u.scheme2} ` : ''}${a.value}`;
        const url = `${u.scheme}://${u.user}:${u.secret}@${u.host}/x`;
        const text = `${parts.join('')} ${assignment}\n${url}\n`;
        const present = screen(Buffer.from(text, 'latin1'));
        assert.deepEqual(
          findings(text, 'srv/app/config.txt', present),
          findings(text, 'srv/app/config.txt'),
          JSON.stringify(text),
        );
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(screen(Buffer.from('nothing to see here\n'))?.size, 0, 'a text without keywords has none');
  assert.ok(anyRuleRuns(set, 'home/app/.npmrc', new Set()), 'path-bound rules run without keywords');
  assert.equal(
    anyRuleRuns(set, 'srv/readme.txt', new Set()),
    false,
    'nothing runs on a file without keywords',
  );
});
