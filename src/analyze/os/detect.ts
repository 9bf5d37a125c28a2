import type { ImageFacts } from '../../facts/types.js';
import { DPKG_STATUS_ANALYZER, DPKG_STATUS_DIR } from '../packages/dpkg/index.js';
import type { PackageFact } from '../packages/types.js';
import { ALPINE_RELEASE_ANALYZER, ALPINE_RELEASE_PATH, type AlpineReleaseFact } from './alpine-release.js';
import { DEBIAN_VERSION_ANALYZER, DEBIAN_VERSION_PATH, type DebianVersionFact } from './debian-version.js';
import type { OsReleaseFact } from './os-release.js';
import { REDHAT_RELEASE_ANALYZER, REDHAT_RELEASE_PATHS, type RedhatReleaseFact } from './redhat-release.js';

export interface DetectedOs {
  family: string;
  version: string | null;
  name: string | null;
}

const DEBIAN_CODENAMES: Record<string, string> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

/**
 * The fact `analyzer` made for `path` in the highest layer that has one, if that layer's file
 * is still the one in the final tree (a later layer may have replaced or deleted it).
 */
function liveFact<T extends { path: string }>(
  image: ImageFacts,
  analyzer: string,
  path: string,
): T | undefined {
  for (let i = image.layers.length - 1; i >= 0; i--) {
    const facts = (image.layers[i]!.facts[analyzer] ?? []) as unknown as T[];
    const f = facts.find((x) => x.path === path);
    if (!f) continue;
    return image.tree.get(path)?.layer === i ? f : undefined;
  }
  return undefined;
}

function debianName(version: string | null): string | null {
  if (!version) return null;
  const codename = DEBIAN_CODENAMES[version];
  return codename ? `Debian GNU/Linux ${version} (${codename})` : `Debian GNU/Linux ${version}`;
}

/** `12.4` → `12` (os-release's VERSION_ID for Debian is the major release). */
function debianMajor(version: string): string | null {
  return /^(\d+)(?:[.+~]|$)/.exec(version)?.[1] ?? null;
}

function fromOsRelease(image: ImageFacts): DetectedOs | null {
  // etc/os-release is usually a symlink to ../usr/lib/os-release; the target file carried the facts.
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const f = liveFact<OsReleaseFact>(image, 'os-release', path);
    if (f) return { family: f.id, version: f.versionId, name: f.prettyName };
  }
  return null;
}

function fromAlpineRelease(image: ImageFacts): DetectedOs | null {
  const f = liveFact<AlpineReleaseFact>(image, ALPINE_RELEASE_ANALYZER, ALPINE_RELEASE_PATH);
  if (!f) return null;
  const minor = /^(\d+\.\d+)/.exec(f.version)?.[1];
  return {
    family: 'alpine',
    version: f.version,
    name: minor ? `Alpine Linux v${minor}` : `Alpine Linux ${f.version}`,
  };
}

function fromRedhatRelease(image: ImageFacts): DetectedOs | null {
  for (const path of REDHAT_RELEASE_PATHS) {
    const f = liveFact<RedhatReleaseFact>(image, REDHAT_RELEASE_ANALYZER, path);
    if (f) return { family: f.family, version: f.version, name: f.name };
  }
  return null;
}

function fromDebianVersion(image: ImageFacts): DetectedOs | null {
  const f = liveFact<DebianVersionFact>(image, DEBIAN_VERSION_ANALYZER, DEBIAN_VERSION_PATH);
  if (!f) return null;
  const version = debianMajor(f.value);
  return { family: 'debian', version, name: version ? debianName(version) : `Debian GNU/Linux ${f.value}` };
}

/**
 * Distroless images: no os-release (or it was removed) but dpkg's per-package `status.d/`
 * directory. The release is the major version of the `base-files` package, when listed.
 */
function fromDistrolessDpkg(image: ImageFacts): DetectedOs | null {
  let present = image.tree.get(DPKG_STATUS_DIR)?.type === 'dir';
  let baseFiles: string | null = null;
  const prefix = `${DPKG_STATUS_DIR}/`;
  for (let i = 0; i < image.layers.length; i++) {
    for (const f of (image.layers[i]!.facts[DPKG_STATUS_ANALYZER] ?? []) as PackageFact[]) {
      if (!f.path.startsWith(prefix) || image.tree.get(f.path)?.layer !== i) continue;
      present = true;
      if (f.name === 'base-files') baseFiles = f.version;
    }
  }
  if (!present) return null;
  const version = baseFiles === null ? null : debianMajor(baseFiles);
  return { family: 'debian', version, name: debianName(version) };
}

/**
 * The OS of the running image: the os-release of the highest layer whose file is still in the
 * final tree (etc/os-release preferred over usr/lib/os-release, as systemd reads them); without
 * one, the distribution's own release file (alpine-release, the Red Hat family's
 * *-release, debian_version), and last the shape of a distroless Debian image.
 */
export function detectOs(image: ImageFacts): DetectedOs | null {
  return (
    fromOsRelease(image) ??
    fromAlpineRelease(image) ??
    fromRedhatRelease(image) ??
    fromDebianVersion(image) ??
    fromDistrolessDpkg(image)
  );
}
