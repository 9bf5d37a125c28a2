/**
 * What an ELF says about itself beyond its layout: target (machine, OS ABI, notes), kind
 * (executable, PIE, shared library), how it links (interpreter, dynamic section), whether its
 * symbols were stripped, and the toolchain's `.comment`. The header and section readers are the
 * shared ones (src/analyze/packages/executable/elf.ts); only program header types, notes and
 * `.comment` are read here. Every read is bounded and checked against what is held.
 */
import type { ByteView } from '../packages/executable/byte-view.js';
import { readElfHeader, readElfSections, type ElfHeader } from '../packages/executable/elf.js';
import { fixedName, readUint, type Section } from '../packages/executable/layout.js';

const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ET_CORE = 4;
const MAX_PROGRAM_HEADERS = 512;
const MAX_NOTE_BYTES = 16 * 1024;
const MAX_INTERP_BYTES = 256;
const MAX_COMMENT_BYTES = 4096;

const MACHINES: Record<number, string> = {
  2: 'sparc',
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  43: 'sparc64',
  50: 'ia64',
  62: 'x86_64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch64',
};

const OSABI: Record<number, string> = { 2: 'netbsd', 3: 'linux', 6: 'solaris', 9: 'freebsd', 12: 'openbsd' };
/** NT_GNU_ABI_TAG's first word. */
const GNU_ABI_OS: Record<number, string> = { 0: 'linux', 1: 'hurd', 2: 'solaris', 3: 'freebsd' };
const NOTE_OWNER_OS: Record<string, string> = { FreeBSD: 'freebsd', NetBSD: 'netbsd', OpenBSD: 'openbsd' };

export interface ElfDetails {
  header: ElfHeader;
  arch: string;
  platform: string;
  kind: 'executable' | 'shared-library' | 'relocatable' | 'core' | 'unknown';
  linking: 'static' | 'dynamic';
  pie: boolean;
  interpreter?: string;
  libc?: string;
  /** Undefined when the section table was not held (or lies), so nothing can be said. */
  stripped?: boolean;
  sections: Section[];
  comment?: string;
}

function archOf(machine: number, h: ElfHeader): string {
  const base = MACHINES[machine] ?? `elf-machine-${machine}`;
  if (base === 'mips') return `${h.is64 ? 'mips64' : 'mips'}${h.littleEndian ? 'le' : ''}`;
  if (base === 'ppc64') return h.littleEndian ? 'ppc64le' : 'ppc64';
  if (base === 'riscv') return h.is64 ? 'riscv64' : 'riscv32';
  return base;
}

interface Phdr {
  type: number;
  offset: number;
  filesz: number;
}

function programHeaders(view: ByteView, h: ElfHeader): Phdr[] {
  const out: Phdr[] = [];
  if (h.phentsize < (h.is64 ? 56 : 32)) return out;
  const le = h.littleEndian;
  for (let i = 0; i < Math.min(h.phnum, MAX_PROGRAM_HEADERS); i++) {
    const at = h.phoff + i * h.phentsize;
    const type = readUint(view, at, 4, le);
    const offset = h.is64 ? readUint(view, at + 8, 8, le) : readUint(view, at + 4, 4, le);
    const filesz = h.is64 ? readUint(view, at + 32, 8, le) : readUint(view, at + 16, 4, le);
    if (type === undefined || offset === undefined || filesz === undefined) break;
    out.push({ type, offset, filesz });
  }
  return out;
}

/** The OS a note names: GNU ABI tag, or a BSD's own note owner. */
function noteOs(view: ByteView, h: ElfHeader, note: Phdr): string | undefined {
  const bytes = view.read(note.offset, Math.min(note.filesz, MAX_NOTE_BYTES));
  if (!bytes) return undefined;
  const u32 = (at: number) => (h.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  let at = 0;
  while (at + 12 <= bytes.length) {
    const namesz = u32(at);
    const descsz = u32(at + 4);
    const type = u32(at + 8);
    const nameEnd = at + 12 + namesz;
    if (namesz > 64 || nameEnd > bytes.length) return undefined;
    const owner = fixedName(bytes.subarray(at + 12, nameEnd));
    const desc = at + 12 + align4(namesz);
    if (owner === 'GNU' && type === 1 && desc + 4 <= bytes.length) return GNU_ABI_OS[u32(desc)];
    if (NOTE_OWNER_OS[owner]) return NOTE_OWNER_OS[owner];
    const next = desc + align4(descsz);
    if (next <= at) return undefined;
    at = next;
  }
  return undefined;
}

function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function libcOf(interpreter: string): string | undefined {
  if (/ld-musl/.test(interpreter)) return 'musl';
  if (/ld-linux|ld64\.so|ld\.so\.1/.test(interpreter)) return 'glibc';
  if (/ld-uClibc/.test(interpreter)) return 'uclibc';
  if (/^\/system\/bin\/linker/.test(interpreter)) return 'bionic';
  return undefined;
}

/** The printable strings of `.comment` (toolchain versions), deduplicated and bounded. */
function commentOf(view: ByteView, sections: Section[]): string | undefined {
  const s = sections.find((x) => x.name === '.comment');
  if (!s || s.size === 0) return undefined;
  const bytes = view.read(s.offset, Math.min(s.size, MAX_COMMENT_BYTES));
  if (!bytes) return undefined;
  const parts = [
    ...new Set(
      bytes
        .toString('latin1')
        .split('\0')
        .map((p) => p.replace(/[^\x20-\x7e]/g, '').trim())
        .filter(Boolean),
    ),
  ];
  return parts.length ? parts.join('; ').slice(0, 200) : undefined;
}

export function readElfDetails(view: ByteView): ElfDetails | undefined {
  const header = readElfHeader(view);
  if (!header) return undefined;
  const le = header.littleEndian;
  const type = readUint(view, 16, 2, le) ?? 0;
  const machine = readUint(view, 18, 2, le) ?? 0;
  const osabi = view.read(7, 1)?.[0] ?? 0;
  const phdrs = programHeaders(view, header);
  const interpHdr = phdrs.find((p) => p.type === PT_INTERP);
  const interpBytes = interpHdr
    ? view.read(interpHdr.offset, Math.min(interpHdr.filesz, MAX_INTERP_BYTES))
    : undefined;
  const interpreter = interpBytes ? fixedName(interpBytes).replace(/[^\x20-\x7e]/g, '') : undefined;
  const dynamic = phdrs.some((p) => p.type === PT_DYNAMIC);

  let platform = OSABI[osabi];
  for (const note of phdrs.filter((p) => p.type === PT_NOTE)) {
    platform ??= noteOs(view, header, note);
    if (platform) break;
  }
  if (interpreter && /^\/system\/bin\/linker/.test(interpreter)) platform = 'android';
  platform ??= 'linux';

  const sections = header.shnum > 0 && header.shoff > 0 ? readElfSections(view, header) : [];
  let stripped: boolean | undefined;
  if (header.shnum === 0 || header.shoff === 0) stripped = true;
  else if (sections.length > 0 && sections.some((s) => s.name !== '')) {
    stripped = !sections.some((s) => s.name === '.symtab');
  }

  const kind =
    type === ET_EXEC
      ? 'executable'
      : type === ET_DYN
        ? interpHdr
          ? 'executable'
          : 'shared-library'
        : type === ET_REL
          ? 'relocatable'
          : type === ET_CORE
            ? 'core'
            : 'unknown';
  const details: ElfDetails = {
    header,
    arch: archOf(machine, header),
    platform,
    kind,
    linking: interpHdr || dynamic ? 'dynamic' : 'static',
    pie: type === ET_DYN && interpHdr !== undefined,
    sections,
  };
  if (interpreter) {
    details.interpreter = interpreter;
    const libc = libcOf(interpreter);
    if (libc) details.libc = libc;
  }
  if (stripped !== undefined) details.stripped = stripped;
  const comment = commentOf(view, sections);
  if (comment) details.comment = comment;
  return details;
}
