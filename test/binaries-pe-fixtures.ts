/**
 * PE fixtures for the binaries-* tests, built on test/support/synthetic-executables.ts: data
 * directories (imports, CLR header, certificate table), subsystem and DLL flag patched into the
 * headers it writes. Harmless: the code is a few zero bytes, the names are strings.
 */
import { buildPe } from './support/synthetic-executables.js';

const LFANEW = 0x80;
const OPT = LFANEW + 24;

export interface PeFixture {
  imports?: { dll: string; functions: string[] };
  /** .NET: the #Strings heap identifiers, and whether the assembly is IL-only. */
  clr?: { identifiers: string[]; ilOnly?: boolean };
  dll?: boolean;
  subsystem?: number;
  signed?: boolean;
  sectionNames?: [string, string];
  goBuildId?: string;
  textExtra?: Buffer;
}

function importTable(rva: number, dll: string, functions: string[]): Buffer {
  const buf = Buffer.alloc(0x400 + functions.length * 64);
  const thunks = 0x40;
  const dllName = 0x100;
  let names = 0x140;
  buf.writeUInt32LE(rva + thunks, 0);
  buf.writeUInt32LE(rva + dllName, 12);
  buf.writeUInt32LE(rva + thunks, 16);
  buf.write(`${dll}\0`, dllName, 'latin1');
  functions.forEach((f, i) => {
    buf.writeBigUInt64LE(BigInt(rva + names), thunks + i * 8);
    buf.write(`\0\0${f}\0`, names, 'latin1');
    names += f.length + 4;
  });
  return buf;
}

function clrText(rva: number, identifiers: string[], ilOnly: boolean): Buffer {
  const heap = Buffer.from(`\0${identifiers.join('\0')}\0`, 'utf8');
  const root = 0x100;
  const buf = Buffer.alloc(root + 64 + heap.length + 16);
  buf.writeUInt32LE(72, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(5, 6);
  buf.writeUInt32LE(rva + root, 8);
  buf.writeUInt32LE(64 + heap.length, 12);
  buf.writeUInt32LE(ilOnly ? 1 : 0, 16);
  buf.writeUInt32LE(0x424a5342, root);
  buf.writeUInt16LE(1, root + 4);
  buf.writeUInt16LE(1, root + 6);
  buf.writeUInt32LE(12, root + 12);
  buf.write('v4.0.30319', root + 16, 'latin1');
  buf.writeUInt16LE(1, root + 30); // one stream
  buf.writeUInt32LE(64, root + 32); // its offset from the root
  buf.writeUInt32LE(heap.length, root + 36);
  buf.write('#Strings\0', root + 40, 'latin1');
  heap.copy(buf, root + 64);
  return buf;
}

export function buildTestPe(spec: PeFixture = {}): Buffer {
  const textRva = 0x1000;
  const rdataRva = 0x8000;
  const text = spec.clr
    ? clrText(textRva, spec.clr.identifiers, spec.clr.ilOnly ?? true)
    : Buffer.concat([Buffer.alloc(64), spec.textExtra ?? Buffer.alloc(0)]);
  const rdata = spec.imports
    ? importTable(rdataRva, spec.imports.dll, spec.imports.functions)
    : Buffer.from('harmless test data\0');
  const [n1, n2] = spec.sectionNames ?? ['.text', '.rdata'];
  const pe = buildPe({
    sections: [
      { name: n1, rva: textRva, data: text, executable: true },
      { name: n2, rva: rdataRva, data: rdata },
    ],
    ...(spec.goBuildId ? { goBuildId: spec.goBuildId } : {}),
  });
  pe.writeUInt16LE(spec.subsystem ?? 3, OPT + 68);
  if (spec.dll) pe.writeUInt16LE(pe.readUInt16LE(LFANEW + 22) | 0x2000, LFANEW + 22);
  pe.writeUInt32LE(16, OPT + 108);
  const dir = (i: number, rva: number, size: number) => {
    pe.writeUInt32LE(rva, OPT + 112 + i * 8);
    pe.writeUInt32LE(size, OPT + 112 + i * 8 + 4);
  };
  if (spec.imports) dir(1, rdataRva, 40);
  if (spec.signed) dir(4, pe.length, 8);
  if (spec.clr) dir(14, textRva, 72);
  return pe;
}
