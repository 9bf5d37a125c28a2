/**
 * conda packages: one `<env>/conda-meta/<name>-<version>-<build>.json` per package installed in
 * a conda environment (Python ones and native ones alike: openssl, libffi). The files each
 * package put in the environment are kept, so that the pip metadata of a conda-installed Python
 * package can be folded into this record rather than reported twice.
 */
import type { Analyzer } from '../../types.js';
import {
  MalformedFile,
  catalogFile,
  cleanList,
  cleanString,
  dirOf,
  isRecord,
  langPackage,
  parseJson,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';

/** With the `paths_data` block these reach a few MiB for the largest packages (e.g. cudatoolkit). */
const MAX_CONDA_META_BYTES = 32 * 1024 * 1024;
/** Files kept per package; more is not needed to recognise what it owns. */
const MAX_FILES = 20_000;

export function isCondaMeta(path: string): boolean {
  return path.endsWith('.json') && dirOf(path).split('/').pop() === 'conda-meta';
}

export function parseCondaMeta(content: Buffer, path: string): PackageFact {
  const meta = parseJson(content);
  if (!isRecord(meta)) throw new MalformedFile('not a JSON object');
  const name = cleanString(meta.name, 256);
  const version = cleanString(meta.version, 256);
  if (!name || !version) throw new MalformedFile('no valid "name" and "version"');
  // Paths in the record are relative to the environment: the directory holding conda-meta/.
  const env = dirOf(dirOf(path));
  const files = Array.isArray(meta.files)
    ? cleanList(meta.files.slice(0, MAX_FILES), MAX_FILES)
        .filter((f) => !f.startsWith('/') && !f.split('/').includes('..'))
        .map((f) => (env ? `${env}/${f}` : f))
    : [];
  return langPackage({
    type: 'conda',
    name,
    version,
    path,
    licenses: cleanList([meta.license]),
    files,
    metadata: {
      build: cleanString(meta.build, 256),
      buildNumber: typeof meta.build_number === 'number' ? meta.build_number : undefined,
      channel: cleanString(meta.channel, 1024),
      subdir: cleanString(meta.subdir, 64),
    },
  });
}

export const condaMetaAnalyzer: Analyzer = {
  name: 'conda-meta',
  version: 1,
  wants(header) {
    return header.type === 'file' && isCondaMeta(header.path)
      ? { mode: 'buffer', maxBytes: MAX_CONDA_META_BYTES }
      : false;
  },
  analyze(file, ctx) {
    return catalogFile(file, ctx, { what: 'conda-meta record' }, (content, path) => [
      parseCondaMeta(content, path),
    ]);
  },
};
