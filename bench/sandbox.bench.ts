/**
 * Sandbox overhead: a whole run (stale-run cleanup, unpack, fake internet, runc, monitor, rules,
 * tear-down) minus the time the container itself ran, for a small image (a userland copied from
 * this machine, entrypoint `true`) and for the Debian minbase image (goal ≤ 1.5 s beyond the
 * observation window); then small-image runs per second with 1, 2 and 4 sandboxes in parallel.
 * Unpacked images are cached between runs (src/sandbox/runtime/image-cache.ts): the bench uses a
 * cache of its own, so the first Debian run is a cold one (it unpacks), and reports it apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { osDetectors } from '../src/analyze/os/index.js';
import { hostUserlandFiles } from '../src/demo/host-userland.js';
import { buildImage } from '../src/fixtures/builder.js';
import { writeOciLayout } from '../src/fixtures/layouts.js';
import { openSource } from '../src/image/target.js';
import { runSandbox } from '../src/sandbox/run.js';
import { analyzeImage } from '../src/scan/analyze-image.js';

export const TARGET_OVERHEAD_S = 1.5;

async function overheadOf(target: string): Promise<{ totalMs: number; ranMs: number; overheadMs: number }> {
  const analyzed = await analyzeImage(openSource(target), { analyzers: osDetectors, cache: null });
  const source = openSource(target);
  try {
    const t = performance.now();
    const b = await runSandbox(source, analyzed.image, analyzed.facts.tree, { timeoutMs: 10_000 });
    const totalMs = performance.now() - t;
    if (!b.ran) throw new Error(`the sandbox did not run ${target}: ${b.warnings.join('; ')}`);
    return { totalMs, ranMs: b.durationMs, overheadMs: totalMs - b.durationMs };
  } finally {
    await source.close();
  }
}

export async function benchSandbox(debianTarget: string): Promise<Record<string, number | string | boolean>> {
  if (process.getuid?.() !== 0) return { skipped: 'the sandbox needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-bench-sandbox-'));
  const cache = mkdtempSync('/dev/shm/shipshape-bench-cache-');
  const before = process.env.SHIPSHAPE_SANDBOX_CACHE;
  process.env.SHIPSHAPE_SANDBOX_CACHE = join(cache, 'images');
  try {
    const image = buildImage({
      layers: [{ files: hostUserlandFiles() }],
      config: { Entrypoint: ['/bin/true'], Env: ['PATH=/usr/bin:/bin'] },
    });
    await writeOciLayout(join(dir, 'oci'), [{ ref: 'small', image }]);
    const small = `oci:${join(dir, 'oci')}:small`;
    await overheadOf(small); // warm-up: module loading, first responder start
    const runs = [await overheadOf(small), await overheadOf(small), await overheadOf(small)];
    const best = runs.reduce((a, b) => (a.overheadMs < b.overheadMs ? a : b));
    const debianCold = await overheadOf(debianTarget);
    // Best of three, as the other benchmarks report (one run varies by a second on this shared VM).
    const debianRuns = [
      await overheadOf(debianTarget),
      await overheadOf(debianTarget),
      await overheadOf(debianTarget),
    ];
    const debian = debianRuns.reduce((a, b) => (a.overheadMs < b.overheadMs ? a : b));
    const figures: Record<string, number | string | boolean> = {
      smallOverheadMs: Math.round(best.overheadMs),
      smallRanMs: Math.round(best.ranMs),
      smallWithinTarget: best.overheadMs / 1000 <= TARGET_OVERHEAD_S,
      debianColdOverheadMs: Math.round(debianCold.overheadMs),
      debianColdWithinTarget: debianCold.overheadMs / 1000 <= TARGET_OVERHEAD_S,
      debianOverheadMs: Math.round(debian.overheadMs),
      debianWithinTarget: debian.overheadMs / 1000 <= TARGET_OVERHEAD_S,
    };
    for (const parallel of [1, 2, 4]) {
      const t = performance.now();
      await Promise.all(
        Array.from({ length: parallel * 2 }, (_, i) => i).reduce<Promise<void>[]>((lanes, i) => {
          const lane = i % parallel;
          lanes[lane] = (lanes[lane] ?? Promise.resolve()).then(async () => void (await overheadOf(small)));
          return lanes;
        }, []),
      );
      figures[`smallRunsPerSecond.parallel${parallel}`] =
        Math.round(((parallel * 2) / ((performance.now() - t) / 1000)) * 100) / 100;
    }
    return figures;
  } finally {
    if (before === undefined) delete process.env.SHIPSHAPE_SANDBOX_CACHE;
    else process.env.SHIPSHAPE_SANDBOX_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}
