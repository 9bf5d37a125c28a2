/**
 * Installed gems, one per gemspec in a RubyGems `specifications/` directory (system Ruby,
 * `GEM_HOME`s, bundler's `vendor/bundle/ruby/<v>/specifications/`), including the default gems
 * in `specifications/default/`. Gemspecs elsewhere (a gem's own source tree) are not installs.
 */
import type { Analyzer } from '../../types.js';
import { catalogFile } from '../lang-common.js';
import { parseGemspec } from './gemspec.js';

/** Generated gemspecs list every file of the gem; the largest reach a few hundred KiB. */
const MAX_GEMSPEC_BYTES = 4 * 1024 * 1024;

export function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith('.gemspec')) return false;
  const segs = path.split('/');
  const parent = segs[segs.length - 2];
  return parent === 'specifications' || (parent === 'default' && segs[segs.length - 3] === 'specifications');
}

export const rubyGemspecAnalyzer: Analyzer = {
  name: 'ruby-gemspec',
  version: 1,
  wants(header) {
    return header.type === 'file' && isInstalledGemspec(header.path)
      ? { mode: 'buffer', maxBytes: MAX_GEMSPEC_BYTES }
      : false;
  },
  analyze(file, ctx) {
    // name and version come first; a gemspec cut short still names its gem.
    return catalogFile(file, ctx, { what: 'gemspec', headOnly: true }, (content, path) => [
      parseGemspec(content, path),
    ]);
  },
};
