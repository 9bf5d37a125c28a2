import type { EntryHeader } from '../layer/types.js';

/**
 * What an analyzer asks for when it wants a file. `buffer`: the engine collects up to
 * `maxBytes` of the body (the rest is skipped and `truncated` is set). `stream`: the engine
 * feeds every chunk to a sink, for analyzers that must see whole large files (hashes, rules).
 */
export type Want = { mode: 'buffer'; maxBytes: number } | { mode: 'stream' };

export interface FileInput {
  header: EntryHeader;
  content: Buffer;
  truncated: boolean;
}

export interface FileSink {
  write(chunk: Buffer): void;
  end(): Fact[] | Promise<Fact[]>;
}

/** Facts are plain JSON so they can be cached by layer digest and merged later. */
export type Fact = Record<string, unknown>;

export interface AnalyzeContext {
  /** Say something went wrong in one file without failing the layer. */
  warn(path: string, message: string): void;
}

/**
 * One analyzer: decides from the path and header alone whether it wants a file, and turns the
 * bytes into facts. Pure: no I/O of its own. Bump `version` when its output changes; the layer
 * cache key includes it, so cached layers are recomputed.
 */
export interface Analyzer {
  readonly name: string;
  readonly version: number;
  wants(header: EntryHeader): Want | false;
  analyze?(file: FileInput, ctx: AnalyzeContext): Fact[] | Promise<Fact[]>;
  open?(header: EntryHeader, ctx: AnalyzeContext): FileSink;
}
