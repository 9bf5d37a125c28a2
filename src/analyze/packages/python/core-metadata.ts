/**
 * One installed Python distribution from its core metadata file (`*.dist-info/METADATA`,
 * `*.egg-info/PKG-INFO`, a plain `*.egg-info` file, or an egg's `EGG-INFO/PKG-INFO`). The name is
 * kept as written (`PyYAML`, `zope.interface`); normalising it for purls is the inventory's job.
 */
import { MalformedFile, cleanList, cleanString, decodeText, langPackage } from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { firstHeader, parseHeaders, type Headers } from './rfc822.js';

export type PythonMetadataFormat = 'dist-info' | 'egg-info' | 'egg';

/** A License header longer than this is the license's full text, not its name. */
const MAX_LICENSE_NAME = 128;

/**
 * Licenses, best source first: the SPDX `License-Expression` (metadata 2.4), else a short
 * `License` header, else the `License ::` trove classifiers (`License :: OSI Approved :: MIT
 * License` → `MIT License`).
 */
export function pythonLicenses(headers: Headers): string[] {
  const expression = cleanString(firstHeader(headers, 'License-Expression'));
  if (expression) return [expression];
  const license = cleanString(firstHeader(headers, 'License'), MAX_LICENSE_NAME);
  if (license && license.toUpperCase() !== 'UNKNOWN') return [license];
  const fromClassifiers: unknown[] = [];
  for (const classifier of headers.get('classifier') ?? []) {
    const parts = classifier.split('::').map((p) => p.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    // `License :: OSI Approved` alone says only that some approved license applies.
    if (parts.length === 2 && parts[1] === 'OSI Approved') continue;
    fromClassifiers.push(parts[parts.length - 1]);
  }
  return cleanList(fromClassifiers);
}

export function parsePythonMetadata(
  content: Buffer,
  path: string,
  format: PythonMetadataFormat,
): PackageFact {
  const headers = parseHeaders(decodeText(content));
  if (headers.size === 0) throw new MalformedFile('no metadata headers');
  const name = cleanString(firstHeader(headers, 'Name'), 256);
  const version = cleanString(firstHeader(headers, 'Version'), 256);
  if (!name || !version) throw new MalformedFile('no valid Name and Version headers');
  return langPackage({
    type: 'pypi',
    name,
    version,
    path,
    licenses: pythonLicenses(headers),
    metadata: {
      format,
      metadataVersion: cleanString(firstHeader(headers, 'Metadata-Version'), 32),
      summary: cleanString(firstHeader(headers, 'Summary'), 512),
    },
  });
}
