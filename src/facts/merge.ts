/**
 * Merges layer facts into the image view, with the semantics of an overlay filesystem: a
 * whiteout removes a path and everything below it, an opaque directory hides lower content,
 * a later entry replaces an earlier one (and a non-directory replacing a directory removes its
 * subtree). Nothing is forgotten: every file placed by any layer stays in `history`, marked with
 * the layer that removed or replaced it.
 */
import type { ImageFacts, LayerFacts, PlacedFile } from './types.js';

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

class Tree {
  readonly files = new Map<string, PlacedFile>();
  private readonly children = new Map<string, Set<string>>();

  set(f: PlacedFile): void {
    this.files.set(f.path, f);
    // Layers need not list parent directories, so link every implicit ancestor too.
    let child = f.path;
    while (child !== '') {
      const parent = parentOf(child);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      if (set.has(child)) break;
      set.add(child);
      child = parent;
    }
  }

  /** Removes `path` (if present) and its whole subtree, marking each removed file. */
  remove(path: string, layer: number): void {
    const f = this.files.get(path);
    if (f) {
      f.removedIn = layer;
      this.files.delete(path);
      this.children.get(parentOf(path))?.delete(path);
    }
    this.removeChildren(path, layer);
  }

  removeChildren(dir: string, layer: number): void {
    const kids = this.children.get(dir);
    if (!kids) return;
    this.children.delete(dir);
    for (const k of kids) this.remove(k, layer);
  }
}

export function mergeLayers(layers: LayerFacts[]): ImageFacts {
  const tree = new Tree();
  const history: PlacedFile[] = [];
  layers.forEach((lf, i) => {
    for (const d of lf.opaqueDirs) tree.removeChildren(d, i);
    for (const w of lf.whiteouts) tree.remove(w, i);
    for (const f of lf.files) {
      const prev = tree.files.get(f.path);
      if (prev) {
        if (prev.type === 'dir' && f.type === 'dir') {
          // A directory entry over a directory only updates metadata; its content stays.
          prev.removedIn = i;
          tree.files.delete(f.path);
        } else {
          tree.remove(f.path, i);
        }
      }
      // A path below a lower layer's symlink or file: the layer's own directory hides it, as
      // overlayfs does; nothing is followed through the link.
      let parent = parentOf(f.path);
      while (parent !== '') {
        const p = tree.files.get(parent);
        if (p && p.type !== 'dir' && p.layer < i) tree.remove(parent, i);
        parent = parentOf(parent);
      }
      const placed: PlacedFile = { ...f, layer: i };
      tree.set(placed);
      history.push(placed);
    }
  });
  return { tree: tree.files, history, layers };
}
