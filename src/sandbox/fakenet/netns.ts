/**
 * Network plumbing from the orchestrator's side, always into namespaces pinned by file
 * descriptor: a namespace is opened once, checked (never the host's), and the very same open
 * file is what `nsenter` and `ip ... netns` get, so a pid that dies and is reused between the
 * check and the command cannot redirect a veth into the host.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const SPAWN_TIMEOUT_MS = 10_000;

/** `net:[inode]` of the network namespace a pid lives in. */
export function netnsOf(pid: number | 'self'): string {
  return readlinkSync(`/proc/${pid}/ns/net`);
}

/** `net:[inode]` of pid 1's namespace, or null where pid 1 is not ours to look at. */
export function initNetns(): string | null {
  try {
    return netnsOf(1);
  } catch {
    return null;
  }
}

/** Opens the network namespace of `pid` and returns the fd with its `net:[inode]` name. */
export function openNetns(pid: number): { fd: number; name: string } {
  const fd = openSync(`/proc/${pid}/ns/net`, 'r');
  return { fd, name: `net:[${fstatSync(fd).ino}]` };
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * Runs `ip -batch -` inside the namespace open as `nsFd`; `extraFd` is visible to the commands
 * as /proc/self/fd/4 (for `netns /proc/self/fd/4`).
 */
export function ipBatchIn(nsFd: number, commands: string[], extraFd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdio: (number | 'pipe' | 'ignore')[] = ['pipe', 'ignore', 'pipe', nsFd];
    if (extraFd !== undefined) stdio.push(extraFd);
    const child = spawn('nsenter', ['--net=/proc/self/fd/3', 'ip', '-batch', '-'], {
      stdio,
      timeout: SPAWN_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, sig) =>
      code === 0 ? resolve() : reject(new Error(`ip -batch failed (${code ?? sig}): ${stderr.trim()}`)),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${commands.join('\n')}\n`);
  });
}

/** Reads /proc/<pid>/cmdline as its arguments; null when the process is gone. */
function cmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Pids of processes whose command line carries `marker` followed by a config naming an owner pid. */
export function markedProcesses(
  marker: string,
): { pid: number; ownerPid: number | null; ppid: number | null }[] {
  const found: { pid: number; ownerPid: number | null; ppid: number | null }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const args = cmdline(pid);
    const at = args?.indexOf(marker) ?? -1;
    if (!args || at < 0) continue;
    let ownerPid: number | null = null;
    try {
      const owner = (JSON.parse(args[at + 1] ?? '') as { ownerPid?: unknown }).ownerPid;
      if (typeof owner === 'number') ownerPid = owner;
    } catch {
      // not ours after all, or mangled: treat as ownerless
    }
    found.push({ pid, ownerPid, ppid: ppidOf(pid) });
  }
  return found;
}
