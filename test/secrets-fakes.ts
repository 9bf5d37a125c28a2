import type { ImageCheckContext } from '../src/analyze/findings.js';
import type { ImageFacts } from '../src/facts/types.js';
import type { HistoryEntry, ImageConfig, ResolvedImage } from '../src/image/types.js';

/**
 * Made-up credentials of the right shape, built at run time so the repository holds no
 * literal that looks like a live key (and no scanner, ours included, mistakes a test for a leak).
 */
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const HEX = '0123456789abcdef';
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}_-`;
export const DIGITS = '0123456789';
export const UPPERNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` characters of `alphabet`, deterministic per `seed` (a small LCG: tests must be repeatable). */
export function fake(alphabet: string, n: number, seed = 1): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[(x >>> 8) % alphabet.length];
  }
  return out;
}

export function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** A JWT-shaped token (the signature is random, not computed). */
export function fakeJwt(alg = 'HS256', seed = 1): string {
  return `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'user-1', iat: 1700000000 }))}.${fake(B64URL, 43, seed)}`;
}

/**
 * A resolved image made of a config and history only (no layer content): `layers` defaults to
 * one per history entry that made a layer. `config` undefined: a root filesystem's empty config.
 */
export function configOnlyImage(
  config: NonNullable<ImageConfig['config']> | undefined,
  history: HistoryEntry[] = [],
  layers = history.filter((h) => !h.empty_layer).length,
): ResolvedImage {
  return {
    input: 'test',
    ref: null,
    digest: null,
    indexDigest: null,
    platforms: [],
    platform: 'linux/amd64',
    manifestMediaType: null,
    config: config ? { config, history } : { history },
    configDigest: null,
    layers: Array.from({ length: layers }, (_, index) => ({
      index,
      digest: null,
      diffId: null,
      size: 0,
      mediaType: '',
      createdBy: null,
    })),
    history,
    notes: [],
  };
}

/** What an image check sees, for an image and its merged facts. */
export function checkContext(image: ResolvedImage, facts: ImageFacts): ImageCheckContext {
  return {
    image,
    facts,
    packages: [],
    os: null,
    db: null,
    layerFindings: { malware: [], secrets: [], binaries: [] },
  };
}
