/**
 * The `binaries` analyzer: every regular file whose first bytes are an ELF, PE, Mach-O (thin or
 * universal) or a `#!` script, and Windows scripts by their extension, becomes a BinaryFact.
 * Decided from content: the first 64 bytes are sniffed and a file that is none of these is
 * dropped at once (nothing hashed or kept). Scripts carry the sha256 of the whole file; an
 * executable's is the one `file-digests` computes anyway (hashing it twice was a tenth of the
 * threat pass's main thread over Debian minbase): scan/threats.ts joins them.
 *
 * Streaming, with bounded memory per file: an executable keeps its first 64 KiB, its section
 * table and the bytes around it (ELF), the sections holding its imports and CLR metadata (PE,
 * at most 4 + 4 + 16 MiB), and a 2 KiB window after each of at most 4 Go build info magics;
 * a script keeps its first 256 KiB and passes through the hash.
 */
import { createHash, type Hash } from 'node:crypto';
import type { EntryHeader } from '../../layer/types.js';
import type { BinaryFact } from '../findings.js';
import { bufferView } from '../packages/executable/byte-view.js';
import { sectionTableRange } from '../packages/executable/elf.js';
import { parseExecutable, type ParsedExecutable } from '../packages/executable/parse.js';
import { ExecutableCollector, type ByteRange } from '../packages/executable/stream-collector.js';
import { BUILDINFO_MAGIC } from '../packages/golang/buildinfo.js';
import type { AnalyzeContext, Analyzer, Fact, FileSink } from '../types.js';
import { classifyElf, classifyMachO, classifyPe, LANGUAGE_MARKERS, type Classified } from './classify.js';
import { StreamMarkers } from './markers.js';
import { clrDir, importDir, readPeHeaders, sectionOfRva } from './pe-info.js';
import { windowsRules, type WindowsRules } from './rules.js';
import { parseShebang, scriptText, usesWsh, windowsScriptKind, type WindowsScriptKind } from './script.js';

export const BINARIES_ANALYZER = 'binaries';

const MIN_BYTES = 4;
const SNIFF_BYTES = 64;
const HEAD_BYTES = 64 * 1024;
const SCRIPT_HEAD_BYTES = 256 * 1024;
const ELF_AFTER_LOADED = 64 * 1024;
const ELF_BEFORE_TABLE = 256 * 1024;
const PE_IMPORT_SECTION_MAX = 4 * 1024 * 1024;
const PE_RDATA_MAX = 4 * 1024 * 1024;
const PE_CLR_SECTION_MAX = 16 * 1024 * 1024;
const GO_WINDOW = 2048;
const GO_MAX_HITS = 4;
const GO_ALIGN = 16;

type Kind = 'elf' | 'pe' | 'macho';

function executableKind(first: Buffer): Kind | undefined {
  if (first.length < 4) return undefined;
  const be = first.readUInt32BE(0);
  if (be === 0x7f454c46) return 'elf';
  if (first[0] === 0x4d && first[1] === 0x5a) return 'pe';
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(be)) return 'macho';
  // Universal Mach-O; a Java class file has the same magic but a large "count" (its version).
  if ((be === 0xcafebabe || be === 0xcafebabf) && first.length >= 8) {
    const count = first.readUInt32BE(4);
    if (count > 0 && count < 20) return 'macho';
  }
  return undefined;
}

function elfPlan(parsed: ParsedExecutable | undefined, size: number): ByteRange[] {
  if (!parsed?.elf) return [];
  const ranges: ByteRange[] = [];
  const loadedEnd = parsed.elf.loadedEnd;
  ranges.push({ start: loadedEnd, end: Math.min(size, loadedEnd + ELF_AFTER_LOADED) });
  const table = sectionTableRange(parsed.elf.header);
  if (table) {
    ranges.push({ start: Math.max(0, table.offset - ELF_BEFORE_TABLE), end: table.offset + table.size });
  }
  return ranges;
}

function pePlan(head: Buffer): ByteRange[] {
  const h = readPeHeaders(bufferView(head));
  if (!h) return [];
  const ranges: ByteRange[] = [];
  const keep = (s: { offset: number; size: number } | undefined, max: number) => {
    if (s && s.size > 0) ranges.push({ start: s.offset, end: s.offset + Math.min(s.size, max) });
  };
  const imports = importDir(h);
  if (imports) keep(sectionOfRva(h, imports.rva), PE_IMPORT_SECTION_MAX);
  keep(
    h.layout.sections.find((s) => s.name === '.rdata' || s.name === '.idata'),
    PE_RDATA_MAX,
  );
  const clr = clrDir(h);
  if (clr) keep(sectionOfRva(h, clr.rva), PE_CLR_SECTION_MAX);
  return ranges;
}

interface ScriptState {
  kind: 'shebang' | WindowsScriptKind;
  interpreter?: string;
  language: string;
  head: Buffer[];
  headBytes: number;
  decided: boolean;
}

class ClassifierSink implements FileSink {
  private state: 'sniff' | 'inert' | 'exe' | 'script' = 'sniff';
  private sniffed: Buffer[] = [];
  private sniffedBytes = 0;
  private hash: Hash | undefined;
  private kind: Kind | undefined;
  private collector: ExecutableCollector | undefined;
  private markers: StreamMarkers | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private script: ScriptState | undefined;
  private scriptDetails: Record<string, unknown> | undefined;
  private goByHead: boolean | undefined;

  constructor(
    private readonly header: EntryHeader,
    private readonly rules: WindowsRules,
  ) {}

  write(chunk: Buffer): void {
    if (this.state === 'inert' || chunk.length === 0) return;
    if (this.state === 'sniff') {
      this.sniffed.push(chunk);
      this.sniffedBytes += chunk.length;
      if (this.sniffedBytes >= SNIFF_BYTES) this.decide();
      return;
    }
    this.feed(chunk);
  }

  end(): Fact[] {
    if (this.state === 'sniff') this.decide();
    if (this.state === 'exe') return this.endExecutable();
    if (this.state === 'script') return this.endScript();
    return [];
  }

  private decide(): void {
    // Most files arrive in one chunk: concatenating would copy every file to read 64 bytes.
    const first = this.sniffed.length === 1 ? this.sniffed[0]! : Buffer.concat(this.sniffed);
    this.sniffed = [];
    this.kind = executableKind(first);
    if (this.kind) {
      this.state = 'exe';
      this.markers = new StreamMarkers(LANGUAGE_MARKERS);
      this.collector = new ExecutableCollector(this.header.size, {
        headBytes: HEAD_BYTES,
        marker: { pattern: BUILDINFO_MAGIC, window: GO_WINDOW, maxHits: GO_MAX_HITS, align: GO_ALIGN },
        plan: (parsed, size) => (this.kind === 'pe' ? pePlan(joined(this.head)) : elfPlan(parsed, size)),
      });
    } else {
      const shebang = parseShebang(first);
      const windows = shebang ? undefined : windowsScriptKind(this.header.path);
      if (!shebang && !windows) {
        this.state = 'inert';
        return;
      }
      this.state = 'script';
      this.script = {
        kind: shebang ? 'shebang' : windows!,
        language: shebang ? shebang.language : windowsLanguage(windows!),
        head: [],
        headBytes: 0,
        decided: false,
      };
      if (shebang) this.script.interpreter = shebang.interpreter;
    }
    if (first.length > 0) this.feed(first);
  }

  private feed(chunk: Buffer): void {
    if (this.state === 'exe') {
      if (this.headBytes < HEAD_BYTES) {
        // Views, not copies: the layer pass never reuses a chunk (copying every executable's
        // head was a third of the external memory that made the main thread's full collections).
        const part = chunk.subarray(0, HEAD_BYTES - this.headBytes);
        this.head.push(part);
        this.headBytes += part.length;
      }
      if (this.headBytes >= HEAD_BYTES && this.markers && this.goByHead === undefined) {
        // A Go build ID in the headers settles the language: no need to search the rest.
        this.goByHead = parseExecutable(bufferView(joined(this.head)), false)?.layout.goBuildId ?? false;
      }
      if (!this.goByHead) this.markers!.write(chunk);
      this.collector!.write(chunk);
      return;
    }
    const s = this.script!;
    if (s.decided) {
      this.hash?.update(chunk);
      return;
    }
    s.head.push(chunk);
    s.headBytes += chunk.length;
    if (s.headBytes >= SCRIPT_HEAD_BYTES) this.decideScript();
  }

  /** Once the head is in: a WSH candidate without WSH use is dropped; the rest are hashed. */
  private decideScript(): void {
    const s = this.script!;
    s.decided = true;
    const all = joined(s.head);
    const head = all.subarray(0, SCRIPT_HEAD_BYTES);
    s.head = [];
    const details: Record<string, unknown> = {};
    if (s.interpreter) details.interpreter = s.interpreter;
    if (s.kind !== 'shebang' || s.language === 'powershell') {
      const text = scriptText(head);
      if (text === undefined || (s.kind === 'jscript-candidate' && !usesWsh(text))) {
        this.state = 'inert';
        return;
      }
      const cradles = this.rules.cradles.filter((c) => c.all.every((re) => re.test(text))).map((c) => c.id);
      if (cradles.length) details.cradles = cradles;
    }
    this.hash = createHash('sha256').update(all);
    this.scriptDetails = details;
  }

  private endScript(): Fact[] {
    const s = this.script!;
    if (!s.decided) this.decideScript();
    if (this.state !== 'script') return [];
    const fact: BinaryFact = {
      kind: 'binary',
      path: this.header.path,
      format: 'script',
      language: s.language,
      platform: s.kind === 'shebang' ? 'any' : 'windows',
      sha256: this.hash!.digest('hex'),
    };
    const d = this.scriptDetails;
    if (d && Object.keys(d).length) fact.details = d;
    return [fact];
  }

  private endExecutable(): Fact[] {
    const got = this.collector!.finish();
    const evidence = { view: got.view, goHits: got.hits, markers: this.markers!.found };
    let c: Classified | undefined;
    if (this.kind === 'elf') c = classifyElf(evidence, got.head?.layout.goBuildId ?? false);
    else if (this.kind === 'pe') c = classifyPe(evidence, this.rules);
    else c = classifyMachO(evidence);
    if (!c) return [];
    const fact: BinaryFact = {
      kind: 'binary',
      path: this.header.path,
      format: c.format,
      language: c.language,
      platform: c.platform,
    };
    if (c.arch) fact.arch = c.arch;
    if (Object.keys(c.details).length) fact.details = c.details;
    return [fact];
  }
}

/** The chunks as one buffer: the only one when there is one (most files), else a copy. */
function joined(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function windowsLanguage(kind: WindowsScriptKind): string {
  return kind === 'jscript-candidate' ? 'jscript' : kind;
}

export function openBinarySink(header: EntryHeader, _ctx?: AnalyzeContext): FileSink {
  return new ClassifierSink(header, windowsRules());
}

export const binaryClassifier: Analyzer = {
  name: BINARIES_ANALYZER,
  version: 2,
  wants: (header) => (header.type === 'file' && header.size >= MIN_BYTES ? { mode: 'stream' } : false),
  open: openBinarySink,
};

/** A whole file in memory (tests, callers holding the bytes): the same facts as streaming it. */
export function classifyFile(path: string, content: Buffer, chunkSize = 256 * 1024): BinaryFact[] {
  const sink = openBinarySink({ path, type: 'file', mode: 0o755, size: content.length, uid: 0, gid: 0 });
  for (let i = 0; i < content.length; i += chunkSize) sink.write(content.subarray(i, i + chunkSize));
  const facts = sink.end() as BinaryFact[];
  for (const f of facts) f.sha256 ??= createHash('sha256').update(content).digest('hex');
  return facts;
}
