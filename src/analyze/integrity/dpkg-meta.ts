/**
 * What dpkg knows about its files beyond their digests, for the integrity check: which files
 * are conffiles (`info/<pkg>.conffiles`: the admin may change them) and which paths are
 * diverted (`diversions`: `dpkg-divert` moved a package's file elsewhere, so another file
 * stands at its path).
 */
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../types.js';

export const DPKG_INTEGRITY_ANALYZER = 'dpkg-integrity';

export const DPKG_DIVERSIONS_PATH = 'var/lib/dpkg/diversions';
const CONFFILES_ENTRY = /^var\/lib\/dpkg\/info\/([^/]+)\.conffiles$/;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_LINES = 200_000;
const MAX_WARNINGS = 5;

export interface DpkgConffilesFact extends Fact {
  kind: 'dpkg-conffiles';
  /** With `:arch` when the file name has it. */
  package: string;
  path: string;
  files: string[];
}

export interface Diversion {
  from: string;
  to: string;
  /** The diverting package, or `:` for a local (admin) diversion. */
  by: string;
}

export interface DpkgDiversionsFact extends Fact {
  kind: 'dpkg-diversions';
  path: string;
  diversions: Diversion[];
}

function rootRelative(p: string): string {
  return p.replace(/^(\.?\/)+/, '');
}

function lines(file: FileInput): string[] {
  let text = file.content.toString('utf8');
  // A cut file ends inside a line, which is not trusted.
  if (file.truncated) text = text.slice(0, text.lastIndexOf('\n') + 1);
  return text.split('\n', MAX_LINES).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

// dpkg ≥ 1.20 may follow a conffile's path with flags.
const CONFFILE_FLAGS = /\s+(?:remove-on-upgrade|obsolete|new)$/;

export function parseConffiles(text: string[]): string[] {
  const out: string[] = [];
  for (const line of text) {
    const path = rootRelative(line.trim().replace(CONFFILE_FLAGS, ''));
    if (path !== '' && !path.includes('\0')) out.push(path);
  }
  return out;
}

export function parseDiversions(text: string[]): { diversions: Diversion[]; problems: string[] } {
  const diversions: Diversion[] = [];
  const problems: string[] = [];
  const body = text.at(-1) === '' ? text.slice(0, -1) : text;
  if (body.length % 3 !== 0)
    problems.push(`${body.length} lines: not a whole number of diversions (3 lines each)`);
  for (let i = 0; i + 2 < body.length; i += 3) {
    const from = rootRelative(body[i]!);
    const to = rootRelative(body[i + 1]!);
    const by = body[i + 2]!.trim();
    if (from === '' || to === '' || by === '') {
      problems.push(`diversion at line ${i + 1} has an empty field`);
      continue;
    }
    diversions.push({ from, to, by });
  }
  return { diversions, problems };
}

export const dpkgIntegrityAnalyzer: Analyzer = {
  name: DPKG_INTEGRITY_ANALYZER,
  version: 1,
  wants(header) {
    if (header.type !== 'file' || !header.path.startsWith('var/lib/dpkg/')) return false;
    return header.path === DPKG_DIVERSIONS_PATH || CONFFILES_ENTRY.test(header.path)
      ? { mode: 'buffer', maxBytes: MAX_BYTES }
      : false;
  },
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    if (file.truncated) ctx.warn(path, `larger than ${MAX_BYTES} bytes: only the first part is read`);
    if (path === DPKG_DIVERSIONS_PATH) {
      const { diversions, problems } = parseDiversions(lines(file));
      for (const p of problems.slice(0, MAX_WARNINGS)) ctx.warn(path, p);
      const fact: DpkgDiversionsFact = { kind: 'dpkg-diversions', path, diversions };
      return [fact];
    }
    const pkg = CONFFILES_ENTRY.exec(path)?.[1];
    if (pkg === undefined) return [];
    const fact: DpkgConffilesFact = {
      kind: 'dpkg-conffiles',
      package: pkg,
      path,
      files: parseConffiles(lines(file)),
    };
    return [fact];
  },
};
