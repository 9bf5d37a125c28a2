/**
 * File digests asked of whoever reads a file's bytes whole anyway. The malware rules copy every
 * file to the scan worker thread; hashing it there as well takes sha256, md5 and sha1 (a sixth of
 * the threat pass's main-thread time over Debian minbase) off the thread that reads the layer.
 * The file-digests analyzer asks (ask()) when a file starts; the malware rules take the request
 * (take()) when they have the whole file, and report the digests their job computed as
 * `file-digest` facts of their own; the asker, whose end() comes after theirs, then reports
 * nothing for that file, and hashes a file nobody took itself. Nobody waits on anybody: a file
 * waiting on the worker holds one of the layer pass's async slots, not two.
 *
 * Requests are keyed by the entry header object, which the layer pass hands to every analyzer of
 * one file: two entries with the same path (a layer may hold both) never share one.
 */
import { createHash } from 'node:crypto';
import type { EntryHeader } from '../../layer/types.js';

export type DigestAlgorithm = 'sha256' | 'md5' | 'sha1';

export interface FileDigests {
  sha256: string;
  md5?: string;
  sha1?: string;
}

export function digestsOf(bytes: Uint8Array, algorithms: readonly DigestAlgorithm[]): FileDigests {
  const out: Partial<Record<DigestAlgorithm, string>> = {};
  for (const algorithm of algorithms) out[algorithm] = createHash(algorithm).update(bytes).digest('hex');
  return out as FileDigests;
}

/** One file's digests, asked for before its bytes are read whole. */
export interface DigestRequest {
  /** Decided by the asker while the file streams (undefined: not yet; empty: none wanted). */
  algorithms: DigestAlgorithm[] | undefined;
  taken: boolean;
}

export class DigestRequests {
  private readonly open = new Map<EntryHeader, DigestRequest>();
  /** The largest file the reader sees whole; 0 while no reader is attached. */
  private wholeBytes = 0;
  /** Requests the reader took (for tests and benchmarks). */
  taken = 0;

  /** A reader says it will take requests for files up to `maxWholeBytes`. */
  attach(maxWholeBytes: number): void {
    this.wholeBytes = Math.max(this.wholeBytes, maxWholeBytes);
  }

  /** A request for this file, or undefined when no reader will see it whole (hash it yourself). */
  ask(header: EntryHeader): DigestRequest | undefined {
    if (header.type !== 'file' || header.size <= 0 || header.size > this.wholeBytes) return undefined;
    const request: DigestRequest = { algorithms: undefined, taken: false };
    this.open.set(header, request);
    return request;
  }

  /**
   * The reader's side, with the whole file in hand: the digests to compute, if the asker wants
   * some. From then on they are the reader's to report.
   */
  take(header: EntryHeader): DigestAlgorithm[] | undefined {
    const request = this.open.get(header);
    if (!request?.algorithms?.length) return undefined;
    this.open.delete(header);
    request.taken = true;
    this.taken++;
    return request.algorithms;
  }

  /** The asker's side, once the file ended: the request is no longer on offer. */
  withdraw(header: EntryHeader): void {
    this.open.delete(header);
  }
}
