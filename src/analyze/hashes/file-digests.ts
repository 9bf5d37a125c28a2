/**
 * `file-digests`: sha256, md5 and sha1 of the files worth checking. Beside the malware rules
 * (threatAnalyzers()), the scan worker thread hashes the files they read whole anyway
 * (digest-requests.ts); alone, or for files too large for that, this analyzer hashes them as
 * they stream, each digest in the same pass. Three digests because the checks that use them
 * compare against what others recorded: deny-lists (sha256), dpkg manifests (md5), apk (sha1),
 * rpm (sha256, md5 on old rpm).
 *
 * Not every file is hashed (it runs on every scan): executables, shared objects, everything in
 * the bin/sbin directories, and the kinds of file droppers leave (Windows executables, scripts,
 * Java archives, anything in temp directories), by name and mode, and any file whose first bytes
 * are an ELF, PE or Mach-O header or a `#!` line, whatever its name (the binaries analyzer takes
 * an executable's sha256 from here). Data files are left out. Where no OS package
 * installs (usr/local, home directories, temp directories) only sha256 is computed: md5 and
 * sha1 would only be compared with package databases, and they cost twice what sha256 does
 * (`usr/local/bin/node` alone is 100 MB).
 *
 * Nor is sha1 needed in every layer: it is only ever compared with apk's database. Once a layer
 * has shown that it is a dpkg or rpm system (files only those ship, such as `etc/dpkg/dpkg.cfg`
 * or `var/lib/rpm/`) and not an apk one, the files after it in the layer get sha256 and md5 only
 * (measured over Debian minbase: sha1 was 41 ms of 186 ms of hashing). An apk layer keeps all
 * three (old apk databases list md5), and a layer that shows nothing gets all three. A layer
 * can show a system only to drop a digest that a later check needs (an Alpine base, then a
 * layer with `etc/debian_version` and a replaced `bin/busybox`): the drift check reports a listed
 * file left without its database's digest (drift-check.ts), so that hides nothing.
 */
import { createHash, type Hash } from 'node:crypto';
import type { EntryHeader } from '../../layer/types.js';
import type { AnalyzeContext, Analyzer, Fact, FileSink } from '../types.js';
import { type DigestAlgorithm, type DigestRequests, type FileDigests } from './digest-requests.js';

export const FILE_DIGESTS_ANALYZER = 'file-digests';

export interface FileDigestFact extends Fact {
  kind: 'file-digest';
  path: string;
  size: number;
  sha256: string;
  /** Absent where no OS package installs (see above). */
  md5?: string;
  sha1?: string;
}

export function isFileDigestFact(f: Fact): f is FileDigestFact {
  return (
    f.kind === 'file-digest' &&
    typeof f.path === 'string' &&
    typeof f.sha256 === 'string' &&
    (f.md5 === undefined || typeof f.md5 === 'string') &&
    (f.sha1 === undefined || typeof f.sha1 === 'string')
  );
}

/**
 * The file-digest facts of one layer: file-digests' own, and those of the files the malware rules
 * hashed for it on the scan worker (digest-requests.ts).
 */
export function fileDigestFacts(layerFacts: Record<string, Fact[]>): FileDigestFact[] {
  const out: FileDigestFact[] = [];
  for (const list of Object.values(layerFacts)) for (const f of list) if (isFileDigestFact(f)) out.push(f);
  return out;
}

/** path → sha256 of the files one layer's file-digest facts cover. */
export function layerDigests(layerFacts: Record<string, Fact[]>): Map<string, string> {
  return new Map(fileDigestFacts(layerFacts).map((f) => [f.path, f.sha256]));
}

/** A file's digests as a fact (the size is the whole file's: digests of part of one are not facts). */
export function fileDigestFact(path: string, size: number, digests: FileDigests): FileDigestFact {
  const fact: FileDigestFact = { kind: 'file-digest', path, size, sha256: digests.sha256 };
  if (digests.md5 !== undefined) fact.md5 = digests.md5;
  if (digests.sha1 !== undefined) fact.sha1 = digests.sha1;
  return fact;
}

const BIN_DIRS = ['bin/', 'sbin/', 'usr/bin/', 'usr/sbin/', 'usr/local/bin/', 'usr/local/sbin/'];
const TEMP_DIRS = ['tmp/', 'var/tmp/', 'dev/shm/'];
// Debian policy, the FHS and every distribution's packaging leave these to the admin and users.
const NO_PACKAGE_DIRS = ['usr/local/', 'home/', 'root/', ...TEMP_DIRS];
// What payloads are usually named, when they are not executables by mode.
const PAYLOAD_EXTENSIONS = new Set([
  'exe',
  'dll',
  'sys',
  'scr',
  'com',
  'ps1',
  'psm1',
  'bat',
  'cmd',
  'vbs',
  'hta',
  'sh',
  'jar',
  'war',
  'elf',
]);

const SHARED_OBJECT = /^[^/]+\.so(?:\.[0-9][0-9A-Za-z_]*)*$/;

/** `libc.so`, `libc.so.6`, `libssl.so.3.0.1`, `libpython3.11.so.1.0`. */
export function isSharedObject(path: string): boolean {
  return SHARED_OBJECT.test(path.slice(path.lastIndexOf('/') + 1));
}

export function inBinDir(path: string): boolean {
  return BIN_DIRS.some((d) => path.startsWith(d) && path.indexOf('/', d.length) < 0);
}

function extension(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(dot + 1).toLowerCase() : '';
}

/** Whether a file is hashed, from its header alone. */
export function wantsDigest(header: EntryHeader): boolean {
  if (header.type !== 'file' || header.size === 0) return false;
  const p = header.path;
  return (
    (header.mode & 0o111) !== 0 ||
    isSharedObject(p) ||
    inBinDir(p) ||
    PAYLOAD_EXTENSIONS.has(extension(p)) ||
    TEMP_DIRS.some((d) => p.startsWith(d))
  );
}

export function mayBePackageFile(path: string): boolean {
  return !NO_PACKAGE_DIRS.some((d) => path.startsWith(d));
}

/** The first bytes of an executable: ELF, PE ("MZ"), Mach-O (thin, both orders, and universal), `#!`. */
export function startsLikeExecutable(head: Uint8Array): boolean {
  if (
    head.length >= 2 &&
    ((head[0] === 0x4d && head[1] === 0x5a) || (head[0] === 0x23 && head[1] === 0x21))
  ) {
    return true;
  }
  if (head.length < 4) return false;
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  return [0x7f454c46, 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(be);
}

const SNIFF_BYTES = 4;

/** The package managers whose database a layer's files are checked against. */
export type PackageSystem = 'dpkg' | 'apk' | 'rpm';

/**
 * Files only a system of that kind has, from its package manager's own packages (and the
 * distribution's release file): a container layer that holds one is that system's root
 * filesystem, or a change made by its package manager.
 */
const SYSTEM_MARKERS: readonly [PackageSystem, readonly string[]][] = [
  ['dpkg', ['etc/dpkg/', 'var/lib/dpkg/', 'etc/debian_version']],
  ['apk', ['etc/apk/', 'lib/apk/db/', 'etc/alpine-release']],
  ['rpm', ['var/lib/rpm/', 'usr/lib/sysimage/rpm/', 'etc/rpm/', 'etc/redhat-release']],
];

const NO_SYSTEMS: ReadonlySet<PackageSystem> = new Set();

/** The system a file's path shows the layer to be, if any. */
export function packageSystemOf(path: string): PackageSystem | undefined {
  for (const [system, markers] of SYSTEM_MARKERS) if (markers.some((m) => path.startsWith(m))) return system;
  return undefined;
}

/**
 * The digests a file gets (see above): sha256 always; md5 (dpkg, rpm, old apk) and sha1 (apk)
 * only where a package database can list the file, and no sha1 once the layer has shown a dpkg
 * or rpm system and no apk one.
 */
export function algorithmsFor(path: string, systems: ReadonlySet<PackageSystem>): DigestAlgorithm[] {
  if (!mayBePackageFile(path)) return ['sha256'];
  if (systems.size > 0 && !systems.has('apk')) return ['sha256', 'md5'];
  return ['sha256', 'md5', 'sha1'];
}

class DigestSink implements FileSink {
  private hashes: Hash[] | undefined;
  private algorithms: DigestAlgorithm[] | undefined;
  private size = 0;
  /** Chunks held while a file not wanted by name is too short yet to show what it is. */
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;
  private skipped = false;
  /**
   * While another analyzer may hash the file whole (`request`): the chunks, kept (not copied)
   * in case nobody takes the request and the file is hashed here at its end after all.
   */
  private held: Buffer[] | undefined;

  constructor(
    private readonly header: EntryHeader,
    private readonly ctx: AnalyzeContext,
    private readonly requests: DigestRequests | undefined,
    /** The systems the layer has shown so far (see SYSTEM_MARKERS). */
    private readonly systems: ReadonlySet<PackageSystem>,
    private readonly request = requests?.ask(header),
  ) {
    if (wantsDigest(header)) this.start();
    else this.pending = [];
  }

  write(chunk: Buffer): void {
    if (this.skipped) return;
    if (!this.pending) {
      this.update(chunk);
      return;
    }
    if (this.pending.length === 0 && chunk.length >= SNIFF_BYTES) {
      this.pending = undefined;
      this.decide(chunk);
      return;
    }
    this.pending.push(Buffer.from(chunk));
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= SNIFF_BYTES) this.flushPending();
  }

  private flushPending(): void {
    const held = Buffer.concat(this.pending!, this.pendingBytes);
    this.pending = undefined;
    this.decide(held);
  }

  /** Hashes from `first` on if it starts like an executable; otherwise the file is passed over. */
  private decide(first: Buffer): void {
    if (!startsLikeExecutable(first)) {
      this.skipped = true;
      if (this.request) this.request.algorithms = [];
      return;
    }
    this.start();
    this.update(first);
  }

  private start(): void {
    this.algorithms = algorithmsFor(this.header.path, this.systems);
    if (this.request) {
      this.request.algorithms = this.algorithms;
      this.held = [];
    } else {
      this.hashes = this.algorithms.map((a) => createHash(a));
    }
  }

  private update(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.held) this.held.push(chunk);
    else for (const h of this.hashes!) h.update(chunk);
  }

  end(): Fact[] {
    if (this.pending) this.flushPending();
    if (this.request) this.requests!.withdraw(this.header);
    // Taken: the malware rules computed the digests with the file's scan and report them.
    if (!this.algorithms || this.request?.taken) return [];
    if (this.size !== this.header.size) {
      // Digests of part of a file match nothing and would only mislead a comparison.
      this.ctx.warn(this.header.path, `read ${this.size} of ${this.header.size} bytes: not hashed`);
      return [];
    }
    const digests: Partial<Record<DigestAlgorithm, string>> = {};
    if (this.held) {
      // Chunk by chunk: joining them first would copy the whole file.
      const held = this.held;
      for (const a of this.algorithms) {
        const hash = createHash(a);
        for (const chunk of held) hash.update(chunk);
        digests[a] = hash.digest('hex');
      }
    } else this.algorithms.forEach((a, i) => (digests[a] = this.hashes![i]!.digest('hex')));
    this.held = undefined;
    return [fileDigestFact(this.header.path, this.size, digests as FileDigests)];
  }
}

/**
 * The analyzer; with `requests`, files another analyzer reads whole are hashed by it (see
 * digest-requests.ts), the rest here.
 */
export function createFileDigestsAnalyzer(requests?: DigestRequests): Analyzer {
  // One context per analyzer and layer pass (layer/dispatch.ts), so per layer; files come in
  // the layer's order, which makes the choice a function of the layer's bytes (its cache key).
  const systemsOfLayer = new WeakMap<AnalyzeContext, ReadonlySet<PackageSystem>>();
  return {
    name: FILE_DIGESTS_ANALYZER,
    version: 4,
    wants(header) {
      return header.type === 'file' && header.size > 0 ? { mode: 'stream' } : false;
    },
    open(header, ctx) {
      let systems = systemsOfLayer.get(ctx) ?? NO_SYSTEMS;
      const system = packageSystemOf(header.path);
      if (system && !systems.has(system)) {
        // Replaced, never changed: each file keeps the set it was opened with.
        systems = new Set([...systems, system]);
        systemsOfLayer.set(ctx, systems);
      }
      return new DigestSink(header, ctx, requests, systems);
    },
  };
}

export const fileDigestsAnalyzer: Analyzer = createFileDigestsAnalyzer();
