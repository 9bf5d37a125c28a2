/**
 * Go build info as package facts: the standard library (named `stdlib`, at the Go version, so
 * Go's own advisories match), the main module, and every dependency module.
 *
 * Replacements: a module replaced by another module (`=> example.com/fork v1.2.0`) is reported
 * as the replacement (that is the code in the binary), with the original in
 * `metadata.replaces`. A module replaced by a local directory (`=> ../lib`) keeps its own path
 * (a directory is not a module identity) with version `(devel)`, and the directory is kept in
 * `metadata.replacement`.
 */
import type { PackageFact } from '../types.js';
import type { RawBuildInfo } from './buildinfo.js';
import { parseModInfo, type GoModule } from './modinfo.js';

/** `go1.21.4`, `go1.21.4 X:boringcrypto`, `go1.22rc1` → the version vulnerability data uses. */
export function stdlibVersion(goVersion: string): string {
  const m = /^go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)/.exec(goVersion);
  return m ? m[1]! : goVersion;
}

function isLocalPath(path: string): boolean {
  return (
    path.startsWith('./') || path.startsWith('../') || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)
  );
}

export function goPackageFacts(filePath: string, raw: RawBuildInfo): PackageFact[] {
  const info = parseModInfo(raw.modinfo);
  const goarch = info.settings.GOARCH;
  const common = {
    kind: 'package' as const,
    type: 'golang' as const,
    path: filePath,
    ...(goarch ? { arch: goarch } : {}),
  };
  const facts: PackageFact[] = [];
  const stdlib: PackageFact = {
    ...common,
    name: 'stdlib',
    version: stdlibVersion(raw.goVersion),
    metadata: {
      goVersion: raw.goVersion,
      buildInfoLayout: raw.layout,
      ...(info.path ? { mainPath: info.path } : {}),
      ...(info.main ? { mainModule: info.main.path } : {}),
    },
  };
  facts.push(stdlib);
  const moduleFact = (mod: GoModule, extra: Record<string, unknown>): PackageFact => {
    const base = { goVersion: raw.goVersion, ...(info.main ? { mainModule: info.main.path } : {}), ...extra };
    const repl = mod.replace;
    if (!repl) {
      return {
        ...common,
        name: mod.path,
        version: mod.version || '(devel)',
        metadata: { ...base, ...sumOf(mod) },
      };
    }
    if (isLocalPath(repl.path)) {
      return {
        ...common,
        name: mod.path,
        version: '(devel)',
        metadata: {
          ...base,
          replacement: { path: repl.path, version: repl.version },
          requiredVersion: mod.version,
        },
      };
    }
    return {
      ...common,
      name: repl.path,
      version: repl.version || '(devel)',
      metadata: { ...base, ...sumOf(repl), replaces: { path: mod.path, version: mod.version } },
    };
  };
  if (info.main) {
    facts.push(
      moduleFact(info.main, {
        main: true,
        ...(info.path ? { mainPath: info.path } : {}),
        buildSettings: info.settings,
      }),
    );
  }
  for (const dep of info.deps) facts.push(moduleFact(dep, {}));
  return facts;
}

function sumOf(mod: GoModule): Record<string, string> {
  return mod.sum ? { h1Digest: mod.sum } : {};
}
