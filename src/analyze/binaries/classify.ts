/**
 * From what a stream kept of an executable (headers, section tables, small sections, markers
 * seen anywhere) to its BinaryFact fields: format, platform, arch, language and details.
 * Language comes from the strongest signal present: Go build ID or build info, the Rust
 * toolchain's traces, a CLR header (.NET), PyInstaller's bootloader; C is the default.
 */
import type { ByteView } from '../packages/executable/byte-view.js';
import type { BinaryFormat } from '../findings.js';
import { plausibleHeader, readUvarint } from '../packages/golang/buildinfo.js';
import { parseMachO } from '../packages/executable/macho.js';
import { readElfDetails } from './elf-info.js';
import { readFatSlices, readThinMachO, sliceView } from './macho-info.js';
import { clrDir, isSigned, readClr, readImports, readPeHeaders } from './pe-info.js';
import type { WindowsRules } from './rules.js';

/** Byte strings whose presence anywhere in an executable says something about its language. */
// Each is one more pass over every executable byte, so only the few that decide something:
// Rust's std paths (`/rustc/<commit>/library/...`), the .NET host library an apphost loads,
// PyInstaller's bootloader variable.
export const LANGUAGE_MARKERS = {
  'rustc-path': '/rustc/',
  hostfxr: 'libhostfxr',
  pyinstaller: '_MEIPASS',
};

const UPX_MAGIC = Buffer.from('UPX!', 'latin1');
const UPX_SEARCH_BYTES = 4096;
const GO_SECTIONS =
  /^(\.go\.buildinfo|\.gopclntab|\.gosymtab|\.note\.go\.buildid|__\w+,__go_buildinfo|__\w+,__gopclntab)$/;
const RUST_SECTIONS = /^(\.rustc|__\w+,__rustc)$/;
const MAX_OFFENSIVE_HITS = 8;
const MAX_DLLS_SHOWN = 16;

export interface Classified {
  format: BinaryFormat;
  language: string;
  platform: string;
  arch?: string;
  details: Record<string, unknown>;
}

export interface Evidence {
  view: ByteView;
  /** File offsets where Go's build info magic starts (16-aligned). */
  goHits: number[];
  markers: ReadonlySet<string>;
}

/** The Go version in inline (Go >= 1.18) build info at `at`, when held. */
function goVersionAt(view: ByteView, at: number): string | undefined {
  const header = view.read(at, 32);
  if (!header || (header[15]! & 2) === 0) return undefined;
  const len = view.read(at + 32, 10);
  const n = len ? readUvarint(len, 0) : undefined;
  if (!n || n.value === 0 || n.value > 64) return undefined;
  const bytes = view.read(at + 32 + n.next, n.value);
  const version = bytes?.toString('latin1');
  return version && /^go[\w.+-]+$/.test(version) ? version : undefined;
}

function goEvidence(
  e: Evidence,
  sections: string[],
  buildIdSeen: boolean,
): { go: boolean; version?: string } {
  const hit = e.goHits.find((h) => plausibleHeader(e.view, h));
  const go =
    buildIdSeen ||
    hit !== undefined ||
    sections.some((s) => GO_SECTIONS.test(s)) ||
    e.markers.has('go-runtime');
  const version = hit !== undefined ? goVersionAt(e.view, hit) : undefined;
  return version ? { go, version } : { go };
}

function rustEvidence(e: Evidence, sections: string[], comment?: string): boolean {
  return (
    sections.some((s) => RUST_SECTIONS.test(s)) ||
    (comment !== undefined && /rustc version/.test(comment)) ||
    e.markers.has('rustc-path')
  );
}

function packedWithUpx(view: ByteView, sections: string[]): boolean {
  const head = view.read(0, Math.min(view.size, UPX_SEARCH_BYTES));
  return (head?.includes(UPX_MAGIC) ?? false) || sections.some((s) => /^(UPX\d|\.UPX\d)$/.test(s));
}

function nativeLanguage(
  e: Evidence,
  sections: string[],
  buildIdSeen: boolean,
  details: Record<string, unknown>,
  comment?: string,
): string {
  const go = goEvidence(e, sections, buildIdSeen);
  if (go.version) details.goVersion = go.version;
  if (packedWithUpx(e.view, sections)) details.packer = 'upx';
  if (go.go) return 'go';
  if (rustEvidence(e, sections, comment)) return 'rust';
  if (e.markers.has('pyinstaller')) {
    details.packer ??= 'pyinstaller';
    return 'python';
  }
  return 'c';
}

export function classifyElf(e: Evidence, buildIdSeen: boolean): Classified | undefined {
  const elf = readElfDetails(e.view);
  if (!elf) return undefined;
  const names = elf.sections.map((s) => s.name);
  const details: Record<string, unknown> = { kind: elf.kind, linking: elf.linking, pie: elf.pie };
  if (elf.interpreter) details.interpreter = elf.interpreter;
  if (elf.libc) details.libc = elf.libc;
  if (elf.stripped !== undefined) details.stripped = elf.stripped;
  if (elf.comment) details.compiler = elf.comment;
  let language = nativeLanguage(e, names, buildIdSeen, details, elf.comment);
  // A .NET apphost: a small native launcher that finds the runtime and runs the app's .dll.
  if (language === 'c' && e.markers.has('hostfxr')) language = 'dotnet';
  return { format: 'elf', language, platform: elf.platform, arch: elf.arch, details };
}

export function classifyPe(e: Evidence, rules: WindowsRules): Classified | undefined {
  const h = readPeHeaders(e.view);
  if (!h) return undefined;
  const names = h.layout.sections.map((s) => s.name);
  const details: Record<string, unknown> = { kind: h.dll ? 'dll' : 'exe', subsystem: h.subsystem };
  if (isSigned(h)) details.signed = true;
  const imports = readImports(e.view, h, rules.watchedImports);
  if (imports.dlls.length) details.dlls = imports.dlls.slice(0, MAX_DLLS_SHOWN);
  if (imports.watched.length) details.imports = imports.watched;
  let language: string;
  if (clrDir(h)) {
    language = 'dotnet';
    if (packedWithUpx(e.view, names)) details.packer = 'upx';
    const clr = readClr(e.view, h);
    if (clr) {
      details.dotnet = {
        ilOnly: clr.ilOnly,
        ...(clr.runtimeVersion ? { runtimeVersion: clr.runtimeVersion } : {}),
      };
      const hits = offensiveNames(clr.identifiers, rules.dotnetOffensiveNames);
      if (hits.length) details.offensiveNames = hits;
    }
  } else {
    language = nativeLanguage(e, names, h.layout.goBuildId, details);
  }
  return { format: 'pe', language, platform: h.efi ? 'uefi' : 'windows', arch: h.arch, details };
}

/** Identifiers that are, or are a namespace of, a known offensive tool's name. */
function offensiveNames(identifiers: string[], names: ReadonlySet<string>): string[] {
  const hits = new Set<string>();
  for (const id of identifiers) {
    const first = id.split('.')[0]!;
    if (names.has(first)) hits.add(first);
    if (hits.size >= MAX_OFFENSIVE_HITS) break;
  }
  return [...hits].sort();
}

export function classifyMachO(e: Evidence): Classified | undefined {
  const slices = readFatSlices(e.view);
  const view = slices?.[0] ? sliceView(e.view, slices[0]) : e.view;
  const thin = readThinMachO(view);
  if (!slices && !thin) return undefined;
  const layout = thin ? parseMachO(view) : undefined;
  const names = layout?.sections.map((s) => s.name) ?? [];
  const details: Record<string, unknown> = {};
  if (thin) details.kind = thin.kind;
  if (slices) details.slices = slices.map((s) => s.arch);
  let language = nativeLanguage(e, names, layout?.goBuildId ?? false, details);
  if (language === 'c' && names.some((n) => /,__swift5_/.test(n))) language = 'swift';
  const arch = slices ? (slices.length === 1 ? slices[0]!.arch : 'universal') : thin!.arch;
  return { format: 'macho', language, platform: 'darwin', arch, details };
}
