/**
 * Turns a target argument into an image source: `docker-archive:PATH`, a path ending in `.tar`,
 * `oci:DIR[:TAG]`, `dir:PATH`, or else an image reference pulled from its registry.
 */
import { existsSync, statSync } from 'node:fs';
import { ShipshapeError } from '../errors.js';
import { DockerArchiveSource } from './docker-archive.js';
import { OciLayoutSource } from './oci-layout.js';
import { RegistrySource } from './registry-source.js';
import { RootfsSource } from './rootfs-source.js';
import type { ImageSource } from './types.js';

export interface SourceOptions {
  platform?: string;
  username?: string;
  password?: string;
  insecureRegistries?: string[];
}

export type ParsedTarget =
  | { kind: 'docker-archive'; path: string }
  | { kind: 'oci'; dir: string; tag?: string }
  | { kind: 'dir'; path: string }
  | { kind: 'registry'; reference: string };

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `oci:DIR:TAG`: the tag is what follows the last ':' unless the whole string is a directory. */
function splitOci(rest: string): { dir: string; tag?: string } {
  if (isDir(rest)) return { dir: rest };
  const i = rest.lastIndexOf(':');
  if (i > 0 && !rest.slice(i + 1).includes('/')) {
    const tag = rest.slice(i + 1);
    return tag ? { dir: rest.slice(0, i), tag } : { dir: rest.slice(0, i) };
  }
  return { dir: rest };
}

export function parseTarget(input: string): ParsedTarget {
  if (!input) throw new ShipshapeError('BAD_ARGUMENT', 'no target given');
  if (input.startsWith('docker-archive:'))
    return { kind: 'docker-archive', path: input.slice('docker-archive:'.length) };
  if (input.startsWith('oci:')) return { kind: 'oci', ...splitOci(input.slice('oci:'.length)) };
  if (input.startsWith('dir:')) return { kind: 'dir', path: input.slice('dir:'.length) };
  if (/\.tar$/i.test(input) || (input.includes('/') && existsSync(input) && !isDir(input))) {
    return { kind: 'docker-archive', path: input };
  }
  return { kind: 'registry', reference: input };
}

export function openSource(input: string, opts: SourceOptions = {}): ImageSource {
  const t = parseTarget(input);
  switch (t.kind) {
    case 'docker-archive':
      return new DockerArchiveSource(input, t.path);
    case 'oci':
      return new OciLayoutSource({
        input,
        dir: t.dir,
        ...(t.tag ? { tag: t.tag } : {}),
        ...(opts.platform ? { platform: opts.platform } : {}),
      });
    case 'dir':
      return new RootfsSource(input, t.path, opts.platform);
    case 'registry':
      return new RegistrySource({
        reference: t.reference,
        ...(opts.platform ? { platform: opts.platform } : {}),
        ...(opts.username ? { username: opts.username } : {}),
        ...(opts.password ? { password: opts.password } : {}),
        ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}),
      });
  }
}
