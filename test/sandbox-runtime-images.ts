/**
 * Images for the sandbox tests: the Debian minbase layer (a real userland) as the base, plus
 * small layers of harmless test scripts, an extra user, or the host's own gcc toolchain (for a
 * real compile-then-run). Also the skip reason when the machine cannot run containers (not
 * root, no runc).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildImage, layerTar, type BuiltImage, type FileSpec } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import type { ImageConfig } from '../src/image/types.js';
import { TEST_CACHE, debianLayerTar, debianOciLayout, debianRootfs } from './support/debian-rootfs.js';

function sandboxSkipReason(): string | false {
  if (process.platform !== 'linux') return 'the sandbox runs on Linux only';
  if (process.getuid?.() !== 0) return 'the sandbox runtime needs root (CI runs the tests as root)';
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'runc is not installed (apt-get install runc)';
  }
  if (process.env.SHIPSHAPE_SKIP_DEBIAN === '1') return 'SHIPSHAPE_SKIP_DEBIAN=1: no Debian base layer';
  return false;
}

export const SANDBOX_SKIP = sandboxSkipReason();
if (SANDBOX_SKIP) console.log(`# sandbox runtime tests skipped: ${SANDBOX_SKIP}`);

/** The gzip blob of the Debian minbase layer, read from the cached OCI layout. */
async function debianLayerBlob(): Promise<Buffer> {
  const layout = await debianOciLayout();
  const blob = (digest: string) => readFile(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse((await blob(index.manifests[0]!.digest)).toString()) as {
    layers: { digest: string }[];
  };
  return blob(manifest.layers[0]!.digest);
}

export const TEST_SCRIPTS: FileSpec[] = [
  { path: 'opt/', type: 'dir' },
  { path: 'opt/t/', type: 'dir' },
  {
    path: 'opt/t/hello.sh',
    mode: 0o755,
    content: '#!/bin/sh\necho "hello from the sandbox"\necho "to stderr" >&2\nexit 7\n',
  },
  {
    path: 'opt/t/whoami.sh',
    mode: 0o755,
    content:
      '#!/bin/sh\necho "uid=$(id -u) gid=$(id -g) groups=$(id -G) cwd=$(pwd)"\necho "FOO=$FOO DECOY=$DECOY_TOKEN HOME=$HOME"\n',
  },
  { path: 'srv/', type: 'dir' },
  { path: 'srv/work/', type: 'dir', mode: 0o755 },
];

export interface SandboxImages {
  layout: string;
  /** `oci:DIR:REF` targets. */
  basic: string;
  configured: string;
}

export async function sandboxImages(dir: string): Promise<SandboxImages> {
  const base = await debianLayerBlob();
  const image = (config: NonNullable<ImageConfig['config']>) =>
    buildImage({
      layers: [{ blob: base, compression: 'gzip', createdBy: 'debootstrap' }, { files: TEST_SCRIPTS }],
      config,
    });
  const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  await writeOciLayout(dir, [
    { ref: 'basic', image: image({ Entrypoint: ['/opt/t/hello.sh'], Env: env }) },
    {
      ref: 'configured',
      image: image({
        Cmd: ['/opt/t/whoami.sh'],
        Env: [...env, 'FOO=bar'],
        User: 'daemon',
        WorkingDir: '/srv/work',
      }),
    },
  ]);
  return { layout: dir, basic: `oci:${dir}:basic`, configured: `oci:${dir}:configured` };
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The Debian base plus the given layers (each a list of files or a ready tar). The big layers
 * stay uncompressed: gzip of the base alone costs seconds per image, and a full scan checks
 * each layer's digest against the config, so a cached gzip blob cannot stand in for it.
 */
export async function onDebian(
  layers: (FileSpec[] | Buffer)[],
  config: NonNullable<ImageConfig['config']>,
): Promise<BuiltImage> {
  return buildImage({
    layers: [
      { tar: await debianLayerTar(), compression: 'none', createdBy: 'debootstrap' },
      ...layers.map((l) =>
        Buffer.isBuffer(l)
          ? { tar: l, compression: 'none' as const, createdBy: 'COPY toolchain /' }
          : { files: l, createdBy: 'COPY . /' },
      ),
    ],
    config: { Env: [PATH_ENV], ...config },
  });
}

/** /etc/passwd and /etc/group of the Debian base with one more user, and its home. */
export async function userFiles(name: string, id: number, home: string): Promise<FileSpec[]> {
  const root = await debianRootfs();
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const group = readFileSync(join(root, 'etc/group'), 'utf8');
  return [
    { path: 'etc/passwd', content: `${passwd}${name}:x:${id}:${id}::${home}:/bin/sh\n` },
    { path: 'etc/group', content: `${group}${name}:x:${id}:\n` },
    { path: `${home.replace(/^\//, '')}/`, type: 'dir', mode: 0o755, uid: id, gid: id },
  ];
}

/** Why the real-compiler test cannot run here, or false. */
export const GCC_SKIP: string | false =
  SANDBOX_SKIP ||
  (() => {
    try {
      execFileSync('gcc', ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return 'gcc is not installed (bash scripts/install-test-deps.sh)';
    }
  })();

/** The C program the compile fixtures build: harmless, prints one line. */
export const HELLO_C = '#include <stdio.h>\nint main(void) { puts("compiled in the sandbox"); return 0; }\n';

const run = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) }).trim();

/**
 * What the host's gcc needs to compile and link HELLO_C: the driver, cc1, as, ld, collect2,
 * lto-wrapper and its plugin, the start files and libraries it links, the headers HELLO_C pulls
 * in at any -O (`gcc -M`), and the shared libraries of all of these (ldd). Host paths.
 */
function gccClosure(): string[] {
  const onPath = (name: string) => (name.startsWith('/') ? name : run('sh', ['-c', `command -v "${name}"`]));
  const programs = [
    'gcc',
    ...['cc1', 'collect2', 'lto-wrapper', 'as', 'ld'].map((p) => run('gcc', [`-print-prog-name=${p}`])),
  ].map(onPath);
  const files = [
    'liblto_plugin.so',
    'Scrt1.o',
    'crti.o',
    'crtn.o',
    'crtbeginS.o',
    'crtendS.o',
    'libgcc.a',
    'libgcc_s.so',
    'libc.so',
    'libc_nonshared.a',
  ].map((f) => run('gcc', [`-print-file-name=${f}`]));
  // Optimising pulls in more of libc's headers (bits/stdio.h): both ways, so any -O works.
  const headers = ['-O0', '-O2'].flatMap((opt) =>
    run('gcc', [opt, '-M', '-x', 'c', '-'], HELLO_C)
      .replace(/\\\n/g, ' ')
      .split(/\s+/)
      .filter((w) => w.startsWith('/')),
  );
  const libs = [...programs, files[0]!].flatMap((elf) =>
    [...run('ldd', [elf]).matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1]!),
  );
  return [...new Set([...programs, ...files, ...headers, ...libs].map((p) => resolve(p)))];
}

/**
 * The closure as layer entries, links kept as links, less what the Debian base already has at
 * the same path (libc and friends): the base and the host are the same Debian release.
 */
function toolchainEntries(paths: string[], baseRoot: string): FileSpec[] {
  const entries = new Map<string, FileSpec>();
  const inBase = (p: string) => existsSync(join(baseRoot, p));
  const addDirs = (p: string) => {
    for (let d = dirname(p); d !== '/' && !inBase(d); d = dirname(d))
      entries.set(`${d.slice(1)}/`, { path: `${d.slice(1)}/`, type: 'dir', mode: 0o755 });
  };
  for (const start of paths) {
    // Directories by their real path; the last component's links are kept, one entry per hop.
    let p = join(realpathSync(dirname(start)), start.slice(dirname(start).length + 1));
    for (let hops = 0; hops < 16; hops++) {
      const st = lstatSync(p);
      if (!inBase(p)) {
        addDirs(p);
        entries.set(
          p.slice(1),
          st.isSymbolicLink()
            ? { path: p.slice(1), type: 'symlink', target: readlinkSync(p) }
            : { path: p.slice(1), content: readFileSync(p), mode: st.mode & 0o7777 },
        );
      }
      if (!st.isSymbolicLink()) break;
      const next = resolve(dirname(p), readlinkSync(p));
      p = join(realpathSync(dirname(next)), next.slice(dirname(next).length + 1));
    }
  }
  return [...entries.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The host's gcc toolchain as one layer tar (about 46 MB, 19 MB gzipped) for the Debian base:
 * built once, then read from the test cache, keyed by every file's path, size and time.
 */
export async function gccLayerTar(): Promise<Buffer> {
  const paths = gccClosure();
  const key = createHash('sha256')
    .update(JSON.stringify(paths.map((p) => [p, lstatSync(p).size, lstatSync(p).mtimeMs])))
    .digest('hex')
    .slice(0, 16);
  const cached = join(TEST_CACHE, `gcc-toolchain-${key}.tar`);
  if (existsSync(cached)) return readFile(cached);
  const tar = layerTar({ files: toolchainEntries(paths, await debianRootfs()) });
  await mkdir(TEST_CACHE, { recursive: true });
  writeFileSync(`${cached}.tmp`, tar);
  renameSync(`${cached}.tmp`, cached);
  return tar;
}
