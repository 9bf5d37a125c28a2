/**
 * Images for the sandbox runtime tests: the Debian minbase layer (a real userland) as the base,
 * plus one small layer of harmless test scripts. Also the skip reason when the machine cannot
 * run containers (not root, no runc).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImage, type FileSpec } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import type { ImageConfig } from '../src/image/types.js';
import { debianOciLayout } from './support/debian-rootfs.js';

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
