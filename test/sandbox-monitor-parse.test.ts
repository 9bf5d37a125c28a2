import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseBpftrace } from '../src/sandbox/monitor/bpftrace-parse.js';
import { bpftraceScript } from '../src/sandbox/monitor/bpftrace-script.js';
import { resolvePath } from '../src/sandbox/monitor/builder.js';
import { processCpuMs } from '../src/sandbox/monitor/cpu.js';
import {
  parseReturn,
  parseSockaddr,
  parseStrace,
  splitArgs,
  unescapeStrace,
} from '../src/sandbox/monitor/strace-parse.js';

// Lines recorded with strace 6.1 on this machine (`-f -ttt -yy -q -s 256`, see strace.ts),
// tracing a shell script that forks, writes, chmods and runs a file, and a python3 that
// connects, makes a memfd and dups a socket onto stderr. Pids and times as recorded.
const RECORDED = String.raw`28110 1795959000.681760 execve("./t1.sh", ["./t1.sh"], 0x7fff24901cd0 /* 39 vars */) = 0
28110 1795959000.716842 openat(AT_FDCWD</tmp/smon>, "./t1.sh", O_RDONLY) = 3</tmp/smon/t1.sh>
28110 1795959000.720735 chdir("/tmp/smon") = 0
28110 1795959000.721279 vfork( <unfinished ...>
28111 1795959000.724106 execve("/usr/bin/mkdir", ["mkdir", "-p", "sub"], 0x557c96ff4ba8 /* 39 vars */ <unfinished ...>
28110 1795959000.725651 <... vfork resumed>) = 28111
28111 1795959000.725834 <... execve resumed>) = 0
28111 1795959000.736328 openat(AT_FDCWD</tmp/smon>, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", O_RDONLY) = 3</usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache>
28111 1795959000.745779 mkdir("sub", 0777) = 0
28111 1795959000.747674 exit_group(0)     = ?
28111 1795959000.747700 +++ exited with 0 +++
28110 1795959000.749166 chdir("/tmp/smon/sub") = 0
28110 1795959000.749321 openat(AT_FDCWD</tmp/smon/sub>, "./drop.sh", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</tmp/smon/sub/drop.sh>
28110 1795959000.750844 dup2(3</tmp/smon/sub/drop.sh>, 1) = 1</tmp/smon/sub/drop.sh>
28110 1795959000.751778 vfork( <unfinished ...>
28112 1795959000.751970 execve("/usr/bin/chmod", ["chmod", "755", "drop.sh"], 0x557c96ff4ba8 /* 39 vars */ <unfinished ...>
28110 1795959000.753090 <... vfork resumed>) = 28112
28112 1795959000.753323 <... execve resumed>) = 0
28112 1795959000.766320 fchmodat(AT_FDCWD</tmp/smon/sub>, "drop.sh", 0755) = 0
28112 1795959000.766574 exit_group(0)     = ?
28110 1795959000.767991 vfork( <unfinished ...>
28113 1795959000.768149 execve("./drop.sh", ["./drop.sh"], 0x557c78f78870 /* 39 vars */ <unfinished ...>
28110 1795959000.768509 <... vfork resumed>) = 28113
28113 1795959000.769415 <... execve resumed>) = 0
28113 1795959000.776996 exit_group(0)     = ?
28110 1795959000.778420 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f164b47da10) = 28114
28114 1795959000.782420 openat(AT_FDCWD</tmp/smon/sub>, "/dev/null", O_RDONLY) = 0</dev/null<char 1:3>>
28114 1795959000.962961 exit_group(0)     = ?
28336 1795959001.654016 execve("/usr/bin/python3", ["/usr/bin/python3", "-c", "import socket,os\ns=socket.socket()\n"...], 0x55cb97596200 /* 39 vars */) = 0
28336 1795959001.700000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f} => {parent_tid=[28337]}, 88) = 28337
28337 1795959001.810316 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<TCP:[366381]>
28337 1795959001.816676 connect(3<TCP:[366381]>, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 ECONNREFUSED (Connection refused)
28336 1795959001.821624 connect(4<UNIX-STREAM:[366384]>, {sa_family=AF_UNIX, sun_path="/var/run/docker.sock"}, 110) = -1 ENOENT (No such file or directory)
28336 1795959001.828935 connect(5<TCPv6:[366387]>, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ECONNREFUSED (Connection refused)
28336 1795959001.837324 memfd_create("pay load\n\"x", MFD_CLOEXEC) = 6</memfd:pay load\n\"x>(deleted)
28336 1795959001.840443 sendto(7<UDP:[366392]>, "abc", 3, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 3
28336 1795959001.840500 sendto(7<UDP:[366392]>, "abc", 3, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 3
28336 1795959001.845024 dup2(7<UDP:[0.0.0.0:44054]>, 2</tmp/bash_jobs/stderr>) = 2<UDP:[0.0.0.0:44054]>
28336 1795959001.846000 dup2(5<TCP:[127.0.0.1:39620->127.0.0.1:52557]>, 0</dev/null<char 1:3>>) = 0<TCP:[127.0.0.1:39620->127.0.0.1:52557]>
28336 1795959001.847000 openat(AT_FDCWD</tmp/smon>, "/tmp/smon/we<i>rd\n d\1ir/f", O_RDONLY|O_CLOEXEC) = 3</tmp/smon/we\74i\76rd\n d\1ir/f>
28336 1795959001.848000 openat(AT_FDCWD</tmp/smon>, "/root/.aws/credentials", O_RDONLY) = -1 ENOENT (No such file or directory)
28336 1795959001.849000 execveat(3</memfd:x (deleted)>, "", ["x"], 0x7ffd /* 3 vars */, AT_EMPTY_PATH) = 0
28336 1795959001.850000 +++ killed by SIGKILL +++`;

describe('strace parser on recorded output', () => {
  const obs = parseStrace(RECORDED, { startEpochMs: 1795959000000 });
  it('builds the process tree with argv and resolved paths', () => {
    const byPid = new Map(obs.processes.map((p) => [p.pid, p]));
    assert.deepEqual(byPid.get(28111)?.argv, ['mkdir', '-p', 'sub'], 'argv from the resumed execve');
    assert.equal(byPid.get(28111)?.ppid, 28110, 'ppid from the vfork return');
    assert.equal(
      byPid.get(28113)?.path,
      '/tmp/smon/sub/drop.sh',
      'relative exec path resolved against the cwd',
    );
    assert.equal(byPid.get(28114)?.ppid, 28110, 'forked child without exec');
    assert.ok(!byPid.has(28337), 'a thread is not a process');
    assert.equal(byPid.get(28111)?.exitMs, 748, 'exit time in ms since start');
  });
  it('records the write, the chmod and the exec of the dropped file', () => {
    const f = obs.files.filter((e) => e.path === '/tmp/smon/sub/drop.sh').map((e) => [e.op, e.mode]);
    assert.deepEqual(
      f,
      [
        ['write', 0o666],
        ['chmod', 0o755],
        ['exec', undefined],
      ],
      JSON.stringify(f),
    );
    assert.ok(
      obs.files.some((e) => e.op === 'mkdir' && e.path === '/tmp/smon/sub'),
      'mkdir resolved',
    );
  });
  it('decodes escapes in strings and decorations', () => {
    assert.ok(
      obs.files.some((e) => e.op === 'read' && e.path === '/tmp/smon/we<i>rd\n d\x01ir/f'),
      'odd path read',
    );
    assert.equal(obs.memfds[0]?.name, 'pay load\n"x', 'memfd name');
    assert.ok(
      obs.files.some((e) => e.op === 'exec' && e.path === '/memfd:x (deleted)'),
      'fexecve of a memfd',
    );
  });
  it('parses connects, sendto (once per destination) and socket dups', () => {
    const c = obs.connects.map((e) => `${e.family} ${e.address}:${e.port}/${e.protocol}`);
    assert.deepEqual(
      c,
      [
        'inet 127.0.0.1:9/tcp',
        'unix /var/run/docker.sock:0/unknown',
        'inet6 ::1:9/tcp',
        'inet 127.0.0.1:53/udp',
      ],
      c.join(', '),
    );
    assert.equal(obs.connects[0]?.pid, 28336, 'thread events belong to their process');
    assert.deepEqual(
      obs.stdioSockets.map((s) => s.fd),
      [2, 0],
      'socket dup2s onto 0-2',
    );
  });
  it('drops failed reads of missing files', () => {
    assert.ok(!obs.files.some((e) => e.path === '/root/.aws/credentials'), 'ENOENT read not kept');
    assert.ok(!obs.files.some((e) => e.path.includes('gconv')), 'library noise not kept');
  });
});

describe('strace parser pieces', () => {
  it('splits arguments around strings, brackets and decorations', () => {
    const { args, end } = splitArgs(
      'f(3<TCP:[1.2.3.4:5->6.7.8.9:10]>, "a,\\"b)", [1, 2], {x=1, y=2}) = 0',
      2,
    );
    assert.deepEqual(
      args,
      ['3<TCP:[1.2.3.4:5->6.7.8.9:10]>', '"a,\\"b)"', '[1, 2]', '{x=1, y=2}'],
      JSON.stringify(args),
    );
    assert.equal(
      'f(3<TCP:[1.2.3.4:5->6.7.8.9:10]>, "a,\\"b)", [1, 2], {x=1, y=2}) = 0'.slice(end),
      ' = 0',
      'end after the closing paren',
    );
  });
  it('unescapes C escapes and octal bytes as UTF-8', () => {
    assert.equal(unescapeStrace('\\303\\251\\"x\\\\\\x41\\t'), 'é"x\\A\t', 'escapes');
  });
  it('parses returns and sockaddrs', () => {
    assert.deepEqual(
      parseReturn('-1 ENOENT (No such file or directory)'),
      { value: -1, decor: null, errno: 'ENOENT' },
      'errno',
    );
    assert.deepEqual(
      parseReturn('3</dev/null<char 1:3>>'),
      { value: 3, decor: '/dev/null', errno: null },
      'decor',
    );
    assert.deepEqual(
      parseSockaddr('{sa_family=AF_UNIX, sun_path=@"abstract"}'),
      { family: 'unix', address: '@abstract', port: 0 },
      'abstract',
    );
  });
  it('normalises paths', () => {
    assert.equal(resolvePath('/a/b', '../c/./d/'), '/a/c/d', 'relative');
    assert.equal(resolvePath('relative', 'x'), '/x', 'bad base');
  });
  it('survives hostile lines', () => {
    const hostile = [
      '1 1.0 execve("/x", ["a", "b"',
      '1 1.0 openat(AT_FDCWD</a, "x", O_WRONLY) = 3',
      '1 1.0 <... openat resumed>) = 3',
      '99999999999 1.0 connect(3, {sa_family=AF_INET, sin_port=htons(99999999), sin_addr=inet_addr("x")}, 16) = 0',
      '1 1.0 execve("\\777\\x\\',
      'garbage',
      '',
      '1 x open(',
      '1 1.0 dup2(3<TCP:[',
      '1 1.0 clone() = 1',
      `1 1.0 openat(AT_FDCWD, "${'a/'.repeat(10000)}", O_CREAT) = 3`,
    ].join('\n');
    const obs = parseStrace(hostile, { startEpochMs: 0 });
    assert.ok(
      obs.warnings.some((w) => /could not be parsed/.test(w)),
      obs.warnings.join('; '),
    );
    assert.ok(
      obs.files.every((f) => f.path.length <= 4096),
      'paths capped',
    );
  });
  it('never throws on random lines (property)', () => {
    const piece = fc.constantFrom(
      '1 ',
      '1.5 ',
      'execve(',
      'openat(',
      'connect(',
      'dup2(',
      'clone(',
      '<... ',
      ' resumed>',
      '<unfinished ...>',
      '"',
      '\\',
      '<',
      '>',
      '[',
      ']',
      '{',
      '}',
      '(',
      ')',
      ', ',
      ' = ',
      '-1 ENOENT',
      'AT_FDCWD',
      'sa_family=AF_INET',
      'O_CREAT',
      '+++ exited',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 60 }), (parts) => {
        const obs = parseStrace(parts.join(''), { startEpochMs: 0, maxEvents: 100 });
        return Array.isArray(obs.processes);
      }),
      { numRuns: 400 },
    );
  });
  it('caps events and says so', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `1 1.0 mkdir("/tmp/d${i}", 0777) = 0`).join('\n');
    const obs = parseStrace(lines, { startEpochMs: 0, maxEvents: 10 });
    assert.equal(obs.files.length + obs.processes.length, 10, 'capped');
    assert.ok(
      obs.warnings.some((w) => /event cap/.test(w)),
      obs.warnings.join('; '),
    );
  });
});

describe('bpftrace parser', () => {
  const T = 'abc123';
  // Recorded with bpftrace 0.17 on this machine (bpftrace-script.ts), trimmed.
  const lines = [
    `${T} READY`,
    `${T} ARGV 11333648491360 4498 ./t1.sh`,
    `${T} EXEC 11333649986987 4498 4495 1 ./t1.sh`,
    `${T} EXE 11333649995463 4498 dash`,
    `${T} CHDIR 11333678244963 4498 /tmp/smon`,
    `${T} FORK 11333678714273 4498 4499`,
    `${T} EXEC 11333681378787 4499 4498 1 /usr/bin/mkdir`,
    `${T} ARGV 11333680199570 4499 mkdir\x1f-p\x1fsub`,
    `${T} EXE 11333681391912 4499 mkdir`,
    `${T} MKDIR 11333697821834 4499 -100 sub`,
    `${T} EXIT 11333698204108 4499`,
    'EXEC 11333698204109 666 1 1 /forged',
    `${T} OPEN 11333702191422 4498 3 577 438 -100 ./drop.sh`,
    `${T} CHMOD 11333709030914 4498 -100 493 drop.sh`,
    `${T} RENAME 11333709030915 4498 -100 -100 drop.sh`,
    `${T} RENAMETO 11333709030916 4498 /tmp/x`,
    `${T} ARGV 11333841718447 4504 /usr/bin/python3\x1f-c\x1fimport socket`,
    's=socket.socket()',
    `${T} EXEC 11333841718500 4504 4498 0 /dev/fd/3`,
    `${T} EXE 11333841718501 4504 memfd:payload`,
    `${T} CONN 11333984942185 4504 2 1 9 127.0.0.1`,
    `${T} CONN 11333985460949 4504 1 1 0 /tmp/nonexist.sock`,
    `${T} CONN 11333985542393 4504 10 1 9 ::ffff:10.0.0.1`,
    `${T} MEMFD 11333985671449 4504 pay load`,
    '"x',
    `${T} DUP 11333986135338 4504 2 2`,
    `${T} DUP 11333986135339 4504 1 0`,
    'Lost 12 events',
    `${T} END`,
  ].join('\n');
  const obs = parseBpftrace(lines, { token: T, startNs: 11333648000000n });
  it('pairs exec records, resolves paths and orders by time', () => {
    const mk = obs.processes.find((p) => p.pid === 4499);
    assert.deepEqual(mk?.argv, ['mkdir', '-p', 'sub'], 'argv arrives before exec once sorted');
    assert.equal(mk?.ppid, 4498, 'ppid');
    assert.ok(
      obs.files.some((f) => f.op === 'mkdir' && f.path === '/tmp/smon/sub'),
      'mkdir resolved via chdir',
    );
    assert.ok(
      obs.files.some((f) => f.op === 'write' && f.path === '/tmp/smon/drop.sh' && f.mode === 438),
      'write',
    );
    assert.ok(
      obs.files.some((f) => f.op === 'rename' && f.target === '/tmp/x'),
      'rename paired',
    );
    assert.ok(
      obs.files.some((f) => f.op === 'exec' && f.path === '/memfd:payload (deleted)'),
      'memfd exec',
    );
  });
  it('glues continuation lines and ignores forged ones', () => {
    assert.deepEqual(
      obs.processes.find((p) => p.pid === 4504)?.argv,
      ['/usr/bin/python3', '-c', 'import socket\ns=socket.socket()'],
      'argv',
    );
    assert.equal(obs.memfds[0]?.name, 'pay load\n"x', 'memfd name with newline');
    assert.ok(!obs.processes.some((p) => p.pid === 666), 'a line without the run token is no record');
  });
  it('maps connects and socket dups, and reports lost events', () => {
    assert.deepEqual(
      obs.connects.map((c) => `${c.family} ${c.address}:${c.port}`),
      ['inet 127.0.0.1:9', 'unix /tmp/nonexist.sock:0', 'inet 10.0.0.1:9'],
      'connects',
    );
    assert.deepEqual(
      obs.stdioSockets.map((s) => s.fd),
      [2],
      'only socket dups',
    );
    assert.ok(
      obs.warnings.some((w) => /lost 12 events/.test(w)),
      obs.warnings.join('; '),
    );
  });
  it('never throws on random lines (property)', () => {
    const piece = fc.constantFrom(
      `${T} `,
      'EXEC ',
      'OPEN ',
      'CONN ',
      'RENAME ',
      'EXE ',
      '1 ',
      '-100 ',
      '99999999999999999999999 ',
      '\x1f',
      '\n',
      'Lost 3 events',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 60 }), (parts) => {
        const o = parseBpftrace(parts.join(''), { token: T, startNs: 0n, maxEvents: 100 });
        return Array.isArray(o.files);
      }),
      { numRuns: 400 },
    );
  });
  it('refuses to paste unsafe cgroup paths into the script', () => {
    assert.throws(() => bpftraceScript(T, '/sys/fs/cgroup/unified/x") { system("id'), /not usable/, 'quote');
    assert.match(
      bpftraceScript(T, '/sys/fs/cgroup/unified/shipshape-1'),
      /cgroupid\("\/sys\/fs\/cgroup\/unified\/shipshape-1"\)/,
      'filter',
    );
  });
});

describe('cpu', () => {
  it('reads utime+stime from /proc/<pid>/stat, whatever the comm', () => {
    const stat = '123 (a) b) c) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 0 0';
    assert.equal(processCpuMs(stat), 3000, '300 ticks = 3 s');
    assert.equal(processCpuMs('garbage'), null, 'garbage');
  });
});
