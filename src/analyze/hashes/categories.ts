/**
 * Which malware category a deny-list entry's name says (`XMRig` → miner, `Mimikatz` →
 * hacktool). The mapping is data (rules/hashes/name-categories.json), validated on load: every
 * rule must match its own positive examples and none of its negative ones.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MALWARE_CATEGORIES, type MalwareCategory } from '../findings.js';

const RULES_URL = new URL('../../../rules/hashes/name-categories.json', import.meta.url);

const RuleSchema = z.object({
  id: z.string().min(1),
  category: z.enum(MALWARE_CATEGORIES),
  pattern: z.string().min(1),
  examples: z.object({ match: z.array(z.string()).min(1), noMatch: z.array(z.string()).min(1) }),
});
const FileSchema = z.object({ version: z.literal(1), rules: z.array(RuleSchema).min(1) });

export interface NameCategoryRule {
  id: string;
  category: MalwareCategory;
  regex: RegExp;
  examples: { match: string[]; noMatch: string[] };
}

/** Parses and checks a rules document; throws naming the rule that is wrong. */
export function loadNameCategoryRules(doc: unknown): NameCategoryRule[] {
  const parsed = FileSchema.parse(doc);
  return parsed.rules.map((r) => {
    let regex: RegExp;
    try {
      regex = new RegExp(r.pattern, 'i');
    } catch (e) {
      throw new Error(`name category rule ${r.id}: bad pattern: ${(e as Error).message}`);
    }
    for (const m of r.examples.match)
      if (!regex.test(m)) throw new Error(`name category rule ${r.id} does not match its example ${m}`);
    for (const m of r.examples.noMatch)
      if (regex.test(m)) throw new Error(`name category rule ${r.id} matches its counter-example ${m}`);
    return { id: r.id, category: r.category, regex, examples: r.examples };
  });
}

let rules: NameCategoryRule[] | undefined;

export function nameCategoryRules(): NameCategoryRule[] {
  rules ??= loadNameCategoryRules(JSON.parse(readFileSync(RULES_URL, 'utf8')));
  return rules;
}

/** The category a name says, or `suspicious` when it says none (or there is no name). */
export function categoryForName(
  name: string | null | undefined,
  list = nameCategoryRules(),
): MalwareCategory {
  if (!name) return 'suspicious';
  return list.find((r) => r.regex.test(name))?.category ?? 'suspicious';
}
