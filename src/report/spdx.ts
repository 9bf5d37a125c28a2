/**
 * SPDX 2.3 JSON, written by hand (no maintained SPDX document library exists on npm). The image
 * is the described package (purpose CONTAINER); it CONTAINS the OS and every package. Licences
 * that are not SPDX ids become `LicenseRef-` entries with their text kept, as the spec asks.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Package } from '../inventory/types.js';
import { imageName, type SbomInput } from './sbom-context.js';

const NOASSERTION = 'NOASSERTION';

interface ExtractedLicense {
  licenseId: string;
  extractedText: string;
  name: string;
}

/** SPDXIDs may hold letters, digits, '.' and '-' only. */
function spdxIdPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function licenseRefFor(text: string, extracted: Map<string, ExtractedLicense>): string {
  const id = `LicenseRef-${spdxIdPart(text).slice(0, 60)}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
  if (!extracted.has(id)) extracted.set(id, { licenseId: id, extractedText: text, name: text.slice(0, 200) });
  return id;
}

/** One licence string → an SPDX license expression term. */
function licenseTerm(text: string, extracted: Map<string, ExtractedLicense>): string {
  const t = text.trim();
  if (CDX.SPDX.isSupportedSpdxId(t)) return t;
  const fixed = CDX.SPDX.fixupSpdxId(t);
  if (fixed) return fixed;
  return licenseRefFor(t, extracted);
}

function declaredLicense(p: Package, extracted: Map<string, ExtractedLicense>): string {
  const terms = (p.licenses ?? []).filter((l) => l.trim()).map((l) => licenseTerm(l, extracted));
  if (terms.length === 0) return NOASSERTION;
  return [...new Set(terms)].join(' AND ');
}

function purpose(p: Package): string {
  if (p.type === 'binary') return 'APPLICATION';
  return 'LIBRARY';
}

function sourceInfo(p: Package, input: SbomInput): string {
  const layer = input.image.layers[p.layer];
  const made = layer?.createdBy ? ` (${layer.createdBy.replace(/\s+/g, ' ').slice(0, 200)})` : '';
  const inner = p.innerPath ? ` inside ${p.innerPath}` : '';
  return `found in layer ${p.layer}${made} at ${p.paths.join(', ')}${inner}`;
}

export function spdxJson(input: SbomInput): string {
  const extracted = new Map<string, ExtractedLicense>();
  const name = imageName(input.image);
  const imageId = 'SPDXRef-Image';
  const packages: object[] = [
    {
      name,
      SPDXID: imageId,
      versionInfo: input.image.digest ?? input.image.configDigest ?? NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'CONTAINER',
      ...(input.image.digest
        ? { checksums: [{ algorithm: 'SHA256', checksumValue: input.image.digest.replace(/^sha256:/, '') }] }
        : {}),
    },
  ];
  const relationships: object[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
  ];
  if (input.os) {
    packages.push({
      name: input.os.family,
      SPDXID: 'SPDXRef-OperatingSystem',
      versionInfo: input.os.version ?? NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING-SYSTEM',
      ...(input.os.name ? { description: input.os.name } : {}),
    });
    relationships.push({
      spdxElementId: imageId,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: 'SPDXRef-OperatingSystem',
    });
  }
  input.packages.forEach((p, i) => {
    const id = `SPDXRef-Package-${p.type}-${spdxIdPart(p.name).slice(0, 80)}-${i}`;
    packages.push({
      name: p.namespace ? `${p.namespace}:${p.name}` : p.name,
      SPDXID: id,
      versionInfo: p.version || NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declaredLicense(p, extracted),
      copyrightText: NOASSERTION,
      primaryPackagePurpose: purpose(p),
      sourceInfo: sourceInfo(p, input),
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
        ...(p.alsoKnownAs ?? []).map((a) => ({
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: a.purl,
        })),
      ],
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://shipshape.invalid/spdx/${encodeURIComponent(name)}-${randomUUID()}`,
    creationInfo: {
      created: input.created.replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: shipshape-${input.toolVersion}`],
    },
    documentDescribes: [imageId],
    packages,
    relationships,
    ...(extracted.size ? { hasExtractedLicensingInfos: [...extracted.values()] } : {}),
  };
  return JSON.stringify(doc, null, 2);
}
