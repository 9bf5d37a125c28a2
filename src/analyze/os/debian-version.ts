/**
 * `etc/debian_version` (base-files): the point release (`12.4`), or `codename/sid` on testing
 * and unstable (and on Ubuntu, which ships it too). The OS detector falls back to it when an
 * image has no os-release.
 */
import type { Analyzer, Fact, FileInput } from '../types.js';

export const DEBIAN_VERSION_ANALYZER = 'debian-version';
export const DEBIAN_VERSION_PATH = 'etc/debian_version';

export interface DebianVersionFact extends Fact {
  kind: 'debian-version';
  path: string;
  /** The file's first line, as written. */
  value: string;
}

const VALUE = /^[0-9A-Za-z][0-9A-Za-z._+~/-]{0,63}$/;

export function parseDebianVersion(text: string): string | null {
  const first = (text.split('\n', 1)[0] ?? '').trim();
  return VALUE.test(first) ? first : null;
}

export const debianVersionAnalyzer: Analyzer = {
  name: DEBIAN_VERSION_ANALYZER,
  version: 1,
  wants(header) {
    return header.type === 'file' && header.path === DEBIAN_VERSION_PATH
      ? { mode: 'buffer', maxBytes: 4096 }
      : false;
  },
  analyze(file: FileInput, ctx): Fact[] {
    const value = parseDebianVersion(file.content.toString('utf8'));
    if (!value) {
      ctx.warn(file.header.path, 'does not hold a Debian version');
      return [];
    }
    const fact: DebianVersionFact = { kind: 'debian-version', path: file.header.path, value };
    return [fact];
  },
};
