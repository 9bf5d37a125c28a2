/**
 * What a cataloger reports for one package, as a layer fact. Every cataloger is a layer
 * analyzer (src/analyze/types.ts) whose facts are `PackageFact`s (and, for OS package managers,
 * `OwnedFilesFact`s); src/inventory/ turns the facts of all layers into the image's inventory.
 */
import type { Fact } from '../types.js';

export type PackageType =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'conda'
  | 'golang'
  | 'maven'
  | 'gem'
  | 'composer'
  | 'cargo'
  | 'nuget'
  | 'binary';

export interface PackageFact extends Fact {
  kind: 'package';
  type: PackageType;
  /** As the ecosystem names it: npm `@scope/name`, Go module path, Maven artifactId, PyPI project name. */
  name: string;
  /** Maven groupId; otherwise unset (purl namespaces of other types are derived). */
  namespace?: string;
  version: string;
  /** The file the record was read from, relative to the image root (the evidence). */
  path: string;
  /** Inside an archive (a jar in a jar): `BOOT-INF/lib/x.jar!/META-INF/...pom.properties`. */
  innerPath?: string;
  arch?: string;
  /** rpm epoch; dpkg keeps its epoch inside `version`. */
  epoch?: number;
  /** OS source package (dpkg Source, rpm source rpm name, apk origin): what distro advisories name. */
  sourceName?: string;
  sourceVersion?: string;
  licenses?: string[];
  /** Files the package owns (apk, rpm; dpkg's come as OwnedFilesFacts), relative to the root. */
  files?: string[];
  /** Extra purl qualifiers (e.g. Go `goversion`?, Java `type=jar`). */
  qualifiers?: Record<string, string>;
  /** Anything else worth keeping: Go version and main module, Java manifest fields, ... */
  metadata?: Record<string, unknown>;
}

/** Files an OS package owns, from a separate database file (dpkg `info/<pkg>.list`/`.md5sums`). */
export interface OwnedFilesFact extends Fact {
  kind: 'owned-files';
  type: 'deb';
  /** Package name, with `:arch` when the file name carries it (multi-arch). */
  package: string;
  path: string;
  files?: string[];
  /** path → md5 hex, from `.md5sums` (integrity checks use it later). */
  md5?: Record<string, string>;
}

export function isPackageFact(f: Fact): f is PackageFact {
  return f.kind === 'package';
}

export function isOwnedFilesFact(f: Fact): f is OwnedFilesFact {
  return f.kind === 'owned-files';
}
