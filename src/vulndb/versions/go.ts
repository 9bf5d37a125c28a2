/**
 * Go module versions (golang.org/x/mod/semver rules), compared with node-semver.
 *
 * Accepted forms: `v1.2.3` (the Go form) and `1.2.3` (OSV's Go records drop the `v`); the
 * shorthands `v1` and `v1.2` (= v1.0.0, v1.2.0, as x/mod/semver reads them; no pre-release
 * allowed on a shorthand); pseudo-versions (`v0.0.0-20210101120000-abcdef123456`,
 * `v1.2.4-0.2021...`, `v1.2.3-pre.0.2021...`), which are ordinary pre-releases and sort by
 * their timestamp; `+incompatible` and any other build metadata, ignored in comparisons as in
 * x/mod/semver (v2.0.0+incompatible == v2.0.0). Go toolchain tags (`go1.21.5`, `go1.21`,
 * `go1.21rc2`, `go1.9beta1`) are read as the Go vulnerability database writes them
 * (1.21.5, 1.21.0, 1.21.0-rc.2, 1.9.0-beta.1), for the `stdlib` and `toolchain` modules.
 * Anything else falls back to generic.ts after every valid version.
 */
import type { SemVer } from 'semver';
import { guarded } from './generic.js';
import { compareSemverParsed, parseSemver } from './semver.js';
import type { VersionScheme } from './types.js';

const NUM = '(?:0|[1-9][0-9]*)';
const SHORTHAND = new RegExp(`^(${NUM})(?:\\.(${NUM}))?$`);
const GO_TAG = /^go(\d+\.\d+)(\.\d+|)(?:(beta|rc|-pre)(\d+))?$/;

/** A Go version as plain SemVer text (no `v`), or null when it is not one. */
export function goToSemver(v: string): string | null {
  if (v === 'go1') return '1.0.0';
  const tag = GO_TAG.exec(v);
  if (tag) {
    if (v === 'go1.0') return null;
    let out = tag[1]! + (tag[2] || '.0');
    if (tag[3]) out += (tag[3].startsWith('-') ? '' : '-') + tag[3] + '.' + tag[4]!;
    return out;
  }
  const body = v.startsWith('v') ? v.slice(1) : v;
  const short = SHORTHAND.exec(body);
  if (short) return `${short[1]!}.${short[2] ?? '0'}.0`;
  // x/mod/semver has no leading white space, `=` or a second `v`; node-semver would trim.
  if (!/^[0-9]/.test(body) || /\s/.test(body)) return null;
  return body;
}

export function parseGo(v: string): SemVer | null {
  const s = goToSemver(v);
  return s === null ? null : parseSemver(s);
}

export const go: VersionScheme = {
  name: 'go',
  ecosystems: ['Go'],
  ...guarded(parseGo, compareSemverParsed),
};
