/**
 * Mach-O (macOS): load commands right after the header list every segment and section with
 * its file offset, so, as with PE, the first kilobytes tell where everything is. Universal
 * ("fat") files are not unpacked: their slices' own headers lie deep in the file.
 */
import type { ByteView } from './byte-view.js';
import { fixedName, readUint, type ExecutableLayout, type Region, type Section } from './layout.js';
import { hasGoBuildIdString } from './pe.js';

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const VM_PROT_WRITE = 2;
const VM_PROT_EXECUTE = 4;
const MAX_COMMANDS = 4096;
const MAX_SECTIONS_PER_SEGMENT = 1024;

function machMagic(view: ByteView): { is64: boolean; littleEndian: boolean } | undefined {
  const le = readUint(view, 0, 4, true);
  if (le === MH_MAGIC || le === MH_MAGIC_64) return { is64: le === MH_MAGIC_64, littleEndian: true };
  const be = readUint(view, 0, 4, false);
  if (be === MH_MAGIC || be === MH_MAGIC_64) return { is64: be === MH_MAGIC_64, littleEndian: false };
  return undefined;
}

export function isMachO(view: ByteView): boolean {
  return machMagic(view) !== undefined;
}

export function parseMachO(view: ByteView): ExecutableLayout | undefined {
  const magic = machMagic(view);
  if (!magic) return undefined;
  const { is64, littleEndian } = magic;
  const u = (off: number, w: 4 | 8) => readUint(view, off, w, littleEndian);
  const ncmds = u(16, 4);
  const sizeofcmds = u(20, 4);
  if (ncmds === undefined || sizeofcmds === undefined) return undefined;
  const regions: Region[] = [];
  const sections: Section[] = [];
  const end = (is64 ? 32 : 28) + sizeofcmds;
  let at = is64 ? 32 : 28;
  for (let i = 0; i < Math.min(ncmds, MAX_COMMANDS) && at + 8 <= end; i++) {
    const cmd = u(at, 4);
    const cmdsize = u(at + 4, 4);
    if (cmd === undefined || cmdsize === undefined || cmdsize < 8) break;
    if (cmd === LC_SEGMENT_64 || cmd === LC_SEGMENT) {
      readSegment(view, at, cmd === LC_SEGMENT_64, littleEndian, regions, sections);
    }
    at += cmdsize;
  }
  return {
    format: 'macho',
    littleEndian,
    ptrSize: is64 ? 8 : 4,
    regions,
    sections,
    goBuildId: hasGoBuildIdString(view),
  };
}

function readSegment(
  view: ByteView,
  at: number,
  is64: boolean,
  le: boolean,
  regions: Region[],
  sections: Section[],
): void {
  const u = (off: number, w: 4 | 8) => readUint(view, off, w, le);
  const w = is64 ? 8 : 4;
  const segname = view.read(at + 8, 16);
  const vmaddr = u(at + 24, w);
  const fileoff = u(at + 24 + 2 * w, w);
  const filesize = u(at + 24 + 3 * w, w);
  const initprot = u(at + 24 + 4 * w + 4, 4);
  const nsects = u(at + 24 + 4 * w + 8, 4);
  if (!segname || [vmaddr, fileoff, filesize, initprot, nsects].some((v) => v === undefined)) return;
  regions.push({
    vaddr: vmaddr!,
    offset: fileoff!,
    fileSize: filesize!,
    executable: (initprot! & VM_PROT_EXECUTE) !== 0,
    writable: (initprot! & VM_PROT_WRITE) !== 0,
  });
  const first = at + 24 + 4 * w + 16;
  const sectSize = is64 ? 80 : 68;
  for (let i = 0; i < Math.min(nsects!, MAX_SECTIONS_PER_SEGMENT); i++) {
    const s = first + i * sectSize;
    const sectname = view.read(s, 16);
    const sectSeg = view.read(s + 16, 16);
    const addr = u(s + 32, w);
    const size = u(s + 32 + w, w);
    const offset = u(s + 32 + 2 * w, 4);
    if (!sectname || !sectSeg || addr === undefined || size === undefined || offset === undefined) return;
    sections.push({
      name: `${fixedName(sectSeg)},${fixedName(sectname)}`,
      offset,
      // Zero-fill sections (bss) have no file bytes and offset 0.
      size: offset === 0 ? 0 : size,
      vaddr: addr,
      loaded: offset !== 0,
    });
  }
}
