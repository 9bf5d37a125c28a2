/**
 * One installed rpm package from its header: name, epoch, version-release, arch, the source
 * rpm it was built from (what RHEL/SUSE advisories name), license and owned files.
 */
import { RpmHeader, RpmHeaderError, RPMTAG } from './header.js';

export interface RpmRecord {
  name: string;
  version: string;
  release?: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  sourceName?: string;
  /** `version-release` of the source rpm. */
  sourceVersion?: string;
  license?: string;
  modularityLabel?: string;
  files?: string[];
}

export interface RpmRecordResult {
  record: RpmRecord | null;
  problems: string[];
}

/** `bash-5.1.8-6.el9.src.rpm` → name `bash`, version `5.1.8-6.el9`. */
export function splitSourceRpm(sourceRpm: string): { name: string; version: string } | null {
  const suffix = ['.nosrc.rpm', '.src.rpm'].find((s) => sourceRpm.endsWith(s));
  if (!suffix) return null;
  const nvr = sourceRpm.slice(0, -suffix.length);
  const r = nvr.lastIndexOf('-');
  const v = r > 0 ? nvr.lastIndexOf('-', r - 1) : -1;
  if (v <= 0 || r === nvr.length - 1 || r === v + 1) return null;
  return { name: nvr.slice(0, v), version: nvr.slice(v + 1) };
}

/** Each file's path from DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (or OLDFILENAMES), root-relative. */
function ownedFiles(h: RpmHeader): string[] | undefined {
  const basenames = h.stringArray(RPMTAG.BASENAMES);
  let paths: string[];
  if (basenames) {
    const dirnames = h.stringArray(RPMTAG.DIRNAMES) ?? [];
    const dirindexes = h.int32Array(RPMTAG.DIRINDEXES) ?? [];
    if (dirindexes.length !== basenames.length) {
      throw new RpmHeaderError(`${basenames.length} file names but ${dirindexes.length} directory indexes`);
    }
    paths = basenames.map((base, i) => {
      const dir = dirnames[dirindexes[i]!];
      if (dir === undefined)
        throw new RpmHeaderError(`file ${i} names directory ${dirindexes[i]} of ${dirnames.length}`);
      return dir + base;
    });
  } else {
    const old = h.stringArray(RPMTAG.OLDFILENAMES);
    if (!old) return undefined;
    paths = old;
  }
  return paths.map((p) => {
    let start = 0;
    while (p[start] === '/') start++;
    return p.slice(start);
  });
}

/** Reads the fields of one package; a broken optional tag costs that field and a problem. */
export function rpmRecordFromBlob(blob: Buffer): RpmRecordResult {
  const problems: string[] = [];
  let h: RpmHeader;
  try {
    h = RpmHeader.parse(blob);
  } catch (err) {
    if (err instanceof RpmHeaderError) return { record: null, problems: [err.message] };
    throw err;
  }
  const optional = <T>(what: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof RpmHeaderError)) throw err;
      problems.push(`${what}: ${err.message}`);
      return undefined;
    }
  };
  const name = optional('name', () => h.string(RPMTAG.NAME));
  const version = optional('version', () => h.string(RPMTAG.VERSION));
  if (!name || version === undefined) {
    problems.push(`header without a readable ${name ? 'version' : 'name'}`);
    return { record: null, problems };
  }
  const record: RpmRecord = { name, version };
  const release = optional('release', () => h.string(RPMTAG.RELEASE));
  if (release !== undefined) record.release = release;
  const epoch = optional('epoch', () => h.int32Array(RPMTAG.EPOCH));
  if (epoch && epoch.length > 0) record.epoch = epoch[0]!;
  const arch = optional('arch', () => h.string(RPMTAG.ARCH));
  if (arch) record.arch = arch;
  const license = optional('license', () => h.string(RPMTAG.LICENSE));
  if (license) record.license = license;
  const label = optional('modularity label', () => h.string(RPMTAG.MODULARITYLABEL));
  if (label) record.modularityLabel = label;
  const sourceRpm = optional('source rpm', () => h.string(RPMTAG.SOURCERPM));
  if (sourceRpm) {
    record.sourceRpm = sourceRpm;
    const src = splitSourceRpm(sourceRpm);
    if (src) {
      record.sourceName = src.name;
      record.sourceVersion = src.version;
    } else {
      problems.push(
        `${name}: source rpm ${JSON.stringify(sourceRpm.slice(0, 200))} is not name-version-release.src.rpm`,
      );
    }
  }
  const files = optional(`${name}: files`, () => ownedFiles(h));
  if (files) record.files = files;
  return { record, problems };
}
