/** A root filesystem on disk (`dir:PATH`), seen as an image of one layer with an empty config. */
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { ShipshapeError } from '../errors.js';
import type { ImageSource, LayerBlob, ResolvedImage } from './types.js';

export class RootfsSource implements ImageSource {
  readonly kind = 'dir' as const;
  readonly rootDir: string;

  constructor(
    private readonly input: string,
    dir: string,
    private readonly platform: string = 'unknown',
  ) {
    this.rootDir = resolvePath(dir);
  }

  async resolve(): Promise<ResolvedImage> {
    const st = await stat(this.rootDir).catch(() => null);
    if (!st?.isDirectory()) throw new ShipshapeError('NOT_FOUND', `${this.rootDir} is not a directory`);
    return {
      input: this.input,
      ref: null,
      digest: null,
      indexDigest: null,
      platforms: [],
      platform: this.platform,
      manifestMediaType: null,
      config: {},
      configDigest: null,
      layers: [{ index: 0, digest: null, diffId: null, size: 0, mediaType: 'directory', createdBy: null }],
      history: [],
      notes: [],
    };
  }

  async openLayer(): Promise<LayerBlob> {
    throw new ShipshapeError('UNSUPPORTED', 'a root filesystem directory has no layer blobs');
  }

  async close(): Promise<void> {}
}
