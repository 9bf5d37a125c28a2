/**
 * `etc/redhat-release` and the distribution-specific files beside it (`centos-release`,
 * `rocky-release`, `almalinux-release`, `oracle-release`, `fedora-release`): one line,
 * `<Name> release <version> (<codename>)`. The OS detector falls back to them when an image has
 * no os-release. Family and version follow what the distribution's os-release says (ID,
 * VERSION_ID), so advisories key the same way whichever file was found.
 */
import type { Analyzer, Fact, FileInput } from '../types.js';

export const REDHAT_RELEASE_ANALYZER = 'redhat-release';

/** Most specific first: on Rocky, `redhat-release` is a link to (or a copy of) `rocky-release`. */
export const REDHAT_RELEASE_PATHS = [
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/centos-release',
  'etc/oracle-release',
  'etc/fedora-release',
  'etc/redhat-release',
] as const;

export interface RedhatRelease {
  /** os-release ID: rhel, centos, rocky, almalinux, ol, fedora. */
  family: string;
  version: string | null;
  /** The line as written: `CentOS Linux release 7.9.2009 (Core)`. */
  name: string;
}

export interface RedhatReleaseFact extends Fact, RedhatRelease {
  kind: 'redhat-release';
  path: string;
}

const FAMILIES: [RegExp, string][] = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Oracle Linux/i, 'ol'],
  [/^Fedora/i, 'fedora'],
];

const FAMILY_OF_FILE: Record<string, string> = {
  'etc/rocky-release': 'rocky',
  'etc/almalinux-release': 'almalinux',
  'etc/centos-release': 'centos',
  'etc/oracle-release': 'ol',
  'etc/fedora-release': 'fedora',
  'etc/redhat-release': 'rhel',
};

const RELEASE = /\brelease\s+([0-9][0-9.]*)/i;

export function parseRedhatRelease(text: string, path: string): RedhatRelease | null {
  const line = (text.split('\n', 1)[0] ?? '').trim();
  if (line === '' || line.length > 256) return null;
  const family = FAMILIES.find(([re]) => re.test(line))?.[1] ?? FAMILY_OF_FILE[path];
  if (!family) return null;
  const m = RELEASE.exec(line);
  let version: string | null = null;
  if (m) {
    const parts = m[1]!.split('.').filter(Boolean);
    // CentOS's VERSION_ID is the major release alone ("7" for 7.9.2009); the others keep one
    // minor component ("8.6"; Fedora has none).
    version = (family === 'centos' ? parts.slice(0, 1) : parts.slice(0, 2)).join('.') || null;
  }
  return { family, version, name: line };
}

export const redhatReleaseAnalyzer: Analyzer = {
  name: REDHAT_RELEASE_ANALYZER,
  version: 1,
  wants(header) {
    return header.type === 'file' && (REDHAT_RELEASE_PATHS as readonly string[]).includes(header.path)
      ? { mode: 'buffer', maxBytes: 4096 }
      : false;
  },
  analyze(file: FileInput, ctx): Fact[] {
    const parsed = parseRedhatRelease(file.content.toString('utf8'), file.header.path);
    if (!parsed) {
      ctx.warn(file.header.path, 'does not name a release');
      return [];
    }
    const fact: RedhatReleaseFact = { kind: 'redhat-release', path: file.header.path, ...parsed };
    return [fact];
  },
};
