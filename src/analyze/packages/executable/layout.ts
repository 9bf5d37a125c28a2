/**
 * What the ELF, PE and Mach-O readers agree on: where the loaded regions of a file are (to turn
 * a virtual address into a file offset) and where its named sections are. Catalogers ask this
 * shape, never the format, so one Go or Rust reader serves all three formats.
 */
import type { ByteView } from './byte-view.js';

export type ExecutableFormat = 'elf' | 'pe' | 'macho';

/** A loaded region: ELF PT_LOAD, PE section, Mach-O segment. */
export interface Region {
  vaddr: number;
  /** File bytes backing it, from `offset`. Memory past `fileSize` is zero-filled (bss). */
  offset: number;
  fileSize: number;
  executable: boolean;
  writable: boolean;
}

export interface Section {
  /** ELF/PE section name; Mach-O as `SEGMENT,section` (`__DATA,__go_buildinfo`). */
  name: string;
  offset: number;
  size: number;
  vaddr: number;
  /** False for ELF sections without SHF_ALLOC and for ELF NOBITS (no file bytes). */
  loaded: boolean;
}

export interface ExecutableLayout {
  format: ExecutableFormat;
  littleEndian: boolean;
  /** Pointer width of the target in bytes. */
  ptrSize: 4 | 8;
  regions: Region[];
  /** Empty when the section table could not be read (stripped of it, or not held). */
  sections: Section[];
  /** Whether a Go build ID was seen in the headers: the file is almost surely a Go program. */
  goBuildId: boolean;
}

/** The file offset of `vaddr`, when a loaded region backs it with `length` file bytes. */
export function addressToOffset(layout: ExecutableLayout, vaddr: number, length: number): number | undefined {
  for (const r of layout.regions) {
    if (vaddr >= r.vaddr && vaddr + length <= r.vaddr + r.fileSize) return r.offset + (vaddr - r.vaddr);
  }
  return undefined;
}

export function findSection(layout: ExecutableLayout, name: string): Section | undefined {
  return layout.sections.find((s) => s.name === name);
}

/** Reads an unsigned pointer-sized or fixed-width integer; undefined when not held or unsafe. */
export function readUint(
  view: ByteView,
  offset: number,
  width: 2 | 4 | 8,
  littleEndian: boolean,
): number | undefined {
  const b = view.read(offset, width);
  if (!b) return undefined;
  if (width === 2) return littleEndian ? b.readUInt16LE(0) : b.readUInt16BE(0);
  if (width === 4) return littleEndian ? b.readUInt32LE(0) : b.readUInt32BE(0);
  const big = littleEndian ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
}

/** A NUL-padded fixed-width name field. */
export function fixedName(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.subarray(0, nul < 0 ? bytes.length : nul).toString('latin1');
}
