/**
 * Secret detection: the `secrets` layer analyzer (credentials in text files) and the
 * `secrets-config` image check (credentials in ENV, labels, build arguments and history).
 * Rules and the allow-list are data: rules/secrets/rules.yaml and allowlist.yaml.
 */
import type { Analyzer } from '../types.js';
import { secretsAnalyzer } from './analyzer.js';

export { secretsAnalyzer, looksLikeText, SECRETS_ANALYZER, MAX_SECRET_SCAN_BYTES } from './analyzer.js';
export { secretImageChecks, secretConfigCheck, configSecrets, SECRETS_CONFIG_CHECK } from './image-check.js';
export { maskSecret, shannonEntropy } from './mask.js';
export { secretRules, compileSecretRules } from './rules.js';
export type { SecretRule, SecretRuleSet } from './rules.js';
export { scanText } from './scan-text.js';

export const secretAnalyzers: Analyzer[] = [secretsAnalyzer];
