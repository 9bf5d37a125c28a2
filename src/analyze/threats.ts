/**
 * Static threat detection (issue 5): the layer analyzers that look for threats in file content
 * and the image checks that need the whole image. `scan` runs them beside the inventory
 * analyzers; `sbom` and `inspect` do not, so an SBOM stays as fast as before.
 */
import type { ImageCheck } from './findings.js';
import type { Analyzer } from './types.js';

export interface ThreatOptions {
  /** Bytes of one file the content rules scan (the rest is a reported gap). */
  maxFileBytes?: number;
}

export function threatAnalyzers(_options: ThreatOptions = {}): Analyzer[] {
  return [];
}

export function threatChecks(): ImageCheck[] {
  return [];
}
