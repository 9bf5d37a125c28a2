/**
 * Rust binaries built with cargo-auditable: the crates in the `.dep-v0` section (ELF, PE) or
 * `__DATA,.dep-v0` (Mach-O), as package facts.
 *
 * Streaming, with bounded memory. PE and Mach-O list their sections in the first bytes, so
 * exactly the section is kept (at most 16 MiB). An ELF names its sections only in the section
 * table, usually at the very end; cargo-auditable's section is not loaded, so it lies in the
 * tail after the loaded segments, with the section names: that tail is kept, up to 32 MiB (the
 * first and last 16 MiB of a longer one; a `.dep-v0` in between is reported as not read), and
 * the section table. Files whose headers carry a Go build ID are skipped: Go programs have no
 * cargo-auditable data.
 */
import type { EntryHeader } from '../../../layer/types.js';
import type { AnalyzeContext, Analyzer, FileSink } from '../../types.js';
import { bufferView, type ByteView } from '../executable/byte-view.js';
import { isExecutableCandidate } from '../executable/candidate.js';
import { sectionTableRange } from '../executable/elf.js';
import type { ExecutableLayout } from '../executable/layout.js';
import { parseExecutable, type ParsedExecutable } from '../executable/parse.js';
import { ExecutableCollector, type ByteRange } from '../executable/stream-collector.js';
import type { PackageFact } from '../types.js';
import { cargoPackageFacts, parseAuditData } from './audit-data.js';

const HEAD_BYTES = 128 * 1024;
const MAX_SECTION_BYTES = 16 * 1024 * 1024;
const MAX_TAIL_BYTES = 32 * 1024 * 1024;
const SECTION_NAMES = new Set(['.dep-v0', '__DATA,.dep-v0']);

export interface RustBinaryResult {
  facts: PackageFact[];
  problem?: string;
}

/** The crates in a parsed executable's `.dep-v0` section, if it has one. */
export function readAuditSection(
  filePath: string,
  view: ByteView,
  layout: ExecutableLayout,
): RustBinaryResult {
  const section = layout.sections.find((s) => SECTION_NAMES.has(s.name));
  if (!section) return { facts: [] };
  if (section.size > MAX_SECTION_BYTES) {
    return {
      facts: [],
      problem: `${section.name} section is ${section.size} bytes (limit ${MAX_SECTION_BYTES})`,
    };
  }
  const bytes = view.read(section.offset, section.size);
  if (!bytes)
    return { facts: [], problem: `${section.name} section lies outside the file or outside what was kept` };
  const read = parseAuditData(bytes);
  if (!read.ok) return { facts: [], problem: read.reason };
  return { facts: cargoPackageFacts(filePath, read.data) };
}

/** A whole file in memory: same result as streaming it. */
export function parseRustBinary(filePath: string, content: Buffer): RustBinaryResult {
  const view = bufferView(content);
  const parsed = parseExecutable(view);
  return parsed && !parsed.layout.goBuildId ? readAuditSection(filePath, view, parsed.layout) : { facts: [] };
}

function rustPlan(parsed: ParsedExecutable | undefined, size: number): ByteRange[] {
  if (!parsed || parsed.layout.goBuildId) return [];
  if (!parsed.elf) {
    return parsed.layout.sections
      .filter((s) => SECTION_NAMES.has(s.name) && s.size <= MAX_SECTION_BYTES)
      .map((s) => ({ start: s.offset, end: s.offset + s.size }));
  }
  const ranges: ByteRange[] = [];
  const table = sectionTableRange(parsed.elf.header);
  if (table) ranges.push({ start: table.offset, end: table.offset + table.size });
  const tailStart = parsed.elf.loadedEnd;
  const tailEnd = table && table.offset > tailStart ? table.offset : size;
  if (tailEnd - tailStart <= MAX_TAIL_BYTES) {
    ranges.push({ start: tailStart, end: tailEnd });
  } else {
    ranges.push({ start: tailStart, end: tailStart + MAX_TAIL_BYTES / 2 });
    ranges.push({ start: tailEnd - MAX_TAIL_BYTES / 2, end: tailEnd });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

export function openRustBinarySink(header: EntryHeader, ctx: AnalyzeContext): FileSink {
  const collector = new ExecutableCollector(header.size, { headBytes: HEAD_BYTES, plan: rustPlan });
  return {
    write: (chunk) => collector.write(chunk),
    end() {
      const got = collector.finish();
      if (!got.head || got.head.layout.goBuildId) return [];
      const parsed = parseExecutable(got.view);
      if (!parsed) return [];
      const result = readAuditSection(header.path, got.view, parsed.layout);
      if (result.problem) ctx.warn(header.path, `cargo-auditable data unreadable: ${result.problem}`);
      return result.facts;
    },
  };
}

export const rustAuditAnalyzer: Analyzer = {
  name: 'rust-audit-binary',
  version: 1,
  wants: (header) => (isExecutableCandidate(header) ? { mode: 'stream' } : false),
  open: openRustBinarySink,
};
