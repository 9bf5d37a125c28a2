/**
 * The monitors end to end, without runc: a shell in a cgroup of its own waits on a fifo (as
 * `runc init` waits for `runc start`), the monitor attaches, the fifo releases the shell, and
 * the harmless script it runs forks, writes, chmods and runs a file, connects to loopback,
 * makes a memfd and spins the CPU. Needs root (cgroups, ptrace, BPF).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startMonitor, type Monitor } from '../src/sandbox/monitor/index.js';
import { judgeBehavior } from '../src/sandbox/rules/index.js';
import type { BehaviorInput, Observations } from '../src/sandbox/types.js';
import { tempDir } from './support/tmp.js';

const isRoot = process.getuid?.() === 0;
const hasStrace = spawnSync('strace', ['-V']).status === 0;
const hasBpftrace = spawnSync('bpftrace', ['--version']).status === 0;
const HIERARCHIES = ['cpuacct', 'pids', 'unified'].filter((h) => existsSync(`/sys/fs/cgroup/${h}`));
const canCgroup = isRoot && HIERARCHIES.includes('unified') && HIERARCHIES.includes('cpuacct');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Gated {
  child: ChildProcess;
  cgroupPath: string;
  release(): void;
  exited: Promise<void>;
}

/** A shell in its own cgroup, blocked on a fifo until `release()`. */
function gated(dir: string, script: string, name: string): Gated {
  const fifo = join(dir, `${name}.go`);
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, `${name}.sh`), script);
  const child = spawn('sh', ['-c', `read x < ${fifo}; exec sh ${join(dir, `${name}.sh`)}`], {
    stdio: 'ignore',
  });
  const cgroupPath = `/shipshape-montest-${process.pid}-${name}`;
  for (const h of HIERARCHIES) {
    mkdirSync(`/sys/fs/cgroup/${h}${cgroupPath}`, { recursive: true });
    writeFileSync(`/sys/fs/cgroup/${h}${cgroupPath}/cgroup.procs`, String(child.pid));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    for (const h of HIERARCHIES) {
      try {
        rmdirSync(`/sys/fs/cgroup/${h}${cgroupPath}`);
      } catch {
        // already gone
      }
    }
  });
  return { child, cgroupPath, release: () => writeFileSync(fifo, 'go\n'), exited };
}

function behaviourInput(obs: Observations, scratch: string): BehaviorInput {
  return {
    observations: obs,
    network: [],
    dropped: [],
    inImage: (p) => !p.startsWith(scratch) && existsSync(p),
    decoys: { env: {}, files: [] },
    durationMs: 5000,
  };
}

async function scenario(prefer: 'strace' | 'bpftrace') {
  const dir = tempDir('shipshape-mon-');
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  after(() => server.close());
  const py = `import socket,os\ns=socket.socket()\ns.connect(("127.0.0.1",${port}))\nos.memfd_create("m")\n`;
  const script = [
    `cd ${dir}`,
    `printf '#!/bin/sh\\necho dropped\\n' > d.sh`,
    'chmod 700 d.sh',
    './d.sh > /dev/null',
    `${PYTHON} -c '${py}'`,
    "timeout 1.5 sh -c 'while :; do :; done'",
    '',
  ].join('\n');
  const g = gated(dir, script, prefer);
  const t0 = Date.now();
  const mon: Monitor = await startMonitor({
    pid: g.child.pid as number,
    cgroupPath: g.cgroupPath,
    workDir: dir,
    prefer,
    attachTimeoutMs: 180_000,
  });
  const attachMs = Date.now() - t0;
  mon.markStart();
  const runStart = Date.now();
  g.release();
  await g.exited;
  const runMs = Date.now() - runStart;
  const obs = await mon.stop();
  return { obs, dir, port, attachMs, runMs, mon };
}

function checkScenario(r: Awaited<ReturnType<typeof scenario>>) {
  const { obs, dir, port } = r;
  const drop = join(dir, 'd.sh');
  const argv0 = obs.processes.map((p) => p.argv[0]);
  for (const want of ['chmod', './d.sh', PYTHON, 'timeout'])
    assert.ok(argv0.includes(want), `${want} in ${argv0.join(',')}`);
  const ops = obs.files.filter((f) => f.path === drop).map((f) => f.op);
  assert.deepEqual(
    ops.filter((o) => o !== 'read'),
    ['write', 'chmod', 'exec'],
    `ops on d.sh: ${ops.join(',')}`,
  );
  assert.ok(obs.files.find((f) => f.op === 'chmod' && f.path === drop)?.mode === 0o700, 'chmod mode');
  const runner = obs.processes.find((p) => p.path === drop);
  const root = obs.processes.find((p) => p.pid === runner?.ppid);
  assert.ok(
    root?.argv.includes(join(dir, `${obs.monitor}.sh`)),
    `d.sh's parent is the script shell: ${JSON.stringify(root)}`,
  );
  assert.ok(
    obs.connects.some((c) => c.address === '127.0.0.1' && c.port === port && c.protocol === 'tcp'),
    JSON.stringify(obs.connects),
  );
  assert.ok(
    obs.memfds.some((m) => m.name === 'm'),
    'memfd',
  );
  assert.ok(obs.cpu.length >= 3, `cpu samples: ${obs.cpu.length}`);
  assert.ok(Math.max(...obs.cpu.map((c) => c.percent)) > 10, `a busy sample: ${JSON.stringify(obs.cpu)}`);
  const spinner = obs.processes.find((p) => p.argv.join(' ') === 'sh -c while :; do :; done');
  assert.ok((spinner?.cpuMs ?? 0) >= 100, `busy loop CPU time: ${spinner?.cpuMs}`);
  assert.ok(
    obs.processes.every((p) => p.startMs >= 0),
    'times since start',
  );
  const findings = judgeBehavior(behaviourInput(obs, dir));
  assert.ok(
    findings.some((f) => f.rule === 'dropper-write-chmod-exec' && f.evidence.includes(drop)),
    JSON.stringify(findings),
  );
}

describe(
  'strace monitor',
  { skip: !canCgroup || !hasStrace ? 'needs root, cgroups and strace' : false },
  () => {
    it('follows a process tree from attach to exit', async () => {
      const r = await scenario('strace');
      assert.equal(r.obs.monitor, 'strace', 'monitor');
      assert.equal(r.mon.kind, 'strace', 'kind');
      checkScenario(r);
    });

    it('a plain web server gives no findings', async () => {
      const dir = tempDir('shipshape-web-');
      writeFileSync(join(dir, 'index.html'), '<h1>hello</h1>');
      const g = gated(dir, `exec ${PYTHON} -u -m http.server --bind 127.0.0.1 --directory ${dir} 0\n`, 'web');
      const mon = await startMonitor({
        pid: g.child.pid as number,
        cgroupPath: g.cgroupPath,
        workDir: dir,
        prefer: 'strace',
      });
      mon.markStart();
      g.release();
      // The server prints nothing we can read (stdio ignored): find its port from /proc/net/tcp.
      let port = 0;
      for (let i = 0; i < 200 && !port; i++) {
        await new Promise((r) => setTimeout(r, 50));
        port = listeningPort(g.child.pid as number);
      }
      assert.ok(port > 0, 'server listening');
      for (let i = 0; i < 3; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          request({ host: '127.0.0.1', port, path: '/index.html' }, (res) => {
            let b = '';
            res.on('data', (d) => (b += d)).on('end', () => resolve(b));
          })
            .on('error', reject)
            .end();
        });
        assert.match(body, /hello/, 'served');
      }
      g.child.kill('SIGTERM');
      await g.exited;
      const obs = await mon.stop();
      assert.ok(
        obs.files.some((f) => f.op === 'read' && f.path === join(dir, 'index.html')),
        'read its file',
      );
      const findings = judgeBehavior(behaviourInput(obs, dir));
      assert.deepEqual(findings, [], JSON.stringify(findings));
    });
  },
);

describe(
  'bpftrace monitor',
  {
    skip:
      !canCgroup || !hasBpftrace ? 'needs root, cgroup v2 and bpftrace (apt-get install bpftrace)' : false,
  },
  () => {
    it('follows a process tree from attach to exit', { timeout: 300_000 }, async () => {
      const r = await scenario('bpftrace');
      assert.equal(r.obs.monitor, 'bpftrace', `monitor (warnings: ${r.obs.warnings.join('; ')})`);
      checkScenario(r);
    });
  },
);

describe('monitor fallback', { skip: !isRoot || !hasStrace ? 'needs root and strace' : false }, () => {
  it('falls back to strace when bpftrace cannot filter, and says so', async () => {
    const dir = tempDir('shipshape-fb-');
    const child = spawn('sleep', ['2'], { stdio: 'ignore' });
    after(() => child.kill('SIGKILL'));
    const mon = await startMonitor({
      pid: child.pid as number,
      cgroupPath: '/shipshape-no-such-cgroup',
      workDir: dir,
    });
    assert.equal(mon.kind, 'strace', 'fell back');
    child.kill('SIGKILL');
    const obs = await mon.stop();
    assert.ok(
      obs.warnings.some((w) => /fell back to strace/.test(w)),
      obs.warnings.join('; '),
    );
  });
});

/** The port a pid listens on, from its socket inodes and /proc/net/tcp. */
function listeningPort(pid: number): number {
  try {
    const inodes = new Set(
      execFileSync('ls', ['-l', `/proc/${pid}/fd`], { encoding: 'utf8' })
        .split('\n')
        .map((l) => /socket:\[(\d+)\]/.exec(l)?.[1])
        .filter(Boolean),
    );
    for (const line of execFileSync('cat', ['/proc/net/tcp'], { encoding: 'utf8' }).split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1]?.split(':')[1] ?? '0', 16);
    }
  } catch {
    // not yet
  }
  return 0;
}
