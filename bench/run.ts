/**
 * `npm run bench`: every benchmark, on the real Debian minbase image (built by the test
 * support, cached in ~/.cache/shipshape-test), each printed against a baseline measured in the
 * same run. Set BENCH_ONLY=engine,cache,sbom,threats,sandbox,vulndb,rss to run a subset; BENCH_GB sizes the RSS layer.
 */
import { join } from 'node:path';
import { debianOciLayout } from '../test/support/debian-rootfs.js';
import { benchBigLayer, TARGET_PEAK_RSS_MB } from './big-layer.js';
import { benchCache } from './cache.bench.js';
import { benchEngine, TARGET_RATIO } from './engine.bench.js';
import { benchSandbox, TARGET_OVERHEAD_S } from './sandbox.bench.js';
import { benchSbom } from './sbom.bench.js';
import { benchThreats, TARGET_THREAT_RATIO } from './threats.bench.js';
import { benchVulndb } from './vulndb.bench.js';
import { openSource } from '../src/image/target.js';

const only = process.env.BENCH_ONLY?.split(',');
const want = (name: string) => !only || only.includes(name);

function print(title: string, figures: object): void {
  console.log(`\n## ${title}`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(34)} ${String(v)}`);
}

const layout = await debianOciLayout();
const target = `oci:${layout}:bookworm`;
const image = await openSource(target).resolve();
const blob = join(layout, 'blobs', 'sha256', image.layers[0]!.digest!.slice(7));
console.log(`# shipshape benchmarks — Debian bookworm minbase image (${target})`);

if (want('engine')) {
  const r = await benchEngine({ rootfsTarGz: blob });
  print(`Engine pass vs raw gunzip + tar parse (goal ≤ ${TARGET_RATIO}×)`, r);
}
if (want('cache')) {
  const r = await benchCache(target);
  print('Second analysis of the same image from the layer cache (goal ≤ 100 ms)', {
    ...r,
    withinTarget: (r.secondPassMs ?? Infinity) <= 100,
  });
}
if (want('sbom')) {
  const r = await benchSbom(target, blob);
  print(
    'SBOM of the image: in-process vs raw (goal ≤ 1.5×); whole process (goal ≤ 0.7 s cached, ≤ 200 MB)',
    r,
  );
}
if (want('threats')) {
  const r = await benchThreats(target);
  print(`Static threat scanning vs SBOM-only, same run (goal ≤ ${TARGET_THREAT_RATIO}×)`, r);
}
if (want('sandbox')) {
  const r = await benchSandbox(target);
  print(
    `Sandbox run overhead beyond the observation window (goal ≤ ${TARGET_OVERHEAD_S} s); parallel runs`,
    r,
  );
}
if (want('vulndb')) {
  const r = await benchVulndb();
  print(
    'Vulnerability DB: import of the shared mirror; 5,000 lookups on 500,000 advisories (goal ≤ 0.3 s)',
    r,
  );
}
if (want('rss')) {
  const gb = Number(process.env.BENCH_GB ?? 2);
  const r = await benchBigLayer({ gigabytes: gb });
  print(`Peak RSS of a pass over a generated ${gb} GB layer (goal ≤ ${TARGET_PEAK_RSS_MB} MB)`, r);
}
