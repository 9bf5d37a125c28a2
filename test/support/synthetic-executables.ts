/**
 * Minimal but well-formed ELF, PE and Mach-O files, written byte by byte from the format
 * specifications, for layouts no installed toolchain produces any more (Go < 1.18 build info)
 * and for formats the machine cannot link (PE, Mach-O without Apple's tools). Nothing runs them:
 * they only have to be what a reader of the format expects.
 */

export interface SegmentSpec {
  vaddr: number;
  data: Buffer;
  writable?: boolean;
  executable?: boolean;
  /** Section name for the segment's bytes (ELF/Mach-O: one section per segment). */
  section?: string;
}

export interface ElfSpec {
  is64?: boolean;
  bigEndian?: boolean;
  segments: SegmentSpec[];
  /** Sections not loaded (sh_flags 0), placed after the segments: `.dep-v0`, `.comment`. */
  extraSections?: { name: string; data: Buffer }[];
  /** Adds a PT_NOTE with Go's build ID note, as Go's linker does. */
  goBuildId?: string;
}

class Writer {
  private buf: Buffer;
  constructor(
    size: number,
    private readonly le: boolean,
  ) {
    this.buf = Buffer.alloc(size);
  }
  u8(at: number, v: number) {
    this.buf[at] = v;
  }
  u16(at: number, v: number) {
    if (this.le) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }
  u32(at: number, v: number) {
    if (this.le) this.buf.writeUInt32LE(v >>> 0, at);
    else this.buf.writeUInt32BE(v >>> 0, at);
  }
  u64(at: number, v: number) {
    if (this.le) this.buf.writeBigUInt64LE(BigInt(v), at);
    else this.buf.writeBigUInt64BE(BigInt(v), at);
  }
  word(at: number, v: number, is64: boolean) {
    if (is64) this.u64(at, v);
    else this.u32(at, v);
  }
  bytes(at: number, b: Buffer) {
    b.copy(this.buf, at);
  }
  get result(): Buffer {
    return this.buf;
  }
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

function goNote(buildId: string, le: boolean): Buffer {
  const desc = Buffer.from(buildId, 'latin1');
  const w = new Writer(12 + 4 + align(desc.length, 4), le);
  w.u32(0, 4);
  w.u32(4, desc.length);
  w.u32(8, 4);
  w.bytes(12, Buffer.from('Go\0\0', 'latin1'));
  w.bytes(16, desc);
  return w.result;
}

export function buildElf(spec: ElfSpec): Buffer {
  const is64 = spec.is64 ?? true;
  const le = !spec.bigEndian;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const note = spec.goBuildId !== undefined ? goNote(spec.goBuildId, le) : undefined;
  const phnum = spec.segments.length + (note ? 1 : 0);
  let cursor = ehsize + phnum * phentsize;
  const noteOffset = cursor;
  if (note) cursor += note.length;
  const segOffsets = spec.segments.map((s) => {
    cursor = align(cursor, 16);
    const at = cursor;
    cursor += s.data.length;
    return at;
  });
  const extra = (spec.extraSections ?? []).map((s) => {
    const at = cursor;
    cursor += s.data.length;
    return at;
  });
  const sectionNames = [
    '',
    ...spec.segments.map((s, i) => s.section ?? `.seg${i}`),
    ...(spec.extraSections ?? []).map((s) => s.name),
    '.shstrtab',
  ];
  const nameOffsets: number[] = [];
  let strtab = Buffer.alloc(0);
  for (const n of sectionNames) {
    nameOffsets.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(n + '\0', 'latin1')]);
  }
  const strtabOffset = cursor;
  cursor += strtab.length;
  const shoff = align(cursor, 8);
  const shnum = sectionNames.length;
  const w = new Writer(shoff + shnum * shentsize, le);
  w.bytes(0, Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]));
  w.u16(16, 2); // ET_EXEC
  w.u16(18, is64 ? 62 : 3);
  w.u32(20, 1);
  if (is64) {
    w.u64(32, ehsize);
    w.u64(40, shoff);
  } else {
    w.u32(28, ehsize);
    w.u32(32, shoff);
  }
  const b = is64 ? 52 : 40;
  w.u16(b, ehsize);
  w.u16(b + 2, phentsize);
  w.u16(b + 4, phnum);
  w.u16(b + 6, shentsize);
  w.u16(b + 8, shnum);
  w.u16(b + 10, shnum - 1);
  const phdr = (i: number, type: number, flags: number, offset: number, vaddr: number, size: number) => {
    const at = ehsize + i * phentsize;
    w.u32(at, type);
    if (is64) {
      w.u32(at + 4, flags);
      w.u64(at + 8, offset);
      w.u64(at + 16, vaddr);
      w.u64(at + 24, vaddr);
      w.u64(at + 32, size);
      w.u64(at + 40, size);
      w.u64(at + 48, 16);
    } else {
      w.u32(at + 4, offset);
      w.u32(at + 8, vaddr);
      w.u32(at + 12, vaddr);
      w.u32(at + 16, size);
      w.u32(at + 20, size);
      w.u32(at + 24, flags);
      w.u32(at + 28, 16);
    }
  };
  let ph = 0;
  if (note) {
    phdr(ph++, 4, 4, noteOffset, 0, note.length);
    w.bytes(noteOffset, note);
  }
  spec.segments.forEach((s, i) => {
    const flags = 4 | (s.writable ? 2 : 0) | (s.executable ? 1 : 0);
    phdr(ph++, 1, flags, segOffsets[i]!, s.vaddr, s.data.length);
    w.bytes(segOffsets[i]!, s.data);
  });
  (spec.extraSections ?? []).forEach((s, i) => w.bytes(extra[i]!, s.data));
  w.bytes(strtabOffset, strtab);
  const shdr = (i: number, type: number, flags: number, addr: number, offset: number, size: number) => {
    const at = shoff + i * shentsize;
    w.u32(at, nameOffsets[i]!);
    w.u32(at + 4, type);
    w.word(at + 8, flags, is64);
    const ws = is64 ? 8 : 4;
    w.word(at + 8 + ws, addr, is64);
    w.word(at + 8 + 2 * ws, offset, is64);
    w.word(at + 8 + 3 * ws, size, is64);
  };
  let sh = 1;
  spec.segments.forEach((s, i) =>
    shdr(sh++, 1, 2 | (s.writable ? 1 : 0), s.vaddr, segOffsets[i]!, s.data.length),
  );
  (spec.extraSections ?? []).forEach((s, i) => shdr(sh++, 1, 0, 0, extra[i]!, s.data.length));
  shdr(sh, 3, 0, 0, strtabOffset, strtab.length);
  return w.result;
}

export interface PeSpec {
  imageBase?: number;
  sections: { name: string; rva: number; data: Buffer; executable?: boolean; writable?: boolean }[];
  /** Puts Go's build ID string at the start of the first section, as Go's linker does. */
  goBuildId?: string;
}

export function buildPe(spec: PeSpec): Buffer {
  const imageBase = spec.imageBase ?? 0x400000;
  const lfanew = 0x80;
  const optSize = 240;
  const table = lfanew + 24 + optSize;
  let cursor = align(table + spec.sections.length * 40, 0x200);
  const datas = spec.sections.map((s, i) =>
    i === 0 && spec.goBuildId !== undefined
      ? Buffer.concat([Buffer.from(`\xff Go build ID: "${spec.goBuildId}"\n \xff`, 'latin1'), s.data])
      : s.data,
  );
  const offsets = datas.map((d) => {
    const at = cursor;
    cursor = align(cursor + d.length, 0x200);
    return at;
  });
  const w = new Writer(cursor, true);
  w.bytes(0, Buffer.from('MZ', 'latin1'));
  w.u32(0x3c, lfanew);
  w.bytes(lfanew, Buffer.from('PE\0\0', 'latin1'));
  w.u16(lfanew + 4, 0x8664);
  w.u16(lfanew + 6, spec.sections.length);
  w.u16(lfanew + 20, optSize);
  w.u16(lfanew + 22, 0x22);
  const opt = lfanew + 24;
  w.u16(opt, 0x20b);
  w.u64(opt + 24, imageBase);
  spec.sections.forEach((s, i) => {
    const at = table + i * 40;
    w.bytes(at, Buffer.from(s.name.slice(0, 8), 'latin1'));
    w.u32(at + 8, datas[i]!.length);
    w.u32(at + 12, s.rva);
    w.u32(at + 16, align(datas[i]!.length, 0x200));
    w.u32(at + 20, offsets[i]!);
    const chars = 0x40000000 | (s.executable ? 0x20000020 : 0x40) | (s.writable ? 0x80000000 : 0);
    w.u32(at + 36, chars);
    w.bytes(offsets[i]!, datas[i]!);
  });
  return w.result;
}

export interface MachOSpec {
  segments: {
    segname: string;
    vaddr: number;
    sections: { name: string; data: Buffer }[];
    executable?: boolean;
  }[];
}

/** A 64-bit little-endian Mach-O with one LC_SEGMENT_64 per segment. */
export function buildMachO(spec: MachOSpec): Buffer {
  const cmdsSize = spec.segments.reduce((n, s) => n + 72 + 80 * s.sections.length, 0);
  let cursor = align(32 + cmdsSize, 0x1000);
  const placed = spec.segments.map((seg) => {
    const start = cursor;
    const sects = seg.sections.map((s) => {
      const at = cursor;
      cursor += align(s.data.length, 16);
      return at;
    });
    return { start, size: cursor - start, sects };
  });
  const w = new Writer(cursor, true);
  w.u32(0, 0xfeedfacf);
  w.u32(4, 0x01000007);
  w.u32(12, 2);
  w.u32(16, spec.segments.length);
  w.u32(20, cmdsSize);
  let at = 32;
  spec.segments.forEach((seg, i) => {
    const p = placed[i]!;
    w.u32(at, 0x19);
    w.u32(at + 4, 72 + 80 * seg.sections.length);
    w.bytes(at + 8, Buffer.from(seg.segname, 'latin1'));
    w.u64(at + 24, seg.vaddr);
    w.u64(at + 32, p.size);
    w.u64(at + 40, p.start);
    w.u64(at + 48, p.size);
    const prot = seg.executable ? 5 : 3;
    w.u32(at + 56, prot);
    w.u32(at + 60, prot);
    w.u32(at + 64, seg.sections.length);
    seg.sections.forEach((s, j) => {
      const sa = at + 72 + j * 80;
      w.bytes(sa, Buffer.from(s.name, 'latin1'));
      w.bytes(sa + 16, Buffer.from(seg.segname, 'latin1'));
      w.u64(sa + 32, seg.vaddr + (p.sects[j]! - p.start));
      w.u64(sa + 40, s.data.length);
      w.u32(sa + 48, p.sects[j]!);
      w.bytes(p.sects[j]!, s.data);
    });
    at += 72 + 80 * seg.sections.length;
  });
  return w.result;
}
