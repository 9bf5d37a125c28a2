/**
 * The warnings of one layer. Capped: a hostile layer with a million odd entries must not turn
 * into a million cached strings. Each is made printable on one line, since they quote names
 * and analyzer messages taken from the layer.
 */
import { printable } from '../errors.js';

export const MAX_WARNINGS = 1000;
const MAX_WARNING_LENGTH = 500;

export class Warnings {
  private readonly kept: string[] = [];
  private dropped = 0;

  add(message: string): void {
    if (this.kept.length < MAX_WARNINGS) this.kept.push(printable(message, MAX_WARNING_LENGTH));
    else this.dropped++;
  }

  list(): string[] {
    return this.dropped === 0 ? [...this.kept] : [...this.kept, `... and ${this.dropped} more warnings`];
  }
}
