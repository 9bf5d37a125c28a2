/**
 * Finds which of a few short byte strings occur anywhere in a file streaming past, with no
 * more memory than the longest pattern: each chunk is searched, and so is the seam between the
 * last chunk's tail and this chunk's head. A pattern once found is not searched for again.
 */

export class StreamMarkers {
  private readonly open: { id: string; bytes: Buffer }[];
  private readonly seen = new Set<string>();
  private tail: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(patterns: Record<string, string>) {
    this.open = Object.entries(patterns).map(([id, s]) => ({ id, bytes: Buffer.from(s, 'latin1') }));
    this.keep = Math.max(0, ...this.open.map((p) => p.bytes.length - 1));
  }

  write(chunk: Buffer): void {
    if (this.open.length === 0 || chunk.length === 0) return;
    const seam =
      this.tail.length > 0 ? Buffer.concat([this.tail, chunk.subarray(0, this.keep)]) : Buffer.alloc(0);
    for (let i = this.open.length - 1; i >= 0; i--) {
      const p = this.open[i]!;
      if (chunk.includes(p.bytes) || (seam.length > 0 && seam.includes(p.bytes))) {
        this.seen.add(p.id);
        this.open.splice(i, 1);
      }
    }
    const joined = chunk.length >= this.keep ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.keep)));
  }

  get found(): ReadonlySet<string> {
    return this.seen;
  }
}
