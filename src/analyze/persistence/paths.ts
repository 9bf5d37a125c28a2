/**
 * Where a file sits, judged from its path alone: a temporary or runtime directory, a hidden
 * place (a dot-named file, a directory named only dots or with a leading ". ", a hidden
 * directory right inside a system directory, the X11 socket directories of /tmp), or a name
 * that imitates a kernel thread (`[kworker/0:0]`, `kdevtmpfsi`). Hidden directories in home
 * directories and application trees (`.cache`, `.local`, `.cargo`, `.venv`) are normal and do
 * not count.
 */
import type { PersistenceRules } from './rules.js';

export type LocationKind = 'temp' | 'runtime' | 'hidden' | 'kernel-thread-name';

function under(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Why a path hides, or undefined. */
export function hiddenReason(path: string, rules: PersistenceRules): string | undefined {
  const parts = path.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (/^tmp\/\.(X\d*|ICE|font|Test|XIM)-unix\//.test(path)) return 'inside an X11 socket directory of /tmp';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (/^[. ]+$/.test(part) && part !== '.' && part !== '..')
      return `"${part}" is a directory named only dots and spaces`;
    if (part.startsWith('. ') || (part.startsWith('.') && part.endsWith(' ')))
      return `"${part}" hides behind a space`;
    if (/[^\x21-\x7e\u00a0-\uffff ]/.test(part)) return `"${part}" holds control characters`;
  }
  if (name.startsWith('.') && name.length > 1) return `the file name "${name}" starts with a dot`;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const parent = parts.slice(0, i).join('/');
    if (part.startsWith('.') && rules.systemDirs.has(parent) && !rules.toolDotDirs.has(part)) {
      return `hidden directory "${part}" directly in ${parent === '' ? 'the root' : `/${parent}`}`;
    }
  }
  return undefined;
}

export interface Location {
  kind: LocationKind;
  reason: string;
}

/** Every way the path's location is suspicious (empty when it is an ordinary place). */
export function suspiciousLocations(path: string, rules: PersistenceRules): Location[] {
  const out: Location[] = [];
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (rules.kernelThreadName.test(name)) {
    out.push({ kind: 'kernel-thread-name', reason: `named like a kernel thread ("${name}")` });
  }
  const hidden = hiddenReason(path, rules);
  if (hidden) out.push({ kind: 'hidden', reason: hidden });
  const temp = rules.tempDirs.find((d) => under(path, d));
  if (temp) out.push({ kind: 'temp', reason: `in /${temp}` });
  const runtime = rules.runtimeDirs.find((d) => under(path, d));
  if (runtime) out.push({ kind: 'runtime', reason: `in /${runtime}` });
  return out;
}

/** An absolute path a command runs from, judged like a file path (leading '/' dropped). */
export function commandPathLocations(command: string, rules: PersistenceRules): Location[] {
  if (!command.startsWith('/')) return [];
  const path = command.replace(/^\/+/, '');
  if (parentOf(path) === '') return [];
  const found = suspiciousLocations(path, rules).filter((l) => l.kind !== 'runtime');
  // A program started from a hidden directory inside another (`~/.cache/.s/x`): tools that
  // live in a home's dot-directories (`~/.local/bin`, `~/.cargo/bin`) sit one level deep.
  const dotDirs = parentOf(path)
    .split('/')
    .filter((p) => p.length > 1 && p.startsWith('.') && p !== '..');
  if (!found.length && dotDirs.length >= 2)
    found.push({ kind: 'hidden', reason: `inside nested hidden directories (${dotDirs.join('/')})` });
  return found;
}
