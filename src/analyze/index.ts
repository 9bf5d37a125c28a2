import { osReleaseAnalyzer } from './os/os-release.js';
import type { Analyzer } from './types.js';

/** Every analyzer that runs by default; the engine never names one itself. */
export function defaultAnalyzers(): Analyzer[] {
  return [osReleaseAnalyzer];
}
