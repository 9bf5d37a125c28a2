/**
 * A finding's severity: the CVSS base score computed from the record's vector (v4, then v3.1,
 * v3.0, v2: the newest the source gave), else the source's own rating.
 */
import cvssCalculator from 'ae-cvss-calculator';
import type { OsvRecord, OsvSeverity } from '../types.js';

// A CommonJS package: its classes come off the default export under Node's ESM loader.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

export interface ScoredSeverity {
  severity: Severity;
  cvss: { score: number; vector: string } | null;
}

/** CVSS v3/v4 qualitative rating scale (v2 scores are rated on the same bands, as NVD shows). */
export function ratingOf(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

/** Vectors repeat across thousands of advisories; computing one costs tens of microseconds. */
const scoreCache = new Map<string, number | null>();
const SCORE_CACHE_LIMIT = 50_000;

export function cvssBaseScore(vector: string): number | null {
  const cached = scoreCache.get(vector);
  if (cached !== undefined) return cached;
  const score = computeBaseScore(vector);
  if (scoreCache.size < SCORE_CACHE_LIMIT) scoreCache.set(vector, score);
  return score;
}

function computeBaseScore(vector: string): number | null {
  try {
    const v = vector.trim();
    const calc = v.startsWith('CVSS:4.0/')
      ? new Cvss4P0(v)
      : v.startsWith('CVSS:3.1/')
        ? new Cvss3P1(v)
        : v.startsWith('CVSS:3.0/')
          ? new Cvss3P0(v)
          : /^(AV:[LAN]\/)/.test(v)
            ? new Cvss2(v)
            : null;
    const base = calc?.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) ? base : null;
  } catch {
    return null;
  }
}

const VECTOR_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

function bestVector(severities: OsvSeverity[]): { score: number; vector: string } | null {
  const sorted = [...severities].sort((a, b) => {
    const rank = (s: OsvSeverity) => {
      const i = VECTOR_PREFERENCE.indexOf(s.type);
      return i < 0 ? 99 : i;
    };
    return rank(a) - rank(b) || b.score.localeCompare(a.score);
  });
  for (const s of sorted) {
    if (!VECTOR_PREFERENCE.includes(s.type)) continue;
    const score = cvssBaseScore(s.score);
    if (score !== null) return { score, vector: s.score };
  }
  return null;
}

const WORDS: Record<string, Severity> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

function sourceRating(record: OsvRecord, extra: OsvSeverity[]): Severity | null {
  const candidates: unknown[] = [
    record.database_specific?.severity,
    ...extra.filter((s) => !VECTOR_PREFERENCE.includes(s.type)).map((s) => s.score),
    ...(record.affected ?? []).map((a) => a.ecosystem_specific?.severity ?? a.database_specific?.severity),
  ];
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const w = WORDS[c.trim().toLowerCase()];
    if (w) return w;
  }
  return null;
}

export function severityOf(record: OsvRecord, affectedSeverity: OsvSeverity[] = []): ScoredSeverity {
  const all = [...(record.severity ?? []), ...affectedSeverity];
  const cvss = bestVector(all);
  if (cvss) return { severity: ratingOf(cvss.score), cvss };
  return { severity: sourceRating(record, all) ?? 'unknown', cvss: null };
}
