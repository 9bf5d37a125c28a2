/**
 * The language package catalogers of npm, Python (and conda), Ruby, PHP and .NET, for the
 * analyzer registry. Each is one layer analyzer emitting PackageFacts (see lang-common.ts for
 * what they share).
 */
import type { Analyzer } from '../types.js';
import { dotnetDepsAnalyzer } from './dotnet/deps-json.js';
import { npmCatalogers } from './npm/index.js';
import { composerInstalledAnalyzer } from './php/composer-installed.js';
import { pythonCatalogers } from './python/index.js';
import { rubyGemspecAnalyzer } from './ruby/installed.js';

export const langCatalogers: Analyzer[] = [
  ...npmCatalogers,
  ...pythonCatalogers,
  rubyGemspecAnalyzer,
  composerInstalledAnalyzer,
  dotnetDepsAnalyzer,
];
