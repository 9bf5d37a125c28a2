import { defaultAnalyzers } from '../analyze/index.js';
import type { Analyzer } from '../analyze/types.js';
import { openSource } from '../image/target.js';
import { analyzeImage, type AnalyzedImage } from '../scan/analyze-image.js';
import { openStore, sourceOptions, type CommonOptions } from './common.js';
import { progress } from './output.js';

/**
 * Opens the target and reads it with every default analyzer, taking layers from the cache
 * where possible; progress on a terminal. What inspect, sbom and scan share.
 */
export async function analyzeTarget(
  target: string,
  o: CommonOptions,
  onLayer?: (index: number, cached: boolean) => void,
  analyzers: Analyzer[] = defaultAnalyzers(),
): Promise<AnalyzedImage> {
  const source = openSource(target, sourceOptions(o));
  const store = openStore(o);
  const say = progress(o.quiet);
  try {
    return await analyzeImage(source, {
      analyzers,
      cache: store.cache,
      ...(o.allowDevices ? { allowDevices: true } : {}),
      onLayer: ({ layer, cached }) => {
        onLayer?.(layer.index, cached);
        say(`layer ${layer.index + 1}: ${cached ? 'cached' : 'read'}`);
      },
    });
  } finally {
    store.close();
    await source.close();
  }
}
