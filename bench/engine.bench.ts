/**
 * The layer engine against the raw floor of reading a layer: node zlib gunzip (256 KiB chunks)
 * into tar.Parser, reading every body and doing nothing else. Both run in the same process on
 * the same file, alternating, so the ratio holds on any machine; the absolute MB/s do not.
 *
 *   node --import tsx bench/engine.bench.ts [ROOTFS.tar.gz]   (default /tmp/usr.tar.gz)
 *
 * Target: engine ≤ 1.3× the baseline's time on a Debian root filesystem image.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { Analyzer } from '../src/analyze/types.js';
import { scanLayer } from '../src/layer/engine.js';

const READ_CHUNK = 1 << 18;
const ROUNDS = 5;
/** The engine may take at most this many times the baseline's time. */
export const TARGET_RATIO = 1.3;

export interface BenchEngineOptions {
  /** A gzip-compressed tar of a root filesystem; default /tmp/usr.tar.gz. */
  rootfsTarGz?: string;
  rounds?: number;
}

/** Times every variant `rounds` times, interleaved, and reports the best of each against the baseline. */
export async function benchEngine(opts: BenchEngineOptions = {}): Promise<Record<string, number | string>> {
  const file = opts.rootfsTarGz ?? '/tmp/usr.tar.gz';
  const rounds = opts.rounds ?? ROUNDS;
  const compressed = (await stat(file)).size;
  const variants: Record<string, () => Promise<number>> = {
    baseline: () => rawPass(file),
    engine: () => enginePass(file, []),
    engineStreamingEveryFile: () => enginePass(file, [streamEveryFile()]),
    engineTypicalAnalyzers: () => enginePass(file, typicalAnalyzers()),
  };
  const best: Record<string, number> = {};
  let uncompressed = 0;
  await rawPass(file); // warm the page cache so the first timed run is not a disk read
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const started = process.hrtime.bigint();
      uncompressed = await run();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      best[name] = Math.min(best[name] ?? Infinity, seconds);
    }
  }
  const baseline = best.baseline!;
  const figures: Record<string, number | string> = {
    file,
    compressedMB: round(compressed / 1e6),
    uncompressedMB: round(uncompressed / 1e6),
    baselineSeconds: round(baseline),
    baselineMBps: round(uncompressed / 1e6 / baseline),
  };
  let worst = 0;
  for (const [name, seconds] of Object.entries(best)) {
    if (name === 'baseline') continue;
    figures[`${name}Ratio`] = round(seconds / baseline);
    figures[`${name}MBps`] = round(uncompressed / 1e6 / seconds);
    worst = Math.max(worst, seconds / baseline);
  }
  figures.worstRatio = round(worst);
  figures.targetRatio = TARGET_RATIO;
  figures.withinTarget = worst <= TARGET_RATIO ? 'yes' : 'no';
  return figures;
}

/** The floor: gunzip + tar.Parser, every body read, nothing done with it. Returns uncompressed bytes. */
/** The floor of reading a layer: gunzip + tar.Parser over every body, nothing else. */
export async function rawPass(file: string): Promise<number> {
  let bodyBytes = 0;
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entry.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
    },
  });
  let uncompressed = 0;
  gunzip.on('data', (chunk: Buffer) => {
    uncompressed += chunk.length;
  });
  await pipeline(createReadStream(file, { highWaterMark: READ_CHUNK }), gunzip, parser);
  if (bodyBytes > uncompressed) throw new Error('baseline read more body than there was data');
  return uncompressed;
}

async function enginePass(file: string, analyzers: Analyzer[]): Promise<number> {
  const facts = await scanLayer(createReadStream(file, { highWaterMark: READ_CHUNK }), {
    analyzers,
    label: file,
    allowDevices: true,
  });
  return facts.uncompressedBytes;
}

/** The worst case for dispatch: every body of every file goes through a sink. */
function streamEveryFile(): Analyzer {
  return {
    name: 'every-file',
    version: 1,
    wants: (header) => (header.type === 'file' ? { mode: 'stream' } : false),
    open: () => {
      let bytes = 0;
      return {
        write: (chunk) => {
          bytes += chunk.length;
        },
        end: () => (bytes < 0 ? [{ bytes }] : []),
      };
    },
  };
}

/** What a scan asks for: a few well-known files in full, the first bytes of executables. */
function typicalAnalyzers(): Analyzer[] {
  const known = new Set(['etc/os-release', 'usr/lib/os-release', 'var/lib/dpkg/status']);
  return [
    {
      name: 'known-files',
      version: 1,
      wants: (h) => (h.type === 'file' && known.has(h.path) ? { mode: 'buffer', maxBytes: 8 << 20 } : false),
      analyze: (file) => [{ path: file.header.path, bytes: file.content.length }],
    },
    {
      name: 'executables',
      version: 1,
      wants: (h) => (h.type === 'file' && (h.mode & 0o111) !== 0 ? { mode: 'buffer', maxBytes: 64 } : false),
      analyze: (file) => (file.content[0] === 0x7f ? [{ path: file.header.path }] : []),
    },
  ];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await benchEngine({ rootfsTarGz: process.argv[2] });
  for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(34)} ${value}`);
}
