/**
 * OSV ecosystem names and package-name normalisation: the one place that decides how an
 * affected package is keyed in the store, so that import and lookup always agree.
 *
 * An OSV `affected[].package.ecosystem` may carry a release suffix (`Debian:12`,
 * `Alpine:v3.18`, `Ubuntu:22.04:LTS`, `Red Hat:enterprise_linux:9::appstream`); the store
 * indexes by the base name (the part before the first `:`) and keeps the full string beside
 * it for the matcher to compare with the detected OS release.
 */

/** The ecosystems `db update` fetches unless told otherwise (bucket directory names). */
export const DEFAULT_ECOSYSTEMS: readonly string[] = [
  'Debian',
  'Ubuntu',
  'Alpine',
  'AlmaLinux',
  'Rocky Linux',
  'Red Hat',
  'SUSE',
  'Wolfi',
  'Chainguard',
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'crates.io',
  'RubyGems',
  'Packagist',
  'NuGet',
];

/** `Debian:12` → `Debian`; `Ubuntu:22.04:LTS` → `Ubuntu`; `npm` → `npm`. */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return (i < 0 ? ecosystem : ecosystem.slice(0, i)).trim();
}

/**
 * The name under which a package is stored and looked up.
 * - PyPI: PEP 503 (lower case, runs of `-`, `_`, `.` become one `-`), as pip compares names.
 * - NuGet and Packagist: lower case (both registries treat ids case-insensitively; OSV data
 *   spells them as the publisher did, installed metadata may not).
 * - Every other ecosystem: exactly as given (Go module paths, Maven `group:artifact`, npm,
 *   crates, gems and OS package names are case-sensitive or already canonical).
 */
export function normalizePackageName(ecosystemBase: string, name: string): string {
  switch (ecosystemBase) {
    case 'PyPI':
      return name
        .trim()
        .toLowerCase()
        .replace(/[-_.]+/g, '-');
    case 'NuGet':
    case 'Packagist':
      return name.trim().toLowerCase();
    default:
      return name;
  }
}

/**
 * An ecosystem name as given on the command line or in `ecosystems.txt`: it becomes a URL path
 * segment and a staging directory name, so it must be a plain, short, printable name.
 */
export function isSafeEcosystemName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 100 &&
    name !== '.' &&
    name !== '..' &&
    // eslint-disable-next-line no-control-regex
    !/[/\\\u0000-\u001f\u007f]/.test(name) &&
    name.trim() === name
  );
}
