/**
 * Integrity of package-owned files: the dpkg facts the check needs beyond the package
 * catalogers' (conffiles, diversions), and the image check comparing each package-owned
 * executable or library with its package database's digest.
 */
import type { ImageCheck } from '../findings.js';
import type { Analyzer } from '../types.js';
import { integrityDriftCheck } from './drift-check.js';
import { dpkgIntegrityAnalyzer } from './dpkg-meta.js';

export { INTEGRITY_DRIFT_CHECK, INTEGRITY_DRIFT_RULE, integrityDriftCheck } from './drift-check.js';
export { DPKG_INTEGRITY_ANALYZER, dpkgIntegrityAnalyzer } from './dpkg-meta.js';
export { collectManifests, type Expectation, type Manifests } from './manifests.js';

/** Layer analyzers the integrity check depends on (besides `hashAnalyzers` and the OS catalogers). */
export const integrityAnalyzers: Analyzer[] = [dpkgIntegrityAnalyzer];

export const integrityChecks: ImageCheck[] = [integrityDriftCheck];
