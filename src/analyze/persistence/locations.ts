/**
 * The `persistence-locations` analyzer: programs where programs do not belong. An ELF file in
 * /tmp, /var/tmp, /dev/shm or /run, in a hidden place (see paths.ts), or an ELF or script
 * named like a kernel thread (a process listing would show it as one). Decided from the path
 * first (only such paths are read), then from the first bytes; the whole file is hashed.
 */
import { createHash, type Hash } from 'node:crypto';
import type { EntryHeader } from '../../layer/types.js';
import type { MalwareCategory, MalwareFact, ThreatSeverity } from '../findings.js';
import type { Analyzer, Fact, FileSink } from '../types.js';
import { safeEvidence } from './config-files.js';
import { suspiciousLocations, type Location } from './paths.js';
import { persistenceRules, type PersistenceRules } from './rules.js';

export const PERSISTENCE_LOCATIONS_ANALYZER = 'persistence-locations';

const MIN_BYTES = 4;
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

interface Verdict {
  category: MalwareCategory;
  rule: string;
  severity: ThreatSeverity;
}

/** The strongest reading of where an executable sits. */
export function locationVerdict(locations: Location[], path: string, isElf: boolean): Verdict | undefined {
  const kinds = new Set(locations.map((l) => l.kind));
  if (kinds.has('kernel-thread-name'))
    return { category: 'backdoor', rule: 'backdoor-kernel-thread-name', severity: 'high' };
  if (!isElf) return undefined;
  if (kinds.has('hidden'))
    return { category: 'backdoor', rule: 'backdoor-hidden-executable', severity: 'high' };
  if (path.startsWith('dev/shm/'))
    return { category: 'backdoor', rule: 'backdoor-elf-in-dev-shm', severity: 'high' };
  if (kinds.has('temp'))
    return { category: 'persistence', rule: 'persistence-elf-in-temp', severity: 'medium' };
  if (kinds.has('runtime'))
    return { category: 'persistence', rule: 'persistence-elf-in-run', severity: 'medium' };
  return undefined;
}

class LocationSink implements FileSink {
  private first: Buffer[] = [];
  private firstBytes = 0;
  private hash: Hash | undefined = createHash('sha256');
  private kind: 'elf' | 'script' | 'other' | undefined;

  constructor(
    private readonly header: EntryHeader,
    private readonly locations: Location[],
  ) {}

  write(chunk: Buffer): void {
    if (!this.hash) return;
    if (this.kind === undefined) {
      this.first.push(chunk);
      this.firstBytes += chunk.length;
      if (this.firstBytes < MIN_BYTES) return;
      this.sniff();
      if (!this.hash) return;
      for (const c of this.first) this.hash.update(c);
      this.first = [];
      return;
    }
    this.hash.update(chunk);
  }

  private sniff(): void {
    const first = this.first[0]!;
    const head = (first.length >= MIN_BYTES ? first : Buffer.concat(this.first)).subarray(0, MIN_BYTES);
    this.kind = head.equals(ELF) ? 'elf' : head[0] === 0x23 && head[1] === 0x21 ? 'script' : 'other';
    if (this.kind === 'other') this.hash = undefined;
  }

  end(): Fact[] {
    if (this.kind === undefined) return [];
    if (!this.hash) return [];
    const verdict = locationVerdict(this.locations, this.header.path, this.kind === 'elf');
    if (!verdict) return [];
    const what = this.kind === 'elf' ? 'ELF executable' : 'script';
    const fact: MalwareFact = {
      kind: 'malware',
      ...verdict,
      path: this.header.path,
      sha256: this.hash.digest('hex'),
      evidence: safeEvidence(`${what} ${this.locations.map((l) => l.reason).join('; ')}`),
    };
    return [fact];
  }
}

export function openLocationSink(
  header: EntryHeader,
  rules: PersistenceRules = persistenceRules(),
): FileSink {
  return new LocationSink(header, suspiciousLocations(header.path, rules));
}

export const persistenceLocationAnalyzer: Analyzer = {
  name: PERSISTENCE_LOCATIONS_ANALYZER,
  version: 1,
  wants(header) {
    if (header.type !== 'file' || header.size < MIN_BYTES) return false;
    return suspiciousLocations(header.path, persistenceRules()).length > 0 ? { mode: 'stream' } : false;
  },
  open: (header) => openLocationSink(header),
};
