/**
 * The OS package catalogers (dpkg, apk, rpm), for the analyzer registry. Each reads its
 * package manager's database files one at a time and emits PackageFacts (and, for dpkg,
 * OwnedFilesFacts); src/inventory/ merges them across layers.
 */
import type { Analyzer } from '../types.js';
import { apkAnalyzers } from './apk/index.js';
import { dpkgAnalyzers } from './dpkg/index.js';
import { rpmAnalyzers } from './rpm/index.js';

export const osCatalogers: Analyzer[] = [...dpkgAnalyzers, ...apkAnalyzers, ...rpmAnalyzers];
