/**
 * The sandbox runtime end to end, under runc as root: the entrypoint runs with the image's
 * config, what it writes is collected, the limits hold (pids, memory, writable layer), the
 * container cannot mount, make user namespaces or reach a network, and nothing of a run is left
 * behind after a normal exit, an error in onCreated, or a SIGKILL of the orchestrating process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { isShipshapeError } from '../src/errors.js';
import { openSource } from '../src/image/target.js';
import { cgroupDirsFor, processStartTime } from '../src/sandbox/runtime/cleanup.js';
import {
  DOCKER_DEFAULT_CAPS,
  cleanupStaleRuns,
  collectChanges,
  dispose,
  prepareRun,
  runPrepared,
  type PrepareOptions,
  type PreparedRun,
  type RunOptions,
} from '../src/sandbox/runtime/index.js';
import { SANDBOX_SKIP, sandboxImages, type SandboxImages } from './sandbox-runtime-images.js';
import { tempDir } from './support/tmp.js';

const skip = SANDBOX_SKIP;
const registry = skip ? '' : tempDir('shipshape-sbx-registry-');
if (!skip) process.env.SHIPSHAPE_SANDBOX_RUNS = registry;
const imageDir = skip ? '' : tempDir('shipshape-sbx-images-');
let images: SandboxImages;

before(async () => {
  if (skip) return;
  images = await sandboxImages(imageDir);
});

interface Leftovers {
  workDir: string;
  cgroupPath: string;
  id: string;
  holderPid?: number;
}

function leftoversOf(prepared: PreparedRun): Leftovers {
  const holder = /^\/proc\/(\d+)\/root/.exec(prepared.upperDir);
  return {
    workDir: prepared.workDir,
    cgroupPath: prepared.cgroupPath,
    id: prepared.id,
    ...(holder ? { holderPid: Number(holder[1]) } : {}),
  };
}

function assertNothingLeft(left: Leftovers, containerPid?: number): void {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mountinfo.includes(left.workDir), `no mount from ${left.workDir} in the host's mount table`);
  for (const dir of Object.values(cgroupDirsFor(left.cgroupPath))) {
    assert.ok(!existsSync(dir), `cgroup dir ${dir} removed`);
  }
  assert.ok(!existsSync(left.workDir), `work dir ${left.workDir} (runc state included) removed`);
  assert.ok(!existsSync(join(registry, `${left.id}.json`)), 'run record removed');
  if (left.holderPid !== undefined) {
    assert.equal(processStartTime(left.holderPid), null, 'mount namespace holder gone');
  }
  if (containerPid !== undefined) assert.equal(processStartTime(containerPid), null, 'container init gone');
}

interface Outcome {
  result: Awaited<ReturnType<typeof runPrepared>>;
  changes: Awaited<ReturnType<typeof collectChanges>>;
  prepared: PreparedRun;
  containerPid: number;
  /** Checks run inside the window (before dispose) by the test. */
  during: Record<string, unknown>;
}

async function runImage(
  target: string,
  prepare: PrepareOptions,
  run: RunOptions & {
    inspect?: (prepared: PreparedRun, during: Record<string, unknown>) => Promise<void> | void;
  } = {},
): Promise<Outcome> {
  const source = openSource(target);
  const image = await source.resolve();
  const prepared = await prepareRun(source, image, prepare);
  const during: Record<string, unknown> = {};
  let containerPid = 0;
  try {
    const result = await runPrepared(prepared, {
      timeoutMs: 20_000,
      ...run,
      onCreated: async (created) => {
        containerPid = created.pid;
        await run.onCreated?.(created);
      },
    });
    const changes = await collectChanges(prepared.upperDir);
    await run.inspect?.(prepared, during);
    return { result, changes, prepared, containerPid, during };
  } finally {
    const left = leftoversOf(prepared);
    assert.deepEqual(await dispose(prepared), [], 'dispose removed everything');
    await source.close();
    assertNothingLeft(left, containerPid || undefined);
  }
}

test(
  'sandbox: the entrypoint runs and its exit code, stdout and stderr come back',
  { skip, timeout: 180_000 },
  async () => {
    const { result, changes } = await runImage(images.basic, {});
    assert.equal(result.exitCode, 7, `exit code of /opt/t/hello.sh (stderr: ${result.stderr})`);
    assert.equal(result.timedOut, false, 'not timed out');
    assert.equal(result.stdout, 'hello from the sandbox\n', 'stdout');
    assert.equal(result.stderr, 'to stderr\n', 'stderr');
    assert.equal(result.runtimeError, null, 'runc had no error');
    assert.ok(result.durationMs >= 0 && result.durationMs < 20_000, `duration ${result.durationMs} ms`);
    assert.deepEqual(changes.dropped, [], 'a script that writes nothing drops nothing');
  },
);

test(
  'sandbox: Env, User (a name from /etc/passwd), WorkingDir and decoy env are honoured',
  { skip, timeout: 180_000 },
  async () => {
    const { result } = await runImage(images.configured, { decoyEnv: { DECOY_TOKEN: 'decoy-1234' } });
    assert.equal(result.exitCode, 0, `whoami.sh exit (stderr: ${result.stderr})`);
    // Debian's daemon user: uid 1, gid 1, home /usr/sbin.
    assert.match(result.stdout, /^uid=1 gid=1 groups=1 cwd=\/srv\/work$/m, result.stdout);
    assert.match(result.stdout, /^FOO=bar DECOY=decoy-1234 HOME=\/usr\/sbin$/m, result.stdout);
  },
);

test(
  'sandbox: the command must exist (empty Entrypoint+Cmd is a clear error, nothing left)',
  { skip, timeout: 180_000 },
  async () => {
    const workRoot = tempDir('shipshape-sbx-work-');
    const source = openSource(images.basic);
    const image = await source.resolve();
    image.config.config = { ...image.config.config, Entrypoint: null, Cmd: null };
    await assert.rejects(
      prepareRun(source, image, { workRoot }),
      (err: unknown) => isShipshapeError(err) && /no Entrypoint and no Cmd/.test(err.message),
      'empty command refused',
    );
    await source.close();
    assert.deepEqual(readdirSync(workRoot), [], 'the failed preparation left no work dir');
  },
);

test(
  'sandbox: drops are collected, the image stays untouched, containment holds',
  { skip, timeout: 180_000 },
  async () => {
    const script = [
      'printf "dropped-payload" > /tmp/dropped.bin',
      'echo extra >> /etc/passwd',
      'rm /etc/issue',
      'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | tr "\\n" ","; echo',
      'mount -t tmpfs x /mnt 2>/dev/null; echo "mount=$?"',
      'unshare -U true 2>/dev/null; echo "unshare=$?"',
      'grep -E "^(CapBnd|NoNewPrivs|Seccomp):" /proc/self/status',
      // Masked by a /dev/null bind: readable and empty (unmasked, it holds the kernel's timers).
      'echo "timer_list=$(wc -c < /proc/timer_list)"',
      'echo x > /proc/sys/kernel/hostname 2>/dev/null; echo "procsys=$?"',
    ].join('\n');
    let lowerWritable = true;
    let lowerPasswd = '';
    let lowerHasDrop = true;
    const { result, changes } = await runImage(
      images.basic,
      { entrypoint: ['/bin/sh', '-c', script] },
      {
        inspect: (prepared) => {
          lowerPasswd = readFileSync(join(prepared.rootfsLower, 'etc/passwd'), 'utf8');
          lowerHasDrop = existsSync(join(prepared.rootfsLower, 'tmp/dropped.bin'));
          try {
            writeFileSync(join(prepared.rootfsLower, 'tmp/host-write'), 'x');
          } catch (err) {
            lowerWritable = (err as NodeJS.ErrnoException).code !== 'EROFS';
          }
        },
      },
    );
    assert.equal(result.exitCode, 0, `script exit (stderr: ${result.stderr})`);
    const out = result.stdout;
    assert.match(out, /^lo,$/m, `only the loopback interface: ${out}`);
    assert.match(out, /^mount=(?!0)\d+$/m, 'mount fails inside');
    assert.match(out, /^unshare=(?!0)\d+$/m, 'unshare -U fails inside');
    assert.match(out, /^NoNewPrivs:\s+1$/m, 'no new privileges');
    assert.match(out, /^Seccomp:\s+2$/m, 'seccomp filter on');
    assert.match(out, /^timer_list=0$/m, '/proc/timer_list masked');
    assert.match(out, /^procsys=(?!0)\d+$/m, '/proc/sys read-only');
    const capBnd = /^CapBnd:\s+([0-9a-f]+)$/m.exec(out)?.[1];
    assert.equal(capBnd, dockerCapMask(), 'bounding set is exactly Docker default caps');

    const drop = changes.dropped.find((d) => d.path === '/tmp/dropped.bin');
    assert.ok(drop, `dropped file listed: ${JSON.stringify(changes.dropped)}`);
    assert.equal(drop.size, 'dropped-payload'.length, 'size');
    assert.equal(drop.sha256, createHash('sha256').update('dropped-payload').digest('hex'), 'sha256');
    assert.ok(
      changes.dropped.some((d) => d.path === '/etc/passwd'),
      'a changed image file is in the writable layer',
    );
    assert.ok(
      !changes.dropped.some((d) => d.path === '/etc/resolv.conf' || d.path === '/etc/hosts'),
      'runtime mount points not listed',
    );
    assert.deepEqual(changes.deleted, ['/etc/issue'], 'deletions are whiteouts');
    assert.ok(!lowerHasDrop, 'the drop is not in the image (lower dir)');
    assert.ok(!lowerPasswd.includes('extra'), 'the image /etc/passwd is unchanged');
    assert.equal(lowerWritable, false, 'the lower dir is read-only even to host root');
  },
);

/** CapBnd as /proc shows it, for Docker's 14 default capabilities. */
function dockerCapMask(): string {
  const numbers: Record<string, number> = {
    CAP_CHOWN: 0,
    CAP_DAC_OVERRIDE: 1,
    CAP_FOWNER: 3,
    CAP_FSETID: 4,
    CAP_KILL: 5,
    CAP_SETGID: 6,
    CAP_SETUID: 7,
    CAP_SETPCAP: 8,
    CAP_NET_BIND_SERVICE: 10,
    CAP_NET_RAW: 13,
    CAP_SYS_CHROOT: 18,
    CAP_MKNOD: 27,
    CAP_AUDIT_WRITE: 29,
    CAP_SETFCAP: 31,
  };
  let mask = 0n;
  for (const cap of DOCKER_DEFAULT_CAPS) mask |= 1n << BigInt(numbers[cap]!);
  return mask.toString(16).padStart(16, '0');
}

test('sandbox: a fork bomb is held by the pids limit', { skip, timeout: 180_000 }, async () => {
  let maxSeen = 0;
  let limit = '';
  let timer: NodeJS.Timeout | undefined;
  const { result } = await runImage(
    images.basic,
    { entrypoint: ['/bin/sh', '-c', 'f() { f | f & }; f; sleep 30'], limits: { pids: 64 } },
    {
      timeoutMs: 3_000,
      onCreated: (created) => {
        const dir = created.cgroupDirs.pids!;
        limit = readFileSync(join(dir, 'pids.max'), 'utf8').trim();
        timer = setInterval(() => {
          try {
            maxSeen = Math.max(maxSeen, Number(readFileSync(join(dir, 'pids.current'), 'utf8')));
          } catch {
            // Gone at the end of the run.
          }
        }, 50);
      },
    },
  );
  clearInterval(timer);
  assert.equal(limit, '64', 'pids.max set');
  assert.ok(maxSeen > 10 && maxSeen <= 64, `pids stayed within the limit (peak seen ${maxSeen})`);
  assert.ok(result.timedOut || result.exitCode !== null, 'the run ended (timeout or exit)');
  assert.ok(result.durationMs < 15_000, `ended promptly: ${result.durationMs} ms`);
});

test('sandbox: a memory hog is killed by the memory limit', { skip, timeout: 180_000 }, async () => {
  const { result } = await runImage(images.basic, {
    // dd touches its whole 200 MiB buffer.
    entrypoint: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'],
    limits: { memoryBytes: 64 * 1024 ** 2 },
  });
  assert.equal(result.timedOut, false, 'killed, not timed out');
  assert.equal(result.exitCode, 137, `OOM-killed (SIGKILL): ${result.exitCode} ${result.stderr}`);
});

test('sandbox: filling the writable layer stops at its size cap', { skip, timeout: 180_000 }, async () => {
  const { result, changes } = await runImage(images.basic, {
    entrypoint: ['/bin/sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null; echo "dd=$?"'],
    limits: { writableBytes: 16 * 1024 ** 2 },
  });
  assert.match(result.stdout, /^dd=1$/m, `dd failed with no space: ${result.stdout}`);
  const fill = changes.dropped.find((d) => d.path === '/tmp/fill');
  assert.ok(fill && fill.size <= 16 * 1024 ** 2, `fill capped: ${fill?.size}`);
});

test(
  'sandbox: an error thrown in onCreated fails the run and leaves nothing',
  { skip, timeout: 180_000 },
  async () => {
    const source = openSource(images.basic);
    const image = await source.resolve();
    const prepared = await prepareRun(source, image, { entrypoint: ['sleep', '60'] });
    const left = leftoversOf(prepared);
    let pid = 0;
    await assert.rejects(
      runPrepared(prepared, {
        onCreated: (created) => {
          pid = created.pid;
          throw new Error('plumbing failed');
        },
      }),
      /plumbing failed/,
      'the onCreated error comes back',
    );
    assert.ok(pid > 1, 'onCreated saw the init pid');
    assert.deepEqual(await dispose(prepared), [], 'dispose removed everything');
    await source.close();
    assertNothingLeft(left, pid);
  },
);

test(
  'sandbox: after a SIGKILL of the orchestrating process, cleanupStaleRuns removes everything',
  { skip, timeout: 180_000 },
  async () => {
    const dir = tempDir('shipshape-sbx-child-');
    const script = join(dir, 'child.mts');
    const src = (p: string) => JSON.stringify(join(process.cwd(), p));
    writeFileSync(
      script,
      `import { openSource } from ${src('src/image/target.ts')};
import { prepareRun, runPrepared } from ${src('src/sandbox/runtime/index.ts')};
const source = openSource(process.argv[2]);
const prepared = await prepareRun(source, await source.resolve(), { entrypoint: ['sleep', '600'] });
await runPrepared(prepared, {
  timeoutMs: 600_000,
  onCreated: (c) => console.log(JSON.stringify({ pid: c.pid, workDir: prepared.workDir, id: prepared.id,
    cgroupPath: prepared.cgroupPath, upperDir: prepared.upperDir })),
});
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, images.basic], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SHIPSHAPE_SANDBOX_RUNS: registry },
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    const info = JSON.parse(line) as {
      pid: number;
      workDir: string;
      id: string;
      cgroupPath: string;
      upperDir: string;
    };
    const holderPid = Number(/^\/proc\/(\d+)\//.exec(info.upperDir)![1]);
    // Let the container start running its entrypoint.
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(processStartTime(info.pid) !== null, 'container running before the crash');
    // The whole orchestrating side dies at once: the child and its mount-namespace holder.
    process.kill(holderPid, 'SIGKILL');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.ok(existsSync(join(registry, `${info.id}.json`)), 'the crashed run is still recorded');

    const cleaned = cleanupStaleRuns();
    assert.deepEqual(cleaned.problems, [], 'no problems');
    assert.ok(cleaned.cleaned.includes(info.id), 'the crashed run was cleaned');
    assertNothingLeft(
      { workDir: info.workDir, cgroupPath: info.cgroupPath, id: info.id, holderPid },
      info.pid,
    );
  },
);
