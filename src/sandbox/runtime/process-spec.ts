/**
 * What `docker run IMAGE` would execute, from the image config: argv from Entrypoint + Cmd, the
 * environment, the working directory and the user (a name looked up in the image's own
 * /etc/passwd and /etc/group, as Docker does).
 */
import { closeSync, constants, lstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ShipshapeError, printable } from '../../errors.js';
import type { ImageConfig } from '../../image/types.js';
import { resolveInRoot } from '../../layer/paths.js';
import type { ProcessSpec } from './types.js';

/** Docker's PATH for images that set none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_ACCOUNT_FILE_BYTES = 4 * 1024 * 1024;
const MAX_ADDITIONAL_GIDS = 64;

export interface ProcessSpecOptions {
  entrypoint?: string[];
  cmd?: string[];
  decoyEnv?: Record<string, string>;
  hostname: string;
}

export function processSpec(rootfs: string, config: ImageConfig, options: ProcessSpecOptions): ProcessSpec {
  const c = config.config ?? {};
  const args = commandOf(c.Entrypoint, c.Cmd, options);
  const user = resolveUser(rootfs, c.User ?? '');
  const env = environmentOf(c.Env ?? [], options, user.home);
  const cwd = c.WorkingDir ? (c.WorkingDir.startsWith('/') ? c.WorkingDir : `/${c.WorkingDir}`) : '/';
  return { args, env, cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids };
}

/** Docker: Entrypoint then Cmd; an overridden entrypoint drops the image's Cmd. */
export function commandOf(
  entrypoint: string[] | null | undefined,
  cmd: string[] | null | undefined,
  options: Pick<ProcessSpecOptions, 'entrypoint' | 'cmd'> = {},
): string[] {
  const ep = options.entrypoint ?? entrypoint ?? [];
  const rest = options.cmd ?? (options.entrypoint ? [] : (cmd ?? []));
  const args = [...ep, ...rest];
  if (args.length === 0) {
    throw new ShipshapeError('BAD_ARGUMENT', 'the image has no Entrypoint and no Cmd: nothing to run');
  }
  if (args[0] === '') {
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      'the image\'s command starts with an empty string (Cmd [""]?): nothing to run',
    );
  }
  if (args.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    throw new ShipshapeError('MALFORMED', "the image's Entrypoint/Cmd holds a non-string or a NUL byte");
  }
  return args;
}

function environmentOf(imageEnv: string[], options: ProcessSpecOptions, home: string): string[] {
  const env = new Map<string, string>();
  const put = (entry: string) => {
    if (entry.includes('\0')) throw new ShipshapeError('MALFORMED', 'an image Env entry holds a NUL byte');
    const eq = entry.indexOf('=');
    env.set(eq < 0 ? entry : entry.slice(0, eq), entry);
  };
  put(DEFAULT_PATH);
  put(`HOSTNAME=${options.hostname}`);
  for (const entry of imageEnv) if (typeof entry === 'string' && entry !== '') put(entry);
  for (const [name, value] of Object.entries(options.decoyEnv ?? {})) put(`${name}=${value}`);
  if (!env.has('HOME')) put(`HOME=${home}`);
  return [...env.values()];
}

interface ResolvedUser {
  uid: number;
  gid: number;
  home: string;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const NUMERIC = /^[0-9]{1,10}$/;

/** `user`, `uid`, `user:group`, `uid:gid` ... as Docker reads the config's User. */
export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const [userPart = '', groupPart] = splitOnce(spec.trim(), ':');
  const passwd = parsePasswd(readImageFile(rootfs, 'etc/passwd'));
  const groups = parseGroup(readImageFile(rootfs, 'etc/group'));

  let entry: PasswdEntry | undefined;
  let uid: number;
  if (userPart === '') {
    uid = 0;
    entry = passwd.find((p) => p.uid === 0);
  } else if (NUMERIC.test(userPart)) {
    uid = checkedId(userPart, 'uid');
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) {
      throw new ShipshapeError(
        'BAD_ARGUMENT',
        `unable to find user ${printable(userPart)}: no matching entries in the image's /etc/passwd`,
      );
    }
    uid = entry.uid;
  }

  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart)) gid = checkedId(groupPart, 'gid');
    else {
      const group = groups.find((g) => g.name === groupPart);
      if (!group) {
        throw new ShipshapeError(
          'BAD_ARGUMENT',
          `unable to find group ${printable(groupPart)}: no matching entries in the image's /etc/group`,
        );
      }
      gid = group.gid;
    }
  }
  const additionalGids = entry
    ? groups
        .filter((g) => g.members.includes(entry.name) && g.gid !== gid)
        .map((g) => g.gid)
        .slice(0, MAX_ADDITIONAL_GIDS)
    : [];
  return { uid, gid, home: entry?.home || '/', additionalGids: [...new Set(additionalGids)] };
}

function checkedId(text: string, what: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > 0xfffffffe)
    throw new ShipshapeError('BAD_ARGUMENT', `${what} ${text} is out of range`);
  return id;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !NUMERIC.test(f[2]!) || !NUMERIC.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! });
  }
  return out;
}

function parseGroup(text: string): { name: string; gid: number; members: string[] }[] {
  const out: { name: string; gid: number; members: string[] }[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !NUMERIC.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) });
  }
  return out;
}

/**
 * A small file of the unpacked image, its symlinks followed inside the root (an image's
 * `/etc/passwd -> /host/etc/passwd` means its own /host/etc/passwd). '' when missing.
 */
export function readImageFile(rootfs: string, path: string, maxBytes = MAX_ACCOUNT_FILE_BYTES): string {
  const lookup = (p: string): string | undefined => {
    try {
      const abs = join(rootfs, p);
      return lstatSync(abs).isSymbolicLink() ? readlinkSync(abs) : undefined;
    } catch {
      return undefined;
    }
  };
  const resolved = resolveInRoot(path, lookup);
  if (resolved === null || resolved === '') return '';
  let fd: number;
  try {
    fd = openSync(join(rootfs, resolved), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    const buf = Buffer.alloc(maxBytes);
    let n = 0;
    for (let got = -1; got !== 0 && n < maxBytes; n += got) got = readSync(fd, buf, n, maxBytes - n, null);
    return buf.toString('utf8', 0, n);
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}
