/**
 * The rpm cataloger: every package of the rpm database, whichever of the three formats holds
 * it (SQLite, Berkeley DB hash, ndb). The format is told by the file's magic, not its name, so
 * a database copied under another format's name is still read.
 */
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../../types.js';
import type { PackageFact } from '../types.js';
import { isBdbHash, readBdbRpmdb } from './bdb-db.js';
import type { DbBlobs } from './db-blobs.js';
import { isNdb, readNdbRpmdb } from './ndb-db.js';
import { rpmRecordFromBlob, type RpmRecord } from './package.js';
import { readSqliteRpmdb } from './sqlite-db.js';

export const RPM_ANALYZER = 'rpm-db';

/** An rpm package fact with its file digests and %config files (src/analyze/integrity). */
export interface RpmPackageFact extends PackageFact {
  /** File → `algo:hex` (`sha256:…`; `md5:…` on old rpm). */
  fileDigests?: Record<string, string>;
  configFiles?: string[];
}

// Fedora 36+ and openSUSE keep the database under usr/lib/sysimage/rpm, with var/lib/rpm a
// symlink to it (links carry no content, so both places are asked for).
const DIRS = ['var/lib/rpm', 'usr/lib/sysimage/rpm'];
export const RPMDB_PATHS = new Set(
  DIRS.flatMap((d) => ['rpmdb.sqlite', 'Packages', 'Packages.db'].map((f) => `${d}/${f}`)),
);

const MAX_BYTES = 256 * 1024 * 1024;
const MAX_PACKAGES = 100_000;
const MAX_WARNINGS_PER_FILE = 20;

function reportProblems(ctx: AnalyzeContext, path: string, problems: readonly string[]): void {
  for (const p of problems.slice(0, MAX_WARNINGS_PER_FILE)) ctx.warn(path, p);
  if (problems.length > MAX_WARNINGS_PER_FILE) {
    ctx.warn(path, `... and ${problems.length - MAX_WARNINGS_PER_FILE} more problems`);
  }
}

export function readRpmdbBlobs(content: Buffer): DbBlobs {
  if (content.subarray(0, 15).toString('latin1') === 'SQLite format 3')
    return readSqliteRpmdb(content, MAX_PACKAGES);
  if (isNdb(content)) return readNdbRpmdb(content, MAX_PACKAGES);
  if (isBdbHash(content)) return readBdbRpmdb(content, MAX_PACKAGES);
  return { blobs: [], problems: ['not an rpm database (neither SQLite, Berkeley DB hash nor ndb)'] };
}

export function rpmPackageFact(r: RpmRecord, path: string): RpmPackageFact {
  const fact: RpmPackageFact = {
    kind: 'package',
    type: 'rpm',
    name: r.name,
    version: r.release !== undefined ? `${r.version}-${r.release}` : r.version,
    path,
  };
  if (r.epoch !== undefined) fact.epoch = r.epoch;
  if (r.arch !== undefined) fact.arch = r.arch;
  if (r.sourceName !== undefined) fact.sourceName = r.sourceName;
  if (r.sourceVersion !== undefined) fact.sourceVersion = r.sourceVersion;
  if (r.license !== undefined) fact.licenses = [r.license];
  if (r.files !== undefined) fact.files = r.files;
  if (r.digests !== undefined) fact.fileDigests = r.digests;
  if (r.configFiles !== undefined) fact.configFiles = r.configFiles;
  const metadata: Record<string, unknown> = {};
  if (r.sourceRpm !== undefined) metadata.sourceRpm = r.sourceRpm;
  if (r.modularityLabel !== undefined) metadata.modularityLabel = r.modularityLabel;
  if (Object.keys(metadata).length > 0) fact.metadata = metadata;
  return fact;
}

export const rpmdbAnalyzer: Analyzer = {
  name: RPM_ANALYZER,
  version: 2,
  wants(header) {
    return header.type === 'file' && RPMDB_PATHS.has(header.path)
      ? { mode: 'buffer', maxBytes: MAX_BYTES }
      : false;
  },
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    if (file.truncated)
      ctx.warn(path, `larger than ${MAX_BYTES} bytes: only what the first part holds is read`);
    const { blobs, problems } = readRpmdbBlobs(file.content);
    const facts: PackageFact[] = [];
    for (const { id, blob } of blobs) {
      const { record, problems: headerProblems } = rpmRecordFromBlob(blob);
      for (const p of headerProblems) problems.push(`package ${id}: ${p}`);
      if (record) facts.push(rpmPackageFact(record, path));
    }
    reportProblems(ctx, path, problems);
    return facts;
  },
};

export const rpmAnalyzers: Analyzer[] = [rpmdbAnalyzer];
