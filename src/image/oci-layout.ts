/**
 * An OCI image layout directory (`oci:DIR[:TAG]`): `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
 * The tag is matched against `org.opencontainers.image.ref.name`; nested indexes are followed to
 * a bounded depth; every blob is checked against its digest as it is read.
 */
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShipshapeError, printable } from '../errors.js';
import {
  describeLayers,
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  parseImageConfig,
  parseManifestDocument,
  type Manifest,
} from './manifest.js';
import { DEFAULT_PLATFORM, formatPlatform, isAttestation, selectPlatform } from './platform.js';
import { readFileLimited } from './read-limited.js';
import type {
  Descriptor,
  ImageSource,
  LayerBlob,
  LayerDescriptor,
  PlatformEntry,
  ResolvedImage,
} from './types.js';
import { parseSha256, sha256Digest, verifyingStream } from './verify-stream.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_INDEX_DEPTH = 4;

export interface OciLayoutOptions {
  input: string;
  dir: string;
  tag?: string;
  platform?: string;
}

export class OciLayoutSource implements ImageSource {
  readonly kind = 'oci' as const;
  private readonly opts: OciLayoutOptions;

  constructor(opts: OciLayoutOptions) {
    this.opts = opts;
  }

  blobPath(digest: string): string {
    return join(this.opts.dir, 'blobs', 'sha256', parseSha256(digest, this.opts.input));
  }

  /** Blob identity for the local verification record: path plus what a rewrite would change. */
  async blobIdentity(layer: LayerDescriptor): Promise<string | null> {
    if (!layer.digest) return null;
    const st = await lstat(this.blobPath(layer.digest), { bigint: true });
    return `file:${this.blobPath(layer.digest)}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  }

  private async readBlob(d: { digest: string; size: number }, max: number, what: string): Promise<Buffer> {
    const label = `${what} ${d.digest}`;
    const bytes = await readFileLimited(this.blobPath(d.digest), max, `blobs/sha256/${d.digest.slice(7)}`);
    if (sha256Digest(bytes) !== d.digest) {
      throw new ShipshapeError('DIGEST_MISMATCH', `${label}: content does not match its digest`, {
        file: `blobs/sha256/${d.digest.slice(7)}`,
      });
    }
    return bytes;
  }

  private async topDescriptor(): Promise<Descriptor> {
    const layoutFile = await readFileLimited(join(this.opts.dir, 'oci-layout'), 64 * 1024, 'oci-layout');
    let version: unknown;
    try {
      version = (JSON.parse(layoutFile.toString('utf8')) as { imageLayoutVersion?: unknown })
        .imageLayoutVersion;
    } catch {
      throw new ShipshapeError('MALFORMED', 'oci-layout: not valid JSON', { file: 'oci-layout' });
    }
    if (typeof version !== 'string' || !version.startsWith('1.')) {
      throw new ShipshapeError(
        'UNSUPPORTED',
        `oci-layout: unsupported imageLayoutVersion ${printable(String(version), 40)}`,
        {
          file: 'oci-layout',
        },
      );
    }
    const bytes = await readFileLimited(join(this.opts.dir, 'index.json'), MAX_MANIFEST_BYTES, 'index.json');
    const doc = parseManifestDocument(bytes, 'index.json');
    if (doc.kind !== 'index')
      throw new ShipshapeError('MALFORMED', 'index.json: not an image index', { file: 'index.json' });
    const all = doc.index.manifests;
    const tag = this.opts.tag;
    if (tag) {
      const named = all.filter((d) => {
        const name = d.annotations?.[REF_NAME];
        return name === tag || (name !== undefined && name.endsWith(`:${tag}`));
      });
      if (named.length === 0) {
        const names = all.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
        throw new ShipshapeError(
          'NOT_FOUND',
          `no image tagged "${printable(tag)}" in the layout (tags: ${printable(names.join(', ')) || 'none'})`,
        );
      }
      return named[0] as Descriptor;
    }
    if (all.length === 1) return all[0] as Descriptor;
    if (all.length === 0)
      throw new ShipshapeError('NOT_FOUND', 'index.json lists no images', { file: 'index.json' });
    // Several entries without a tag asked: treat index.json itself as a platform index.
    return { mediaType: doc.mediaType, digest: '', size: bytes.length };
  }

  async resolve(): Promise<ResolvedImage> {
    const wanted = this.opts.platform ?? DEFAULT_PLATFORM;
    let descriptor = await this.topDescriptor();
    let indexDigest: string | null = null;
    let platforms: PlatformEntry[] = [];
    let manifest: Manifest | null = null;
    let manifestMediaType = '';
    for (let depth = 0; manifest === null; depth++) {
      if (depth > MAX_INDEX_DEPTH)
        throw new ShipshapeError('MALFORMED', `indexes nested deeper than ${MAX_INDEX_DEPTH}`);
      const bytes =
        descriptor.digest === ''
          ? await readFileLimited(join(this.opts.dir, 'index.json'), MAX_MANIFEST_BYTES, 'index.json')
          : await this.readBlob(descriptor, MAX_MANIFEST_BYTES, 'manifest');
      const doc = parseManifestDocument(bytes, descriptor.digest || 'index.json', descriptor.mediaType);
      if (doc.kind === 'manifest') {
        manifest = doc.manifest;
        manifestMediaType = doc.mediaType;
        break;
      }
      indexDigest ??= descriptor.digest || null;
      if (platforms.length === 0) {
        platforms = doc.index.manifests
          .filter((d) => d.platform && !isAttestation(d as Descriptor))
          .map((d) => ({
            platform: formatPlatform(d.platform),
            digest: d.digest,
            mediaType: d.mediaType,
            size: d.size,
          }));
      }
      descriptor = selectPlatform(doc.index.manifests as Descriptor[], wanted, this.opts.input);
    }
    const config = parseImageConfig(
      await this.readBlob(manifest.config, MAX_CONFIG_BYTES, 'config'),
      'config',
    );
    const layers = describeLayers(manifest, config, this.opts.input);
    return {
      input: this.opts.input,
      ref: null,
      digest: descriptor.digest || null,
      indexDigest,
      platforms,
      platform: formatPlatform({
        os: config.os ?? 'unknown',
        architecture: config.architecture ?? 'unknown',
        ...(config.variant ? { variant: config.variant } : {}),
      }),
      manifestMediaType,
      config,
      configDigest: manifest.config.digest,
      layers,
      history: config.history ?? [],
      notes: [],
    };
  }

  async openLayer(layer: LayerDescriptor): Promise<LayerBlob> {
    if (!layer.digest) throw new ShipshapeError('MALFORMED', `layer ${layer.index} has no digest`);
    const path = this.blobPath(layer.digest);
    const st = await lstat(path).catch(() => null);
    if (!st?.isFile()) {
      throw new ShipshapeError('NOT_FOUND', `layer blob ${layer.digest} is missing from the layout`, {
        file: `blobs/sha256/${layer.digest.slice(7)}`,
      });
    }
    const check = verifyingStream({ digest: layer.digest, size: layer.size }, `layer ${layer.digest}`);
    const raw = createReadStream(path, { highWaterMark: 1 << 18 });
    raw.on('error', (e) => check.destroy(e));
    return { stream: raw.pipe(check), verified: true };
  }

  async close(): Promise<void> {}
}
