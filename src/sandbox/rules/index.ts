/**
 * Judges what a sandboxed container did: every behaviour rule (rules/behavior/*.yaml) against
 * the observations, the fake internet's log and the image's file list. Pure: the same input
 * always gives the same findings, most severe first.
 */
import type { BehaviorFinding, BehaviorInput, BehaviorSeverity } from '../types.js';
import { makeCtx } from './context.js';
import { runDetector } from './detectors.js';
import { behaviorRules, type BehaviorRuleSet, type CompiledRule } from './load.js';
import { matchConnect, matchFile, matchNetwork, matchProcess } from './match.js';

export { behaviorRules, compileBehaviorRules, type BehaviorRuleSet, type CompiledRule } from './load.js';

export interface JudgeOptions {
  /** Rules to use instead of the shipped ones (tests). */
  rules?: BehaviorRuleSet;
  /** The container's CPU limit in percent of one core; the sandbox default is one core. */
  cpuLimitPercent?: number;
}

const MAX_PER_RULE = 10;
const RANK: Record<BehaviorSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Evidence strings for one rule (empty when it does not fire). */
export function evaluateRule(rule: CompiledRule, input: BehaviorInput, options: JudgeOptions = {}): string[] {
  return evaluate(rule, makeCtx(input), options);
}

function evaluate(rule: CompiledRule, ctx: ReturnType<typeof makeCtx>, options: JudgeOptions): string[] {
  if (rule.process) return matchProcess(rule.process, ctx);
  if (rule.file) return matchFile(rule.file, ctx);
  if (rule.connect) return matchConnect(rule.connect, ctx);
  if (rule.network) return matchNetwork(rule.network, ctx);
  if (rule.detector) {
    return runDetector(rule.detector.name, ctx, rule.detector.params, {
      cpuLimitPercent: options.cpuLimitPercent ?? 100,
    });
  }
  return [];
}

export function judgeBehavior(input: BehaviorInput, options: JudgeOptions = {}): BehaviorFinding[] {
  const rules = options.rules ?? behaviorRules();
  const ctx = makeCtx(input);
  const findings: BehaviorFinding[] = [];
  for (const rule of rules.rules) {
    const seen = new Set<string>();
    for (const ev of evaluate(rule, ctx, options)) {
      if (seen.has(ev) || seen.size >= MAX_PER_RULE) continue;
      seen.add(ev);
      findings.push({ category: rule.category, rule: rule.id, severity: rule.severity, evidence: ev });
    }
  }
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
