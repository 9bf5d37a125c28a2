/**
 * The secret rules and the allow-list, loaded from rules/secrets/*.yaml and validated once, at
 * first use: a malformed or unbounded rule stops start-up with a message naming it, rather
 * than silently never matching.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod/v3';
import type { ThreatSeverity } from '../findings.js';
import { compileBounded } from './regex-guard.js';

const SEVERITY = z.enum(['critical', 'high', 'medium', 'low']);
export const VALIDATORS = [
  'jwt',
  'docker-auth',
  'assignment',
  'base64-private-key',
  'azure-sas',
  'url-credentials',
  'command-password',
  'password',
] as const;
export type ValidatorName = (typeof VALIDATORS)[number];

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
    description: z.string().min(1),
    severity: SEVERITY,
    regex: z.string().min(1).max(4000),
    flags: z.enum(['', 'i']).default(''),
    keywords: z.array(z.string().min(1)).max(32).optional(),
    minEntropy: z.number().min(0).max(8).optional(),
    minLength: z.number().int().min(1).optional(),
    needsDigit: z.boolean().optional(),
    context: z.string().min(1).optional(),
    nativeScreen: z.string().min(1).max(1000).optional(),
    paths: z.string().min(1).optional(),
    notPaths: z.string().min(1).optional(),
    validate: z.enum(VALIDATORS).optional(),
    escalate: z.array(z.object({ path: z.string().min(1), severity: SEVERITY }).strict()).optional(),
    allow: z.array(z.string().min(1)).optional(),
    keepSequences: z.boolean().optional(),
  })
  .strict();

const rulesFileSchema = z.object({ rules: z.array(ruleSchema).min(1) }).strict();

const allowFileSchema = z
  .object({
    values: z.array(z.string().min(1)),
    valuePatterns: z.array(z.string().min(1)),
    sequencePatterns: z.array(z.string().min(1)).default([]),
    paths: z.array(z.string().min(1)),
  })
  .strict();

export interface SecretRule {
  id: string;
  description: string;
  severity: ThreatSeverity;
  regex: RegExp;
  caseInsensitive: boolean;
  /** Lower-cased when `caseInsensitive`; found by the rule set's one-pass `prefilter`. */
  keywords: string[];
  /**
   * A YARA-X regular expression every match of `regex` contains (case-insensitive with the rule),
   * which the native keyword screen looks for instead of the keywords (keyword-screen.ts).
   */
  nativeScreen: string | null;
  minEntropy: number;
  minLength: number;
  needsDigit: boolean;
  context: RegExp | null;
  paths: RegExp | null;
  /** The rule does not apply at matching file paths (it still runs on config and history). */
  notPaths: RegExp | null;
  validate: ValidatorName | null;
  escalate: { path: RegExp; severity: ThreatSeverity }[];
  allow: RegExp[];
  /**
   * The allow-list's `sequencePatterns` (`1234567890`) do not apply: a fixed-format id (AWS key
   * id) whose test values other scanners and evaluators report is reported too.
   */
  keepSequences: boolean;
}

export interface SecretAllowList {
  values: Set<string>;
  valuePatterns: RegExp[];
  /** Runs (`0123456789`, `abcdefghij`): dummy values for every rule but `keepSequences` ones. */
  sequencePatterns: RegExp[];
  paths: RegExp[];
}

export interface SecretRuleSet {
  rules: SecretRule[];
  allow: SecretAllowList;
  /**
   * Every keyword of every rule in one global pattern (case-insensitive ones spelled as
   * `[Kk][Ee][Yy]`): one pass over a file tells which rules can match at all, where a search per
   * keyword would read the file dozens of times.
   */
  prefilter: RegExp | null;
  /** `prefilter`, sticky: does a keyword start exactly here. */
  prefilterAt: RegExp | null;
  /**
   * Every keyword lower-cased, matched case-insensitively: a cheaper pattern (no character
   * classes) that matches wherever `prefilter` does, and at a few more places.
   */
  screen: RegExp | null;
}

function parseYaml(text: string, label: string): unknown {
  try {
    return parse(text, { maxAliasCount: 0 });
  } catch (err) {
    throw new Error(`${label}: not valid YAML: ${(err as Error).message}`);
  }
}

function zodProblem(label: string, err: z.ZodError): Error {
  const first = err.issues[0]!;
  return new Error(`${label}: ${first.path.join('.')}: ${first.message}`);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function keywordPattern(keyword: string, caseInsensitive: boolean): string {
  if (!caseInsensitive) return escapeRegex(keyword);
  return Array.from(keyword.toLowerCase(), (c) =>
    c.toUpperCase() !== c ? `[${c.toUpperCase()}${c}]` : escapeRegex(c),
  ).join('');
}

function buildPrefilter(
  rules: readonly SecretRule[],
): Pick<SecretRuleSet, 'prefilter' | 'prefilterAt' | 'screen'> {
  const parts = new Map<string, number>();
  const lower = new Set<string>();
  for (const r of rules) {
    for (const k of r.keywords) {
      parts.set(keywordPattern(k, r.caseInsensitive), k.length);
      lower.add(escapeRegex(k.toLowerCase()));
    }
  }
  if (parts.size === 0) return { prefilter: null, prefilterAt: null, screen: null };
  // Longest keyword first (not longest pattern: a case-insensitive one is written longer), so a
  // keyword that extends another is the one reported.
  const source = [...parts]
    .sort((x, y) => y[1] - x[1])
    .map(([pattern]) => pattern)
    .join('|');
  return {
    prefilter: new RegExp(source, 'g'),
    prefilterAt: new RegExp(source, 'y'),
    screen: new RegExp([...lower].join('|'), 'gi'),
  };
}

/** Validates and compiles rule and allow-list documents (already read, YAML text). */
export function compileSecretRules(rulesText: string, allowText: string): SecretRuleSet {
  const parsedRules = rulesFileSchema.safeParse(parseYaml(rulesText, 'secret rules'));
  if (!parsedRules.success) throw zodProblem('secret rules', parsedRules.error);
  const parsedAllow = allowFileSchema.safeParse(parseYaml(allowText, 'secret allow-list'));
  if (!parsedAllow.success) throw zodProblem('secret allow-list', parsedAllow.error);

  const seen = new Set<string>();
  const rules = parsedRules.data.rules.map((r): SecretRule => {
    if (seen.has(r.id)) throw new Error(`secret rules: duplicate id ${r.id}`);
    seen.add(r.id);
    const label = `secret rule ${r.id}`;
    const ci = r.flags === 'i';
    return {
      id: r.id,
      description: r.description,
      severity: r.severity,
      // d: the secret's own offsets (line numbers, overlaps); g: every match in a file.
      regex: compileBounded(r.regex, `dg${r.flags}`, label),
      caseInsensitive: ci,
      keywords: (r.keywords ?? []).map((k) => (ci ? k.toLowerCase() : k)),
      nativeScreen: r.nativeScreen ?? null,
      minEntropy: r.minEntropy ?? 0,
      minLength: r.minLength ?? 1,
      needsDigit: r.needsDigit ?? false,
      context: r.context ? compileBounded(r.context, '', `${label} context`) : null,
      paths: r.paths ? compileBounded(r.paths, '', `${label} paths`) : null,
      notPaths: r.notPaths ? compileBounded(r.notPaths, '', `${label} notPaths`) : null,
      validate: r.validate ?? null,
      escalate: (r.escalate ?? []).map((e) => ({
        path: compileBounded(e.path, '', `${label} escalate`),
        severity: e.severity,
      })),
      allow: (r.allow ?? []).map((a) => compileBounded(a, 'i', `${label} allow`)),
      keepSequences: r.keepSequences ?? false,
    };
  });
  const a = parsedAllow.data;
  return {
    rules,
    ...buildPrefilter(rules),
    allow: {
      values: new Set(a.values),
      valuePatterns: a.valuePatterns.map((p) => compileBounded(p, 'i', 'secret allow-list value pattern')),
      sequencePatterns: a.sequencePatterns.map((p) =>
        compileBounded(p, 'i', 'secret allow-list sequence pattern'),
      ),
      paths: a.paths.map((p) => compileBounded(p, '', 'secret allow-list path')),
    },
  };
}

let loaded: SecretRuleSet | null = null;

/** The shipped rules (rules/secrets/), read and compiled once. */
export function secretRules(): SecretRuleSet {
  loaded ??= compileSecretRules(
    readFileSync(new URL('../../../rules/secrets/rules.yaml', import.meta.url), 'utf8'),
    readFileSync(new URL('../../../rules/secrets/allowlist.yaml', import.meta.url), 'utf8'),
  );
  return loaded;
}
