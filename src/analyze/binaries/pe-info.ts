/**
 * What a PE says beyond its layout (which the shared reader in
 * src/analyze/packages/executable/pe.ts gives): machine, subsystem, DLL or EXE, the data
 * directories (imports, certificate table, CLR runtime header), the functions it imports by
 * name, and for a .NET assembly its metadata version, flags and the identifiers of its #Strings
 * heap. Every table is bounded and every pointer checked against what is held.
 */
import type { ByteView } from '../packages/executable/byte-view.js';
import { fixedName, readUint, type ExecutableLayout, type Section } from '../packages/executable/layout.js';
import { parsePe } from '../packages/executable/pe.js';

const DIR_IMPORT = 1;
const DIR_SECURITY = 4;
const DIR_CLR = 14;
const IMAGE_FILE_DLL = 0x2000;
const COMIMAGE_FLAGS_ILONLY = 1;
const COMIMAGE_FLAGS_32BITREQUIRED = 2;
const MAX_DLLS = 256;
const MAX_IMPORTS = 8192;
const MAX_NAME = 256;
const MAX_STREAMS = 16;
const MAX_STRINGS_HEAP = 8 * 1024 * 1024;
const MAX_IDENTIFIERS = 200_000;

const MACHINES: Record<number, string> = {
  0x14c: 'i386',
  0x8664: 'x86_64',
  0xaa64: 'aarch64',
  0x1c0: 'arm',
  0x1c4: 'arm',
  0x200: 'ia64',
  0x5032: 'riscv32',
  0x5064: 'riscv64',
};

const SUBSYSTEMS: Record<number, string> = {
  1: 'native',
  2: 'windows-gui',
  3: 'windows-console',
  9: 'windows-ce',
  10: 'efi-application',
  11: 'efi-boot-driver',
  12: 'efi-runtime-driver',
  13: 'efi-rom',
  14: 'xbox',
  16: 'windows-boot',
};

export interface DataDir {
  rva: number;
  size: number;
}

export interface PeHeaders {
  layout: ExecutableLayout;
  machine: number;
  arch: string;
  dll: boolean;
  subsystem: string;
  efi: boolean;
  imageBase: number;
  dirs: DataDir[];
}

export function readPeHeaders(view: ByteView): PeHeaders | undefined {
  const layout = parsePe(view);
  if (!layout) return undefined;
  const u = (off: number, w: 2 | 4 | 8) => readUint(view, off, w, true);
  const lfanew = u(0x3c, 4)!;
  const coff = lfanew + 4;
  const opt = coff + 20;
  const machine = u(coff, 2) ?? 0;
  const characteristics = u(coff + 18, 2) ?? 0;
  const is64 = u(opt, 2) === 0x20b;
  const optSize = u(coff + 16, 2) ?? 0;
  const subsystemId = u(opt + 68, 2) ?? 0;
  const imageBase = (is64 ? u(opt + 24, 8) : u(opt + 28, 4)) ?? 0;
  const dirsAt = opt + (is64 ? 112 : 96);
  const count = Math.min(u(opt + (is64 ? 108 : 92), 4) ?? 0, 16, Math.max(0, (opt + optSize - dirsAt) >> 3));
  const dirs: DataDir[] = [];
  for (let i = 0; i < count; i++) {
    const rva = u(dirsAt + i * 8, 4);
    const size = u(dirsAt + i * 8 + 4, 4);
    if (rva === undefined || size === undefined) break;
    dirs.push({ rva, size });
  }
  return {
    layout,
    machine,
    arch: MACHINES[machine] ?? `pe-machine-0x${machine.toString(16)}`,
    dll: (characteristics & IMAGE_FILE_DLL) !== 0,
    subsystem: SUBSYSTEMS[subsystemId] ?? `subsystem-${subsystemId}`,
    efi: subsystemId >= 10 && subsystemId <= 13,
    imageBase,
    dirs,
  };
}

export function dataDir(h: PeHeaders, index: number): DataDir | undefined {
  const d = h.dirs[index];
  return d && d.rva !== 0 && d.size !== 0 ? d : undefined;
}

export const importDir = (h: PeHeaders) => dataDir(h, DIR_IMPORT);
export const clrDir = (h: PeHeaders) => dataDir(h, DIR_CLR);
/** The certificate table: the file carries an Authenticode signature (not verified here). */
export const isSigned = (h: PeHeaders) => dataDir(h, DIR_SECURITY) !== undefined;

/** The section holding `rva`. */
export function sectionOfRva(h: PeHeaders, rva: number): Section | undefined {
  const va = h.imageBase + rva;
  return h.layout.sections.find((x) => va >= x.vaddr && va < x.vaddr + x.size);
}

export function rvaToOffset(h: PeHeaders, rva: number): number | undefined {
  const s = sectionOfRva(h, rva);
  return s ? s.offset + (h.imageBase + rva - s.vaddr) : undefined;
}

function cString(view: ByteView, h: PeHeaders, rva: number): string | undefined {
  const at = rvaToOffset(h, rva);
  if (at === undefined) return undefined;
  const bytes = view.read(at, Math.min(MAX_NAME, view.size - at));
  if (!bytes) return undefined;
  const nul = bytes.indexOf(0);
  if (nul < 0) return undefined;
  const name = bytes.subarray(0, nul).toString('latin1');
  return /^[\x21-\x7e]+$/.test(name) ? name : undefined;
}

export interface PeImports {
  dlls: string[];
  /** Imported-by-name functions that are in `watched` (A/W suffixes folded). */
  watched: string[];
}

export function readImports(view: ByteView, h: PeHeaders, watched: ReadonlySet<string>): PeImports {
  const out: PeImports = { dlls: [], watched: [] };
  const dir = importDir(h);
  const start = dir ? rvaToOffset(h, dir.rva) : undefined;
  if (!dir || start === undefined) return out;
  const is64 = h.layout.ptrSize === 8;
  const thunkSize = is64 ? 8 : 4;
  const found = new Set<string>();
  let functions = 0;
  for (let i = 0; i < MAX_DLLS; i++) {
    const d = view.read(start + i * 20, 20);
    if (!d || d.every((b) => b === 0)) break;
    const lookup = d.readUInt32LE(0) || d.readUInt32LE(16);
    const dll = cString(view, h, d.readUInt32LE(12));
    if (dll) out.dlls.push(dll.toLowerCase());
    const thunks = rvaToOffset(h, lookup);
    if (thunks === undefined) continue;
    for (let j = 0; functions < MAX_IMPORTS; j++, functions++) {
      const t = view.read(thunks + j * thunkSize, thunkSize);
      if (!t) break;
      const value = is64 ? t.readBigUInt64LE(0) : BigInt(t.readUInt32LE(0));
      if (value === 0n) break;
      const byOrdinal = is64 ? value >> 63n === 1n : value >> 31n === 1n;
      if (byOrdinal) continue;
      const name = cString(view, h, Number(value & 0x7fffffffn) + 2);
      if (!name) continue;
      const base = watched.has(name) ? name : name.replace(/[AW]$/, '');
      if (watched.has(base)) found.add(base);
    }
  }
  out.watched = [...found].sort();
  return out;
}

export interface ClrInfo {
  ilOnly: boolean;
  requires32Bit: boolean;
  runtimeVersion?: string;
  /** Identifiers of the #Strings heap (type, namespace, member, module and assembly names). */
  identifiers: string[];
}

/** The CLR runtime header and metadata root of a .NET assembly; undefined when not one (or not held). */
export function readClr(view: ByteView, h: PeHeaders): ClrInfo | undefined {
  const dir = clrDir(h);
  const at = dir ? rvaToOffset(h, dir.rva) : undefined;
  if (at === undefined) return undefined;
  const header = view.read(at, 72);
  if (!header) return undefined;
  const flags = header.readUInt32LE(16);
  const info: ClrInfo = {
    ilOnly: (flags & COMIMAGE_FLAGS_ILONLY) !== 0,
    requires32Bit: (flags & COMIMAGE_FLAGS_32BITREQUIRED) !== 0,
    identifiers: [],
  };
  const root = rvaToOffset(h, header.readUInt32LE(8));
  const sig = root === undefined ? undefined : view.read(root, 16);
  if (root === undefined || !sig || sig.readUInt32LE(0) !== 0x424a5342) return info;
  const versionLength = sig.readUInt32LE(12);
  if (versionLength > 255) return info;
  const version = view.read(root + 16, versionLength);
  if (version) info.runtimeVersion = fixedName(version).replace(/[^\x20-\x7e]/g, '');
  let p = root + 16 + versionLength + 2;
  const streams = readUint(view, p, 2, true) ?? 0;
  p += 2;
  for (let i = 0; i < Math.min(streams, MAX_STREAMS); i++) {
    const head = view.read(p, 8);
    const nameBytes = view.read(p + 8, Math.min(32, view.size - p - 8));
    if (!head || !nameBytes) break;
    const nul = nameBytes.indexOf(0);
    if (nul < 0) break;
    const name = nameBytes.subarray(0, nul).toString('latin1');
    if (name === '#Strings') {
      const heap = view.read(root + head.readUInt32LE(0), Math.min(head.readUInt32LE(4), MAX_STRINGS_HEAP));
      if (heap) info.identifiers = identifiersOf(heap);
      break;
    }
    p += 8 + ((nul + 4) & ~3);
  }
  return info;
}

function identifiersOf(heap: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < heap.length && out.length < MAX_IDENTIFIERS) {
    let end = heap.indexOf(0, start);
    if (end < 0) end = heap.length;
    if (end > start) out.push(heap.toString('utf8', start, end));
    start = end + 1;
  }
  return out;
}
