/** The OS detection analyzers, for the analyzer registry; src/analyze/os/detect.ts reads their facts. */
import type { Analyzer } from '../types.js';
import { alpineReleaseAnalyzer } from './alpine-release.js';
import { debianVersionAnalyzer } from './debian-version.js';
import { osReleaseAnalyzer } from './os-release.js';
import { redhatReleaseAnalyzer } from './redhat-release.js';

export const osDetectors: Analyzer[] = [
  osReleaseAnalyzer,
  alpineReleaseAnalyzer,
  redhatReleaseAnalyzer,
  debianVersionAnalyzer,
];
