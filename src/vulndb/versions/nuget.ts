/**
 * NuGet versions, as NuGet.Versioning's NuGetVersion.TryParse and VersionComparer.Default
 * read and order them.
 *
 * Valid: 1 to 4 dot-separated numbers (each at most 2147483647; leading zeros allowed; a
 * missing part is 0, so 1.0 == 1.0.0 == 1.0.0.0), then optionally `-` and dot-separated
 * release labels of ASCII letters, digits and `-` (a numeric label may not have leading zeros),
 * then optionally `+` and build metadata; surrounding white space ignored.
 *
 * Order: major, minor, patch, revision numerically; a release is above its pre-releases;
 * labels compare one by one, a label that is an Int32 (digits, or `-` and digits) numerically
 * and below any other label, other labels case-insensitively (ordinal, upper-cased: 1.0.0-BETA
 * == 1.0.0-beta); a shorter label list first. Build metadata is ignored. Anything invalid falls
 * back to generic.ts after every valid version.
 */
import { compareCodeUnits, compareDigits, guarded } from './generic.js';
import type { VersionScheme } from './types.js';

const IDENT = '[0-9A-Za-z-]+';
const PATTERN = new RegExp(
  `^(\\d+(?:\\.\\d+){0,3})(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`,
);
const INT32_MAX = '2147483647';

export interface NuGetVersion {
  /** Major, minor, patch, revision. */
  numbers: [string, string, string, string];
  labels: string[] | null;
}

export function parseNuGet(input: string): NuGetVersion | null {
  const m = PATTERN.exec(input.trim());
  if (!m) return null;
  const parts = m[1]!.split('.');
  if (parts.some((p) => compareDigits(p, INT32_MAX) > 0)) return null;
  const labels = m[2] === undefined ? null : m[2].split('.');
  // A numeric label with a leading zero ("01") is not valid; "0" and "0a" are.
  if (labels?.some((l) => /^0[0-9]+$/.test(l))) return null;
  const [a = '0', b = '0', c = '0', d = '0'] = parts;
  return { numbers: [a, b, c, d], labels };
}

/** The value of a label that Int32.TryParse accepts, or null. */
function int32(label: string): bigint | null {
  if (!/^-?[0-9]+$/.test(label)) return null;
  const v = BigInt(label);
  return v >= -2147483648n && v <= 2147483647n ? v : null;
}

function compareLabel(a: string, b: string): number {
  const x = int32(a);
  const y = int32(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== null || y !== null) return x !== null ? -1 : 1;
  return compareCodeUnits(a.toUpperCase(), b.toUpperCase());
}

export function compareNuGetParsed(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.numbers[i]!, b.numbers[i]!);
    if (c !== 0) return c;
  }
  if (a.labels === null || b.labels === null) return a.labels === b.labels ? 0 : a.labels === null ? 1 : -1;
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    if (i >= a.labels.length) return -1;
    if (i >= b.labels.length) return 1;
    const c = compareLabel(a.labels[i]!, b.labels[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

export const nuget: VersionScheme = {
  name: 'nuget',
  ecosystems: ['NuGet'],
  ...guarded(parseNuGet, compareNuGetParsed),
};
