/**
 * The verdict of a scan. `--fail-on SEVERITY`: any finding at or above it fails the image (exit
 * code 1). Without it, malware of severity high or critical still fails: an image carrying a
 * miner or a backdoor is not safe to run, whatever a team's vulnerability threshold is. So do
 * the config audit's findings that say the image itself attacks (a miner's settings or a reverse
 * shell in what it runs or in its environment), high or critical.
 * `--fail-on none` turns every gate off. Policy files come with the policy issue.
 */
import { ShipshapeError } from '../errors.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type GateSeverity = (typeof SEVERITIES)[number];

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

/** What fails an image without `--fail-on`: findings that mean "this image attacks you". */
const DEFAULT_GATE_KINDS = new Set(['malware', 'behavior']);
const ATTACK_MISCONFIGURATIONS = new Set(['miner-flags', 'reverse-shell']);

function gatedByDefault(f: { kind: string; id: string }): boolean {
  return (
    DEFAULT_GATE_KINDS.has(f.kind) || (f.kind === 'misconfiguration' && ATTACK_MISCONFIGURATIONS.has(f.id))
  );
}

export interface Verdict {
  pass: boolean;
  reasons: string[];
}

/** `null`: the default gate (malware ≥ high); `'none'`: no gate. */
export function parseFailOn(s: string | undefined): GateSeverity | 'none' | null {
  if (s === undefined) return null;
  const v = s.toLowerCase();
  if (v === 'none') return 'none';
  if (!(SEVERITIES as readonly string[]).includes(v)) {
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      `--fail-on must be one of ${SEVERITIES.join(', ')} or none, not "${s}"`,
    );
  }
  return v as GateSeverity;
}

export function verdictOf(
  findings: { kind: string; id: string; severity: string; where: string }[],
  failOn: GateSeverity | 'none' | null,
): Verdict {
  if (failOn === 'none') return { pass: true, reasons: [] };
  const failing =
    failOn === null
      ? findings.filter((f) => gatedByDefault(f) && (RANK[f.severity] ?? 0) >= RANK.high!)
      : findings.filter((f) => (RANK[f.severity] ?? 0) >= RANK[failOn]!);
  const reasons = failing.slice(0, 50).map((f) => `${f.kind} ${f.id} (${f.severity}) in ${f.where}`);
  if (failing.length > 50) reasons.push(`… and ${failing.length - 50} more`);
  return { pass: failing.length === 0, reasons };
}
