/** The layer cache: a second analysis of the same image must not read its layers (goal ≤ 0.1 s). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAnalyzers } from '../src/analyze/index.js';
import { LayerFactsCache } from '../src/facts/cache.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { openDatabase } from '../src/store/sqlite.js';

export async function benchCache(target: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
  try {
    const db = openDatabase(join(dir, 'bench.db'));
    const cache = new LayerFactsCache(db);
    const time = async () => {
      const t0 = performance.now();
      const r = await analyzeImage(openSource(target), { analyzers: defaultAnalyzers(), cache });
      return { ms: performance.now() - t0, hits: r.cacheHits, files: r.facts.tree.size };
    };
    const cold = await time();
    const warm = [await time(), await time(), await time()];
    db.close();
    const best = Math.min(...warm.map((w) => w.ms));
    return {
      coldMs: Math.round(cold.ms),
      secondPassMs: Math.round(best * 10) / 10,
      secondPassCacheHits: warm[0]!.hits,
      files: cold.files,
      secondOverFirst: Math.round((best / cold.ms) * 1000) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
