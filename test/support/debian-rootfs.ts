/**
 * A real Debian root filesystem for tests and benchmarks: `debootstrap --variant=minbase
 * bookworm` (about 35-50 s, from Debian's mirror), cached outside the repo between runs, and
 * packed as a one-layer OCI image the way `docker import` would (device nodes left out: image
 * layers built by Docker never carry them).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildImage, type BuiltImage } from '../../src/fixtures/builder.js';
import { writeOciLayout } from '../../src/fixtures/layouts.js';

const run = promisify(execFile);

export const TEST_CACHE = process.env.SHIPSHAPE_TEST_CACHE || join(homedir(), '.cache', 'shipshape-test');
const MIRROR = process.env.SHIPSHAPE_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const ROOTFS = join(TEST_CACHE, 'debian-bookworm-minbase');
const LAYOUT = join(TEST_CACHE, 'debian-bookworm-minbase-oci-v1');

export async function debianRootfs(): Promise<string> {
  if (existsSync(join(ROOTFS, 'var/lib/dpkg/status'))) return ROOTFS;
  await mkdir(TEST_CACHE, { recursive: true });
  const tmp = `${ROOTFS}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await run('debootstrap', ['--variant=minbase', 'bookworm', tmp, MIRROR], { maxBuffer: 64 * 1024 * 1024 });
  // What `docker build` of a slim image leaves out: package caches and apt lists.
  await run('sh', ['-c', `rm -rf "${tmp}"/var/cache/apt/archives/*.deb "${tmp}"/var/lib/apt/lists/*`]);
  await rename(tmp, ROOTFS);
  return ROOTFS;
}

/** The uncompressed layer tar of the rootfs, as GNU tar writes it. */
export async function debianLayerTar(): Promise<Buffer> {
  const root = await debianRootfs();
  const { stdout } = await run(
    'tar',
    ['--numeric-owner', '--sort=name', '--mtime=@0', '--exclude=./dev/*', '-C', root, '-cf', '-', '.'],
    { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
  );
  return stdout;
}

export async function debianImage(): Promise<BuiltImage> {
  const tar = await debianLayerTar();
  return buildImage({
    layers: [
      { tar, compression: 'gzip', createdBy: 'ADD rootfs.tar / # debootstrap --variant=minbase bookworm' },
    ],
    config: { Cmd: ['bash'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
  });
}

/** An OCI layout of the Debian image (built once, then reused): target `oci:DIR:bookworm`. */
export async function debianOciLayout(): Promise<string> {
  if (existsSync(join(LAYOUT, 'index.json'))) return LAYOUT;
  const tmp = `${LAYOUT}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await writeOciLayout(tmp, [{ ref: 'bookworm', image: await debianImage() }]);
  await rename(tmp, LAYOUT);
  return LAYOUT;
}
