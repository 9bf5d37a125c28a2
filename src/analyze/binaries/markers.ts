/**
 * Finds which of a few short byte strings occur anywhere in a file streaming past, with no
 * more memory than the longest pattern: each chunk is searched, and so is the seam between the
 * last chunk's tail and this chunk's head. A pattern once found is not searched for again.
 */

/**
 * Buffer.indexOf looks for patterns shorter than 8 bytes by scanning for their first byte, and
 * for longer ones with Boyer-Moore once that first byte proves common, which over executables
 * (full of `_` and `l`) was five times slower (measured over Debian minbase's ELF files: 24 and
 * 31 ms for `libhostfxr` and `_MEIPASS`, 5 ms for their last 7 bytes). So a longer pattern is
 * looked for by its last PROBE_BYTES bytes, and each place they occur is checked for the rest.
 */
const PROBE_BYTES = 7;

interface Pattern {
  id: string;
  bytes: Buffer;
  /** The pattern's tail that is searched for, and where it starts in the pattern. */
  probe: Buffer;
  probeAt: number;
}

export class StreamMarkers {
  private readonly open: Pattern[];
  private readonly seen = new Set<string>();
  private tail: Buffer = Buffer.alloc(0);
  private readonly keep: number;

  constructor(patterns: Record<string, string>) {
    this.open = Object.entries(patterns).map(([id, s]) => {
      const bytes = Buffer.from(s, 'latin1');
      const probeAt = Math.max(0, bytes.length - PROBE_BYTES);
      return { id, bytes, probe: bytes.subarray(probeAt), probeAt };
    });
    this.keep = Math.max(0, ...this.open.map((p) => p.bytes.length - 1));
  }

  write(chunk: Buffer): void {
    if (this.open.length === 0 || chunk.length === 0) return;
    const seam =
      this.tail.length > 0 ? Buffer.concat([this.tail, chunk.subarray(0, this.keep)]) : Buffer.alloc(0);
    for (let i = this.open.length - 1; i >= 0; i--) {
      const p = this.open[i]!;
      if (contains(chunk, p) || (seam.length > 0 && contains(seam, p))) {
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

/** Whether `p.bytes` occurs in `data` (the same answer as data.includes(p.bytes)). */
function contains(data: Buffer, p: Pattern): boolean {
  if (p.probeAt === 0) return data.includes(p.bytes);
  for (let from = p.probeAt; ;) {
    const at = data.indexOf(p.probe, from);
    if (at < 0) return false;
    const start = at - p.probeAt;
    if (data.compare(p.bytes, 0, p.probeAt, start, at) === 0) return true;
    from = at + 1;
  }
}
