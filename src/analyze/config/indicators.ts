/**
 * Finds the config audit's indicators in a command or a script: line by line (continuation
 * lines joined, comment lines skipped), one hit per indicator per line, with a short excerpt
 * in which anything token-shaped is masked.
 */
import { maskSecret } from '../secrets/mask.js';
import type { ConfigRules } from './rules.js';

export interface IndicatorHit {
  /** The indicator id (rules/config/config.yaml). */
  rule: string;
  /** 1-based line of the script or instruction. */
  line: number;
  excerpt: string;
}

export type CommentStyle = 'shell' | 'js' | 'none';

const MAX_EXCERPT = 160;
const MAX_LINE = 64 * 1024;
const DEFAULT_MAX_HITS = 64;

/** Masks runs that look like keys, tokens or wallets, so excerpts never carry a credential. */
export function redact(text: string): string {
  return text.replace(/[A-Za-z0-9+/=_-]{24,4096}/g, (m) => maskSecret(m));
}

function excerptAround(line: string, at: number): string {
  const flat = line.replace(/\s{1,64}/g, ' ').trim();
  if (flat.length <= MAX_EXCERPT) return redact(flat);
  const start = Math.max(0, Math.min(at - 40, flat.length - MAX_EXCERPT));
  return redact(`${start > 0 ? '…' : ''}${flat.slice(start, start + MAX_EXCERPT)}…`);
}

interface LogicalLine {
  line: number;
  text: string;
}

function logicalLines(text: string, comments: CommentStyle): LogicalLine[] {
  const out: LogicalLine[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const first = i;
    let s = raw[i]!;
    // A shell line ending in a backslash continues on the next one.
    while (s.endsWith('\\') && i + 1 < raw.length && s.length < MAX_LINE)
      s = `${s.slice(0, -1)} ${raw[++i]!}`;
    const t = s.trimStart();
    if (comments === 'shell' && t.startsWith('#')) continue;
    if (comments === 'js' && (t.startsWith('//') || t.startsWith('*') || t.startsWith('/*'))) continue;
    out.push({ line: first + 1, text: s.slice(0, MAX_LINE) });
  }
  return out;
}

/** The indicators in `text`, in line order. */
export function findIndicators(
  text: string,
  rules: ConfigRules,
  opts: { comments?: CommentStyle; maxHits?: number } = {},
): IndicatorHit[] {
  const maxHits = opts.maxHits ?? DEFAULT_MAX_HITS;
  const hits: IndicatorHit[] = [];
  for (const { line, text: s } of logicalLines(text, opts.comments ?? 'none')) {
    for (const ind of rules.indicators) {
      ind.regex.lastIndex = 0;
      const m = ind.regex.exec(s);
      if (!m) continue;
      hits.push({ rule: ind.id, line, excerpt: excerptAround(s, m.index) });
      if (hits.length >= maxHits) return hits;
    }
  }
  return hits;
}
