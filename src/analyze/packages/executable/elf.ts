/**
 * ELF (System V ABI): program headers say what is loaded where (read from the file's start),
 * section headers name the sections (read from wherever e_shoff says, usually the very end).
 * Everything is bounds-checked against the view; a lying header yields less, never a throw.
 */
import type { ByteView } from './byte-view.js';
import { fixedName, readUint, type ExecutableLayout, type Region, type Section } from './layout.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const PF_X = 1;
const PF_W = 2;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;
/** Go's linker writes its build ID as an ELF note named "Go" of this type. */
const NOTE_GO_BUILDID = 4;
/** More headers than any real file has; a claim beyond is a lie, and capped. */
const MAX_PROGRAM_HEADERS = 4096;
const MAX_SECTIONS = 65_536;
const MAX_NOTE_BYTES = 64 * 1024;

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** Where the ELF header says things are, before any section is read. */
export interface ElfHeader {
  is64: boolean;
  littleEndian: boolean;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export function readElfHeader(view: ByteView): ElfHeader | undefined {
  const ident = view.read(0, 16);
  if (!ident || !ident.subarray(0, 4).equals(ELF_MAGIC)) return undefined;
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const is64 = cls === 2;
  const le = data === 1;
  const u = (off: number, w: 2 | 4 | 8) => readUint(view, off, w, le);
  const phoff = is64 ? u(32, 8) : u(28, 4);
  const shoff = is64 ? u(40, 8) : u(32, 4);
  const base = is64 ? 54 : 42;
  const phentsize = u(base, 2);
  const phnum = u(base + 2, 2);
  const shentsize = u(base + 4, 2);
  const shnum = u(base + 6, 2);
  const shstrndx = u(base + 8, 2);
  if ([phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx].some((v) => v === undefined))
    return undefined;
  return {
    is64,
    littleEndian: le,
    phoff: phoff!,
    phentsize: phentsize!,
    phnum: Math.min(phnum!, MAX_PROGRAM_HEADERS),
    shoff: shoff!,
    shentsize: shentsize!,
    shnum: shnum!,
    shstrndx: shstrndx!,
  };
}

interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

function readProgramHeaders(view: ByteView, h: ElfHeader): ProgramHeader[] {
  const out: ProgramHeader[] = [];
  const min = h.is64 ? 56 : 32;
  if (h.phentsize < min) return out;
  // One read for the whole table; fields are then taken from that buffer.
  const count = Math.min(h.phnum, Math.floor(Math.max(0, view.size - h.phoff) / h.phentsize));
  const table = view.read(h.phoff, count * h.phentsize);
  if (!table) return out;
  const r = tableReader(table, h.littleEndian);
  for (let i = 0; i < count; i++) {
    const at = i * h.phentsize;
    const ph = h.is64
      ? {
          type: r.u32(at),
          flags: r.u32(at + 4),
          offset: r.u64(at + 8),
          vaddr: r.u64(at + 16),
          filesz: r.u64(at + 32),
        }
      : {
          type: r.u32(at),
          offset: r.u32(at + 4),
          vaddr: r.u32(at + 8),
          filesz: r.u32(at + 16),
          flags: r.u32(at + 24),
        };
    if (Object.values(ph).some((v) => v === undefined)) break;
    out.push(ph as ProgramHeader);
  }
  return out;
}

/** Field readers over one table already in memory (in bounds by construction). */
function tableReader(b: Buffer, le: boolean) {
  return {
    u32: (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at)),
    u64: (at: number): number | undefined => {
      const v = le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
    },
  };
}

/** Whether any PT_NOTE holds Go's build ID note (owner "Go", type 4). */
function hasGoBuildIdNote(view: ByteView, h: ElfHeader, notes: ProgramHeader[]): boolean {
  for (const note of notes) {
    const bytes = view.read(note.offset, Math.min(note.filesz, MAX_NOTE_BYTES));
    if (!bytes) continue;
    let at = 0;
    while (at + 12 <= bytes.length) {
      const namesz = h.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
      const descsz = h.littleEndian ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4);
      const type = h.littleEndian ? bytes.readUInt32LE(at + 8) : bytes.readUInt32BE(at + 8);
      const name = bytes.subarray(at + 12, at + 12 + namesz);
      if (type === NOTE_GO_BUILDID && fixedName(name) === 'Go') return true;
      at += 12 + align4(namesz) + align4(descsz);
    }
  }
  return false;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The section table's file range, for a streaming reader to keep. */
export function sectionTableRange(h: ElfHeader): { offset: number; size: number } | undefined {
  if (h.shoff === 0 || h.shnum === 0) return undefined;
  return { offset: h.shoff, size: Math.min(h.shnum, MAX_SECTIONS) * h.shentsize };
}

export function readElfSections(view: ByteView, h: ElfHeader): Section[] {
  const min = h.is64 ? 64 : 40;
  if (h.shoff === 0 || h.shentsize < min) return [];
  const count = Math.min(h.shnum, MAX_SECTIONS);
  const table = view.read(h.shoff, count * h.shentsize);
  if (!table) return [];
  const r = tableReader(table, h.littleEndian);
  const word = h.is64 ? r.u64 : r.u32;
  const w = h.is64 ? 8 : 4;
  const raw: { nameOff: number; type: number; flags: number; addr: number; offset: number; size: number }[] =
    [];
  for (let i = 0; i < count; i++) {
    const at = i * h.shentsize;
    const s = {
      nameOff: r.u32(at),
      type: r.u32(at + 4),
      flags: word(at + 8),
      addr: word(at + 8 + w),
      offset: word(at + 8 + 2 * w),
      size: word(at + 8 + 3 * w),
    };
    if (Object.values(s).some((v) => v === undefined)) return [];
    raw.push(s as (typeof raw)[number]);
  }
  const strtab = raw[h.shstrndx];
  const names = strtab ? view.read(strtab.offset, strtab.size) : undefined;
  return raw.map((s) => {
    const name =
      names && s.nameOff < names.length ? fixedName(names.subarray(s.nameOff, s.nameOff + 256)) : '';
    return {
      name,
      offset: s.offset,
      size: s.type === SHT_NOBITS ? 0 : s.size,
      vaddr: s.addr,
      loaded: (s.flags & SHF_ALLOC) !== 0 && s.type !== SHT_NOBITS,
    };
  });
}

export interface ElfInfo {
  header: ElfHeader;
  layout: ExecutableLayout;
  /** Where the loaded segments end in the file: non-loaded sections (.dep-v0, symbols, debug) follow. */
  loadedEnd: number;
}

/** `withSections: false` skips the section table (a streaming reader's first look, from the head). */
export function parseElf(view: ByteView, withSections = true): ElfInfo | undefined {
  const header = readElfHeader(view);
  if (!header) return undefined;
  const phdrs = readProgramHeaders(view, header);
  const regions: Region[] = phdrs
    .filter((p) => p.type === PT_LOAD)
    .map((p) => ({
      vaddr: p.vaddr,
      offset: p.offset,
      fileSize: p.filesz,
      executable: (p.flags & PF_X) !== 0,
      writable: (p.flags & PF_W) !== 0,
    }));
  const loadedEnd = regions.reduce((max, r) => Math.max(max, r.offset + r.fileSize), 0);
  return {
    header,
    loadedEnd,
    layout: {
      format: 'elf',
      littleEndian: header.littleEndian,
      ptrSize: header.is64 ? 8 : 4,
      regions,
      sections: withSections ? readElfSections(view, header) : [],
      goBuildId: hasGoBuildIdNote(
        view,
        header,
        phdrs.filter((p) => p.type === PT_NOTE),
      ),
    },
  };
}
