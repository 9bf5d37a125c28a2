/**
 * Which files might be compiled programs, from the path and header alone (the content is not
 * read to decide): anything with an execute bit, anything in a bin/sbin directory, and shared
 * libraries and Windows binaries by name. Scripts and data files that merely carry an execute
 * bit are let through (their first bytes rule them out cheaply) unless their extension says
 * they are text.
 */
import type { EntryHeader } from '../../../layer/types.js';

/** Smaller than any ELF/PE/Mach-O header plus a section: not worth opening. */
export const MIN_EXECUTABLE_BYTES = 64;
/** Larger than any real program; such a file is skipped rather than streamed. */
export const MAX_EXECUTABLE_BYTES = 4 * 1024 ** 3;

const LIBRARY_NAME = /\.(so(\.\d+)*|dylib|exe|dll|sys|node)$/i;
const BIN_DIR = /(^|\/)s?bin\//;
const TEXT_NAME =
  /\.(sh|bash|py|pyc|pl|pm|rb|js|mjs|cjs|ts|php|lua|tcl|awk|sed|txt|md|json|ya?ml|xml|html?|css|conf|cfg|ini|service|timer|jar|war|gz|xz|bz2|zst|zip|tar|png|jpe?g|gif|svg)$/i;

export function isExecutableCandidate(header: EntryHeader): boolean {
  if (header.type !== 'file') return false;
  if (header.size < MIN_EXECUTABLE_BYTES || header.size > MAX_EXECUTABLE_BYTES) return false;
  const name = header.path.slice(header.path.lastIndexOf('/') + 1);
  if (LIBRARY_NAME.test(name)) return true;
  if (TEXT_NAME.test(name)) return false;
  return (header.mode & 0o111) !== 0 || BIN_DIR.test(header.path);
}
