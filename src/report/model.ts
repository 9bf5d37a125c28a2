/** The parts of the JSON report every command shares (CONTRACT.md: `target`, `layers`). */
import { maskedOrNull } from './mask-secrets.js';
import type { DetectedOs } from '../analyze/os/detect.js';
import type { LayerFacts } from '../facts/types.js';
import type { ResolvedImage } from '../image/types.js';
import { VERSION } from '../version.js';

export interface ReportTarget {
  input: string;
  ref: string | null;
  digest: string | null;
  platform: string;
  os: DetectedOs | null;
}

export interface ReportLayer {
  index: number;
  digest: string | null;
  diffId: string | null;
  size: number;
  createdBy: string | null;
  mediaType: string;
  compression?: string;
  uncompressedSize?: number;
  entries?: number;
  whiteouts?: number;
  cached?: boolean;
}

export function toolInfo() {
  return { name: 'shipshape', version: VERSION };
}

export function reportTarget(image: ResolvedImage, os: DetectedOs | null): ReportTarget {
  return { input: image.input, ref: image.ref, digest: image.digest, platform: image.platform, os };
}

export function reportLayers(image: ResolvedImage, facts?: LayerFacts[], cached?: boolean[]): ReportLayer[] {
  return image.layers.map((l, i) => {
    const f = facts?.[i];
    const base: ReportLayer = {
      index: l.index,
      digest: l.digest,
      diffId: l.diffId ?? f?.diffId ?? null,
      size: l.size || f?.compressedBytes || 0,
      createdBy: maskedOrNull(l.createdBy),
      mediaType: l.mediaType,
    };
    if (!f) return base;
    return {
      ...base,
      compression: f.compression,
      uncompressedSize: f.uncompressedBytes,
      entries: f.entries,
      whiteouts: f.whiteouts.length + f.opaqueDirs.length,
      ...(cached ? { cached: cached[i] ?? false } : {}),
    };
  });
}
