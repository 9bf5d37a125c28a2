/**
 * Binary classification (`binaries[]` of the report) and the Windows-in-Linux check. The lead
 * wires `binaryAnalyzers` into the layer pass of `scan` and `binaryImageChecks` after the merge.
 */
import type { ImageCheck } from '../findings.js';
import type { Analyzer } from '../types.js';
import { binaryClassifier } from './analyzer.js';
import { windowsFilesCheck } from './windows-check.js';

export { BINARIES_ANALYZER, classifyFile, openBinarySink } from './analyzer.js';
export { rankWindowsFile, windowsFilesFindings, WINDOWS_CHECK } from './windows-check.js';
export { placedFacts } from './layer-facts.js';

export const binaryAnalyzers: Analyzer[] = [binaryClassifier];
export const binaryImageChecks: ImageCheck[] = [windowsFilesCheck];
