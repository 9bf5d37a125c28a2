/**
 * Static threat detection (issue 5): the layer analyzers that look for threats in file content
 * and the image checks that need the whole image. `scan` runs them beside the inventory
 * analyzers; `sbom` and `inspect` do not, so an SBOM stays as fast as before.
 */
import { binaryAnalyzers, binaryImageChecks } from './binaries/index.js';
import { configAnalyzers, configChecks } from './config/index.js';
import type { ImageCheck } from './findings.js';
import { createFileDigestsAnalyzer, DigestRequests, hashChecks } from './hashes/index.js';
import { integrityAnalyzers, integrityChecks } from './integrity/index.js';
import { createMalwareAnalyzers } from './malware/index.js';
import { persistenceAnalyzers, persistenceChecks } from './persistence/index.js';
import { secretAnalyzers, secretImageChecks } from './secrets/index.js';
import type { Analyzer } from './types.js';

export interface ThreatOptions {
  /** Bytes of one file the content rules scan (the rest is a reported gap). */
  maxFileBytes?: number;
}

/**
 * Fresh instances per scan: the content rules count their per-image byte budget per instance,
 * and they hash the files they read whole for file-digests (on the scan worker thread).
 */
export function threatAnalyzers(options: ThreatOptions = {}): Analyzer[] {
  const digests = new DigestRequests();
  return [
    ...createMalwareAnalyzers({
      digests,
      ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    }),
    ...binaryAnalyzers,
    ...persistenceAnalyzers,
    ...secretAnalyzers,
    ...configAnalyzers,
    createFileDigestsAnalyzer(digests),
    ...integrityAnalyzers,
  ];
}

export function threatChecks(): ImageCheck[] {
  return [
    ...binaryImageChecks,
    ...persistenceChecks,
    ...secretImageChecks,
    ...configChecks,
    ...integrityChecks,
    ...hashChecks,
  ];
}
