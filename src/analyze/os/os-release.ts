/**
 * os-release (freedesktop.org format): which distribution and release the image is built on.
 * Later catalogers and vulnerability matching key on this.
 */
import type { Analyzer, Fact, FileInput } from '../types.js';

export const OS_RELEASE_PATHS = new Set(['etc/os-release', 'usr/lib/os-release']);

export interface OsReleaseFact extends Fact {
  kind: 'os-release';
  path: string;
  id: string;
  versionId: string | null;
  versionCodename: string | null;
  prettyName: string | null;
  idLike: string[];
}

/** KEY=value lines; values may be quoted with ' or " and use backslash escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Z0-9_]+$/.test(key)) continue;
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\`$])/g, '$1');
    }
    out[key] = value;
  }
  return out;
}

export const osReleaseAnalyzer: Analyzer = {
  name: 'os-release',
  version: 1,
  wants(header) {
    // usr/lib/os-release is often what etc/os-release links to; the link itself carries nothing.
    return header.type === 'file' && OS_RELEASE_PATHS.has(header.path)
      ? { mode: 'buffer', maxBytes: 64 * 1024 }
      : false;
  },
  analyze(file: FileInput): Fact[] {
    const kv = parseOsRelease(file.content.toString('utf8'));
    if (!kv.ID && !kv.NAME) return [];
    const fact: OsReleaseFact = {
      kind: 'os-release',
      path: file.header.path,
      id: (kv.ID ?? kv.NAME ?? '').toLowerCase(),
      versionId: kv.VERSION_ID ?? null,
      versionCodename: kv.VERSION_CODENAME ?? null,
      prettyName: kv.PRETTY_NAME ?? kv.NAME ?? null,
      idLike: (kv.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    };
    return [fact];
  },
};
