/** The JSON report of `shipshape scan` (CONTRACT.md), built from what the scan found. */
import type { DetectedOs } from '../analyze/os/detect.js';
import type { LayerFacts } from '../facts/types.js';
import type { ResolvedImage } from '../image/types.js';
import type { Package } from '../inventory/types.js';
import type { Suppressed } from '../policy/ignore.js';
import type { Verdict } from '../policy/verdict.js';
import type { MatchResult } from '../vulndb/match/matcher.js';
import type { BehaviorReport } from '../sandbox/types.js';
import type { ThreatFindings } from '../scan/threats.js';
import { reportLayers, reportTarget, toolInfo } from './model.js';

export interface ScanOutcome {
  image: ResolvedImage;
  os: DetectedOs | null;
  layerFacts: LayerFacts[] | undefined;
  packages: Package[];
  match: MatchResult;
  /** Static threat findings; null when the target had no files (an SBOM). */
  threats: ThreatFindings | null;
  /** The sandbox run (`--dynamic`), or null. */
  behavior: BehaviorReport | null;
  /** Which checks ran, so an empty list is known to mean "none found", not "not looked". */
  checks: string[];
  database: { advisories: number; lastUpdate: string | null } | null;
  /** Findings an ignore file accepted, with its reasons. */
  suppressed: Suppressed[];
  verdict: Verdict;
  warnings: string[];
  totalMs: number;
}

export function scanJson(o: ScanOutcome): object {
  return {
    schemaVersion: 1,
    tool: toolInfo(),
    target: reportTarget(o.image, o.os),
    layers: reportLayers(o.image, o.layerFacts),
    packages: o.packages,
    vulnerabilities: o.match.vulnerabilities,
    malware: [...o.match.malware, ...(o.threats?.malware ?? [])],
    secrets: o.threats?.secrets ?? [],
    misconfigurations: o.threats?.misconfigurations ?? [],
    binaries: o.threats?.binaries ?? [],
    /** What the threat analyzers did not look at (budgets, timeouts): a clean result has gaps. */
    gaps: o.threats?.gaps ?? [],
    behavior: o.behavior,
    verdict: o.verdict,
    suppressed: o.suppressed,
    checks: o.checks,
    database: o.database,
    warnings: o.warnings,
    notes: o.image.notes,
    timings: { totalMs: o.totalMs },
  };
}
