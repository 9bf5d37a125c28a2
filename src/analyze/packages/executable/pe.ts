/**
 * PE/COFF (Windows .exe/.dll): the section table sits right after the headers at the start of
 * the file, so a streaming reader knows every section's place from the first few kilobytes.
 */
import type { ByteView } from './byte-view.js';
import { fixedName, readUint, type ExecutableLayout, type Section } from './layout.js';

const IMAGE_SCN_CNT_CODE = 0x20;
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const IMAGE_SCN_MEM_WRITE = 0x80000000;
const MAX_SECTIONS = 96;
/** Go writes `\xff Go build ID: "..."` at the start of .text in non-ELF binaries. */
const GO_BUILD_ID = Buffer.from('\xff Go build ID: "', 'latin1');
const GO_BUILD_ID_SEARCH = 64 * 1024;

export function isPe(view: ByteView): boolean {
  const mz = view.read(0, 2);
  return !!mz && mz[0] === 0x4d && mz[1] === 0x5a;
}

export function parsePe(view: ByteView): ExecutableLayout | undefined {
  if (!isPe(view)) return undefined;
  const u = (off: number, w: 2 | 4 | 8) => readUint(view, off, w, true);
  const lfanew = u(0x3c, 4);
  if (lfanew === undefined) return undefined;
  const sig = view.read(lfanew, 4);
  if (!sig || !sig.equals(Buffer.from('PE\0\0', 'latin1'))) return undefined;
  const coff = lfanew + 4;
  const nsections = u(coff + 2, 2);
  const optSize = u(coff + 16, 2);
  const opt = coff + 20;
  const magic = u(opt, 2);
  if (nsections === undefined || optSize === undefined || (magic !== 0x10b && magic !== 0x20b))
    return undefined;
  const is64 = magic === 0x20b;
  const imageBase = is64 ? u(opt + 24, 8) : u(opt + 28, 4);
  if (imageBase === undefined) return undefined;
  const sections: Section[] = [];
  const regions: ExecutableLayout['regions'] = [];
  const table = opt + optSize;
  for (let i = 0; i < Math.min(nsections, MAX_SECTIONS); i++) {
    const at = table + i * 40;
    const nameBytes = view.read(at, 8);
    const vsize = u(at + 8, 4);
    const rva = u(at + 12, 4);
    const rawSize = u(at + 16, 4);
    const rawPtr = u(at + 20, 4);
    const chars = u(at + 36, 4);
    if (!nameBytes || [vsize, rva, rawSize, rawPtr, chars].some((v) => v === undefined)) break;
    const vaddr = imageBase + rva!;
    // Raw data is padded to the file alignment; only the virtual size is the section's content.
    const size = vsize! > 0 ? Math.min(vsize!, rawSize!) : rawSize!;
    sections.push({ name: fixedName(nameBytes), offset: rawPtr!, size, vaddr, loaded: true });
    regions.push({
      vaddr,
      offset: rawPtr!,
      fileSize: size,
      executable: (chars! & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) !== 0,
      writable: (chars! & IMAGE_SCN_MEM_WRITE) !== 0,
    });
  }
  return {
    format: 'pe',
    littleEndian: true,
    ptrSize: is64 ? 8 : 4,
    regions,
    sections,
    goBuildId: hasGoBuildIdString(view),
  };
}

/** Whether the file's first bytes carry Go's build ID string (PE and Mach-O put it there). */
export function hasGoBuildIdString(view: ByteView): boolean {
  const head = view.read(0, Math.min(view.size, GO_BUILD_ID_SEARCH));
  return !!head && head.includes(GO_BUILD_ID);
}
