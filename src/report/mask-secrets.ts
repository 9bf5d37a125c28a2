/**
 * Secrets inside text that reports repeat as the image states it: a layer's `created_by`, the
 * history, Env, Labels and the command line in `inspect`. A scan that masks a token in its
 * `secrets[]` finding must not print it whole a few lines further down. Masked: every value the
 * secret rules find, and every value assigned to a secret-like name (`TOKEN=…`, `--password …`
 * is left to the rules), the way findings mask them.
 */
import { isSecretAssignment } from '../analyze/secrets/image-check.js';
import { maskSecret } from '../analyze/secrets/mask.js';
import { secretRules, type SecretRuleSet } from '../analyze/secrets/rules.js';
import { scanText } from '../analyze/secrets/scan-text.js';

/** Text longer than this is masked by the rules on its first part only (history lines are short). */
const MAX_TEXT = 256 * 1024;
/** Rule matches masked per text (every assignment is masked whatever their number). */
const MAX_VALUES = 256;
const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_.-]{0,127})\s{0,4}[=:]\s{0,4}(["']?)([^\s"';&|`]{4,4096})\2/g;

export function maskSecretsIn(text: string, set: SecretRuleSet = secretRules()): string {
  if (text.length === 0) return text;
  // Values assigned to secret-like names, each in place: one linear pass, however many there are.
  const assigned = text.replace(ASSIGNMENT, (whole: string, name: string, _q: string, value: string) =>
    isSecretAssignment(name, value, set) ? whole.replace(value, maskSecret(value)) : whole,
  );
  const values = new Set<string>();
  for (const m of scanText(assigned.slice(0, MAX_TEXT), set, { path: null, maxMatches: MAX_VALUES }))
    values.add(m.secret);
  if (values.size === 0) return assigned;
  // Then what the rules found, everywhere it occurs, longest first (a value that holds another is
  // masked whole), in one pass.
  const alternation = [...values]
    .sort((a, b) => b.length - a.length)
    .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|');
  return assigned.replace(new RegExp(alternation, 'g'), (v) => maskSecret(v));
}

/** `maskSecretsIn` over a nullable string. */
export function maskedOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : maskSecretsIn(text);
}
