/**
 * The limits of one pass over one layer. Each check throws BUDGET_EXCEEDED naming the budget, so
 * a hostile layer (a compression bomb, millions of entries, a stalled stream) costs a bounded
 * amount of work.
 */
import { ShipshapeError } from '../errors.js';
import { quoteName } from './paths.js';
import { DEFAULT_BUDGETS, type LayerBudgets } from './types.js';

export function resolveBudgets(partial: Partial<LayerBudgets> = {}): LayerBudgets {
  const budgets = { ...DEFAULT_BUDGETS };
  for (const key of Object.keys(DEFAULT_BUDGETS) as (keyof LayerBudgets)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new ShipshapeError(
        'BAD_ARGUMENT',
        `layer budget ${key} must be a non-negative number, got ${String(value)}`,
      );
    }
    budgets[key] = value;
  }
  return budgets;
}

export class LayerBudget {
  readonly limits: LayerBudgets;
  private entries = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(limits: LayerBudgets) {
    this.limits = limits;
  }

  /**
   * Calls `onExpired` once `maxSeconds` have passed, from a timer: a stalled stream or a hung
   * analyzer never returns control to a check made between chunks.
   */
  startClock(onExpired: (err: ShipshapeError) => void): void {
    const ms = this.limits.maxSeconds * 1000;
    // setTimeout takes at most 2^31-1 ms (~24.8 days); beyond that there is no limit worth a timer.
    if (ms >= 2 ** 31 - 1) return;
    // Not unref'd: a pass waiting on a stalled stream has nothing else keeping the process alive.
    this.timer = setTimeout(
      () => onExpired(this.exceeded('maxSeconds', `took longer than ${this.limits.maxSeconds} s`)),
      ms,
    );
  }

  stopClock(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  countEntry(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw this.exceeded('maxEntries', `more than ${this.limits.maxEntries} entries`);
    }
  }

  checkPathLength(name: string): void {
    const max = this.limits.maxPathLength;
    // UTF-8 is at most 3 bytes per UTF-16 unit, so short names skip the byte count.
    if (name.length * 3 <= max) return;
    const bytes = Buffer.byteLength(name);
    if (bytes > max) {
      throw this.exceeded(
        'maxPathLength',
        `entry name of ${bytes} bytes (starts ${quoteName(name.slice(0, 80))})`,
      );
    }
  }

  /** Called as uncompressed bytes arrive, with the compressed bytes consumed so far. */
  checkVolume(uncompressed: number, compressed: number): void {
    const { maxUncompressedBytes, maxCompressionRatio, ratioFloorBytes } = this.limits;
    if (uncompressed > maxUncompressedBytes) {
      throw this.exceeded('maxUncompressedBytes', `more than ${maxUncompressedBytes} uncompressed bytes`);
    }
    // Below the floor a high ratio is normal (a few MB of zeros compress 1000:1); above it,
    // it is the shape of a compression bomb.
    if (uncompressed > ratioFloorBytes && uncompressed > compressed * maxCompressionRatio) {
      const ratio = compressed > 0 ? Math.round(uncompressed / compressed) : Infinity;
      throw this.exceeded(
        'maxCompressionRatio',
        `compression ratio ${ratio}:1 after ${uncompressed} bytes is over ${maxCompressionRatio}:1 (a compression bomb?)`,
      );
    }
  }

  private exceeded(budget: keyof LayerBudgets, detail: string): ShipshapeError {
    return new ShipshapeError('BUDGET_EXCEEDED', `budget ${budget} exceeded: ${detail}`);
  }
}
