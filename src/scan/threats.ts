/**
 * Static threat findings of one image: the facts every layer's threat analyzers produced (each
 * placed at its layer, with the layer that later deleted or replaced the file: a miner removed in
 * layer 3 was still shipped in layer 2), then the image checks that need the whole image.
 */
import type {
  BinaryFinding,
  ImageCheck,
  ImageCheckContext,
  MalwareFinding,
  MisconfigurationFinding,
  ScanGapFields,
  SecretFinding,
} from '../analyze/findings.js';
import { layerDigests } from '../analyze/hashes/file-digests.js';
import type { Fact } from '../analyze/types.js';
import type { ImageFacts } from '../facts/types.js';

export interface ScanGap extends Omit<ScanGapFields, 'kind'> {
  layer: number;
}

export interface ThreatFindings {
  malware: MalwareFinding[];
  secrets: SecretFinding[];
  misconfigurations: MisconfigurationFinding[];
  binaries: BinaryFinding[];
  gaps: ScanGap[];
  warnings: string[];
  /** Names of the image checks that ran (the report's `checks`). */
  checks: string[];
}

type Placed<T> = Omit<T, 'kind'> & { layer: number; removedIn?: number };

/** The layer that removed each (layer, path), from the merged history. */
function removals(facts: ImageFacts): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of facts.history) if (f.removedIn !== undefined) out.set(`${f.layer}\0${f.path}`, f.removedIn);
  return out;
}

function place<T extends Fact>(fact: T, layer: number, removed: Map<string, number>): Placed<T> {
  const { kind: _kind, ...rest } = fact;
  const path = typeof fact['path'] === 'string' ? fact['path'] : '';
  const removedIn = removed.get(`${layer}\0${path}`);
  return { ...(rest as Omit<T, 'kind'>), layer, ...(removedIn !== undefined ? { removedIn } : {}) };
}

export function collectLayerFindings(
  facts: ImageFacts,
): Omit<ThreatFindings, 'misconfigurations' | 'checks' | 'warnings'> {
  const removed = removals(facts);
  const out: Omit<ThreatFindings, 'misconfigurations' | 'checks' | 'warnings'> = {
    malware: [],
    secrets: [],
    binaries: [],
    gaps: [],
  };
  facts.layers.forEach((lf, layer) => {
    // An executable's sha256 comes from file-digests (the binaries analyzer does not hash twice).
    const digests = layerDigests(lf.facts);
    for (const list of Object.values(lf.facts)) {
      for (const f of list) {
        switch (f['kind']) {
          case 'malware':
            out.malware.push(place(f, layer, removed) as unknown as MalwareFinding);
            break;
          case 'secret':
            out.secrets.push(place(f, layer, removed) as unknown as SecretFinding);
            break;
          case 'binary': {
            const binary = place(f, layer, removed) as unknown as BinaryFinding;
            binary.sha256 ??= digests.get(binary.path);
            if (binary.sha256 === undefined) delete binary.sha256;
            out.binaries.push(binary);
            break;
          }
          case 'scan-gap':
            out.gaps.push(place(f, layer, removed) as unknown as ScanGap);
            break;
        }
      }
    }
  });
  return out;
}

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * One finding per (rule, layer, path, member): two analyzers (or an analyzer and a check) that
 * see the same thing say it once, at the higher severity.
 */
export function dedupeFindings<
  T extends { rule: string; layer?: number; path?: string; innerPath?: string; severity: string },
>(list: T[], distinct: (f: T) => string = () => ''): T[] {
  const by = new Map<string, T>();
  for (const f of list) {
    const key = `${f.rule}\0${f.layer ?? ''}\0${f.path ?? ''}\0${f.innerPath ?? ''}\0${distinct(f)}`;
    const prev = by.get(key);
    if (!prev || (RANK[f.severity] ?? 0) > (RANK[prev.severity] ?? 0)) by.set(key, f);
  }
  return [...by.values()];
}

function bySeverityThenPath<T extends { severity: string; path?: string; layer?: number; rule: string }>(
  a: T,
  b: T,
): number {
  return (
    (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0) ||
    (a.path ?? '').localeCompare(b.path ?? '') ||
    (a.layer ?? 0) - (b.layer ?? 0) ||
    a.rule.localeCompare(b.rule) ||
    ((a as { line?: number }).line ?? 0) - ((b as { line?: number }).line ?? 0)
  );
}

export async function threatFindings(
  ctx: Omit<ImageCheckContext, 'layerFindings'>,
  checks: readonly ImageCheck[],
): Promise<ThreatFindings> {
  const layerFindings = collectLayerFindings(ctx.facts);
  const result: ThreatFindings = {
    ...layerFindings,
    misconfigurations: [],
    warnings: [],
    checks: [],
  };
  const full: ImageCheckContext = { ...ctx, layerFindings };
  for (const check of checks) {
    try {
      const r = await check.run(full);
      result.malware.push(...(r.malware ?? []));
      result.secrets.push(...(r.secrets ?? []));
      result.misconfigurations.push(...(r.misconfigurations ?? []));
      result.warnings.push(...(r.warnings ?? []));
      result.checks.push(check.name);
    } catch (e) {
      // One broken check must not hide what the others found; the report says it did not run.
      result.warnings.push(`check ${check.name} failed: ${(e as Error).message}`);
    }
  }
  result.malware = dedupeFindings(result.malware).sort(bySeverityThenPath);
  // The secrets analyzer reports each distinct value of a rule in a file once (at most 20 a
  // file): two tokens in one .env are two findings, told apart by line and masked value.
  result.secrets = dedupeFindings(result.secrets, (f) => `${f.line ?? ''}\0${f.evidence}`).sort(
    bySeverityThenPath,
  );
  result.misconfigurations = dedupeFindings(result.misconfigurations).sort(bySeverityThenPath);
  result.binaries.sort((a, b) => a.path.localeCompare(b.path) || a.layer - b.layer);
  return result;
}
