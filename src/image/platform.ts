import { ShipshapeError, printable } from '../errors.js';
import type { Descriptor, Platform } from './types.js';

export const DEFAULT_PLATFORM = 'linux/amd64';

/** `os/arch[/variant]` → Platform; arm64 without a variant means v8, as Docker assumes. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new ShipshapeError('BAD_ARGUMENT', `bad platform "${s}": expected os/arch[/variant]`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function defaultVariant(arch: string): string | undefined {
  if (arch === 'arm64') return 'v8';
  return undefined;
}

export function platformMatches(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  const haveVariant = have.variant ?? defaultVariant(have.architecture);
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  // Asking for "linux/arm" without a variant takes any arm variant; asking for one is exact.
  if (want.variant === undefined && wantVariant === undefined) return true;
  return haveVariant === wantVariant;
}

/** Attestation manifests (BuildKit provenance/SBOM) sit in indexes as platform unknown/unknown. */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown';
}

/** Picks the manifest for `wanted` from an index's descriptors, preferring an exact variant. */
export function selectPlatform(manifests: Descriptor[], wanted: string, label: string): Descriptor {
  const want = parsePlatform(wanted);
  const candidates = manifests.filter((d) => !isAttestation(d));
  const matching = candidates.filter((d) => d.platform && platformMatches(d.platform, want));
  if (matching.length > 0) {
    const exact = matching.find((d) => d.platform?.variant === want.variant);
    return exact ?? matching[0]!;
  }
  const offered = printable(candidates.map((d) => formatPlatform(d.platform)).join(', ')) || 'none';
  throw new ShipshapeError('NOT_FOUND', `${label}: no manifest for platform ${wanted} (offered: ${offered})`);
}
