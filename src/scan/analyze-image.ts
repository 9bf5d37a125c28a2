/**
 * The static pipeline for one image: resolve the source, take each layer's facts from the cache
 * or from one streaming pass, and merge them into the image view.
 */
import { detectOs, type DetectedOs } from '../analyze/os/detect.js';
import type { Analyzer } from '../analyze/types.js';
import { ShipshapeError } from '../errors.js';
import { analyzersKey, LayerFactsCache } from '../facts/cache.js';
import { mergeLayers } from '../facts/merge.js';
import type { ImageFacts, LayerFacts } from '../facts/types.js';
import type { ImageSource, LayerDescriptor, ResolvedImage } from '../image/types.js';
import { scanLayer } from '../layer/engine.js';
import { scanRootDir } from '../layer/rootfs-walk.js';
import type { LayerBudgets } from '../layer/types.js';

export interface AnalyzeOptions {
  analyzers: Analyzer[];
  cache: LayerFactsCache | null;
  budgets?: Partial<LayerBudgets>;
  allowDevices?: boolean;
  signal?: AbortSignal;
  onLayer?: (event: { layer: LayerDescriptor; cached: boolean; facts: LayerFacts }) => void;
}

export interface AnalyzedImage {
  image: ResolvedImage;
  facts: ImageFacts;
  os: DetectedOs | null;
  cacheHits: number;
}

/** The cached facts of a layer, if any can be trusted for it without reading it. */
async function cachedFacts(
  source: ImageSource,
  layer: LayerDescriptor,
  cache: LayerFactsCache,
  key: string,
): Promise<LayerFacts | null> {
  let diffId: string | null = null;
  if (source.kind === 'registry') {
    if (layer.digest) diffId = cache.diffIdOfBlob(layer.digest);
  } else {
    const identity = (await source.blobIdentity?.(layer)) ?? null;
    const named = layer.digest ?? layer.diffId;
    if (identity && named && cache.isVerified(identity, named)) {
      diffId = layer.digest ? cache.diffIdOfBlob(layer.digest) : layer.diffId;
    }
  }
  return diffId ? cache.get(diffId, key) : null;
}

async function readLayer(
  source: ImageSource,
  layer: LayerDescriptor,
  opts: AnalyzeOptions,
  label: string,
): Promise<LayerFacts> {
  const blob = await source.openLayer(layer);
  const facts = await scanLayer(blob.stream, {
    analyzers: opts.analyzers,
    label,
    ...(opts.budgets ? { budgets: opts.budgets } : {}),
    ...(opts.allowDevices ? { allowDevices: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (layer.diffId && facts.diffId !== layer.diffId) {
    throw new ShipshapeError(
      'DIGEST_MISMATCH',
      `${label}: uncompressed content has digest ${facts.diffId}, but the config says ${layer.diffId}`,
    );
  }
  return facts;
}

async function remember(
  source: ImageSource,
  layer: LayerDescriptor,
  cache: LayerFactsCache,
  key: string,
  facts: LayerFacts,
) {
  if (!facts.diffId) return;
  cache.put(facts.diffId, key, facts);
  if (layer.digest) cache.rememberBlob(layer.digest, facts.diffId);
  if (source.kind !== 'registry') {
    const identity = (await source.blobIdentity?.(layer)) ?? null;
    if (identity) cache.markVerified(identity, layer.digest ?? facts.diffId);
  }
}

export async function analyzeImage(source: ImageSource, opts: AnalyzeOptions): Promise<AnalyzedImage> {
  const image = await source.resolve();
  const key = analyzersKey(opts.analyzers);
  const layerFacts: LayerFacts[] = [];
  let cacheHits = 0;
  for (const layer of image.layers) {
    const label = `layer ${layer.index} (${layer.digest ?? layer.diffId ?? source.rootDir ?? 'rootfs'})`;
    if (source.kind === 'dir' && source.rootDir) {
      const facts = await scanRootDir(source.rootDir, {
        analyzers: opts.analyzers,
        label,
        ...(opts.budgets ? { budgets: opts.budgets } : {}),
        allowDevices: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      layerFacts.push(facts);
      opts.onLayer?.({ layer, cached: false, facts });
      continue;
    }
    const hit = opts.cache ? await cachedFacts(source, layer, opts.cache, key) : null;
    if (hit) {
      cacheHits++;
      layerFacts.push(hit);
      opts.onLayer?.({ layer, cached: true, facts: hit });
      continue;
    }
    const facts = await readLayer(source, layer, opts, label);
    if (opts.cache) await remember(source, layer, opts.cache, key, facts);
    layerFacts.push(facts);
    opts.onLayer?.({ layer, cached: false, facts });
  }
  const facts = mergeLayers(layerFacts);
  return { image, facts, os: detectOs(facts), cacheHits };
}
