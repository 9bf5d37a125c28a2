/**
 * Choosing one image manifest from a registry index. Builds on the shared platform rules
 * (../platform.ts) and adds what only registries serve: indexes nested in indexes, and
 * architecture variants that a machine can run although they are not the one it asked for.
 */
import { ShipshapeError } from '../../errors.js';
import { MEDIA_TYPES, type Index, asDescriptor } from '../manifest.js';
import { formatPlatform, isAttestation, parsePlatform, selectPlatform } from '../platform.js';
import type { Descriptor, Platform, PlatformEntry } from '../types.js';
import type { RegistryClient } from './client.js';

/** Deeper nesting than this is not produced by any builder; refusing it bounds the fetches. */
const MAX_INDEX_DEPTH = 3;
const MAX_NESTED_INDEXES = 16;

const INDEX_MEDIA_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);

/** Names that uname and distributions use for architectures the OCI spec spells differently. */
const ARCH_ALIASES: Record<string, Partial<Platform>> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
};

/** `linux/x86_64` → `linux/amd64`; anything already canonical comes back unchanged. */
export function canonicalPlatform(wanted: string): string {
  const p = parsePlatform(wanted);
  const alias = ARCH_ALIASES[p.architecture.toLowerCase()];
  const os = p.os.toLowerCase();
  if (!alias) return formatPlatform({ ...p, os });
  return formatPlatform({ os, architecture: alias.architecture!, variant: p.variant ?? alias.variant });
}

/**
 * Variants a machine of `want`'s variant also runs, best first: an amd64 v3 machine runs v2 and
 * v1 (baseline, usually written without a variant) binaries; arm v7 runs v6 and v5.
 */
function compatibleVariants(want: Platform): Array<string | undefined> {
  const n = Number(/^v(\d+)$/.exec(want.variant ?? '')?.[1] ?? NaN);
  if (!Number.isInteger(n)) return [];
  const lower: Array<string | undefined> = [];
  if (want.architecture === 'amd64') {
    for (let v = n - 1; v >= 2; v--) lower.push(`v${v}`);
    lower.push(undefined);
  } else if (want.architecture === 'arm') {
    for (let v = n - 1; v >= 5; v--) lower.push(`v${v}`);
  }
  return lower;
}

function sameVariant(have: Platform, variant: string | undefined): boolean {
  const baseline = have.architecture === 'amd64' && (have.variant === undefined || have.variant === 'v1');
  if (variant === undefined || variant === 'v1') return baseline;
  return have.variant === variant;
}

/** Picks the manifest for `wanted`, falling back to a compatible lower variant. */
export function chooseManifest(manifests: Descriptor[], wanted: string, label: string): Descriptor {
  try {
    return selectPlatform(manifests, wanted, label);
  } catch (e) {
    if (!(e instanceof ShipshapeError) || e.code !== 'NOT_FOUND') throw e;
    const want = parsePlatform(wanted);
    for (const variant of compatibleVariants(want)) {
      const found = manifests.find(
        (d) =>
          !isAttestation(d) &&
          d.platform?.os === want.os &&
          d.platform.architecture === want.architecture &&
          sameVariant(d.platform, variant),
      );
      if (found) return found;
    }
    throw e;
  }
}

export function platformEntries(manifests: Descriptor[]): PlatformEntry[] {
  return manifests
    .filter((d) => !isAttestation(d))
    .map((d) => ({
      platform: formatPlatform(d.platform),
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
    }));
}

/**
 * The image manifests an index offers, with nested indexes replaced by what they hold. The
 * nested ones are fetched by digest, so they are verified like everything else.
 */
export async function flattenIndex(client: RegistryClient, index: Index): Promise<Descriptor[]> {
  let nestedFetched = 0;
  const walk = async (idx: Index, depth: number): Promise<Descriptor[]> => {
    const out: Descriptor[] = [];
    for (const raw of idx.manifests) {
      const d = asDescriptor(raw);
      if (!INDEX_MEDIA_TYPES.has(d.mediaType) || isAttestation(d)) {
        out.push(d);
        continue;
      }
      if (depth >= MAX_INDEX_DEPTH || ++nestedFetched > MAX_NESTED_INDEXES) {
        throw new ShipshapeError(
          'UNSUPPORTED',
          `${client.label}: indexes nested too deeply or too many (${d.digest})`,
        );
      }
      const child = await client.fetchManifest(d.digest, { digest: d.digest, size: d.size });
      if (child.document.kind === 'index') out.push(...(await walk(child.document.index, depth + 1)));
      else out.push({ ...d, mediaType: child.document.mediaType });
    }
    return out;
  };
  return walk(index, 0);
}
