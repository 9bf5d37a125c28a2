/**
 * The facts one analyzer left in each layer, with where each sits in the image: the layer index
 * and, when a later layer deleted or replaced the path, that layer. Image checks read facts this
 * way so a file that was shipped and then deleted is still seen.
 */
import type { ImageFacts } from '../../facts/types.js';
import type { Fact } from '../types.js';

export interface PlacedFact<T extends Fact> {
  fact: T;
  layer: number;
  removedIn?: number;
}

export function placedFacts<T extends Fact>(
  facts: ImageFacts,
  analyzer: string,
  accept: (f: Fact) => f is T,
): PlacedFact<T>[] {
  const removed = new Map<string, number>();
  for (const f of facts.history) {
    if (f.removedIn !== undefined) removed.set(`${f.layer}\0${f.path}`, f.removedIn);
  }
  const out: PlacedFact<T>[] = [];
  facts.layers.forEach((layer, index) => {
    for (const fact of layer.facts[analyzer] ?? []) {
      if (!accept(fact)) continue;
      const path = typeof fact.path === 'string' ? fact.path : '';
      const removedIn = removed.get(`${index}\0${path}`);
      out.push(removedIn === undefined ? { fact, layer: index } : { fact, layer: index, removedIn });
    }
  });
  return out;
}

/** Whether the image runs on Windows (its Windows files are then expected). */
export function isWindowsImage(platform: string, configOs: string | undefined): boolean {
  return platform.toLowerCase().startsWith('windows') || configOs?.toLowerCase() === 'windows';
}
