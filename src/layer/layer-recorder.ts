/**
 * Everything one pass learns about one layer, whatever it reads from (a tar stream or a root
 * filesystem on disk): entries are counted against the budget, checked by the policy, recorded,
 * and offered to the analyzers.
 */
import type { Analyzer } from '../analyze/types.js';
import type { FileRecord, LayerFacts } from '../facts/types.js';
import type { LayerBudget } from './budget.js';
import { AnalyzerDispatch, type BodyReceiver } from './dispatch.js';
import { EntryPolicy } from './entry-policy.js';
import { quoteName } from './paths.js';
import type { RawEntry } from './tar-reader.js';
import type { EntryHeader } from './types.js';
import { Warnings } from './warnings.js';

export type RecordedFacts = Pick<
  LayerFacts,
  'entries' | 'files' | 'whiteouts' | 'opaqueDirs' | 'facts' | 'analyzers' | 'warnings'
>;

export interface LayerRecorderOptions {
  analyzers: readonly Analyzer[];
  budget: LayerBudget;
  allowDevices: boolean;
}

export class LayerRecorder {
  private readonly warnings = new Warnings();
  private readonly dispatch: AnalyzerDispatch;
  private readonly policy: EntryPolicy;
  private readonly budget: LayerBudget;
  private readonly files: FileRecord[] = [];
  private readonly whiteouts: string[] = [];
  private readonly opaqueDirs: string[] = [];
  private entries = 0;

  constructor(options: LayerRecorderOptions) {
    this.budget = options.budget;
    this.dispatch = new AnalyzerDispatch(options.analyzers, this.warnings);
    this.policy = new EntryPolicy({ allowDevices: options.allowDevices });
  }

  /**
   * Takes one entry. Returns where its body goes, or undefined when nobody reads it. Throws
   * (BUDGET_EXCEEDED, UNSAFE_PATH, MALFORMED) when the layer must be refused.
   */
  entry(raw: RawEntry): BodyReceiver | undefined {
    this.count();
    this.budget.checkPathLength(raw.name);
    if (raw.linkname !== undefined) this.budget.checkPathLength(raw.linkname);
    const decision = this.policy.decide(raw);
    switch (decision.kind) {
      case 'skip':
        return undefined;
      case 'whiteout':
        this.whiteouts.push(decision.target);
        return undefined;
      case 'opaque':
        this.opaqueDirs.push(decision.dir);
        return undefined;
      case 'entry':
        break;
    }
    if (decision.warning !== undefined) this.warnings.add(`${decision.header.path}: ${decision.warning}`);
    this.files.push(recordOf(decision.header));
    const receiver = this.dispatch.begin(decision.header);
    if (receiver && decision.header.type !== 'file') {
      // Only regular files have content in a tar. (A hard link's content is its target's,
      // already offered under the target's path.)
      receiver.end();
      return undefined;
    }
    return receiver;
  }

  /** An entry kind that is neither read nor refused (sparse files, tape headers ...). */
  unsupported(name: string, kind: string): void {
    this.count();
    this.warnings.add(`skipped ${kind} entry ${quoteName(name)}: shipshape does not read this kind of entry`);
  }

  warn(message: string): void {
    this.warnings.add(message);
  }

  waitForCapacity(): Promise<void> | undefined {
    return this.dispatch.waitForCapacity();
  }

  async finish(): Promise<RecordedFacts> {
    const { facts, analyzers } = await this.dispatch.finish();
    return {
      entries: this.entries,
      files: this.files,
      whiteouts: this.whiteouts,
      opaqueDirs: this.opaqueDirs,
      facts,
      analyzers,
      warnings: this.warnings.list(),
    };
  }

  private count(): void {
    this.entries++;
    this.budget.countEntry();
  }
}

function recordOf(header: EntryHeader): FileRecord {
  const record: FileRecord = {
    path: header.path,
    type: header.type,
    mode: header.mode,
    size: header.size,
    uid: header.uid,
    gid: header.gid,
  };
  if (header.linkTarget !== undefined) record.linkTarget = header.linkTarget;
  return record;
}
