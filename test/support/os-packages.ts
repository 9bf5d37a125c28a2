/**
 * What the OS package cataloger tests share: the analyzers that find the OS and its packages,
 * an image built from a spec and scanned through an OCI layout, and one file handed straight to
 * an analyzer with its warnings collected.
 */
import fc from 'fast-check';
import { osDetectors } from '../../src/analyze/os/index.js';
import { osCatalogers } from '../../src/analyze/packages/os-catalogers.js';
import type { FileInput } from '../../src/analyze/types.js';
import { openSource } from '../../src/image/target.js';
import { analyzeImage, type AnalyzedImage } from '../../src/scan/analyze-image.js';
import type { ImageSpec } from '../fixtures/builder.js';
import { ociTarget } from './oci-target.js';

const osAnalyzers = [...osDetectors, ...osCatalogers];

/** Scans a target (`dir:…`, `oci:…`) with the OS analyzers, without the layer cache. */
export function scanTarget(target: string): Promise<AnalyzedImage> {
  return analyzeImage(openSource(target), { analyzers: osAnalyzers, cache: null });
}

/** Builds the image, writes it as an OCI layout and scans that. */
export async function scanSpec(spec: ImageSpec): Promise<AnalyzedImage> {
  return scanTarget(await ociTarget(spec));
}

/** A regular file as an analyzer sees it. */
export function input(path: string, content: string | Buffer, truncated = false): FileInput {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return {
    header: { path, type: 'file', mode: 0o644, size: buf.length, uid: 0, gid: 0 },
    content: buf,
    truncated,
  };
}

/** An analyzer context whose warnings land in `warnings`, as `path: message`. */
export function collect() {
  const warnings: string[] = [];
  return { warnings, ctx: { warn: (path: string, msg: string) => warnings.push(`${path}: ${msg}`) } };
}

/** `sample` with up to 12 of its characters replaced by one of `chars` (or deleted, for ''). */
export function mutated(sample: string, chars: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.nat(sample.length - 1), fc.constantFrom(...chars)), { maxLength: 12 })
    .map((edits) => {
      let s = sample;
      for (const [at, c] of edits) s = s.slice(0, at) + c + s.slice(at + 1);
      return s;
    });
}
