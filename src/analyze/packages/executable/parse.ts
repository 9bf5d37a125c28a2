/** One entry point for the three executable formats: the magic decides which reader runs. */
import type { ByteView } from './byte-view.js';
import { parseElf, readElfHeader, type ElfInfo } from './elf.js';
import type { ExecutableLayout } from './layout.js';
import { isMachO, parseMachO } from './macho.js';
import { isPe, parsePe } from './pe.js';

const EXECUTABLE_MAGICS = [
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]), // ELF
  Buffer.from('MZ', 'latin1'), // PE
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]), // Mach-O, both widths and byte orders
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]),
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xca, 0xfe, 0xba, 0xbe]), // universal Mach-O (and Java class files: harmless)
];

/** Whether a file's first chunk starts with an executable format's magic (a short chunk passes). */
export function startsLikeExecutable(first: Buffer): boolean {
  if (first.length < 4) return true;
  return EXECUTABLE_MAGICS.some((m) => first.subarray(0, m.length).equals(m));
}

export interface ParsedExecutable {
  layout: ExecutableLayout;
  /** ELF only: the header (where the section table is) and where loaded bytes end. */
  elf?: ElfInfo;
}

/** Whether the first bytes are those of an executable format shipshape reads. */
export function looksExecutable(view: ByteView): boolean {
  return readElfHeader(view) !== undefined || isPe(view) || isMachO(view);
}

export function parseExecutable(view: ByteView, withElfSections = true): ParsedExecutable | undefined {
  const elf = parseElf(view, withElfSections);
  if (elf) return { layout: elf.layout, elf };
  const layout = parsePe(view) ?? parseMachO(view);
  return layout ? { layout } : undefined;
}
