/**
 * An image in a registry, as an ImageSource: resolves a reference to one platform's manifest,
 * config and layers, and streams layers verified against their digests.
 */
import { ShipshapeError, printable } from '../errors.js';
import {
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  type Manifest,
  describeLayers,
  parseImageConfig,
} from './manifest.js';
import { DEFAULT_PLATFORM, formatPlatform, parsePlatform, platformMatches } from './platform.js';
import { type ImageReference, parseReference } from './reference.js';
import { RegistryClient, type FetchedManifest } from './registry/client.js';
import { resolveCredentials } from './registry/credentials.js';
import {
  canonicalPlatform,
  chooseManifest,
  flattenIndex,
  platformEntries,
} from './registry/platform-select.js';
import type { RetryPolicy } from './registry/retry.js';
import type { Timeouts } from './registry/transport.js';
import type {
  ImageConfig,
  ImageSource,
  LayerBlob,
  LayerDescriptor,
  Platform,
  PlatformEntry,
  ResolvedImage,
} from './types.js';

export type { Timeouts } from './registry/transport.js';
export type { RetryPolicy } from './registry/retry.js';

export interface RegistrySourceOptions {
  /** The image reference as the user gave it, e.g. `nginx:1.25` or `127.0.0.1:5000/team/app:1.0`. */
  reference: string;
  /** `os/arch[/variant]` to pick from a multi-platform index; default linux/amd64. */
  platform?: string;
  username?: string;
  password?: string;
  /** Registries (host or host:port) spoken to over plain HTTP although they are not loopback. */
  insecureRegistries?: string[];
  timeouts?: Partial<Timeouts>;
  retries?: Partial<RetryPolicy>;
  maxRedirects?: number;
  maxManifestBytes?: number;
  maxConfigBytes?: number;
  /** Environment for SHIPSHAPE_USERNAME/PASSWORD and DOCKER_CONFIG; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory of the Docker config.json; default $DOCKER_CONFIG or ~/.docker. */
  dockerConfigDir?: string;
  /** Replaces global fetch, for tests. */
  fetch?: typeof fetch;
}

/** Config media types of container images; anything else (Helm charts, artifacts) is not one. */
const IMAGE_CONFIG_TYPES = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

/** The platform an image config declares; its fields are untrusted, so never parsed as user input. */
function configPlatform(config: ImageConfig): Platform | undefined {
  if (!config.os || !config.architecture) return undefined;
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
}

function imageManifestOf(fetched: FetchedManifest, what: string): Manifest {
  if (fetched.document.kind === 'manifest') return fetched.document.manifest;
  throw new ShipshapeError('MALFORMED', `${what}: an index where an image manifest was expected`);
}

export class RegistrySource implements ImageSource {
  readonly kind = 'registry' as const;
  readonly reference: ImageReference;
  private readonly client: RegistryClient;
  private readonly wantedPlatform: string;
  private readonly wanted: Platform;
  private readonly platformGiven: boolean;
  private readonly maxManifestBytes: number;
  private readonly maxConfigBytes: number;
  private resolving: Promise<ResolvedImage> | undefined;

  constructor(private readonly opts: RegistrySourceOptions) {
    this.reference = parseReference(opts.reference);
    this.platformGiven = opts.platform !== undefined;
    this.wantedPlatform = canonicalPlatform(opts.platform ?? DEFAULT_PLATFORM);
    this.wanted = parsePlatform(this.wantedPlatform);
    this.maxManifestBytes = opts.maxManifestBytes ?? MAX_MANIFEST_BYTES;
    this.maxConfigBytes = opts.maxConfigBytes ?? MAX_CONFIG_BYTES;
    const credentials = resolveCredentials(this.reference.registry, {
      username: opts.username,
      password: opts.password,
      env: opts.env,
      dockerConfigDir: opts.dockerConfigDir,
    });
    this.client = new RegistryClient({
      registry: this.reference.registry,
      repository: this.reference.repository,
      label: this.reference.toString(),
      credentials,
      insecureRegistries: opts.insecureRegistries,
      timeouts: opts.timeouts,
      retry: opts.retries,
      maxRedirects: opts.maxRedirects,
      fetch: opts.fetch,
    });
  }

  resolve(): Promise<ResolvedImage> {
    this.resolving ??= this.doResolve();
    return this.resolving;
  }

  async openLayer(layer: LayerDescriptor): Promise<LayerBlob> {
    if (!layer.digest) {
      throw new ShipshapeError(
        'BAD_ARGUMENT',
        `${this.client.label}: layer ${layer.index} has no digest to fetch`,
      );
    }
    const stream = await this.client.openBlob(
      { digest: layer.digest, size: layer.size },
      `layer ${layer.index}`,
    );
    return { stream, verified: true };
  }

  /** The platforms the reference offers (empty for a single-platform image). */
  async listPlatforms(): Promise<PlatformEntry[]> {
    const top = await this.fetchTop();
    if (top.document.kind !== 'index') return [];
    return platformEntries(await flattenIndex(this.client, top.document.index));
  }

  async close(): Promise<void> {
    // Nothing is held open between calls: each blob stream owns (and closes) its own request.
  }

  private fetchTop(): Promise<FetchedManifest> {
    const { tag, digest } = this.reference;
    // With both, the digest decides, as in Docker: the tag is only a label.
    const by = digest ?? tag ?? 'latest';
    return this.client.fetchManifest(by, digest ? { digest } : undefined, this.maxManifestBytes);
  }

  private async doResolve(): Promise<ResolvedImage> {
    const label = this.client.label;
    const notes: string[] = [];
    const top = await this.fetchTop();
    let chosen = top;
    let indexDigest: string | null = null;
    let platforms: PlatformEntry[] = [];
    let platform: string | undefined;
    if (top.document.kind === 'index') {
      indexDigest = top.digest;
      const manifests = await flattenIndex(this.client, top.document.index);
      platforms = platformEntries(manifests);
      const pick = chooseManifest(manifests, this.wantedPlatform, label);
      if (pick.platform) platform = formatPlatform(pick.platform);
      if (pick.platform && !platformMatches(pick.platform, this.wanted)) {
        notes.push(`${this.wantedPlatform} is not offered; using the compatible ${platform}`);
      }
      chosen = await this.client.fetchManifest(
        pick.digest,
        { digest: pick.digest, size: pick.size },
        this.maxManifestBytes,
      );
    }
    const manifest = imageManifestOf(chosen, `${label}: manifest ${chosen.digest}`);
    const config = await this.fetchConfig(manifest);
    const fromConfig = configPlatform(config);
    platform ??= formatPlatform(fromConfig);
    if (
      indexDigest === null &&
      this.platformGiven &&
      fromConfig &&
      !platformMatches(fromConfig, this.wanted)
    ) {
      notes.push(
        `image is single-platform ${formatPlatform(fromConfig)}, not the requested ${this.wantedPlatform}`,
      );
    }
    const layers = describeLayers(manifest, config, label);
    return {
      input: this.opts.reference,
      ref: label,
      digest: chosen.digest,
      indexDigest,
      platforms,
      platform,
      manifestMediaType: chosen.document.mediaType,
      config,
      configDigest: manifest.config.digest,
      layers,
      history: config.history ?? [],
      notes: [...notes, ...this.client.notes()],
    };
  }

  private async fetchConfig(manifest: Manifest): Promise<ImageConfig> {
    const { mediaType, digest, size } = manifest.config;
    if (mediaType && !IMAGE_CONFIG_TYPES.has(mediaType)) {
      throw new ShipshapeError(
        'UNSUPPORTED',
        `${this.client.label}: not a container image (config media type "${printable(mediaType, 100)}")`,
      );
    }
    const bytes = await this.client.fetchBlob({ digest, size }, this.maxConfigBytes, 'config');
    return parseImageConfig(bytes, `${this.client.label}: config ${digest}`);
  }
}

/** The platforms an image reference offers; empty for a single-platform image. */
export function listPlatforms(opts: RegistrySourceOptions): Promise<PlatformEntry[]> {
  return new RegistrySource(opts).listPlatforms();
}
