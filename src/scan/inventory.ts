import { assembleInventory, type Inventory } from '../inventory/assemble.js';
import type { AnalyzedImage } from './analyze-image.js';

/** The inventory of an analyzed image. */
export function inventoryOf(analyzed: AnalyzedImage): Inventory {
  return assembleInventory(analyzed.facts, analyzed.os);
}
