/**
 * `shipshape doctor`: can this machine run the sandbox? Each check says what it found and, when
 * something is missing, the Debian package (or step) that fixes it. Nothing is changed: probes
 * that need a mount (tracefs, overlay) make it in a throwaway mount namespace.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { errorMessage } from '../errors.js';
import { cgroupHierarchies } from './runtime/cleanup.js';

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 15_000;

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

async function probe(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 });
    return { ok: true, out: `${stdout}${stderr}`.trim() };
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    if (e.code === 'ENOENT') return { ok: false, out: `${cmd} not found` };
    return { ok: false, out: (e.stderr?.trim() || errorMessage(err)).split('\n').slice(-1)[0] ?? '' };
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

async function toolCheck(name: string, cmd: string, args: string[], pkg: string): Promise<DoctorCheck> {
  const r = await probe(cmd, args);
  return r.ok
    ? { name, ok: true, detail: firstLine(r.out) }
    : { name, ok: false, detail: r.out, fix: `apt-get install -y --no-install-recommends ${pkg}` };
}

export async function doctor(): Promise<{ checks: DoctorCheck[] }> {
  const checks: DoctorCheck[] = [];
  const root = process.getuid?.() === 0;
  checks.push({
    name: 'root',
    ok: root,
    detail: root ? 'running as root' : `running as uid ${process.getuid?.() ?? '?'}`,
    ...(root ? {} : { fix: 'run the sandbox as root (it makes namespaces, cgroups and mounts)' }),
  });

  const [runc, strace, bpftrace, ip, unshare] = await Promise.all([
    toolCheck('runc', 'runc', ['--version'], 'runc'),
    toolCheck('strace', 'strace', ['-V'], 'strace'),
    toolCheck('bpftrace', 'bpftrace', ['--version'], 'bpftrace'),
    toolCheck('iproute2 (ip)', 'ip', ['-V'], 'iproute2'),
    toolCheck('unshare/nsenter', 'unshare', ['--version'], 'util-linux'),
  ]);
  if (runc.ok) {
    const full = await probe('runc', ['--version']);
    const seccomp = /libseccomp: (\S+)/.exec(full.out)?.[1];
    runc.detail = `${runc.detail}${seccomp ? `, libseccomp ${seccomp}` : ', built without seccomp'}`;
    if (!seccomp) {
      runc.ok = false;
      runc.fix = 'install a runc built with libseccomp (Debian: apt-get install runc)';
    }
  }
  checks.push(runc, strace, bpftrace, ip, unshare);

  if (bpftrace.ok && root) {
    const r = await probe('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tracefs nodev /sys/kernel/tracing && test -d /sys/kernel/tracing/events/syscalls && echo syscalls-ok',
    ]);
    const ok = r.ok && r.out.includes('syscalls-ok');
    checks.push({
      name: 'tracepoints (tracefs in a private mount namespace)',
      ok,
      detail: ok ? 'syscall tracepoints available' : r.out || 'no syscalls tracepoints',
      ...(ok
        ? {}
        : { fix: 'a kernel with CONFIG_FTRACE_SYSCALLS and tracefs; else the strace monitor is used' }),
    });
  }

  if (root) {
    const ns = await probe('unshare', [
      '--user',
      '--map-root-user',
      '--net',
      '--pid',
      '--fork',
      '--mount-proc',
      'true',
    ]);
    checks.push({
      name: 'user, network and pid namespaces',
      ok: ns.ok,
      detail: ns.ok ? 'usable' : ns.out,
      ...(ns.ok
        ? {}
        : {
            fix: 'a kernel with CONFIG_USER_NS, CONFIG_NET_NS, CONFIG_PID_NS (and user.max_user_namespaces > 0)',
          }),
    });
  }

  checks.push(cgroupCheck());

  const filesystems = safeRead('/proc/filesystems');
  const overlay = /\toverlay$/m.test(filesystems);
  const tmpfs = /\ttmpfs$/m.test(filesystems);
  checks.push({
    name: 'overlayfs and tmpfs',
    ok: overlay && tmpfs,
    detail: `overlay ${overlay ? 'yes' : 'no'}, tmpfs ${tmpfs ? 'yes' : 'no'}`,
    ...(overlay && tmpfs ? {} : { fix: 'modprobe overlay (kernel with CONFIG_OVERLAY_FS and CONFIG_TMPFS)' }),
  });
  return { checks };
}

function cgroupCheck(): DoctorCheck {
  const hierarchies = cgroupHierarchies();
  const v2 = hierarchies.unified;
  const v2Controllers =
    v2 && existsSync(`${v2}/cgroup.controllers`)
      ? safeRead(`${v2}/cgroup.controllers`).trim().split(/\s+/)
      : [];
  const wanted = ['memory', 'pids', 'cpu'];
  const missing = wanted.filter((c) => !hierarchies[c] && !v2Controllers.includes(c));
  const layout = Object.keys(hierarchies).some((k) => k !== 'unified')
    ? v2
      ? 'v1 hybrid'
      : 'v1'
    : v2
      ? 'v2'
      : 'none';
  return {
    name: 'cgroup controllers (memory, pids, cpu)',
    ok: missing.length === 0,
    detail: `cgroup ${layout}; ${missing.length === 0 ? 'memory, pids and cpu available' : `missing ${missing.join(', ')}`}`,
    ...(missing.length === 0 ? {} : { fix: 'mount the cgroup hierarchies with those controllers enabled' }),
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
