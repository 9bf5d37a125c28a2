/**
 * Layer facts cached by layer content, so a layer shared by many images is read once.
 *
 * Facts are keyed by diff_id (the uncompressed content) plus the analyzer versions that made
 * them. A diff_id named by an image config is only a claim, so it is never used as a lookup key
 * on its own: a registry layer is found through its blob digest (content-addressed, checked when
 * it was read), and a local blob only once its file is known unchanged since it was verified.
 */
import type { Analyzer } from '../analyze/types.js';
import type { Db } from '../store/sqlite.js';
import { rulesDigest } from './rules-digest.js';
import type { LayerFacts } from './types.js';

/** The analyzers' names and versions, and the rule data they read (rules-digest.ts). */
export function analyzersKey(analyzers: readonly Analyzer[], rules = rulesDigest()): string {
  const names = analyzers
    .map((a) => `${a.name}@${a.version}`)
    .sort()
    .join(',');
  return `${names};rules=${rules.slice(0, 16)}`;
}

export class LayerFactsCache {
  private readonly getFacts;
  private readonly putFacts;
  private readonly getBlob;
  private readonly putBlob;
  private readonly getVerified;
  private readonly putVerified;

  constructor(db: Db) {
    this.getFacts = db.prepare<[string, string], { facts: string }>(
      'SELECT facts FROM layer_facts WHERE diff_id = ? AND analyzers = ?',
    );
    this.putFacts = db.prepare(
      'INSERT OR REPLACE INTO layer_facts (diff_id, analyzers, created_at, facts) VALUES (?, ?, ?, ?)',
    );
    this.getBlob = db.prepare<[string], { diff_id: string }>(
      'SELECT diff_id FROM blob_diff_id WHERE blob_digest = ?',
    );
    this.putBlob = db.prepare('INSERT OR REPLACE INTO blob_diff_id (blob_digest, diff_id) VALUES (?, ?)');
    this.getVerified = db.prepare<[string], { digest: string }>(
      'SELECT digest FROM verified_local_blob WHERE identity = ?',
    );
    this.putVerified = db.prepare(
      'INSERT OR REPLACE INTO verified_local_blob (identity, digest, verified_at) VALUES (?, ?, ?)',
    );
  }

  get(diffId: string, analyzers: string): LayerFacts | null {
    const row = this.getFacts.get(diffId, analyzers);
    return row ? (JSON.parse(row.facts) as LayerFacts) : null;
  }

  put(diffId: string, analyzers: string, facts: LayerFacts): void {
    this.putFacts.run(diffId, analyzers, Date.now(), JSON.stringify(facts));
  }

  diffIdOfBlob(blobDigest: string): string | null {
    return this.getBlob.get(blobDigest)?.diff_id ?? null;
  }

  rememberBlob(blobDigest: string, diffId: string): void {
    this.putBlob.run(blobDigest, diffId);
  }

  /** True when this local blob (same file, unchanged) was verified to hold `digest` before. */
  isVerified(identity: string, digest: string): boolean {
    return this.getVerified.get(identity)?.digest === digest;
  }

  markVerified(identity: string, digest: string): void {
    this.putVerified.run(identity, digest, Date.now());
  }
}
