import { osDetectors } from './os/index.js';
import { binaryCatalogers } from './packages/binary-catalogers.js';
import { langCatalogers } from './packages/lang-catalogers.js';
import { osCatalogers } from './packages/os-catalogers.js';
import type { Analyzer } from './types.js';

/** Every analyzer that runs by default; the engine never names one itself. */
export function defaultAnalyzers(): Analyzer[] {
  return [...osDetectors, ...osCatalogers, ...langCatalogers, ...binaryCatalogers];
}
