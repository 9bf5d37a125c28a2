/**
 * The image config and history audit (`misconfigurations[]`): the `config` image check, and
 * the `script-indicators` layer analyzer that summarises every script so the check can look
 * into the ones the Entrypoint/Cmd runs. Patterns and lists: rules/config/config.yaml.
 */
import type { ImageCheck } from '../findings.js';
import type { Analyzer } from '../types.js';
import { configCheck } from './audit.js';
import { scriptIndicatorsAnalyzer } from './script-indicators.js';

export { auditConfig, configCheck, CONFIG_CHECK } from './audit.js';
export { historyLayerIndex, instructions, layerForHistory } from './history.js';
export type { Instruction } from './history.js';
export { findIndicators, redact } from './indicators.js';
export type { IndicatorHit } from './indicators.js';
export { resolveCommand, resolveInTree, factsOfFile } from './resolve.js';
export { compileConfigRules, configRules, CONFIG_FINDINGS } from './rules.js';
export type { ConfigFinding, ConfigRules } from './rules.js';
export {
  scriptIndicatorsAnalyzer,
  shebangLanguage,
  SCRIPT_INDICATORS_ANALYZER,
  MAX_SCRIPT_BYTES,
} from './script-indicators.js';
export type { ScriptIndicatorsFact, ScriptLanguage } from './script-indicators.js';

export const configChecks: ImageCheck[] = [configCheck];
export const configAnalyzers: Analyzer[] = [scriptIndicatorsAnalyzer];
