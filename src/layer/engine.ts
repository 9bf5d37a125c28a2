/**
 * One streaming pass over one layer blob: decompress, hash (diffId), read the tar, check every
 * entry, and hand the bodies to the analyzers that want them. Memory stays bounded whatever the
 * layer's size: nothing is buffered beyond a chunk, except what an analyzer asked for.
 */
import { createHash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Analyzer } from '../analyze/types.js';
import { withTarget } from '../errors.js';
import type { LayerFacts } from '../facts/types.js';
import { LayerBudget, resolveBudgets } from './budget.js';
import { openDecompressed } from './decompress.js';
import { LayerRecorder } from './layer-recorder.js';
import { PassControl } from './pass-control.js';
import { TarReader, type TarEnd } from './tar-reader.js';
import type { LayerBudgets } from './types.js';

export interface ScanLayerOptions {
  analyzers: readonly Analyzer[];
  budgets?: Partial<LayerBudgets>;
  /** Names the layer (usually its digest) in every error. */
  label: string;
  /** Record char/block devices instead of refusing the layer (default false). */
  allowDevices?: boolean;
  signal?: AbortSignal;
}

/** Reads one layer blob (gzip, zstd or plain tar) once and returns what it holds. */
export async function scanLayer(stream: Readable, options: ScanLayerOptions): Promise<LayerFacts> {
  const control = new PassControl();
  control.track(stream);
  control.followSignal(options.signal);
  try {
    return await readLayer(stream, options, control);
  } catch (err) {
    control.stop(err);
    throw withTarget(control.stopReason ?? err, options.label);
  } finally {
    control.dispose();
  }
}

async function readLayer(
  stream: Readable,
  options: ScanLayerOptions,
  control: PassControl,
): Promise<LayerFacts> {
  const budget = new LayerBudget(resolveBudgets(options.budgets));
  control.followClock(budget);
  const recorder = new LayerRecorder({
    analyzers: options.analyzers,
    budget,
    allowDevices: options.allowDevices ?? false,
  });

  const layer = await control.race(openDecompressed(stream));
  control.track(layer.stream);

  const hash = createHash('sha256');
  let uncompressedBytes = 0;
  let tarEnd: TarEnd | undefined;
  const reader = new TarReader({
    onEntry: (raw) => recorder.entry(raw),
    onUnsupported: (name, kind) => recorder.unsupported(name, kind),
  });
  const sink = deferredSink({
    consume(chunk) {
      uncompressedBytes += chunk.length;
      budget.checkVolume(uncompressedBytes, layer.compressedBytes());
      hash.update(chunk);
      reader.write(chunk);
    },
    finish() {
      tarEnd = reader.end();
    },
    capacity: () => recorder.waitForCapacity(),
  });
  control.track(sink);

  await control.race(Promise.all([pipeline(layer.stream, sink), layer.completion]));
  if (!tarEnd?.sawEndMarker) recorder.warn('the tar ends without its end-of-archive marker');
  const recorded = await control.race(recorder.finish());
  return {
    diffId: `sha256:${hash.digest('hex')}`,
    compression: layer.compression,
    compressedBytes: layer.compressedBytes(),
    uncompressedBytes,
    ...recorded,
  };
}

interface SinkWork {
  /** Takes one chunk of the tar; throws to fail the pass. */
  consume(chunk: Buffer): void;
  /** After the last chunk; throws to fail the pass. */
  finish(): void;
  /** A promise when the pass must wait (async analyses backed up), else undefined. */
  capacity(): Promise<void> | undefined;
}

/**
 * The end of the pipeline. Each chunk is worked on in a later turn of the event loop, not inside
 * write(): gunzip pushes a chunk and only then starts inflating the next one on the thread pool,
 * so returning at once lets inflating and parsing+hashing run side by side on two cores.
 */
function deferredSink(work: SinkWork): Writable {
  const sink: Writable = new Writable({
    highWaterMark: 4 << 20,
    write(chunk: Buffer, _encoding, callback) {
      setImmediate(() => {
        if (sink.destroyed) return;
        try {
          work.consume(chunk);
        } catch (err) {
          callback(err as Error);
          return;
        }
        const wait = work.capacity();
        if (wait) wait.then(() => callback(), callback);
        else callback();
      });
    },
    final(callback) {
      try {
        work.finish();
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback();
    },
  });
  return sink;
}
