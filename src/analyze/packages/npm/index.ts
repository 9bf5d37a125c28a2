import type { Analyzer } from '../../types.js';
import { npmInstalledAnalyzer } from './installed.js';
import { npmLockfileAnalyzer } from './lockfile.js';

/** npm's catalogers: installed packages and app lockfiles (package-lock, yarn, pnpm). */
export const npmCatalogers: Analyzer[] = [npmInstalledAnalyzer, npmLockfileAnalyzer];
