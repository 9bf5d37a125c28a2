/**
 * Semantic Versioning 2.0.0 (npm, crates.io, Hex, SwiftURL), with node-semver (npm's own
 * implementation) in strict mode: `MAJOR.MINOR.PATCH[-prerelease][+build]`, no leading zeros,
 * an optional leading `v` and surrounding white space tolerated as node-semver does.
 *
 * Precedence per SemVer §11 (node-semver `compare`): numeric core, then a release above its
 * pre-releases, pre-release identifiers numeric (by value) below alphanumeric (ASCII order),
 * a shorter identifier list first; build metadata is ignored (1.0.0+a == 1.0.0+b). Loose npm
 * forms (`=1.2.3`, `1.2.3beta`) and numbers beyond 2^53 are invalid and fall back to
 * generic.ts after every valid version.
 *
 * Note: OSV SEMVER ranges are compared with `compare`, never with node-semver's `satisfies`
 * (which skips pre-releases unless asked, and would hide Go pseudo-versions).
 */
import { SemVer, compare as semverCompare, parse as semverParse } from 'semver';
import { guarded } from './generic.js';
import type { VersionScheme } from './types.js';

export function parseSemver(v: string): SemVer | null {
  return semverParse(v, { loose: false });
}

export function compareSemverParsed(a: SemVer, b: SemVer): number {
  return semverCompare(a, b);
}

export const semver: VersionScheme = {
  name: 'semver',
  ecosystems: ['npm', 'crates.io', 'Hex', 'SwiftURL'],
  ...guarded(parseSemver, compareSemverParsed),
};
