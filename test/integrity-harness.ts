/**
 * Shared by the integrity-* and hashes-* tests: an image built from a spec, analyzed with the
 * OS catalogers plus the hash and integrity analyzers, and one image check run on it. The files
 * are hashed as in a scan: by the malware rules' job where they read a file whole.
 */
import type { ImageCheck, ImageCheckResult } from '../src/analyze/findings.js';
import { createFileDigestsAnalyzer, DigestRequests } from '../src/analyze/hashes/index.js';
import { integrityAnalyzers } from '../src/analyze/integrity/index.js';
import { createMalwareAnalyzers } from '../src/analyze/malware/index.js';
import { osDetectors } from '../src/analyze/os/index.js';
import { osCatalogers } from '../src/analyze/packages/os-catalogers.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../src/scan/analyze-image.js';
import type { Db } from '../src/store/sqlite.js';
import type { ImageSpec } from './fixtures/builder.js';
import { ociTarget } from './support/oci-target.js';

function analyzers() {
  const digests = new DigestRequests();
  return [
    ...osDetectors,
    ...osCatalogers,
    ...createMalwareAnalyzers({ digests }),
    createFileDigestsAnalyzer(digests),
    ...integrityAnalyzers,
  ];
}

export async function checkSpec(
  spec: ImageSpec,
  check: ImageCheck,
  db: Db | null = null,
): Promise<{ a: AnalyzedImage; r: ImageCheckResult }> {
  const a = await analyzeImage(openSource(await ociTarget(spec)), { analyzers: analyzers(), cache: null });
  const r = await check.run({
    image: a.image,
    facts: a.facts,
    packages: [],
    os: a.os,
    db,
    layerFindings: { malware: [], secrets: [], binaries: [] },
  });
  return { a, r };
}
