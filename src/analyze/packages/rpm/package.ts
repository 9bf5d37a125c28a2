/**
 * One installed rpm package from its header: name, epoch, version-release, arch, the source
 * rpm it was built from (what RHEL/SUSE advisories name), license, owned files, and the digest
 * of each file `rpm -V` would check (src/analyze/integrity compares them with the image).
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
  /** File → `algo:hex`, for the files whose content rpm verifies (not %config, %ghost, ...). */
  digests?: Record<string, string>;
  /** Files marked %config: expected to change. */
  configFiles?: string[];
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

// rpm's pgpHashAlgo numbers (FILEDIGESTALGO); absent means MD5, as rpm before 4.6 wrote.
const DIGEST_ALGOS: Record<number, string> = {
  1: 'md5',
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};
const RPMFILE_CONFIG = 1 << 0;
const RPMFILE_GHOST = 1 << 6;
const RPMVERIFY_FILEDIGEST = 1 << 0;
const RPMFILE_STATE_NORMAL = 0;
const HEX = /^[0-9a-fA-F]+$/;

interface FileDigests {
  digests: Record<string, string>;
  configFiles: string[];
}

/** An array tag that, when present, must have one value per file. */
function perFile<T>(values: T[] | undefined, files: string[], what: string): T[] | undefined {
  if (values !== undefined && values.length !== files.length)
    throw new RpmHeaderError(`${files.length} files but ${values.length} ${what}`);
  return values;
}

/**
 * The digests `rpm -V` would compare: not of %ghost files, files whose verify flags leave the
 * digest out, or files not installed as they are (replaced, excluded docs, the other multilib
 * color), and not of %config files, which are listed apart since they are meant to change.
 */
function fileDigests(h: RpmHeader, files: string[]): FileDigests | undefined {
  const digests = perFile(h.stringArray(RPMTAG.FILEDIGESTS), files, 'file digests');
  if (!digests) return undefined;
  const algoNumber = h.int32Array(RPMTAG.FILEDIGESTALGO)?.[0] ?? 1;
  const algo = DIGEST_ALGOS[algoNumber];
  if (!algo) throw new RpmHeaderError(`unknown file digest algorithm ${algoNumber}`);
  const flags = perFile(h.int32Array(RPMTAG.FILEFLAGS), files, 'file flags');
  const verify = perFile(h.int32Array(RPMTAG.FILEVERIFYFLAGS), files, 'file verify flags');
  const states = perFile(h.int8Array(RPMTAG.FILESTATES), files, 'file states');
  const out: FileDigests = { digests: Object.create(null) as Record<string, string>, configFiles: [] };
  files.forEach((path, i) => {
    const flag = flags?.[i] ?? 0;
    if (flag & RPMFILE_CONFIG) out.configFiles.push(path);
    else if (
      !(flag & RPMFILE_GHOST) &&
      ((verify?.[i] ?? RPMVERIFY_FILEDIGEST) & RPMVERIFY_FILEDIGEST) !== 0 &&
      (states?.[i] ?? RPMFILE_STATE_NORMAL) === RPMFILE_STATE_NORMAL &&
      digests[i] !== '' &&
      HEX.test(digests[i]!)
    ) {
      out.digests[path] = `${algo}:${digests[i]!.toLowerCase()}`;
    }
  });
  return out;
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
  const digests = files && optional(`${name}: file digests`, () => fileDigests(h, files));
  if (digests) {
    record.digests = digests.digests;
    if (digests.configFiles.length > 0) record.configFiles = digests.configFiles;
  }
  return { record, problems };
}
