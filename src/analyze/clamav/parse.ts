/**
 * Reads clamscan/clamdscan result lines: `<spool dir>/<name>: <signature> FOUND`. Only paths
 * inside our spool are believed (the names there are ours), so a signature name can hold
 * anything printable, even `: ` or ` FOUND`, without confusing the parse.
 */
import { printable } from '../../errors.js';
import { SPOOL_NAME } from './spool.js';

export interface ClamavHit {
  /** The spooled file's name (`f12`), as in its `clamav-spooled` fact. */
  spoolName: string;
  signature: string;
}

export type ClamavLine =
  | { kind: 'found'; hit: ClamavHit }
  | { kind: 'error'; spoolName: string; message: string }
  | { kind: 'other' };

/** Longest signature name kept; ClamAV's own are far shorter. */
const MAX_SIGNATURE = 200;

/** One stdout line (without its newline) of a scan of `spoolDir`. */
export function parseClamavLine(line: string, spoolDir: string): ClamavLine {
  const prefix = `${spoolDir.replace(/\/+$/, '')}/`;
  if (!line.startsWith(prefix)) return { kind: 'other' };
  const rest = line.slice(prefix.length);
  const colon = rest.indexOf(': ');
  if (colon < 0) return { kind: 'other' };
  const spoolName = rest.slice(0, colon);
  if (!SPOOL_NAME.test(spoolName)) return { kind: 'other' };
  const result = rest.slice(colon + 2).replace(/\r$/, '');
  if (result.endsWith(' FOUND')) {
    const signature = result.slice(0, -' FOUND'.length).trim();
    if (signature === '') return { kind: 'other' };
    return { kind: 'found', hit: { spoolName, signature: printable(signature, MAX_SIGNATURE) } };
  }
  if (result.endsWith(' ERROR')) {
    return { kind: 'error', spoolName, message: printable(result.slice(0, -' ERROR'.length).trim()) };
  }
  return { kind: 'other' };
}

/** ClamAV reports a file it did not finish (size, recursion, time limits) as this "signature". */
export function isLimitSignature(signature: string): boolean {
  return signature.startsWith('Heuristics.Limits.Exceeded');
}
