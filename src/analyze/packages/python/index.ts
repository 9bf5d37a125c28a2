import type { Analyzer } from '../../types.js';
import { condaMetaAnalyzer } from './conda-meta.js';
import { pythonPackagesAnalyzer } from './installed.js';

/** Python's catalogers: installed distributions' metadata, and conda environments' records. */
export const pythonCatalogers: Analyzer[] = [pythonPackagesAnalyzer, condaMetaAnalyzer];
