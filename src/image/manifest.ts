/**
 * Parsing of manifests, indexes and configs, shared by every source. Input is hostile: each
 * document is size-capped by the caller, then validated here before anything trusts its fields.
 */
// zod's v3 API (shipped in zod 4) loads in a third of v4's time, and every command pays it at start.
import { z } from 'zod/v3';
import { printable, ShipshapeError } from '../errors.js';
import type { Descriptor, HistoryEntry, ImageConfig, LayerDescriptor } from './types.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Manifests and configs larger than this are refused: real ones are a few KiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'a sha256 digest');

const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});

const descriptorSchema = z.object({
  mediaType: z.string().default(''),
  digest: digestSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  platform: platformSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(10_000),
  annotations: z.record(z.string(), z.string()).optional(),
});

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema).max(10_000),
  annotations: z.record(z.string(), z.string()).optional(),
});

const nullableStrings = z.array(z.string()).nullable().optional();

const configSchema = z.object({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: nullableStrings,
      Entrypoint: nullableStrings,
      Cmd: nullableStrings,
      WorkingDir: z.string().optional(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullable().optional(),
      Volumes: z.record(z.string(), z.unknown()).nullable().optional(),
      Labels: z.record(z.string(), z.string()).nullable().optional(),
      StopSignal: z.string().optional(),
    })
    .passthrough()
    .nullable()
    .optional(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(digestSchema) }).optional(),
  history: z
    .array(
      z
        .object({
          created: z.string().optional(),
          created_by: z.string().optional(),
          author: z.string().optional(),
          comment: z.string().optional(),
          empty_layer: z.boolean().optional(),
        })
        .passthrough(),
    )
    .optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Index = z.infer<typeof indexSchema>;
export type ParsedDocument =
  | { kind: 'manifest'; mediaType: string; manifest: Manifest }
  | { kind: 'index'; mediaType: string; index: Index };

function parseJson(bytes: Buffer, label: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ShipshapeError('MALFORMED', `${label}: not valid JSON (${printable((e as Error).message)})`, {
      file: label,
    });
  }
}

function invalid(label: string, error: z.ZodError): ShipshapeError {
  const first = error.issues[0];
  const where = first?.path.length ? ` at ${printable(first.path.join('.'))}` : '';
  return new ShipshapeError(
    'MALFORMED',
    `${label}: invalid document${where}: ${first?.message ?? 'unknown'}`,
    {
      file: label,
    },
  );
}

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const MANIFEST_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);

/** Parses a manifest or an index; `mediaType` is the one the server or descriptor declared. */
export function parseManifestDocument(bytes: Buffer, label: string, mediaType?: string): ParsedDocument {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new ShipshapeError(
      'TOO_LARGE',
      `${label}: manifest of ${bytes.length} bytes exceeds the ${MAX_MANIFEST_BYTES}-byte cap`,
    );
  }
  const doc = parseJson(bytes, label);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ShipshapeError('MALFORMED', `${label}: manifest is not a JSON object`, { file: label });
  }
  const d = doc as Record<string, unknown>;
  const declared = (typeof d.mediaType === 'string' && d.mediaType) || mediaType || '';
  if (
    d.schemaVersion === 1 ||
    declared === MEDIA_TYPES.dockerSchema1 ||
    declared === MEDIA_TYPES.dockerSchema1Signed
  ) {
    throw new ShipshapeError(
      'UNSUPPORTED',
      `${label}: Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image with a current client`,
    );
  }
  const isIndex = INDEX_TYPES.has(declared) || (!MANIFEST_TYPES.has(declared) && Array.isArray(d.manifests));
  if (isIndex) {
    const r = indexSchema.safeParse(doc);
    if (!r.success) throw invalid(label, r.error);
    return { kind: 'index', mediaType: declared || MEDIA_TYPES.ociIndex, index: r.data };
  }
  if (declared && !MANIFEST_TYPES.has(declared)) {
    throw new ShipshapeError(
      'UNSUPPORTED',
      `${label}: unsupported manifest media type "${printable(declared, 100)}"`,
    );
  }
  const r = manifestSchema.safeParse(doc);
  if (!r.success) throw invalid(label, r.error);
  return { kind: 'manifest', mediaType: declared || MEDIA_TYPES.ociManifest, manifest: r.data };
}

export function parseImageConfig(bytes: Buffer, label: string): ImageConfig {
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ShipshapeError(
      'TOO_LARGE',
      `${label}: config of ${bytes.length} bytes exceeds the ${MAX_CONFIG_BYTES}-byte cap`,
    );
  }
  const r = configSchema.safeParse(parseJson(bytes, label));
  if (!r.success) throw invalid(label, r.error);
  return r.data as ImageConfig;
}

/**
 * Pairs the manifest's layer descriptors with the config's diff_ids and with the history entries
 * that made a layer (entries marked empty_layer made none), so every layer can name its instruction.
 */
export function describeLayers(manifest: Manifest, config: ImageConfig, label: string): LayerDescriptor[] {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length > 0 && diffIds.length !== manifest.layers.length) {
    throw new ShipshapeError(
      'MALFORMED',
      `${label}: manifest has ${manifest.layers.length} layers but config lists ${diffIds.length} diff_ids`,
    );
  }
  const makers = layerHistory(config.history ?? [], manifest.layers.length);
  return manifest.layers.map((d, index) => ({
    index,
    digest: d.digest,
    diffId: diffIds[index] ?? null,
    size: d.size,
    mediaType: d.mediaType,
    createdBy: makers[index] ?? null,
  }));
}

/** The created_by of each history entry that produced a layer, in layer order. */
export function layerHistory(history: HistoryEntry[], layerCount: number): (string | null)[] {
  const makers = history.filter((h) => !h.empty_layer).map((h) => h.created_by ?? null);
  // Some builders omit history; only trust it when it lines up with the layers.
  if (makers.length !== layerCount) return new Array<string | null>(layerCount).fill(null);
  return makers;
}

export function asDescriptor(d: z.infer<typeof descriptorSchema>): Descriptor {
  return d as Descriptor;
}
