/**
 * Installed Python distributions: the metadata files directly inside any `site-packages` or
 * `dist-packages` directory (system Pythons, virtualenvs, conda environments, `pip install
 * --target`), as importlib.metadata finds them on that path entry. Metadata nested deeper
 * (test data, vendored copies inside a package) is not an installed distribution.
 */
import type { Analyzer } from '../../types.js';
import { catalogFile } from '../lang-common.js';
import { parsePythonMetadata, type PythonMetadataFormat } from './core-metadata.js';

/** Headers come first and are small; a long description may follow, and is not needed. */
const MAX_METADATA_BYTES = 1024 * 1024;

function isSitePackages(dir: string | undefined): boolean {
  return dir === 'site-packages' || dir === 'dist-packages';
}

/** Which kind of metadata file `path` is, if it describes an installed distribution. */
export function pythonMetadataFormat(path: string): PythonMetadataFormat | undefined {
  const segs = path.split('/');
  const n = segs.length;
  const last = segs[n - 1]!;
  const parent = segs[n - 2];
  if (last === 'METADATA') {
    return parent?.endsWith('.dist-info') && isSitePackages(segs[n - 3]) ? 'dist-info' : undefined;
  }
  if (last === 'PKG-INFO') {
    if (parent?.endsWith('.egg-info') && isSitePackages(segs[n - 3])) return 'egg-info';
    if (parent === 'EGG-INFO' && segs[n - 3]?.endsWith('.egg') && isSitePackages(segs[n - 4])) return 'egg';
    return undefined;
  }
  // distutils wrote PKG-INFO as a single file named after the distribution.
  return last.endsWith('.egg-info') && isSitePackages(parent) ? 'egg-info' : undefined;
}

export const pythonPackagesAnalyzer: Analyzer = {
  name: 'python-packages',
  version: 1,
  wants(header) {
    if (header.type !== 'file') return false;
    const p = header.path;
    if (!p.endsWith('/METADATA') && !p.endsWith('/PKG-INFO') && !p.endsWith('.egg-info')) return false;
    return pythonMetadataFormat(p) ? { mode: 'buffer', maxBytes: MAX_METADATA_BYTES } : false;
  },
  analyze(file, ctx) {
    const format = pythonMetadataFormat(file.header.path);
    if (!format) return [];
    return catalogFile(file, ctx, { what: 'Python metadata', headOnly: true }, (content, path) => [
      parsePythonMetadata(content, path, format),
    ]);
  },
};
