/**
 * The demo images: harmless, built in memory by the fixture builder, each showing one input
 * kind. Later capabilities add what they detect here, so `shipshape demo` shows all that works.
 */
import { join } from 'node:path';
import { buildImage, buildIndex, type ImageSpec } from '../fixtures/builder.js';
import { writeDockerArchive, writeOciLayout } from '../fixtures/layouts.js';
import { hostUserlandAvailable, sandboxDemoImage } from './host-userland.js';
import { threatDemoImage } from './threat-image.js';

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

const DPKG_STATUS = `Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u5

Package: libssl3
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2

Package: python3-requests
Status: install ok installed
Architecture: all
Source: requests
Version: 2.28.1+dfsg-1
`;

function npmPackage(name: string, version: string): string {
  return JSON.stringify({ name, version, license: 'MIT' }, null, 2);
}

function pythonMetadata(name: string, version: string): string {
  return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nLicense: Apache 2.0\n`;
}

const PACKAGE_LOCK = JSON.stringify(
  {
    name: 'demo-webapp',
    version: '1.0.0',
    lockfileVersion: 3,
    packages: {
      '': { name: 'demo-webapp', version: '1.0.0' },
      'node_modules/lodash': { version: '4.17.11' },
      'node_modules/event-stream': { version: '3.3.6' },
      'node_modules/event-stream/node_modules/flatmap-stream': { version: '0.1.1' },
    },
  },
  null,
  2,
);

export const webapp: ImageSpec = {
  layers: [
    base(DEBIAN_OS_RELEASE),
    {
      createdBy: 'RUN /bin/sh -c apt-get install -y libssl3 python3-minimal # buildkit',
      files: [
        { path: 'var/lib/dpkg/status', content: DPKG_STATUS },
        {
          path: 'var/lib/dpkg/info/python3-requests.list',
          content:
            '/.\n/usr/lib/python3/dist-packages/requests-2.28.1.dist-info\n/usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA\n',
        },
        {
          path: 'usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA',
          content: pythonMetadata('requests', '2.28.1'),
        },
      ],
    },
    {
      createdBy: 'COPY . /app # buildkit',
      files: [
        { path: 'app', type: 'dir' },
        { path: 'app/package-lock.json', content: PACKAGE_LOCK },
        { path: 'app/node_modules/lodash/package.json', content: npmPackage('lodash', '4.17.11') },
        { path: 'app/node_modules/event-stream/package.json', content: npmPackage('event-stream', '3.3.6') },
        {
          path: 'app/node_modules/event-stream/node_modules/flatmap-stream/package.json',
          content: npmPackage('flatmap-stream', '0.1.1'),
        },
        {
          path: 'opt/venv/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA',
          content: pythonMetadata('requests', '2.25.0'),
        },
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
  /** Harmless files and config that carry every static threat indicator. */
  threats: string;
  /** A tiny userland (copied from this machine) whose entrypoint drops and runs a payload; null when it cannot be built here. */
  sandbox: string | null;
}

/** Writes the demo images under `dir` and returns their target strings. */
export async function writeDemoImages(dir: string): Promise<DemoTargets> {
  const layout = join(dir, 'oci');
  const index = buildIndex([buildImage(multiarch('linux/amd64')), buildImage(multiarch('linux/arm64/v8'))]);
  await writeOciLayout(layout, [
    { ref: 'webapp', image: buildImage(webapp) },
    { ref: 'multiarch', image: index },
    { ref: 'threats', image: buildImage(threatDemoImage()) },
    ...(hostUserlandAvailable() ? [{ ref: 'sandbox', image: buildImage(sandboxDemoImage()) }] : []),
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
    threats: `oci:${layout}:threats`,
    sandbox: hostUserlandAvailable() ? `oci:${layout}:sandbox` : null,
  };
}
