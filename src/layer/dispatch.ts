/**
 * Hands each entry to the analyzers that want it, in one pass: a bounded buffer for those that
 * parse a whole (small) file, every chunk for those that stream, nothing at all when nobody
 * asked. An analyzer's failure is a warning about that file, never the layer's failure.
 */
import type { AnalyzeContext, Analyzer, Fact, FileSink } from '../analyze/types.js';
import { ShipshapeError, errorMessage } from '../errors.js';
import type { BodyConsumer } from './tar-reader.js';
import type { EntryHeader } from './types.js';
import type { Warnings } from './warnings.js';

/**
 * Async analyses may run while the pass reads on, but only this many and this much buffered
 * content at once; past that the pass waits, so memory stays bounded whatever the layer holds.
 */
const MAX_PENDING_ANALYSES = 64;
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export interface BodyReceiver extends BodyConsumer {
  /** The body could not be read (rootfs walk: unreadable file): drop it with a warning. */
  abandon(reason: string): void;
  /** Bytes of the body worth reading: the rest is neither buffered nor streamed by anyone. */
  readonly bytesWanted: number;
}

export interface DispatchResult {
  facts: Record<string, Fact[]>;
  analyzers: Record<string, number>;
}

interface Produced {
  order: number;
  facts: Fact[];
}

export class AnalyzerDispatch {
  private readonly contexts: AnalyzeContext[];
  private readonly produced = new Map<string, Produced[]>();
  private readonly pending = new Set<Promise<void>>();
  private pendingBytes = 0;
  private waiters: (() => void)[] = [];
  private order = 0;

  constructor(
    private readonly analyzers: readonly Analyzer[],
    private readonly warnings: Warnings,
  ) {
    const names = new Set<string>();
    for (const analyzer of analyzers) {
      if (names.has(analyzer.name)) {
        throw new ShipshapeError('BAD_ARGUMENT', `two analyzers are named ${JSON.stringify(analyzer.name)}`);
      }
      names.add(analyzer.name);
      this.produced.set(analyzer.name, []);
    }
    this.contexts = analyzers.map((analyzer) => ({
      warn: (path: string, message: string) => this.warn(analyzer, path, message),
    }));
  }

  /** Asks every analyzer about `header`; returns undefined when none wants the content. */
  begin(header: EntryHeader): BodyReceiver | undefined {
    let buffered: BufferedWant[] | undefined;
    let streamed: OpenSink[] | undefined;
    for (let i = 0; i < this.analyzers.length; i++) {
      const analyzer = this.analyzers[i]!;
      const ctx = this.contexts[i]!;
      let want;
      try {
        want = analyzer.wants(header);
      } catch (err) {
        this.warn(analyzer, header.path, `wants() failed: ${errorMessage(err)}`);
        continue;
      }
      if (!want) continue;
      if (want.mode === 'buffer' && analyzer.analyze) {
        const maxBytes = Number.isFinite(want.maxBytes) ? Math.max(0, Math.floor(want.maxBytes)) : 0;
        (buffered ??= []).push({ analyzer, ctx, maxBytes });
      } else if (want.mode === 'stream' && analyzer.open) {
        try {
          (streamed ??= []).push({ analyzer, sink: analyzer.open(header, ctx) });
        } catch (err) {
          this.warn(analyzer, header.path, `open() failed: ${errorMessage(err)}`);
        }
      } else {
        this.warn(analyzer, header.path, `wants ${String(want.mode)} mode but has no method for it`);
      }
    }
    if (!buffered && !streamed) return undefined;
    return new EntryBody(this, header, this.order++, buffered ?? [], streamed ?? []);
  }

  /**
   * Resolves when there is room for more async analyses, or returns undefined when there is
   * room now (the common case, which must not cost a promise per chunk).
   */
  waitForCapacity(): Promise<void> | undefined {
    if (this.hasCapacity()) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Waits for every analysis still running and returns the facts, in entry order per analyzer. */
  async finish(): Promise<DispatchResult> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    const facts: Record<string, Fact[]> = {};
    const analyzers: Record<string, number> = {};
    for (const analyzer of this.analyzers) {
      const produced = this.produced.get(analyzer.name)!;
      produced.sort((a, b) => a.order - b.order);
      facts[analyzer.name] = produced.flatMap((p) => p.facts);
      analyzers[analyzer.name] = analyzer.version;
    }
    return { facts, analyzers };
  }

  warn(analyzer: Analyzer, path: string, message: string): void {
    this.warnings.add(`${analyzer.name}: ${path}: ${message}`);
  }

  /**
   * Runs `analyze` or `end` (sync or async) and files its facts. Returns the promise of an
   * async analysis still running, so the caller knows how long its buffer stays in use.
   */
  run(
    analyzer: Analyzer,
    path: string,
    order: number,
    work: () => Fact[] | Promise<Fact[]>,
  ): Promise<void> | undefined {
    let result: Fact[] | Promise<Fact[]>;
    try {
      result = work();
    } catch (err) {
      this.warn(analyzer, path, `failed: ${errorMessage(err)}`);
      return undefined;
    }
    if (!isPromiseLike(result)) {
      this.file(analyzer, path, order, result);
      return undefined;
    }
    const settled: Promise<void> = Promise.resolve(result).then(
      (facts) => this.file(analyzer, path, order, facts),
      (err: unknown) => this.warn(analyzer, path, `failed: ${errorMessage(err)}`),
    );
    this.pending.add(settled);
    void settled.then(() => {
      this.pending.delete(settled);
      this.release();
    });
    return settled;
  }

  /** Counts `bytes` of buffered content as in use until `done` settles. */
  hold(bytes: number, done: Promise<unknown>): void {
    this.pendingBytes += bytes;
    void done.then(() => {
      this.pendingBytes -= bytes;
      this.release();
    });
  }

  private file(analyzer: Analyzer, path: string, order: number, facts: unknown): void {
    if (!Array.isArray(facts)) {
      this.warn(analyzer, path, `returned ${typeof facts} instead of a list of facts`);
      return;
    }
    if (facts.length > 0) this.produced.get(analyzer.name)!.push({ order, facts: facts as Fact[] });
  }

  private hasCapacity(): boolean {
    return this.pending.size < MAX_PENDING_ANALYSES && this.pendingBytes < MAX_PENDING_BYTES;
  }

  private release(): void {
    if (!this.hasCapacity() || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

interface BufferedWant {
  analyzer: Analyzer;
  ctx: AnalyzeContext;
  maxBytes: number;
}

interface OpenSink {
  analyzer: Analyzer;
  sink: FileSink;
}

/** One entry's body on its way to the analyzers that want it. */
class EntryBody implements BodyReceiver {
  readonly bytesWanted: number;
  /** Shared by every buffering analyzer of this entry; each sees its own prefix of it. */
  private readonly buffer: Buffer | undefined;
  private filled = 0;
  private seen = 0;

  constructor(
    private readonly dispatch: AnalyzerDispatch,
    private readonly header: EntryHeader,
    private readonly order: number,
    private readonly buffered: BufferedWant[],
    private sinks: OpenSink[],
  ) {
    const size = header.type === 'file' ? header.size : 0;
    const largestWant = buffered.reduce((max, w) => Math.max(max, w.maxBytes), 0);
    const toBuffer = Math.min(size, largestWant);
    this.buffer = toBuffer > 0 ? Buffer.allocUnsafe(toBuffer) : undefined;
    this.bytesWanted = sinks.length > 0 ? size : toBuffer;
  }

  write(chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.buffer && this.filled < this.buffer.length) {
      this.filled += chunk.copy(
        this.buffer,
        this.filled,
        0,
        Math.min(chunk.length, this.buffer.length - this.filled),
      );
    }
    if (this.sinks.length === 0) return;
    for (const open of this.sinks) {
      try {
        open.sink.write(chunk);
      } catch (err) {
        this.dispatch.warn(open.analyzer, this.header.path, `stream write failed: ${errorMessage(err)}`);
        this.sinks = this.sinks.filter((s) => s !== open);
      }
    }
  }

  end(): void {
    const path = this.header.path;
    // Bytes the file has, as far as anyone can tell: a walker may stop reading early on purpose.
    const size = Math.max(this.seen, this.header.type === 'file' ? this.header.size : 0);
    const running: Promise<void>[] = [];
    for (const want of this.buffered) {
      const length = Math.min(this.filled, want.maxBytes);
      const content = this.buffer ? this.buffer.subarray(0, length) : Buffer.alloc(0);
      const file = { header: this.header, content, truncated: size > length };
      const analysis = this.dispatch.run(want.analyzer, path, this.order, () =>
        want.analyzer.analyze!(file, want.ctx),
      );
      if (analysis) running.push(analysis);
    }
    if (this.buffer && running.length > 0) this.dispatch.hold(this.buffer.length, Promise.all(running));
    for (const open of this.sinks) {
      this.dispatch.run(open.analyzer, path, this.order, () => open.sink.end());
    }
  }

  abandon(reason: string): void {
    const everyone = [...this.buffered.map((w) => w.analyzer), ...this.sinks.map((s) => s.analyzer)];
    for (const analyzer of everyone)
      this.dispatch.warn(analyzer, this.header.path, `not analyzed: ${reason}`);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<Fact[]> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
