/**
 * ClamAV as an optional second engine (`scan --clamav`): the spool analyzer copies each layer's
 * files out during the normal pass, ClamAV scans the spool afterwards, and its detections are
 * mapped back to image paths and layers as malware findings. The category of a signature comes
 * from its name, by the globs in rules/clamav/categories.json.
 */
import { readFileSync } from 'node:fs';
import { printable } from '../../errors.js';
import type { ImageFacts, LayerFacts } from '../../facts/types.js';
import {
  MALWARE_CATEGORIES,
  type MalwareCategory,
  type MalwareFinding,
  type ScanGapFact,
  type ThreatSeverity,
} from '../findings.js';
import type { ClamavHit } from './parse.js';
import { runClamav, type ClamavRunResult, type RunClamavOptions } from './run.js';
import { CLAMAV_SPOOL_ANALYZER, gap, type ClamavSpool } from './spool.js';

export { parseClamavLine, type ClamavHit } from './parse.js';
export {
  clamavAvailable,
  runClamav,
  type ClamavEngine,
  type ClamavInfo,
  type ClamavRunResult,
  type RunClamavOptions,
} from './run.js';
export {
  CLAMAV_MAX_FILE_BYTES,
  CLAMAV_SPOOL_ANALYZER,
  DEFAULT_SPOOL_BUDGETS,
  createClamavSpool,
  type ClamavSpool,
  type ClamavSpooledFact,
  type SpoolBudgets,
} from './spool.js';

/** A spooled file placed in the image: which layer holds it, and which later layer removed it. */
export interface SpooledFile {
  path: string;
  layer: number;
  spoolName: string;
  sha256?: string;
  size?: number;
  removedIn?: number;
}

export interface CategoryRule {
  id: string;
  patterns: RegExp[];
  category: MalwareCategory;
  severity: ThreatSeverity;
}

export interface CategoryRules {
  rules: CategoryRule[];
  fallback: { category: MalwareCategory; severity: ThreatSeverity };
}

const CLAMD_DEFAULT_MAX_FILE = 100 * 1024 ** 2;
const SEVERITIES: readonly string[] = ['critical', 'high', 'medium', 'low'];
const CATEGORIES: readonly string[] = MALWARE_CATEGORIES;

/** Validates categories.json; throws naming what is wrong (a broken rules file must not load). */
export function parseCategoryRules(json: unknown): CategoryRules {
  const fail = (what: string): never => {
    throw new Error(`rules/clamav/categories.json: ${what}`);
  };
  if (!isObject(json) || !Array.isArray(json.rules)) return fail('needs a "rules" list');
  const rules = json.rules.map((raw: unknown, i): CategoryRule => {
    if (!isObject(raw)) return fail(`rule ${i} is not an object`);
    const { id, patterns, category, severity } = raw;
    if (typeof id !== 'string' || id === '') return fail(`rule ${i} needs an id`);
    if (!Array.isArray(patterns) || patterns.length === 0) return fail(`rule ${id} needs patterns`);
    return {
      id,
      patterns: patterns.map((p: unknown) =>
        typeof p === 'string' && /^[\x21-\x7e]+$/.test(p) ? globToRegExp(p) : fail(`rule ${id}: bad pattern`),
      ),
      category: checkCategory(category, `rule ${id}`, fail),
      severity: checkSeverity(severity, `rule ${id}`, fail),
    };
  });
  const fallback = json.default;
  if (!isObject(fallback)) return fail('needs a "default"');
  return {
    rules,
    fallback: {
      category: checkCategory(fallback.category, 'default', fail),
      severity: checkSeverity(fallback.severity, 'default', fail),
    },
  };
}

function checkCategory(value: unknown, where: string, fail: (what: string) => never): MalwareCategory {
  return typeof value === 'string' && CATEGORIES.includes(value)
    ? (value as MalwareCategory)
    : fail(`${where}: unknown category ${String(value)}`);
}

function checkSeverity(value: unknown, where: string, fail: (what: string) => never): ThreatSeverity {
  return typeof value === 'string' && SEVERITIES.includes(value)
    ? (value as ThreatSeverity)
    : fail(`${where}: unknown severity ${String(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is');
}

let loaded: CategoryRules | undefined;

/** The rules shipped in rules/clamav/categories.json, loaded (and validated) once. */
export function categoryRules(): CategoryRules {
  loaded ??= parseCategoryRules(
    JSON.parse(readFileSync(new URL('../../../rules/clamav/categories.json', import.meta.url), 'utf8')),
  );
  return loaded;
}

export function categorize(
  signature: string,
  rules: CategoryRules = categoryRules(),
): { category: MalwareCategory; severity: ThreatSeverity } {
  const rule = rules.rules.find((r) => r.patterns.some((p) => p.test(signature)));
  return rule ? { category: rule.category, severity: rule.severity } : rules.fallback;
}

/** The spooled files of every layer, placed: layer index, and removal from the merged history. */
export function spooledFiles(facts: ImageFacts): SpooledFile[] {
  const removed = new Map<string, number>();
  for (const f of facts.history) {
    if (f.removedIn !== undefined) removed.set(`${f.layer}\0${f.path}`, f.removedIn);
  }
  const files: SpooledFile[] = [];
  facts.layers.forEach((layer, index) => {
    for (const fact of layerSpoolFacts(layer)) {
      if (fact.kind !== 'clamav-spooled') continue;
      const { path, spoolName, sha256, size } = fact;
      if (typeof path !== 'string' || typeof spoolName !== 'string') continue;
      const file: SpooledFile = { path, layer: index, spoolName };
      if (typeof sha256 === 'string') file.sha256 = sha256;
      if (typeof size === 'number') file.size = size;
      const removedIn = removed.get(`${index}\0${path}`);
      if (removedIn !== undefined) file.removedIn = removedIn;
      files.push(file);
    }
  });
  return files;
}

/** The spool's scan gaps (files over its budgets), with the layer they sit in. */
export function spoolGaps(layers: readonly LayerFacts[]): (ScanGapFact & { layer: number })[] {
  return layers.flatMap((layer, index) =>
    layerSpoolFacts(layer)
      .filter((f): f is ScanGapFact => f.kind === 'scan-gap')
      .map((f) => ({ ...f, layer: index })),
  );
}

function layerSpoolFacts(layer: LayerFacts) {
  return layer.facts[CLAMAV_SPOOL_ANALYZER] ?? [];
}

/** One malware finding per (file, signature); hits on names not spooled are dropped. */
export function clamavFindings(
  spooled: readonly SpooledFile[],
  hits: readonly ClamavHit[],
  rules: CategoryRules = categoryRules(),
): MalwareFinding[] {
  const byName = new Map(spooled.map((f) => [f.spoolName, f]));
  const findings: MalwareFinding[] = [];
  for (const hit of hits) {
    const file = byName.get(hit.spoolName);
    if (!file) continue;
    const signature = printable(hit.signature);
    const finding: MalwareFinding = {
      ...categorize(hit.signature, rules),
      rule: `clamav:${signature}`,
      path: file.path,
      sha256: file.sha256 ?? null,
      evidence: `ClamAV: ${signature}`,
      layer: file.layer,
    };
    if (file.removedIn !== undefined) finding.removedIn = file.removedIn;
    findings.push(finding);
  }
  return findings;
}

export interface ClamavScanResult {
  findings: MalwareFinding[];
  /** Files not (fully) scanned: over the spool's budgets, or over a ClamAV limit. */
  gaps: (ScanGapFact & { layer: number })[];
  warnings: string[];
  engine: ClamavRunResult['engine'];
  /** ClamAV ran to the end: list `clamav` among the report's checks only then. */
  complete: boolean;
}

/**
 * Runs ClamAV over `spool` for the image whose facts it collected, maps the results back, and
 * removes the spool whatever happens (success, failure, abort).
 */
export async function scanSpooledWithClamav(
  spool: ClamavSpool,
  facts: ImageFacts,
  opts: RunClamavOptions = {},
): Promise<ClamavScanResult> {
  try {
    const spooled = spooledFiles(facts);
    const run = await runClamav(spool.dir, { maxFileBytes: spool.budgets.maxFileBytes, ...opts });
    const byName = new Map(spooled.map((f) => [f.spoolName, f]));
    const limitGaps = run.limits.flatMap((hit) => {
      const file = byName.get(hit.spoolName);
      if (!file) return [];
      const reason = `ClamAV stopped early: ${printable(hit.signature)}`;
      return [{ ...gap(file.path, reason, file.size ?? 0), layer: file.layer }];
    });
    const warnings = [...run.warnings];
    const large = spooled.filter((f) => (f.size ?? 0) > CLAMD_DEFAULT_MAX_FILE).length;
    if (run.engine === 'clamdscan' && large > 0) {
      // clamd's limits are its own (clamd.conf), not ours: say where a silent skip could hide.
      warnings.push(
        `ClamAV: ${large} files are over clamd's default MaxFileSize (100 MB); unless clamd.conf raises it and sets AlertExceedsMax yes, clamd skips them without saying so`,
      );
    }
    return {
      findings: clamavFindings(spooled, run.hits),
      gaps: [...spoolGaps(facts.layers), ...limitGaps],
      warnings,
      engine: run.engine,
      complete: run.complete,
    };
  } finally {
    await spool.remove();
  }
}
