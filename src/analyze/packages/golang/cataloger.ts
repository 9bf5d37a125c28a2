/**
 * Go binaries (ELF, PE, Mach-O; stripped or not: no symbol table is needed): the build info
 * `go version -m` prints, as package facts.
 *
 * Streaming, with bounded memory. Every chunk is scanned for the build info magic (at 16-byte
 * aligned file offsets, where Go's linker puts it), and a 1 MiB window after each of at most 8
 * occurrences is kept: that is all Go >= 1.18 needs, whatever the size of the binary. The pre-1.18 layout points at strings elsewhere (mostly in read-only data
 * that streams past before the magic), so for files whose first 128 KiB carry a Go build ID,
 * the non-executable loaded regions are kept too, up to 256 MiB in all (past that, such a
 * file's old-layout build info is reported as unreadable). Bound per file: 128 KiB + 8 MiB +
 * 256 MiB, the last only for Go programs; in practice about half of a Go binary's size.
 */
import type { EntryHeader } from '../../../layer/types.js';
import type { AnalyzeContext, Analyzer, FileSink } from '../../types.js';
import { bufferView, type ByteView } from '../executable/byte-view.js';
import { isExecutableCandidate } from '../executable/candidate.js';
import type { ExecutableLayout } from '../executable/layout.js';
import { parseExecutable, startsLikeExecutable, type ParsedExecutable } from '../executable/parse.js';
import { ExecutableCollector, type ByteRange } from '../executable/stream-collector.js';
import type { PackageFact } from '../types.js';
import { BUILDINFO_MAGIC, plausibleHeader, readBuildInfoAt, type BuildInfoRead } from './buildinfo.js';
import { goPackageFacts } from './packages.js';

const HEAD_BYTES = 128 * 1024;
const WINDOW_BYTES = 1024 * 1024;
const MAX_MARKERS = 8;
/** Go's linker aligns the build info to 16 bytes, and sections keep that alignment in the file. */
const BUILDINFO_ALIGN = 16;
const MAX_REGION_BYTES = 256 * 1024 * 1024;
const BUILDINFO_SECTIONS = new Set(['.go.buildinfo', '__DATA,__go_buildinfo', '__DATA_CONST,__go_buildinfo']);

/**
 * The build info among the places the magic was found: those inside a build info section
 * first, then in file order; a copy of the magic that is not followed by a plausible header
 * (a program that embeds the string, like the go command) is passed over silently. Returns
 * undefined when nothing looked like build info at all (not a Go program).
 */
export function findGoBuildInfo(
  view: ByteView,
  hits: number[],
  layout: ExecutableLayout | undefined,
): BuildInfoRead | undefined {
  const inSection = (at: number) =>
    layout?.sections.some(
      (s) => BUILDINFO_SECTIONS.has(s.name) && at >= s.offset && at < s.offset + s.size,
    ) ?? false;
  const ordered = [...hits.filter(inSection), ...hits.filter((h) => !inSection(h))];
  let failure: BuildInfoRead | undefined;
  for (const at of ordered) {
    if (!plausibleHeader(view, at) && !inSection(at)) continue;
    const read = readBuildInfoAt(view, at, layout);
    if (read.ok) return read;
    failure ??= read;
  }
  return failure;
}

/** Every offset that is a multiple of `align` where `pattern` starts in `bytes` (at most `max`). */
export function findAll(bytes: Buffer, pattern: Buffer, max: number, align = 1): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(pattern); i >= 0 && out.length < max; i = bytes.indexOf(pattern, i + 1)) {
    if (i % align === 0) out.push(i);
  }
  return out;
}

export interface GoBinaryResult {
  facts: PackageFact[];
  /** Why build info that seemed present could not be read. */
  problem?: string;
}

function resultFrom(path: string, read: BuildInfoRead | undefined): GoBinaryResult {
  if (!read) return { facts: [] };
  if (!read.ok) return { facts: [], problem: `Go build info unreadable: ${read.reason}` };
  return { facts: goPackageFacts(path, read.info) };
}

/** A whole file in memory (tests, callers that have the bytes): same result as streaming it. */
export function parseGoBinary(path: string, content: Buffer): GoBinaryResult {
  if (!startsLikeExecutable(content)) return { facts: [] };
  const view = bufferView(content);
  return resultFrom(
    path,
    findGoBuildInfo(
      view,
      findAll(content, BUILDINFO_MAGIC, MAX_MARKERS, BUILDINFO_ALIGN),
      parseExecutable(view)?.layout,
    ),
  );
}

/** What to keep besides the magic windows: data the pre-1.18 layout may point into. */
function goPlan(parsed: ParsedExecutable | undefined): ByteRange[] {
  if (!parsed?.layout.goBuildId) return [];
  const ranges: ByteRange[] = [];
  let total = 0;
  for (const r of parsed.layout.regions) {
    if (r.executable || r.fileSize <= 0) continue;
    if (total + r.fileSize > MAX_REGION_BYTES) break;
    total += r.fileSize;
    ranges.push({ start: r.offset, end: r.offset + r.fileSize });
  }
  return ranges;
}

export function openGoBinarySink(header: EntryHeader, ctx: AnalyzeContext): FileSink {
  const collector = new ExecutableCollector(header.size, {
    headBytes: HEAD_BYTES,
    marker: { pattern: BUILDINFO_MAGIC, window: WINDOW_BYTES, maxHits: MAX_MARKERS, align: BUILDINFO_ALIGN },
    plan: goPlan,
  });
  return {
    write: (chunk) => collector.write(chunk),
    end() {
      const got = collector.finish();
      if (got.hits.length === 0) return [];
      // Re-read the headers from what is held: in an ELF the section table may have been kept.
      const layout = parseExecutable(got.view)?.layout ?? got.head?.layout;
      const result = resultFrom(header.path, findGoBuildInfo(got.view, got.hits, layout));
      if (result.problem) ctx.warn(header.path, result.problem);
      return result.facts;
    },
  };
}

export const goBinaryAnalyzer: Analyzer = {
  name: 'golang-binary',
  version: 1,
  wants: (header) => (isExecutableCandidate(header) ? { mode: 'stream' } : false),
  open: openGoBinarySink,
};
