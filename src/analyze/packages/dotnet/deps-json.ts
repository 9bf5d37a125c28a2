/**
 * .NET applications' `<app>.deps.json`: the `libraries` map, keyed `Name/Version`, lists what
 * the app was built against. `package` entries are NuGet packages; a self-contained app's
 * `runtimepack` entries are the runtime it carries (`runtimepack.Microsoft.NETCore.App.Runtime.
 * linux-x64/8.0.1`, the NuGet package Microsoft.NETCore.App.Runtime.linux-x64),
 * also a NuGet package and a frequent subject of advisories. `project` entries are the app's
 * own code and `reference` entries framework assemblies: neither is a package.
 */
import type { Analyzer } from '../../types.js';
import {
  MalformedFile,
  PackageList,
  catalogFile,
  cleanString,
  isRecord,
  langPackage,
  parseJson,
  type Warn,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';

const PACKAGE_TYPES = new Set(['package', 'runtimepack']);
/** NuGet ids: letters, digits, `.`, `_`, `-`. */
const NUGET_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_DEPS_JSON_BYTES = 16 * 1024 * 1024;

export function parseDepsJson(content: Buffer, path: string, warn: Warn): PackageFact[] {
  const doc = parseJson(content);
  if (!isRecord(doc)) throw new MalformedFile('not a JSON object');
  if (!isRecord(doc.libraries)) throw new MalformedFile('no "libraries" map');
  const list = new PackageList(warn);
  let skipped = 0;
  for (const [key, library] of Object.entries(doc.libraries)) {
    if (!isRecord(library) || typeof library.type !== 'string' || !PACKAGE_TYPES.has(library.type)) continue;
    const slash = key.lastIndexOf('/');
    // Self-contained apps key their runtime `runtimepack.<NuGet id>/<version>`.
    const id = key.slice(0, slash);
    const name = cleanString(library.type === 'runtimepack' ? id.replace(/^runtimepack\./, '') : id, 256);
    const version = cleanString(key.slice(slash + 1), 256);
    if (slash <= 0 || !name || !NUGET_ID.test(name) || !version) {
      skipped++;
      continue;
    }
    const fact = langPackage({
      type: 'nuget',
      name,
      version,
      path,
      metadata: {
        libraryType: library.type,
        sha512: cleanString(library.sha512, 256),
      },
    });
    if (!list.add(fact)) break;
  }
  if (skipped > 0) warn(`${skipped} libraries not keyed "Name/Version" skipped`);
  return list.items;
}

export const dotnetDepsAnalyzer: Analyzer = {
  name: 'dotnet-deps',
  version: 1,
  wants(header) {
    return header.type === 'file' && header.path.endsWith('.deps.json')
      ? { mode: 'buffer', maxBytes: MAX_DEPS_JSON_BYTES }
      : false;
  },
  analyze(file, ctx) {
    return catalogFile(file, ctx, { what: 'deps.json' }, parseDepsJson);
  },
};
