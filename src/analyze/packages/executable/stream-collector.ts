/**
 * Keeps, from an executable streaming past once, only the byte ranges a cataloger needs:
 *  - the head (the first `headBytes`), from which the format's headers are read;
 *  - the ranges a plan picks once the head is known (a section the headers point at, the
 *    region where a section table will be, ...);
 *  - a window after each occurrence of a marker pattern (Go's build info magic), found by
 *    scanning every chunk, so a marker is caught without any header telling where it is.
 * Bytes are decided on `pattern.length - 1` bytes late, so a marker split across chunks (of
 * any size) still opens its window before its first byte is dropped. What is held is bounded
 * by the head, the plan (which caps itself) and `maxHits` windows. A file whose first bytes are
 * no executable format's magic (a script with an execute bit) is neither kept nor scanned.
 */
import { SparseBytes, type ByteView } from './byte-view.js';
import { parseExecutable, startsLikeExecutable, type ParsedExecutable } from './parse.js';

export interface ByteRange {
  start: number;
  end: number;
}

export interface MarkerCapture {
  pattern: Buffer;
  /** Bytes kept from each occurrence on (the marker included). */
  window: number;
  /** Occurrences after this many are ignored. */
  maxHits: number;
  /** Only occurrences at file offsets that are multiples of this count (Go's magic is 16-aligned). */
  align?: number;
}

export interface CollectorOptions {
  headBytes: number;
  /** Decides, from the parsed head (or undefined: not a known format), which ranges to keep. */
  plan?: (parsed: ParsedExecutable | undefined, size: number) => ByteRange[];
  marker?: MarkerCapture;
}

export interface Collected {
  view: ByteView;
  /** The headers as read from the head alone. */
  head: ParsedExecutable | undefined;
  /** File offsets where the marker starts, ascending. */
  hits: number[];
  bytesSeen: number;
}

/** Where `pattern` lies wholly inside `buf`, at file offsets (`base` + index) that are multiples of `align`. */
function* occurrences(buf: Buffer, pattern: Buffer, base: number, align: number): Generator<number> {
  if (align <= 1) {
    for (let i = buf.indexOf(pattern); i >= 0; i = buf.indexOf(pattern, i + 1)) yield i;
    return;
  }
  // A strided check of the first two bytes is several times faster than indexOf over every byte.
  const first = pattern[0]!;
  const second = pattern[1]!;
  const last = buf.length - pattern.length;
  for (let i = (align - (base % align)) % align; i <= last; i += align) {
    if (
      buf[i] === first &&
      buf[i + 1] === second &&
      buf.compare(pattern, 0, pattern.length, i, i + pattern.length) === 0
    ) {
      yield i;
    }
  }
}

export class ExecutableCollector {
  private readonly bytes: SparseBytes;
  /** Ranges to keep, sorted by start; windows are added as markers are found. */
  private ranges: ByteRange[];
  private planned = false;
  private head: ParsedExecutable | undefined;
  private readonly hits: number[] = [];
  /** Bytes received so far (file offset of the next chunk). */
  private received = 0;
  /** Bytes already decided on (kept or dropped); the rest of what was received is `pending`. */
  private decided = 0;
  private pending: Buffer = Buffer.alloc(0);
  private readonly lag: number;
  private inert = false;

  constructor(
    size: number,
    private readonly opts: CollectorOptions,
  ) {
    this.bytes = new SparseBytes(size);
    this.ranges = [{ start: 0, end: opts.headBytes }];
    this.lag = opts.marker ? opts.marker.pattern.length - 1 : 0;
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0 || this.inert) return;
    if (this.received === 0 && !startsLikeExecutable(chunk)) {
      // A script or data file with an execute bit: nothing in it is worth keeping or scanning.
      this.inert = true;
      this.received = chunk.length;
      return;
    }
    if (this.opts.marker) this.findMarkers(chunk);
    const start = this.received;
    this.received += chunk.length;
    // Decide on all but the last `lag` bytes received, which a marker may still start in.
    if (chunk.length >= this.lag) {
      this.decide(this.decided, this.pending);
      this.decide(start, chunk.subarray(0, chunk.length - this.lag));
      this.pending = Buffer.from(chunk.subarray(chunk.length - this.lag));
    } else {
      const both = Buffer.concat([this.pending, chunk]);
      const cut = Math.max(0, both.length - this.lag);
      this.decide(this.decided, both.subarray(0, cut));
      this.pending = Buffer.from(both.subarray(cut));
    }
    this.decided = this.received - this.pending.length;
  }

  finish(): Collected {
    if (this.inert) return { view: new SparseBytes(0), head: undefined, hits: [], bytesSeen: this.received };
    this.decide(this.decided, this.pending);
    this.pending = Buffer.alloc(0);
    this.decided = this.received;
    if (!this.planned) this.makePlan();
    // A file shorter than it said: reads beyond what arrived must fail, not read zeros.
    this.bytes.size = Math.min(this.bytes.size, this.received);
    return { view: this.bytes, head: this.head, hits: this.hits, bytesSeen: this.received };
  }

  private findMarkers(chunk: Buffer): void {
    const { pattern, window, maxHits, align = 1 } = this.opts.marker!;
    const base = this.received;
    const record = (at: number) => {
      if (this.hits.length >= maxHits) return;
      this.hits.push(at);
      this.addRange({ start: at, end: at + window });
    };
    // A marker split between the held-back bytes and this chunk.
    if (this.pending.length > 0) {
      const seam = Buffer.concat([this.pending, chunk.subarray(0, pattern.length - 1)]);
      const seamBase = base - this.pending.length;
      for (const i of occurrences(seam, pattern, seamBase, align))
        if (i < this.pending.length) record(seamBase + i);
    }
    for (const i of occurrences(chunk, pattern, base, align)) {
      if (this.hits.length >= maxHits) break;
      record(base + i);
    }
  }

  private addRange(range: ByteRange): void {
    const end = Math.min(range.end, this.bytes.size);
    if (end <= range.start) return;
    this.ranges.push({ start: range.start, end });
    this.ranges.sort((a, b) => a.start - b.start);
  }

  /** Decides on `bytes` (found at `offset`); the plan is made the moment the head is whole. */
  private decide(offset: number, bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.planned || offset + bytes.length < this.opts.headBytes) {
      this.keep(offset, bytes);
      return;
    }
    const cut = Math.max(0, this.opts.headBytes - offset);
    this.keep(offset, bytes.subarray(0, cut));
    this.makePlan();
    this.keep(offset + cut, bytes.subarray(cut));
  }

  /** Keeps the parts of `bytes` (found at `offset`) that some range wants. */
  private keep(offset: number, bytes: Buffer): void {
    if (bytes.length === 0) return;
    const end = offset + bytes.length;
    let cursor = offset;
    for (const r of this.ranges) {
      if (r.end <= cursor) continue;
      if (r.start >= end) break;
      const from = Math.max(cursor, r.start);
      const to = Math.min(end, r.end);
      if (to > from) this.bytes.append(from, bytes.subarray(from - offset, to - offset));
      cursor = Math.max(cursor, to);
      if (cursor >= end) break;
    }
  }

  private makePlan(): void {
    this.planned = true;
    // An ELF names its sections at the end: plans go by the headers and program headers.
    this.head = parseExecutable(this.bytes, false);
    if (!this.opts.plan) return;
    for (const r of this.opts.plan(this.head, this.bytes.size)) this.addRange(r);
  }
}
