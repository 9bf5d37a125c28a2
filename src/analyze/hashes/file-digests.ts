/**
 * `file-digests`: sha256, md5 and sha1 of the files worth checking, in one streaming pass per
 * file. Three digests because the checks that use them compare against what others recorded:
 * deny-lists (sha256), dpkg manifests (md5), apk (sha1), rpm (sha256, md5 on old rpm).
 *
 * Not every file is hashed (it runs on every scan): executables, shared objects, everything in
 * the bin/sbin directories, and the kinds of file droppers leave (Windows executables, scripts,
 * Java archives, anything in temp directories). Data files are left out. Where no OS package
 * installs (usr/local, home directories, temp directories) only sha256 is computed: md5 and
 * sha1 would only be compared with package databases, and they cost twice what sha256 does
 * (`usr/local/bin/node` alone is 100 MB).
 */
import { createHash, type Hash } from 'node:crypto';
import type { EntryHeader } from '../../layer/types.js';
import type { AnalyzeContext, Analyzer, Fact, FileSink } from '../types.js';

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

class DigestSink implements FileSink {
  private readonly sha256: Hash = createHash('sha256');
  private readonly md5: Hash | null;
  private readonly sha1: Hash | null;
  private size = 0;

  constructor(
    private readonly header: EntryHeader,
    private readonly ctx: AnalyzeContext,
  ) {
    const packaged = mayBePackageFile(header.path);
    this.md5 = packaged ? createHash('md5') : null;
    this.sha1 = packaged ? createHash('sha1') : null;
  }

  write(chunk: Buffer): void {
    this.size += chunk.length;
    this.sha256.update(chunk);
    this.md5?.update(chunk);
    this.sha1?.update(chunk);
  }

  end(): Fact[] {
    if (this.size !== this.header.size) {
      // Digests of part of a file match nothing and would only mislead a comparison.
      this.ctx.warn(this.header.path, `read ${this.size} of ${this.header.size} bytes: not hashed`);
      return [];
    }
    const fact: FileDigestFact = {
      kind: 'file-digest',
      path: this.header.path,
      size: this.size,
      sha256: this.sha256.digest('hex'),
    };
    if (this.md5) fact.md5 = this.md5.digest('hex');
    if (this.sha1) fact.sha1 = this.sha1.digest('hex');
    return [fact];
  }
}

export const fileDigestsAnalyzer: Analyzer = {
  name: FILE_DIGESTS_ANALYZER,
  version: 1,
  wants(header) {
    return wantsDigest(header) ? { mode: 'stream' } : false;
  },
  open(header, ctx) {
    return new DigestSink(header, ctx);
  },
};
