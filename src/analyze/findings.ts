/**
 * The shapes static threat detection shares (issue 5). Layer analyzers (src/analyze/malware,
 * secrets, binaries, persistence, integrity) emit these as facts for one file of one layer; the
 * layer index is not known to an analyzer (a cached layer can sit at any index of another
 * image), so src/scan/threats.ts adds it, and whether a later layer removed the file, when it
 * collects the facts of every layer. Image checks run once per image, after the merge, on what
 * only the whole image shows (config and history, package manifests against the final tree,
 * deny-lists kept in the database).
 */
import type { DetectedOs } from './os/detect.js';
import type { Fact } from './types.js';
import type { Db } from '../store/sqlite.js';
import type { ImageFacts } from '../facts/types.js';
import type { ResolvedImage } from '../image/types.js';
import type { Package } from '../inventory/types.js';

export type ThreatSeverity = 'critical' | 'high' | 'medium' | 'low';

export const MALWARE_CATEGORIES = [
  'miner',
  'malicious-package',
  'hacktool',
  'windows-malware',
  'webshell',
  'backdoor',
  'persistence',
  'spam',
  'suspicious',
] as const;
export type MalwareCategory = (typeof MALWARE_CATEGORIES)[number];

/** A file (or a member of an archive inside it) that carries a threat indicator. */
export interface MalwareFact extends Fact, MalwareFields {
  kind: 'malware';
}

/*
 * The fields of each fact without `Fact`'s index signature: `Omit<>` over a type with an index
 * signature keeps only the signature, so findings are built from these.
 */
export interface MalwareFields {
  category: MalwareCategory;
  /** Rule or indicator id, stable across releases (`miner-stratum-url`, `webshell-php-eval-input`). */
  rule: string;
  severity: ThreatSeverity;
  path: string;
  /** Inside an archive: `lib/x.jar!/a/b.class`, `pkg.tgz!/package/index.js`. */
  innerPath?: string;
  /** sha256 of the file's bytes (of the outer file when the hit is inside an archive); null if not hashed. */
  sha256: string | null;
  /** Short, printable, safe: what matched, never more than a line; secrets masked. */
  evidence: string;
}

/** A credential found in a file; its value never appears unmasked. */
export interface SecretFact extends Fact, SecretFields {
  kind: 'secret';
}

export interface SecretFields {
  rule: string;
  severity: ThreatSeverity;
  path: string;
  innerPath?: string;
  line?: number;
  /** Masked: `AKIA************MPLE`. */
  evidence: string;
}

export type BinaryFormat = 'elf' | 'pe' | 'macho' | 'script';

/** What an executable file is: its format, language and platform (issue 5 "binaries"). */
export interface BinaryFact extends Fact, BinaryFields {
  kind: 'binary';
}

export interface BinaryFields {
  path: string;
  format: BinaryFormat;
  /** go, dotnet, rust, c, powershell, python, node, shell, php, perl, ruby, java, unknown. */
  language: string;
  /** linux, windows, darwin, any (scripts). */
  platform: string;
  arch?: string;
  sha256?: string;
  /** Anything else worth showing (stripped, static, packed with UPX, interpreter line, ...). */
  details?: Record<string, unknown>;
}

/** The report's `malware[]` entry: the fact plus where it sits in the image. */
export interface MalwareFinding extends MalwareFields {
  layer: number;
  /** The layer that deleted or replaced the file, when a later layer did (still shipped). */
  removedIn?: number;
}

export interface SecretFinding extends SecretFields {
  layer: number;
  removedIn?: number;
}

export interface MisconfigurationFinding {
  rule: string;
  severity: ThreatSeverity;
  evidence: string;
  /** A short sentence a user can act on. */
  title?: string;
  /** The layer whose history entry (instruction) shows it, when it comes from history. */
  layer?: number;
}

export interface BinaryFinding extends BinaryFields {
  layer: number;
  removedIn?: number;
}

/** What an image check sees: the whole image after the merge. */
export interface ImageCheckContext {
  image: ResolvedImage;
  facts: ImageFacts;
  packages: Package[];
  os: DetectedOs | null;
  /** The shipshape database (deny-lists live there); null when the scan has none. */
  db: Db | null;
  /** The findings the layer analyzers produced, for checks that weigh them (ranking, dedupe). */
  layerFindings: { malware: MalwareFinding[]; secrets: SecretFinding[]; binaries: BinaryFinding[] };
}

export interface ImageCheckResult {
  malware?: MalwareFinding[];
  secrets?: SecretFinding[];
  misconfigurations?: MisconfigurationFinding[];
  warnings?: string[];
}

/** One image-level check; `name` goes into the report's `checks` list. */
export interface ImageCheck {
  readonly name: string;
  run(ctx: ImageCheckContext): ImageCheckResult | Promise<ImageCheckResult>;
}

/**
 * A file, or part of one, a threat analyzer did not look at (over the per-file or per-image byte
 * budget, an archive nested too deep, a scan that timed out). Reported, never silently skipped:
 * the scan report lists these so a clean result is known to have gaps.
 */
export interface ScanGapFact extends Fact, ScanGapFields {
  kind: 'scan-gap';
}

export interface ScanGapFields {
  analyzer: string;
  path: string;
  innerPath?: string;
  reason: string;
  /** Bytes not scanned. */
  bytes: number;
}
