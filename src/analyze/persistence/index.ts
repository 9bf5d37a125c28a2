/**
 * Persistence and backdoor artefacts at rest (categories `persistence` and `backdoor`). The
 * lead wires `persistenceAnalyzers` into the layer pass of `scan` and `persistenceChecks`
 * after the merge.
 */
import type { ImageCheck } from '../findings.js';
import type { Analyzer } from '../types.js';
import { envPreloadCheck, hookTargetCheck, pamModuleCheck, preloadLinkCheck, setuidCheck } from './checks.js';
import { persistenceConfigAnalyzer } from './config-files.js';
import { persistenceLocationAnalyzer } from './locations.js';

export { PERSISTENCE_CONFIG_ANALYZER, checkConfigFile, configKind } from './config-files.js';
export { PERSISTENCE_LOCATIONS_ANALYZER } from './locations.js';
export {
  ENV_PRELOAD_CHECK,
  HOOK_TARGET_CHECK,
  PAM_MODULE_CHECK,
  PRELOAD_LINK_CHECK,
  SUID_CHECK,
  envPreloadFindings,
  hookTargetFindings,
  pamModuleFindings,
  preloadLinkFindings,
  setuidFindings,
} from './checks.js';

export const persistenceAnalyzers: Analyzer[] = [persistenceConfigAnalyzer, persistenceLocationAnalyzer];
export const persistenceChecks: ImageCheck[] = [
  envPreloadCheck,
  preloadLinkCheck,
  setuidCheck,
  pamModuleCheck,
  hookTargetCheck,
];
