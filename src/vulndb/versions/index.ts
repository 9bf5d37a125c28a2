/**
 * The version scheme of an ecosystem. OSV ecosystem strings carry release suffixes
 * (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04:LTS`, `Red Hat:enterprise_linux:9::appstream`,
 * `SUSE:Linux Enterprise Server 15 SP5`); everything from the first `:` is ignored. Names are
 * matched exactly first, then case-insensitively; package-URL types (deb, rpm, apk, golang,
 * pypi, gem, cargo, composer, nuget, maven, npm) are accepted too.
 */
import { apk } from './apk.js';
import { dpkg } from './dpkg.js';
import { generic } from './generic.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { packagist } from './packagist.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver } from './semver.js';
import type { VersionScheme } from './types.js';

export type { VersionScheme } from './types.js';
export { apk, dpkg, generic, go, maven, nuget, packagist, pep440, rpm, rubygems, semver };
export { naturalCompare, MAX_VERSION_LENGTH } from './generic.js';

/** Every scheme with its own rules (generic is the fallback, not listed). */
export const SCHEMES: readonly VersionScheme[] = [
  dpkg,
  rpm,
  apk,
  semver,
  go,
  pep440,
  maven,
  rubygems,
  nuget,
  packagist,
];

const PURL_TYPES: Record<string, VersionScheme> = {
  deb: dpkg,
  rpm,
  apk,
  npm: semver,
  cargo: semver,
  golang: go,
  pypi: pep440,
  maven,
  gem: rubygems,
  nuget,
  composer: packagist,
};

const exact = new Map<string, VersionScheme>();
const folded = new Map<string, VersionScheme>();
for (const scheme of SCHEMES) {
  for (const e of scheme.ecosystems) {
    exact.set(e, scheme);
    folded.set(e.toLowerCase(), scheme);
  }
}
for (const [type, scheme] of Object.entries(PURL_TYPES)) {
  if (!folded.has(type)) folded.set(type, scheme);
}

/** The ecosystem without its release suffix: `Debian:12` → `Debian`. */
export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return (colon >= 0 ? ecosystem.slice(0, colon) : ecosystem).trim();
}

/** The scheme for an OSV ecosystem (release suffix allowed), or null when there is none. */
export function schemeFor(ecosystem: string): VersionScheme | null {
  if (typeof ecosystem !== 'string') return null;
  const base = baseEcosystem(ecosystem);
  return exact.get(base) ?? folded.get(base.toLowerCase()) ?? null;
}

/**
 * Compares two versions of an ecosystem: -1, 0 or 1. Unknown ecosystems use the generic
 * natural order (generic.ts). Never throws.
 */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  return (schemeFor(ecosystem) ?? generic).compare(a, b);
}
