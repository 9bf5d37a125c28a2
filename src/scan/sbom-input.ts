/**
 * `sbom:FILE`: a CycloneDX SBOM that shipshape (or another tool) wrote, read back as an
 * inventory so it can be matched again without touching the image.
 */
import { PackageURL } from 'packageurl-js';
import { z } from 'zod/v3';
import type { DetectedOs } from '../analyze/os/detect.js';
import type { PackageType } from '../analyze/packages/types.js';
import { ShipshapeError } from '../errors.js';
import { readFileLimited } from '../image/read-limited.js';
import type { ResolvedImage } from '../image/types.js';
import type { Package } from '../inventory/types.js';

const MAX_SBOM_BYTES = 256 * 1024 * 1024;

const property = z.object({ name: z.string(), value: z.string().optional() });
const component = z
  .object({
    type: z.string(),
    name: z.string(),
    version: z.string().optional(),
    group: z.string().optional(),
    purl: z.string().optional(),
    properties: z.array(property).optional(),
    description: z.string().optional(),
    licenses: z.array(z.unknown()).optional(),
  })
  .passthrough();
const bomSchema = z
  .object({
    bomFormat: z.literal('CycloneDX'),
    specVersion: z.string(),
    metadata: z.object({ component: component.optional() }).passthrough().optional(),
    components: z.array(component).max(1_000_000).optional(),
  })
  .passthrough();

const PURL_TYPES: Record<string, PackageType> = {
  deb: 'deb',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  golang: 'golang',
  maven: 'maven',
  gem: 'gem',
  composer: 'composer',
  cargo: 'cargo',
  nuget: 'nuget',
  conda: 'conda',
  generic: 'binary',
};

function props(c: z.infer<typeof component>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of c.properties ?? []) m.set(p.name, [...(m.get(p.name) ?? []), p.value ?? '']);
  return m;
}

function toPackage(c: z.infer<typeof component>): Package | null {
  if (!c.purl) return null;
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(c.purl);
  } catch {
    return null;
  }
  const type = PURL_TYPES[purl.type];
  if (!type) return null;
  const p = props(c);
  const first = (k: string) => p.get(k)?.[0];
  let name = purl.name;
  if (type === 'npm' && purl.namespace) name = `${purl.namespace}/${purl.name}`;
  if ((type === 'golang' || type === 'composer') && purl.namespace) name = `${purl.namespace}/${purl.name}`;
  const epoch = purl.qualifiers?.epoch ? Number(purl.qualifiers.epoch) : undefined;
  return {
    name,
    version: purl.version ?? c.version ?? '',
    type,
    purl: c.purl,
    ...(type === 'maven' && purl.namespace ? { namespace: purl.namespace } : {}),
    ...(first('shipshape:package:sourceName') ? { sourceName: first('shipshape:package:sourceName')! } : {}),
    ...(first('shipshape:package:sourceVersion')
      ? { sourceVersion: first('shipshape:package:sourceVersion')! }
      : {}),
    ...(purl.qualifiers?.arch ? { arch: purl.qualifiers.arch } : {}),
    ...(epoch && Number.isFinite(epoch) ? { epoch } : {}),
    layer: Number(first('shipshape:layer:index') ?? 0) || 0,
    paths: p.get('shipshape:location:path') ?? [],
  };
}

export async function readSbom(
  input: string,
  file: string,
): Promise<{ image: ResolvedImage; os: DetectedOs | null; packages: Package[] }> {
  const bytes = await readFileLimited(file, MAX_SBOM_BYTES, file);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ShipshapeError('MALFORMED', `${file}: not valid JSON`);
  }
  const r = bomSchema.safeParse(doc);
  if (!r.success) {
    throw new ShipshapeError(
      'UNSUPPORTED',
      `${file}: not a CycloneDX JSON SBOM (${r.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  const comps = r.data.components ?? [];
  const osComp = comps.find((c) => c.type === 'operating-system');
  const os: DetectedOs | null = osComp
    ? { family: osComp.name, version: osComp.version ?? null, name: osComp.description ?? null }
    : null;
  const packages = comps.map(toPackage).filter((p): p is Package => p !== null);
  const root = r.data.metadata?.component;
  const rootProps = root ? props(root) : new Map<string, string[]>();
  const image: ResolvedImage = {
    input,
    ref: root?.name ?? null,
    digest: root?.version?.startsWith('sha256:') ? root.version : null,
    indexDigest: null,
    platforms: [],
    platform: rootProps.get('shipshape:image:platform')?.[0] ?? 'unknown',
    manifestMediaType: null,
    config: {},
    configDigest: rootProps.get('shipshape:image:configDigest')?.[0] ?? null,
    layers: [],
    history: [],
    notes: [`matched from the SBOM ${file}; the image itself was not read`],
  };
  return { image, os, packages };
}
