/**
 * Mach-O targets: the CPU of a thin file, or of every slice of a universal ("fat") file. The
 * fat header shares its magic with Java class files; as file(1) does, a slice count below 20
 * means Mach-O (a class file's major version, read in the same place, is 45 or more).
 */
import type { ByteView } from '../packages/executable/byte-view.js';
import { readUint } from '../packages/executable/layout.js';

const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const MAX_FAT_SLICES = 20;
const CPU_ARCH_ABI64 = 0x01000000;
const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;

const CPUS: Record<number, string> = {
  7: 'i386',
  [7 | CPU_ARCH_ABI64]: 'x86_64',
  12: 'arm',
  [12 | CPU_ARCH_ABI64]: 'aarch64',
  [12 | 0x02000000]: 'arm64_32',
  18: 'ppc',
  [18 | CPU_ARCH_ABI64]: 'ppc64',
};

const FILE_TYPES: Record<number, string> = {
  1: 'relocatable',
  2: 'executable',
  6: 'shared-library',
  8: 'bundle',
  4: 'core',
};

export function cpuName(cputype: number): string {
  return CPUS[cputype] ?? `macho-cpu-${cputype}`;
}

export interface FatSlice {
  arch: string;
  offset: number;
  size: number;
}

/** The slices of a universal binary, or undefined when the file is not one. */
export function readFatSlices(view: ByteView): FatSlice[] | undefined {
  const magic = readUint(view, 0, 4, false);
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return undefined;
  const count = readUint(view, 4, 4, false);
  if (count === undefined || count === 0 || count >= MAX_FAT_SLICES) return undefined;
  const entry = magic === FAT_MAGIC_64 ? 32 : 20;
  const slices: FatSlice[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * entry;
    const cpu = readUint(view, at, 4, false);
    const offset =
      magic === FAT_MAGIC_64 ? readUint(view, at + 8, 8, false) : readUint(view, at + 8, 4, false);
    const size =
      magic === FAT_MAGIC_64 ? readUint(view, at + 16, 8, false) : readUint(view, at + 12, 4, false);
    if (cpu === undefined || offset === undefined || size === undefined) return undefined;
    slices.push({ arch: cpuName(cpu), offset, size });
  }
  return slices;
}

export interface ThinMachO {
  arch: string;
  kind: string;
}

export function readThinMachO(view: ByteView): ThinMachO | undefined {
  for (const le of [true, false]) {
    const magic = readUint(view, 0, 4, le);
    if (magic !== MH_MAGIC && magic !== MH_MAGIC_64) continue;
    const cpu = readUint(view, 4, 4, le);
    const type = readUint(view, 12, 4, le);
    if (cpu === undefined || type === undefined) return undefined;
    return { arch: cpuName(cpu), kind: FILE_TYPES[type] ?? 'unknown' };
  }
  return undefined;
}

/** A window onto one slice of a universal binary, read through the whole file's view. */
export function sliceView(view: ByteView, slice: FatSlice): ByteView {
  const size = Math.max(0, Math.min(slice.size, view.size - slice.offset));
  return {
    size,
    read: (offset, length) =>
      offset + length <= size ? view.read(slice.offset + offset, length) : undefined,
  };
}
