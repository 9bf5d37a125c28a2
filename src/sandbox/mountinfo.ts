/**
 * The mount table of our own mount namespace (/proc/self/mountinfo), which the runtime's
 * cleanup, the cgroup look-ups and the monitors all read.
 */
import { readFileSync } from 'node:fs';

export interface MountEntry {
  /** Where it is mounted, with mountinfo's octal escapes (`\040` for a space) undone. */
  point: string;
  /** File system type: `cgroup`, `cgroup2`, `overlay`, `tmpfs`, ... */
  type: string;
  /** Super-block options (`rw,cpuacct,cpu` for a v1 cgroup hierarchy). */
  options: string;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every mount, or none when the table cannot be read. */
export function readMounts(): MountEntry[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = left.split(' ')[4];
    const [type, , options] = right.split(' ');
    if (point && type) out.push({ point: unescapeMount(point), type, options: options ?? '' });
  }
  return out;
}
