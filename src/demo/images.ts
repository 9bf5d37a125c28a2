/**
 * The demo images: harmless, built in memory by the fixture builder, each showing one input
 * kind. Later capabilities add what they detect here, so `shipshape demo` shows all that works.
 */
import { join } from 'node:path';
import { buildImage, buildIndex, type ImageSpec } from '../fixtures/builder.js';
import { writeDockerArchive, writeOciLayout } from '../fixtures/layouts.js';

const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
`;

function base(osRelease: string): ImageSpec['layers'][number] {
  return {
    createdBy: '/bin/sh -c #(nop) ADD file:rootfs.tar.gz in / ',
    files: [
      { path: 'etc', type: 'dir' },
      { path: 'usr/lib', type: 'dir' },
      { path: 'usr/lib/os-release', content: osRelease },
      { path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release' },
      {
        path: 'etc/passwd',
        content: 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n',
      },
      { path: 'bin', type: 'dir' },
      { path: 'bin/sh', content: '#!/bin/true\n', mode: 0o755 },
      { path: 'tmp', type: 'dir', mode: 0o1777 },
    ],
  };
}

export const webapp: ImageSpec = {
  layers: [
    base(DEBIAN_OS_RELEASE),
    {
      createdBy: 'COPY . /app # buildkit',
      files: [
        { path: 'app', type: 'dir' },
        {
          path: 'app/package.json',
          content: '{"name":"demo-webapp","version":"1.0.0","main":"server.js"}\n',
        },
        {
          path: 'app/server.js',
          content: "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n",
        },
        { path: 'app/.env', content: 'DATABASE_URL=postgres://demo:demo@db/demo\n' },
      ],
    },
    {
      createdBy: 'RUN /bin/sh -c rm /app/.env # buildkit',
      whiteouts: ['app/.env'],
    },
  ],
  config: {
    User: 'node',
    Entrypoint: ['node', 'server.js'],
    WorkingDir: '/app',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
    ExposedPorts: { '8080/tcp': {} },
  },
  labels: { 'org.opencontainers.image.title': 'demo webapp' },
  emptyHistory: ['ENV NODE_ENV=production', 'EXPOSE 8080/tcp', 'ENTRYPOINT ["node" "server.js"]'],
};

function multiarch(platform: string): ImageSpec {
  return {
    platform,
    layers: [
      { ...base(ALPINE_OS_RELEASE), compression: 'zstd' },
      {
        createdBy: 'COPY tool /usr/local/bin/tool # buildkit',
        compression: 'zstd',
        files: [
          { path: 'usr/local/bin/tool', content: `#!/bin/sh\necho built for ${platform}\n`, mode: 0o755 },
        ],
      },
    ],
    config: { Cmd: ['/usr/local/bin/tool'] },
  };
}

export const legacy: ImageSpec = {
  format: 'docker',
  layers: [
    { ...base(DEBIAN_OS_RELEASE), compression: 'none' },
    {
      createdBy: '/bin/sh -c echo hello > /srv/hello.txt',
      compression: 'none',
      files: [{ path: 'srv/hello.txt', content: 'hello\n' }],
    },
  ],
  config: { Cmd: ['/bin/sh'] },
};

/** A layer that tries to write through a symlink out of the root: refused, never extracted. */
export const hostile: ImageSpec = {
  layers: [
    {
      createdBy: 'ADD payload.tar /',
      files: [
        { path: 'escape', type: 'symlink', target: '../../../../../../tmp' },
        { path: 'escape/dropped.sh', content: '#!/bin/sh\necho harmless demo\n', mode: 0o755 },
      ],
    },
  ],
};

export interface DemoTargets {
  webapp: string;
  multiarch: string;
  legacy: string;
  hostile: string;
}

/** Writes the demo images under `dir` and returns their target strings. */
export async function writeDemoImages(dir: string): Promise<DemoTargets> {
  const layout = join(dir, 'oci');
  const index = buildIndex([buildImage(multiarch('linux/amd64')), buildImage(multiarch('linux/arm64/v8'))]);
  await writeOciLayout(layout, [
    { ref: 'webapp', image: buildImage(webapp) },
    { ref: 'multiarch', image: index },
  ]);
  const archive = join(dir, 'legacy.tar');
  await writeDockerArchive(archive, buildImage(legacy), ['demo/legacy:1.0'], { layerSymlinks: true });
  const evil = join(dir, 'hostile.tar');
  await writeDockerArchive(evil, buildImage(hostile), ['demo/hostile:1.0']);
  return {
    webapp: `oci:${layout}:webapp`,
    multiarch: `oci:${layout}:multiarch`,
    legacy: `docker-archive:${archive}`,
    hostile: `docker-archive:${evil}`,
  };
}
