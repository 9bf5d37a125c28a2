/**
 * Follows the frame structure of a zstd stream (RFC 8878) just far enough to read every frame's
 * window size. fzstd allocates a frame's whole window up front, up to 2 GiB, so before it sees
 * a frame this refuses windows over the limit zstd itself applies by default (128 MiB), which
 * keeps the pure-JS fallback as bounded in memory as zstd-napi.
 */
import { ShipshapeError } from '../errors.js';

/** zstd's ZSTD_WINDOWLOG_LIMIT_DEFAULT: decoders refuse larger windows unless told otherwise. */
export const MAX_ZSTD_WINDOW_BYTES = 2 ** 27;

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

type State =
  | { kind: 'magic' }
  | { kind: 'frame-descriptor' }
  | { kind: 'frame-header'; length: number; descriptor: number }
  | { kind: 'block-header'; checksum: boolean }
  | { kind: 'skippable-size' };

export class ZstdWindowGuard {
  private state: State = { kind: 'magic' };
  /** Header bytes collected across chunks (at most 14). */
  private header: number[] = [];
  /** Bytes to pass over (block content, checksums, skippable frames) before the next header. */
  private skip = 0;
  private afterSkip: State = { kind: 'magic' };

  constructor(private readonly maxWindowBytes = MAX_ZSTD_WINDOW_BYTES) {}

  /** Looks at the next compressed bytes; throws TOO_LARGE for a frame with a window over the limit. */
  check(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - at);
        this.skip -= step;
        at += step;
        if (this.skip === 0) this.state = this.afterSkip;
        continue;
      }
      this.header.push(chunk[at++]!);
      this.advance();
    }
  }

  private advance(): void {
    const bytes = this.header;
    switch (this.state.kind) {
      case 'magic': {
        if (bytes.length < 4) return;
        const magic = readLE(bytes, 0, 4);
        if (magic === FRAME_MAGIC) this.next({ kind: 'frame-descriptor' });
        else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC)
          this.next({ kind: 'skippable-size' });
        // Anything else is fzstd's to refuse as corrupt; stop following.
        else this.skipForever();
        return;
      }
      case 'frame-descriptor': {
        const descriptor = bytes[0]!;
        const singleSegment = (descriptor >> 5) & 1;
        const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
        const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!;
        const length = (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
        this.next({ kind: 'frame-header', length, descriptor });
        return;
      }
      case 'frame-header': {
        if (bytes.length < this.state.length) return;
        const { descriptor } = this.state;
        const singleSegment = (descriptor >> 5) & 1;
        let window: number;
        if (singleSegment) {
          // A single-segment frame's window is its whole content, whose size ends the header.
          const contentSizeBytes = [1, 2, 4, 8][descriptor >> 6]!;
          window =
            readLE(bytes, this.state.length - contentSizeBytes, contentSizeBytes) +
            (contentSizeBytes === 2 ? 256 : 0);
        } else {
          const exponent = bytes[0]! >> 3;
          const base = 2 ** (10 + exponent);
          window = base + (base / 8) * (bytes[0]! & 7);
        }
        if (window > this.maxWindowBytes) {
          throw new ShipshapeError(
            'TOO_LARGE',
            `zstd stream needs a window of ${window} bytes, over the ${this.maxWindowBytes} allowed`,
          );
        }
        this.next({ kind: 'block-header', checksum: ((descriptor >> 2) & 1) === 1 });
        return;
      }
      case 'block-header': {
        if (bytes.length < 3) return;
        const blockHeader = readLE(bytes, 0, 3);
        const last = (blockHeader & 1) === 1;
        const type = (blockHeader >> 1) & 3;
        const size = blockHeader >>> 3;
        // An RLE block stores one byte, repeated `size` times when decoded.
        const content = type === 1 ? 1 : size;
        const checksum = this.state.checksum;
        this.header = [];
        this.skip = content + (last && checksum ? 4 : 0);
        this.afterSkip = last ? { kind: 'magic' } : { kind: 'block-header', checksum };
        this.state = this.skip === 0 ? this.afterSkip : this.state;
        return;
      }
      case 'skippable-size': {
        if (bytes.length < 4) return;
        this.header = [];
        this.skip = readLE(bytes, 0, 4);
        this.afterSkip = { kind: 'magic' };
        if (this.skip === 0) this.state = this.afterSkip;
        return;
      }
    }
  }

  private next(state: State): void {
    this.state = state;
    this.header = [];
  }

  private skipForever(): void {
    this.header = [];
    this.skip = Infinity;
  }
}

function readLE(bytes: number[], offset: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[offset + i]!;
  return value;
}
