import type { ImageFacts } from '../../facts/types.js';
import type { OsReleaseFact } from './os-release.js';

export interface DetectedOs {
  family: string;
  version: string | null;
  name: string | null;
}

/**
 * The OS of the running image: the os-release of the highest layer whose file is still in the
 * final tree (etc/os-release preferred over usr/lib/os-release, as systemd reads them).
 */
export function detectOs(image: ImageFacts): DetectedOs | null {
  for (const wanted of ['etc/os-release', 'usr/lib/os-release']) {
    for (let i = image.layers.length - 1; i >= 0; i--) {
      const facts = (image.layers[i]!.facts['os-release'] ?? []) as OsReleaseFact[];
      const f = facts.find((x) => x.path === wanted);
      if (!f) continue;
      if (image.tree.get(wanted)?.layer !== i) break;
      return { family: f.id, version: f.versionId, name: f.prettyName };
    }
  }
  // etc/os-release is usually a symlink to ../usr/lib/os-release; the target file carried the facts.
  return null;
}
