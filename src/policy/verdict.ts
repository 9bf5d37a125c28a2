/**
 * The verdict of a scan. For now the gate is `--fail-on SEVERITY`: any vulnerability or malware
 * finding at or above it fails the image (exit code 1). Policy files come with the policy issue.
 */
import { ShipshapeError } from '../errors.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type GateSeverity = (typeof SEVERITIES)[number];

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

export interface Verdict {
  pass: boolean;
  reasons: string[];
}

export function parseFailOn(s: string | undefined): GateSeverity | null {
  if (s === undefined) return null;
  const v = s.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(v)) {
    throw new ShipshapeError('BAD_ARGUMENT', `--fail-on must be one of ${SEVERITIES.join(', ')}, not "${s}"`);
  }
  return v as GateSeverity;
}

export function verdictOf(
  findings: { kind: string; id: string; severity: string; where: string }[],
  failOn: GateSeverity | null,
): Verdict {
  if (failOn === null) return { pass: true, reasons: [] };
  const threshold = RANK[failOn]!;
  const failing = findings.filter((f) => (RANK[f.severity] ?? 0) >= threshold);
  const reasons = failing.slice(0, 50).map((f) => `${f.kind} ${f.id} (${f.severity}) in ${f.where}`);
  if (failing.length > 50) reasons.push(`… and ${failing.length - 50} more`);
  return { pass: failing.length === 0, reasons };
}
