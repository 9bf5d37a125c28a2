/**
 * An app's npm lockfiles: what it was built from, also when node_modules is not in the image
 * (a bundled app, a multi-stage build that copied only dist/). Lockfiles inside node_modules
 * belong to installed packages, whose own package.json records are already the truth.
 */
import type { Analyzer } from '../../types.js';
import { baseOf, catalogFile, type Warn } from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

type LockParser = (content: Buffer, path: string, warn: Warn) => PackageFact[];

const PARSERS: Record<string, LockParser> = {
  'package-lock.json': parsePackageLock,
  'npm-shrinkwrap.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
};

/**
 * Large monorepos' lockfiles reach 10-20 MiB. Parsing costs several times the file in memory
 * (YAML most), so the caps keep one hostile lockfile from dominating the scan's memory.
 */
/**
 * Monorepos' lockfiles reach tens of MB (a 45 MB package-lock.json was skipped whole at 32 MiB,
 * and a malicious package nested in it with it); parsing one costs a few times its size, once.
 */
const MAX_LOCKFILE_BYTES: Record<string, number> = {
  'package-lock.json': 96 * 1024 * 1024,
  'npm-shrinkwrap.json': 96 * 1024 * 1024,
  'yarn.lock': 64 * 1024 * 1024,
  'pnpm-lock.yaml': 32 * 1024 * 1024,
};

export function isAppLockfile(path: string): boolean {
  return Object.hasOwn(PARSERS, baseOf(path)) && !`/${path}/`.includes('/node_modules/');
}

export const npmLockfileAnalyzer: Analyzer = {
  name: 'npm-lockfile',
  version: 3,
  wants(header) {
    if (header.type !== 'file' || !isAppLockfile(header.path)) return false;
    return { mode: 'buffer', maxBytes: MAX_LOCKFILE_BYTES[baseOf(header.path)]! };
  },
  analyze(file, ctx) {
    const base = baseOf(file.header.path);
    const parse = PARSERS[base];
    if (!parse) return [];
    return catalogFile(file, ctx, { what: base }, parse);
  },
};
