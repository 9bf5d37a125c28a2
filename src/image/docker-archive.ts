/**
 * A `docker save` tarball (`docker-archive:PATH` or a path ending in `.tar`): manifest.json names
 * the config and the layer files; layers may be plain or compressed, and may be symlinks to
 * other members. There is no registry manifest, so the image is identified by its config digest
 * and each layer by the diff_id the engine recomputes and checks.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { z } from 'zod/v3';
import { ShipshapeError, printable } from '../errors.js';
import { ArchiveIndex, type ArchiveMember } from './archive-index.js';
import { layerHistory, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, parseImageConfig } from './manifest.js';
import { formatPlatform } from './platform.js';
import type { ImageSource, LayerBlob, LayerDescriptor, ResolvedImage } from './types.js';
import { sha256Digest } from './verify-stream.js';

const archiveManifestSchema = z
  .array(
    z.object({
      Config: z.string(),
      RepoTags: z.array(z.string()).nullable().optional(),
      Layers: z.array(z.string()).max(10_000),
    }),
  )
  .min(1);

export class DockerArchiveSource implements ImageSource {
  readonly kind = 'docker-archive' as const;
  private index: ArchiveIndex | null = null;
  private readonly layerMembers = new Map<number, ArchiveMember>();

  constructor(
    private readonly input: string,
    private readonly path: string,
  ) {}

  private async archive(): Promise<ArchiveIndex> {
    this.index ??= await ArchiveIndex.build(this.path, this.input);
    return this.index;
  }

  private member(index: ArchiveIndex, name: string): ArchiveMember {
    const m = index.lookup(name);
    if (!m)
      throw new ShipshapeError(
        'MALFORMED',
        `${printable(name)} is named by manifest.json but missing from the archive`,
        { file: printable(name) },
      );
    return m;
  }

  async resolve(): Promise<ResolvedImage> {
    const index = await this.archive();
    const manifestMember = index.lookup('manifest.json');
    if (!manifestMember) {
      throw new ShipshapeError('MALFORMED', 'not a docker-archive: no manifest.json in the tarball', {
        file: 'manifest.json',
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        (await index.read(manifestMember, MAX_MANIFEST_BYTES, 'manifest.json')).toString('utf8'),
      );
    } catch (e) {
      if (e instanceof ShipshapeError) throw e;
      throw new ShipshapeError('MALFORMED', 'manifest.json is not valid JSON', { file: 'manifest.json' });
    }
    const r = archiveManifestSchema.safeParse(parsed);
    if (!r.success) {
      throw new ShipshapeError(
        'MALFORMED',
        `manifest.json: unexpected shape (${r.error.issues[0]?.message})`,
        {
          file: 'manifest.json',
        },
      );
    }
    const entry = r.data[0]!;
    const configMember = this.member(index, entry.Config);
    const configBytes = await index.read(configMember, MAX_CONFIG_BYTES, entry.Config);
    const config = parseImageConfig(configBytes, entry.Config);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== entry.Layers.length) {
      throw new ShipshapeError(
        'MALFORMED',
        `manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`,
        { file: 'manifest.json' },
      );
    }
    const makers = layerHistory(config.history ?? [], entry.Layers.length);
    const layers: LayerDescriptor[] = entry.Layers.map((name, i) => {
      const m = this.member(index, name);
      this.layerMembers.set(i, m);
      return {
        index: i,
        digest: null,
        diffId: diffIds[i] ?? null,
        size: m.size,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
        createdBy: makers[i] ?? null,
      };
    });
    const notes = r.data.length > 1 ? [`the archive holds ${r.data.length} images; the first was read`] : [];
    const tags = entry.RepoTags ?? [];
    return {
      input: this.input,
      ref: tags[0] ?? null,
      digest: null,
      indexDigest: null,
      platforms: [],
      platform: formatPlatform({
        os: config.os ?? 'unknown',
        architecture: config.architecture ?? 'unknown',
        ...(config.variant ? { variant: config.variant } : {}),
      }),
      manifestMediaType: null,
      config,
      configDigest: sha256Digest(configBytes),
      layers,
      history: config.history ?? [],
      notes,
    };
  }

  async blobIdentity(layer: LayerDescriptor): Promise<string | null> {
    const m = this.layerMembers.get(layer.index);
    if (!m) return null;
    const st = await stat(this.path, { bigint: true });
    return `archive:${this.path}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${m.offset}:${m.size}`;
  }

  async openLayer(layer: LayerDescriptor): Promise<LayerBlob> {
    const m = this.layerMembers.get(layer.index);
    if (!m) throw new ShipshapeError('MALFORMED', `layer ${layer.index} is not in the archive`);
    const stream =
      m.size === 0
        ? Readable.from([])
        : createReadStream(this.path, {
            start: m.offset,
            end: m.offset + m.size - 1,
            highWaterMark: 1 << 18,
          });
    return { stream, verified: false };
  }

  async close(): Promise<void> {}
}
