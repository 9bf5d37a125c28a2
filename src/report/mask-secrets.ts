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
const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_.-]{0,127})\s{0,4}[=:]\s{0,4}(["']?)([^\s"';&|`]{4,4096})\2/g;

export function maskSecretsIn(text: string, set: SecretRuleSet = secretRules()): string {
  if (text.length === 0) return text;
  const values = new Set<string>();
  for (const m of scanText(text.slice(0, MAX_TEXT), set, { path: null })) values.add(m.secret);
  for (const m of text.slice(0, MAX_TEXT).matchAll(ASSIGNMENT)) {
    if (isSecretAssignment(m[1]!, m[3]!, set)) values.add(m[3]!);
  }
  let out = text;
  // Longest first, so a value that holds another is masked whole.
  for (const v of [...values].sort((a, b) => b.length - a.length)) out = out.split(v).join(maskSecret(v));
  return out;
}

/** `maskSecretsIn` over a nullable string. */
export function maskedOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : maskSecretsIn(text);
}
