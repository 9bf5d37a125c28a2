/**
 * Peak memory of one engine pass over a large layer: a gzip (level 1) tar of a few very large
 * files and many small ones, generated while it is read, so nothing but the engine holds data.
 * The pass runs in a fresh child process and reports its peak RSS (process.resourceUsage().maxRSS).
 *
 *   node --import tsx bench/big-layer.ts [GIGABYTES]     (default 2; target: peak RSS ≤ 200 MB)
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import type { Analyzer } from '../src/analyze/types.js';
import { scanLayer } from '../src/layer/engine.js';
import { tarEnd, tarHeader, tarPadding } from '../test/support/tar-writer.js';

const CHUNK = 1 << 18;
const CHILD_FLAG = '--child';
/** Peak RSS a pass over the generated layer may reach. */
export const TARGET_PEAK_RSS_MB = 200;

export interface BigLayerFigures {
  gigabytes: number;
  uncompressedBytes: number;
  compressedBytes: number;
  entries: number;
  seconds: number;
  peakRssMB: number;
  withinTarget: 'yes' | 'no';
}

/** Runs the pass in a fresh child (so earlier allocations do not count) and returns its figures. */
export async function benchBigLayer(opts: { gigabytes?: number } = {}): Promise<BigLayerFigures> {
  const gigabytes = opts.gigabytes ?? 2;
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, CHILD_FLAG, String(gigabytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`big-layer child exited with ${code}`);
  return JSON.parse(output) as BigLayerFigures;
}

/** In the child: generate, scan, measure. */
async function measure(gigabytes: number): Promise<BigLayerFigures> {
  const total = Math.round(gigabytes * 1024 ** 3);
  const layer = Readable.from(generateTar(total)).pipe(createGzip({ level: 1, chunkSize: CHUNK }));
  const started = process.hrtime.bigint();
  const facts = await scanLayer(layer, { analyzers: hungryAnalyzers(), label: 'generated-big-layer' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // maxRSS is in kilobytes.
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  return {
    gigabytes,
    uncompressedBytes: facts.uncompressedBytes,
    compressedBytes: facts.compressedBytes,
    entries: facts.entries,
    seconds: Math.round(seconds * 10) / 10,
    peakRssMB,
    withinTarget: peakRssMB <= TARGET_PEAK_RSS_MB ? 'yes' : 'no',
  };
}

/**
 * 60% of the bytes in three huge files, the rest in 20 KiB files. Content is word-like text
 * (about 3:1 under gzip -1), so the pass does real inflating without tripping the bomb check.
 */
async function* generateTar(totalBytes: number): AsyncGenerator<Buffer> {
  const blocks = textBlocks(8, CHUNK);
  let next = 0;
  const body = function* (size: number): Generator<Buffer> {
    for (let left = size; left > 0; left -= CHUNK) {
      const block = blocks[next++ % blocks.length]!;
      yield left >= CHUNK ? block : block.subarray(0, left);
    }
  };
  const bigSize = Math.floor((totalBytes * 0.6) / 3);
  for (let i = 0; i < 3; i++) {
    yield tarHeader({ name: `data/big-${i}.bin`, type: 'file', mode: 0o755 }, bigSize);
    yield* body(bigSize);
    yield tarPadding(bigSize);
  }
  const smallSize = 20 * 1024;
  const smallCount = Math.floor((totalBytes * 0.4) / smallSize);
  for (let i = 0; i < smallCount; i++) {
    if (i % 1000 === 0) yield tarHeader({ name: `small/${i / 1000}/`, type: 'dir' }, 0);
    yield tarHeader({ name: `small/${Math.floor(i / 1000)}/f${i}.txt`, type: 'file' }, smallSize);
    yield* body(smallSize);
    yield tarPadding(smallSize);
  }
  yield tarEnd();
}

/** Analyzers that ask for as much as the engine gives: every body streamed, and 1 MiB of each buffered. */
function hungryAnalyzers(): Analyzer[] {
  return [
    {
      name: 'stream-all',
      version: 1,
      wants: (h) => (h.type === 'file' ? { mode: 'stream' } : false),
      open: () => {
        let sum = 0;
        return {
          write: (chunk) => {
            sum = (sum + chunk[0]!) % 251;
          },
          end: () => [{ sum }],
        };
      },
    },
    {
      name: 'buffer-1mib',
      version: 1,
      wants: (h) => (h.type === 'file' ? { mode: 'buffer', maxBytes: 1 << 20 } : false),
      analyze: async (file) => [{ bytes: file.content.length, truncated: file.truncated }],
    },
  ];
}

function textBlocks(count: number, size: number): Buffer[] {
  const words = [
    'layer',
    'image',
    'scan',
    'tar',
    'gzip',
    'debian',
    'lib',
    'usr',
    'bin',
    'share',
    'doc',
    'etc',
  ];
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () => {
    const block = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const word = random() % 7 === 0 ? random().toString(36) : words[random() % words.length]!;
      at += block.write(`${word} `, at, 'latin1');
    }
    return block;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const childIndex = process.argv.indexOf(CHILD_FLAG);
  if (childIndex >= 0) {
    const figures = await measure(Number(process.argv[childIndex + 1] ?? 2));
    process.stdout.write(JSON.stringify(figures));
  } else {
    const figures = await benchBigLayer({ gigabytes: Number(process.argv[2] ?? 2) });
    for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(18)} ${value}`);
  }
}
