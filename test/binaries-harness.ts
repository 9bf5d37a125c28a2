/**
 * Shared by the binaries-* and persistence-* tests: images built from a spec (or a rootfs dir)
 * analyzed with the threat analyzers of this area plus the OS catalogers (ownership), and the
 * ImageCheckContext an image check sees.
 */
import { join } from 'node:path';
import { binaryAnalyzers, binaryImageChecks } from '../src/analyze/binaries/index.js';
import type { ImageCheckContext, MalwareFinding } from '../src/analyze/findings.js';
import { scriptIndicatorsAnalyzer } from '../src/analyze/config/script-indicators.js';
import { fileDigestsAnalyzer } from '../src/analyze/hashes/file-digests.js';
import { osCatalogers } from '../src/analyze/packages/os-catalogers.js';
import { persistenceAnalyzers, persistenceChecks } from '../src/analyze/persistence/index.js';
import type { MalwareFact } from '../src/analyze/findings.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../src/scan/analyze-image.js';
import { buildImage, type ImageSpec } from './fixtures/builder.js';
import { writeOciLayout } from './fixtures/layouts.js';
import { tempDir } from './support/tmp.js';

export const threatAreaAnalyzers = () => [
  ...osCatalogers,
  ...binaryAnalyzers,
  ...persistenceAnalyzers,
  // Scripts' indicators: the persistence check follows hooks into them.
  scriptIndicatorsAnalyzer,
  // Executables' sha256 (the binaries analyzer takes them from here).
  fileDigestsAnalyzer,
];

export async function analyzeTarget(target: string): Promise<AnalyzedImage> {
  return analyzeImage(openSource(target), { analyzers: threatAreaAnalyzers(), cache: null });
}

export async function analyzeSpec(spec: ImageSpec): Promise<AnalyzedImage> {
  const dir = join(tempDir(), 'oci');
  await writeOciLayout(dir, [{ ref: 't', image: buildImage(spec) }]);
  return analyzeTarget(`oci:${dir}:t`);
}

export function checkContext(a: AnalyzedImage): ImageCheckContext {
  return {
    image: a.image,
    facts: a.facts,
    packages: [],
    os: a.os,
    db: null,
    layerFindings: { malware: [], secrets: [], binaries: [] },
  };
}

/** Layer MalwareFacts (with their layer) and image-check findings of this area, together. */
export async function threatFindings(a: AnalyzedImage): Promise<MalwareFinding[]> {
  const out: MalwareFinding[] = [];
  a.facts.layers.forEach((layer, i) => {
    for (const list of Object.values(layer.facts)) {
      for (const f of list) {
        if (f.kind !== 'malware') continue;
        const { kind: _kind, ...rest } = f as MalwareFact;
        out.push({ ...rest, layer: i });
      }
    }
  });
  const ctx = checkContext(a);
  for (const check of [...binaryImageChecks, ...persistenceChecks]) {
    const r = await check.run(ctx);
    out.push(...(r.malware ?? []));
  }
  return out;
}
