/**
 * `hash-denylist`: every file digest of every layer against the known-bad hashes in the
 * database. Files a later layer deleted count too: they were shipped, and anyone who pulls the
 * image gets them.
 */
import { printable } from '../../errors.js';
import { deniedHashLookup, denyListIsEmpty, type DeniedHash } from '../../threats-db/store.js';
import type { ImageCheck, ImageCheckContext, ImageCheckResult, MalwareFinding } from '../findings.js';
import { categoryForName } from './categories.js';
import { fileDigestFacts } from './file-digests.js';

export const HASH_DENYLIST_CHECK = 'hash-denylist';
export const KNOWN_BAD_HASH_RULE = 'known-bad-hash';

function evidence(hit: DeniedHash): string {
  const listed = `sha256 ${hit.sha256.slice(0, 16)}… listed by ${printable(hit.source, 60)}`;
  return hit.name ? `${listed} as ${printable(hit.name, 80)}` : listed;
}

function runDenylist(ctx: ImageCheckContext): ImageCheckResult {
  if (!ctx.db)
    return { warnings: [`${HASH_DENYLIST_CHECK}: no database, so known-bad hashes were not checked`] };
  let lookup: (sha256: string) => DeniedHash | undefined;
  try {
    lookup = deniedHashLookup(ctx.db);
  } catch (e) {
    return { warnings: [`${HASH_DENYLIST_CHECK}: the deny-list cannot be read: ${(e as Error).message}`] };
  }
  const warnings = denyListIsEmpty(ctx.db)
    ? [`${HASH_DENYLIST_CHECK}: the deny-list is empty (add feeds with \`shipshape db import-hashes FILE\`)`]
    : [];
  const removed = new Map<string, number>();
  for (const f of ctx.facts.history)
    if (f.removedIn !== undefined) removed.set(`${f.layer}\0${f.path}`, f.removedIn);
  // Many layers carry the same file: each hash is looked up once.
  const seen = new Map<string, DeniedHash | undefined>();
  const malware: MalwareFinding[] = [];
  ctx.facts.layers.forEach((lf, layer) => {
    for (const f of fileDigestFacts(lf.facts)) {
      if (!seen.has(f.sha256)) seen.set(f.sha256, lookup(f.sha256));
      const hit = seen.get(f.sha256);
      if (!hit) continue;
      const removedIn = removed.get(`${layer}\0${f.path}`);
      malware.push({
        category: categoryForName(hit.name),
        rule: KNOWN_BAD_HASH_RULE,
        severity: 'critical',
        path: f.path,
        layer,
        sha256: f.sha256,
        evidence: evidence(hit),
        ...(removedIn !== undefined ? { removedIn } : {}),
      });
    }
  });
  return { malware, warnings };
}

export const hashDenylistCheck: ImageCheck = { name: HASH_DENYLIST_CHECK, run: runDenylist };
