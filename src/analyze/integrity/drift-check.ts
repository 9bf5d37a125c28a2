/**
 * `integrity-drift`: a package-owned executable or library whose content in the final image is
 * not what its package database says (what `debsums` / `apk audit` / `rpm -V` report). A later
 * layer that swaps `usr/bin/ps` or `libpam.so` for another build, without the package manager,
 * is how a trojanized binary hides among trusted ones.
 *
 * Quiet by construction on clean images: config files are skipped, a path several packages list
 * passes if it matches any of them, a digest shipshape never computes (sha512...) or a file not
 * hashed is no finding, and each database counts from the layer that last wrote it, so a clean
 * upgrade in a later layer compares new files with new digests.
 *
 * sha1 is computed for a package file unless its layer showed a dpkg or rpm system first
 * (file-digests.ts): a layer holding `etc/debian_version` before a replaced `bin/busybox` gets no
 * sha1 for it. Honest layers show the system that installs their files, so a listed file left
 * without the digest its database uses is reported too: otherwise one marker file would let a
 * trojanized binary pass unchecked.
 */
import type { PlacedFile } from '../../facts/types.js';
import type { ImageCheck, ImageCheckContext, ImageCheckResult, MalwareFinding } from '../findings.js';
import {
  FILE_DIGESTS_ANALYZER,
  fileDigestFacts,
  inBinDir,
  isSharedObject,
  mayBePackageFile,
  type FileDigestFact,
} from '../hashes/file-digests.js';
import { collectManifests, type Expectation } from './manifests.js';
import { TreePaths } from './tree-paths.js';

export const INTEGRITY_DRIFT_CHECK = 'integrity-drift';
export const INTEGRITY_DRIFT_RULE = 'integrity-drift';

const SHORT = 12;

/** The digests of the files each layer wrote, indexed on first use. */
class LayerDigests {
  private readonly byLayer = new Map<number, Map<string, FileDigestFact>>();

  constructor(private readonly ctx: ImageCheckContext) {}

  hashed(layer: number): boolean {
    return this.ctx.facts.layers[layer]?.analyzers[FILE_DIGESTS_ANALYZER] !== undefined;
  }

  of(file: PlacedFile): FileDigestFact | undefined {
    let index = this.byLayer.get(file.layer);
    if (!index) {
      index = new Map();
      for (const f of fileDigestFacts(this.ctx.facts.layers[file.layer]?.facts ?? {})) index.set(f.path, f);
      this.byLayer.set(file.layer, index);
    }
    // A hard link's content is its target's, written earlier in the same layer.
    return index.get(file.type === 'hardlink' ? (file.linkTarget ?? '') : file.path);
  }
}

function actualDigest(d: FileDigestFact, algo: string): string | undefined {
  if (algo === 'md5') return d.md5;
  if (algo === 'sha1') return d.sha1;
  if (algo === 'sha256') return d.sha256;
  return undefined;
}

/** The digest file-digests leaves out of a package file only when its layer showed another system. */
const SKIPPABLE = new Set(['sha1']);

function unverifiable(e: Expectation): string {
  return (
    `package ${e.package} (${e.manager}, layer ${e.layer}) lists ${e.algo} ${e.digest.slice(0, SHORT)}…, ` +
    `but the layer that wrote the file holds another package system's files, so it has no ${e.algo} to compare`
  );
}

function isExecutableOrLibrary(file: PlacedFile): boolean {
  return (file.mode & 0o111) !== 0 || isSharedObject(file.path) || inBinDir(file.path);
}

function evidence(e: Expectation, actual: string): string {
  return (
    `package ${e.package} (${e.manager}, layer ${e.layer}) lists ${e.algo} ${e.digest.slice(0, SHORT)}…, ` +
    `the file has ${actual.slice(0, SHORT)}…`
  );
}

function runDrift(ctx: ImageCheckContext): ImageCheckResult {
  const { expected, config } = collectManifests(ctx.facts);
  if (expected.size === 0) return {};
  const tree = ctx.facts.tree;
  const paths = new TreePaths(tree);
  const resolvedConfig = new Set<string>();
  for (const c of config) {
    const r = paths.resolve(c);
    if (r !== null) resolvedConfig.add(r);
  }
  // Two listed paths may be one file (`bin/ls` and `usr/bin/ls` on merged /usr).
  const byFile = new Map<string, Expectation[]>();
  for (const [listed, list] of expected) {
    const r = paths.resolve(listed);
    if (r === null || resolvedConfig.has(r)) continue;
    const prev = byFile.get(r);
    if (prev) prev.push(...list);
    else byFile.set(r, [...list]);
  }

  const digests = new LayerDigests(ctx);
  const unhashedLayers = new Set<number>();
  const malware: MalwareFinding[] = [];
  for (const [path, list] of byFile) {
    const file = tree.get(path);
    if (!file || (file.type !== 'file' && file.type !== 'hardlink') || !isExecutableOrLibrary(file)) continue;
    if (!digests.hashed(file.layer)) {
      unhashedLayers.add(file.layer);
      continue;
    }
    const actual = digests.of(file);
    if (!actual) continue;
    let verifiable = true;
    let matched = false;
    const unhashed: Expectation[] = [];
    for (const e of list) {
      const have = actualDigest(actual, e.algo);
      if (have === undefined) {
        // Left out only by a layer showing another system (package paths: see mayBePackageFile).
        if (SKIPPABLE.has(e.algo) && mayBePackageFile(path)) unhashed.push(e);
        else verifiable = false;
      } else if (have === e.digest) matched = true;
    }
    // A digest shipshape never computes (sha512...) may be the one that matches: no finding.
    if (matched || !verifiable) continue;
    const compared = list.filter((e) => actualDigest(actual, e.algo) !== undefined);
    if (compared.length === 0 && unhashed.length === 0) continue;
    // The newest database entry is the one the package manager would check against.
    const newest = (compared.length > 0 ? compared : unhashed).reduce((a, b) => (b.layer > a.layer ? b : a));
    const have = actualDigest(actual, newest.algo);
    malware.push({
      category: 'backdoor',
      rule: INTEGRITY_DRIFT_RULE,
      severity: inBinDir(path) || isSharedObject(path) ? 'high' : 'medium',
      path,
      layer: file.layer,
      sha256: actual.sha256,
      evidence: have === undefined ? unverifiable(newest) : evidence(newest, have),
    });
  }
  const warnings = [...unhashedLayers].map(
    (l) =>
      `${INTEGRITY_DRIFT_CHECK}: layer ${l} was read without ${FILE_DIGESTS_ANALYZER}; its package files were not verified`,
  );
  return { malware, warnings };
}

export const integrityDriftCheck: ImageCheck = { name: INTEGRITY_DRIFT_CHECK, run: runDrift };
