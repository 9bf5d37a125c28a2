/**
 * Shared by the integrity-* and hashes-* tests: an image built from a spec, analyzed with the
 * OS catalogers plus the hash and integrity analyzers, and one image check run on it.
 */
import type { ImageCheck, ImageCheckResult } from '../src/analyze/findings.js';
import { hashAnalyzers } from '../src/analyze/hashes/index.js';
import { integrityAnalyzers } from '../src/analyze/integrity/index.js';
import { osDetectors } from '../src/analyze/os/index.js';
import { osCatalogers } from '../src/analyze/packages/os-catalogers.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../src/scan/analyze-image.js';
import type { Db } from '../src/store/sqlite.js';
import { buildImage, type ImageSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

const analyzers = [...osDetectors, ...osCatalogers, ...hashAnalyzers, ...integrityAnalyzers];

export async function checkSpec(
  spec: ImageSpec,
  check: ImageCheck,
  db: Db | null = null,
): Promise<{ a: AnalyzedImage; r: ImageCheckResult }> {
  const dir = tempDir();
  await writeOciLayout(dir, [{ ref: 'x', image: buildImage(spec) }]);
  const a = await analyzeImage(openSource(`oci:${dir}:x`), { analyzers, cache: null });
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
