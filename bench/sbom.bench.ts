/**
 * SBOM of the Debian minbase image: the in-process pass with every cataloger, cold, against the
 * raw decompress+untar floor of the same run (goal ≤ 1.5×); then whole `shipshape sbom`
 * processes (goal ≤ 0.7 s wall, peak RSS ≤ 200 MB), cold and with the layer cache warm.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultAnalyzers } from '../src/analyze/index.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { inventoryOf } from '../src/scan/inventory.js';
import { rawPass } from './engine.bench.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const RSS_HOOK = fileURLToPath(new URL('./rss-on-exit.mjs', import.meta.url));

function best(xs: number[]): number {
  return Math.min(...xs);
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

function cliRun(target: string, db: string): { ms: number; rssMb: number } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', RSS_HOOK, CLI, 'sbom', target, '-o', '/dev/null', '--db', db, '-q'],
    {
      encoding: 'utf8',
    },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sbom failed: ${r.stderr}`);
  const kb = Number(/shipshape-bench-maxrss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rssMb: Math.round(kb / 1024) };
}

export async function benchSbom(
  target: string,
  blob: string,
  rounds = 3,
): Promise<Record<string, number | string>> {
  const raw: number[] = [];
  const sbom: number[] = [];
  let packages = 0;
  for (let i = 0; i < rounds; i++) {
    raw.push(await timed(() => rawPass(blob)));
    sbom.push(
      await timed(async () => {
        const analyzed = await analyzeImage(openSource(target), {
          analyzers: defaultAnalyzers(),
          cache: null,
        });
        packages = inventoryOf(analyzed).packages.length;
      }),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-'));
  try {
    const db = join(dir, 'bench.db');
    const cold = cliRun(target, db);
    const warm = [cliRun(target, db), cliRun(target, db), cliRun(target, db)];
    const warmBest = warm.reduce((a, b) => (a.ms < b.ms ? a : b));
    const ratio = best(sbom) / best(raw);
    return {
      packages,
      rawMs: Math.round(best(raw)),
      sbomInProcessColdMs: Math.round(best(sbom)),
      sbomOverRaw: Math.round(ratio * 100) / 100,
      processColdMs: Math.round(cold.ms),
      processColdPeakRssMb: cold.rssMb,
      processCachedMs: Math.round(warmBest.ms),
      processCachedPeakRssMb: Math.max(...warm.map((w) => w.rssMb)),
      withinTarget:
        ratio <= 1.5 && warmBest.ms <= 700 && Math.max(cold.rssMb, ...warm.map((w) => w.rssMb)) <= 200
          ? 'yes'
          : 'no',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
