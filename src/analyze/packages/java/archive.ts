/**
 * One Java archive (jar, war, ear, ...) and the archives nested in it, as Maven package facts.
 *
 * How an archive is identified:
 *  1. every `META-INF/maven/<g>/<a>/pom.properties` it holds (a shaded or fat jar holds several:
 *     each is reported); and, when none of them agrees with the archive's own identity below
 *     (same name or same version), that identity too;
 *  2. its MANIFEST.MF main section: a version from Implementation-Version, Bundle-Version or
 *     Specification-Version, a name from the first identifier-like Implementation-Title,
 *     Bundle-Name or Specification-Title, else the file name's name part, else
 *     Bundle-SymbolicName; the group from Implementation-Vendor-Id when it looks like one;
 *  3. else its file name, `name-1.2.3.jar` (nothing reported when there is no version in it).
 * Nested archives (WEB-INF/lib, BOOT-INF/lib, lib/ of an ear, ...) are read to a depth of 3,
 * within a budget of inflated bytes for the whole file; each fact names the outer file as
 * `path` and the chain of nested archives as `innerPath` (`lib/a.war!/WEB-INF/lib/b.jar`).
 */
import type { PackageFact } from '../types.js';
import { ARCHIVE_NAME, baseName, parseArchiveFileName } from './archive-name.js';
import { parseManifest } from './manifest.js';
import { parsePomProperties } from './pom-properties.js';
import { listZip, readZipEntry, type ZipEntryInfo, type ZipListing } from './zip-reader.js';

export interface ArchiveLimits {
  /** Levels of archives inside the file's own archive that are opened. */
  maxDepth: number;
  maxEntries: number;
  /** MANIFEST.MF and pom.properties larger than this are not real ones. */
  maxMetadataBytes: number;
  /** One nested archive, inflated. */
  maxNestedBytes: number;
  /** Everything inflated for one file, all levels together. */
  maxInflatedBytes: number;
  /** Archives opened for one file, all levels together. */
  maxArchives: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxDepth: 3,
  maxEntries: 200_000,
  maxMetadataBytes: 1024 * 1024,
  maxNestedBytes: 128 * 1024 * 1024,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxArchives: 10_000,
};

const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = /^META-INF\/MANIFEST\.MF$/i;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const GROUP_ID = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

interface Walk {
  path: string;
  limits: ArchiveLimits;
  warn: (message: string) => void;
  inflated: number;
  archives: number;
  facts: PackageFact[];
}

export async function catalogJavaArchive(
  path: string,
  content: Buffer,
  warn: (message: string) => void,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<PackageFact[]> {
  const walk: Walk = { path, limits, warn, inflated: 0, archives: 0, facts: [] };
  await visit(walk, content, []);
  return walk.facts;
}

function where(chain: string[]): string {
  return chain.length > 0 ? ` (inside ${chain.join('!/')})` : '';
}

async function visit(walk: Walk, content: Buffer, chain: string[]): Promise<void> {
  let listing: ZipListing;
  try {
    listing = await listZip(content, walk.limits.maxEntries);
  } catch (err) {
    walk.warn(`not a readable zip archive${where(chain)}: ${(err as Error).message}`);
    return;
  }
  if (listing.error)
    walk.warn(`zip directory is corrupt${where(chain)}: ${listing.error}; read the entries before it`);
  if (listing.truncated)
    walk.warn(`more than ${walk.limits.maxEntries} entries${where(chain)}; the rest were not read`);
  if (listing.unsafeNames > 0)
    walk.warn(`${listing.unsafeNames} entries with unsafe names skipped${where(chain)}`);

  const archiveName = chain.length > 0 ? baseName(chain[chain.length - 1]!) : baseName(walk.path);
  const identified = await identify(walk, listing, chain, archiveName);
  for (const fact of identified) {
    if (chain.length > 0) fact.innerPath = chain.join('!/');
    walk.facts.push(fact);
  }

  const nested = listing.entries.filter((e) => ARCHIVE_NAME.test(e.name));
  if (nested.length === 0) return;
  if (chain.length >= walk.limits.maxDepth) {
    walk.warn(
      `${nested.length} archives nested deeper than ${walk.limits.maxDepth} levels not read${where(chain)}`,
    );
    return;
  }
  for (const entry of nested) {
    if (++walk.archives > walk.limits.maxArchives) {
      if (walk.archives === walk.limits.maxArchives + 1) {
        walk.warn(`more than ${walk.limits.maxArchives} nested archives; the rest were not read`);
      }
      return;
    }
    const bytes = await readBounded(walk, listing, entry, walk.limits.maxNestedBytes, chain);
    if (bytes) await visit(walk, bytes, [...chain, entry.name]);
  }
}

/** Reads an entry within the per-entry limit and what is left of the file's budget. */
async function readBounded(
  walk: Walk,
  listing: ZipListing,
  entry: ZipEntryInfo,
  limit: number,
  chain: string[],
): Promise<Buffer | undefined> {
  const left = walk.limits.maxInflatedBytes - walk.inflated;
  try {
    const bytes = await readZipEntry(listing.zip, entry, Math.min(limit, left));
    walk.inflated += bytes.length;
    return bytes;
  } catch (err) {
    walk.warn(`entry not read${where(chain)}: ${(err as Error).message}`);
    return undefined;
  }
}

async function identify(
  walk: Walk,
  listing: ZipListing,
  chain: string[],
  archiveName: string,
): Promise<PackageFact[]> {
  const poms: PackageFact[] = [];
  for (const entry of listing.entries.filter((e) => POM_PROPERTIES.test(e.name))) {
    const bytes = await readBounded(walk, listing, entry, walk.limits.maxMetadataBytes, chain);
    const pom = bytes && parsePomProperties(bytes.toString('utf8'));
    if (!pom) continue;
    poms.push({
      kind: 'package',
      type: 'maven',
      namespace: pom.groupId,
      name: pom.artifactId,
      version: pom.version,
      path: walk.path,
      metadata: { source: 'pom.properties', pomProperties: entry.name, archive: archiveName },
    });
  }
  const own = await identifyOwn(walk, listing, chain, archiveName);
  // pom.properties of shaded dependencies alone do not name the archive itself (guice's jar
  // holds only cglib's): the archive's own identity is added unless a pom.properties agrees.
  if (own && !poms.some((p) => p.name === own.name || p.version === own.version)) poms.push(own);
  return poms;
}

/** The archive's identity from its manifest, else from its file name. */
async function identifyOwn(
  walk: Walk,
  listing: ZipListing,
  chain: string[],
  archiveName: string,
): Promise<PackageFact | undefined> {
  const manifestEntry = listing.entries.find((e) => MANIFEST.test(e.name));
  const manifestBytes = manifestEntry
    ? await readBounded(walk, listing, manifestEntry, walk.limits.maxMetadataBytes, chain)
    : undefined;
  const fromName = parseArchiveFileName(archiveName);
  if (manifestBytes) {
    const fromManifest = identifyByManifest(parseManifest(manifestBytes.toString('utf8')), fromName?.name);
    if (fromManifest) {
      return {
        kind: 'package',
        type: 'maven',
        ...(fromManifest.namespace ? { namespace: fromManifest.namespace } : {}),
        name: fromManifest.name,
        version: fromManifest.version,
        path: walk.path,
        metadata: { ...fromManifest.metadata, archive: archiveName },
      };
    }
  }
  if (!fromName?.version) return undefined;
  return {
    kind: 'package',
    type: 'maven',
    name: fromName.name,
    version: fromName.version,
    path: walk.path,
    metadata: { source: 'filename', archive: archiveName },
  };
}

export interface ManifestIdentity {
  namespace?: string;
  name: string;
  version: string;
  metadata: Record<string, unknown>;
}

const MANIFEST_KEPT = [
  'implementation-title',
  'implementation-version',
  'implementation-vendor',
  'implementation-vendor-id',
  'specification-title',
  'specification-version',
  'bundle-symbolicname',
  'bundle-name',
  'bundle-version',
  'main-class',
];

export function identifyByManifest(
  attrs: Map<string, string>,
  fileStem: string | undefined,
): ManifestIdentity | undefined {
  const version =
    attrs.get('implementation-version') || attrs.get('bundle-version') || attrs.get('specification-version');
  if (!version) return undefined;
  const symbolic = attrs.get('bundle-symbolicname')?.split(';')[0]?.trim();
  const titled = ['implementation-title', 'bundle-name', 'specification-title']
    .map((k) => [k, attrs.get(k)?.trim()] as const)
    .find(([, v]) => v && IDENTIFIER.test(v));
  const [nameFrom, name] = titled
    ? titled
    : fileStem
      ? (['filename', fileStem] as const)
      : symbolic
        ? (['bundle-symbolicname', symbolic] as const)
        : ([undefined, undefined] as const);
  if (!name || !nameFrom) return undefined;
  const vendorId = attrs.get('implementation-vendor-id')?.trim();
  const manifest: Record<string, string> = {};
  for (const k of MANIFEST_KEPT) {
    const v = attrs.get(k);
    if (v) manifest[k] = v;
  }
  return {
    ...(vendorId && GROUP_ID.test(vendorId) ? { namespace: vendorId } : {}),
    name,
    version,
    metadata: { source: 'manifest', nameFrom, manifest },
  };
}
