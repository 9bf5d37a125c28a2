import type { PackageType } from '../analyze/packages/types.js';

/** Another name the same installed package is known by (a PyPI project a deb installed). */
export interface AlternateIdentity {
  type: PackageType;
  name: string;
  version: string;
  purl: string;
  path: string;
}

/** One package of the image's inventory, as the JSON report's `packages[]` shows it. */
export interface Package {
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  /** Maven groupId. */
  namespace?: string;
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  epoch?: number;
  licenses?: string[];
  /** Index into the image's layers of the layer that introduced this package. */
  layer: number;
  /** Where it was found: the database or metadata file, or the binary or archive. */
  paths: string[];
  innerPath?: string;
  /** For OS packages: how many files the package owns (the list itself stays in the facts). */
  fileCount?: number;
  /** Identities folded into this record (see docs/sbom.md, "One package, one record"). */
  alsoKnownAs?: AlternateIdentity[];
  /** Set on compiled-in packages (Go modules, crates) inside a binary an OS package owns. */
  ownedBy?: string;
  metadata?: Record<string, unknown>;
}
