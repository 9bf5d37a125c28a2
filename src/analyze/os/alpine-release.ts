/**
 * `etc/alpine-release` (alpine-baselayout): the release as one line, `3.19.1`. The OS detector
 * falls back to it when an image has no os-release.
 */
import type { Analyzer, Fact, FileInput } from '../types.js';

export const ALPINE_RELEASE_ANALYZER = 'alpine-release';
export const ALPINE_RELEASE_PATH = 'etc/alpine-release';

export interface AlpineReleaseFact extends Fact {
  kind: 'alpine-release';
  path: string;
  version: string;
}

const VERSION = /^[0-9][0-9A-Za-z._+~-]{0,63}$/;

/** The release on the first line, or null when it does not look like one. */
export function parseAlpineRelease(text: string): string | null {
  const first = (text.split('\n', 1)[0] ?? '').trim();
  return VERSION.test(first) ? first : null;
}

export const alpineReleaseAnalyzer: Analyzer = {
  name: ALPINE_RELEASE_ANALYZER,
  version: 1,
  wants(header) {
    return header.type === 'file' && header.path === ALPINE_RELEASE_PATH
      ? { mode: 'buffer', maxBytes: 4096 }
      : false;
  },
  analyze(file: FileInput, ctx): Fact[] {
    const version = parseAlpineRelease(file.content.toString('utf8'));
    if (!version) {
      ctx.warn(file.header.path, 'does not hold a release number');
      return [];
    }
    const fact: AlpineReleaseFact = { kind: 'alpine-release', path: file.header.path, version };
    return [fact];
  },
};
