/**
 * npm vocabulary shared by package.json and the lockfiles: package names, `name@range`
 * specifiers (with `npm:` aliases), and the license forms package.json has used over the years.
 */
import { cleanList, cleanString, isRecord } from '../lang-common.js';

/** npm allows 214 characters; scoped names are `@scope/name`. Anything else is not a package name. */
const NPM_NAME = /^(?:@[^/@\s]+\/)?[^/@\s]+$/;

export function npmName(x: unknown): string | undefined {
  const s = cleanString(x, 214);
  return s && NPM_NAME.test(s) ? s : undefined;
}

export interface NpmSpec {
  name: string;
  /** What follows the name: a semver range, `npm:other@range`, a URL, `workspace:.` ... */
  range: string;
}

/** `name@range` or `@scope/name@range`; the first `@` after the scope's separates them. */
export function splitSpec(spec: string): NpmSpec | undefined {
  const at = spec.indexOf('@', spec.startsWith('@') ? spec.indexOf('/') + 1 : 1);
  if (at <= 0) return undefined;
  const name = npmName(spec.slice(0, at));
  return name ? { name, range: spec.slice(at + 1) } : undefined;
}

/**
 * An alias (`string-width-cjs@npm:string-width@^4`) installs another package under a local name;
 * the package that runs, and the one advisories name, is the target. Returns the target's spec.
 */
export function aliasTarget(range: string): NpmSpec | undefined {
  return range.startsWith('npm:') ? splitSpec(range.slice(4)) : undefined;
}

/**
 * package.json licenses: `"MIT"`, an SPDX expression, the legacy `{ type, url }` object, or a
 * legacy `licenses` array of either.
 */
export function npmLicenses(pkg: Record<string, unknown>): string[] {
  const found: unknown[] = [];
  const take = (x: unknown) => {
    if (typeof x === 'string') found.push(x);
    else if (isRecord(x)) found.push(x.type ?? x.name);
  };
  for (const field of [pkg.license, pkg.licenses]) {
    if (Array.isArray(field)) field.slice(0, 64).forEach(take);
    else take(field);
  }
  return cleanList(found);
}
