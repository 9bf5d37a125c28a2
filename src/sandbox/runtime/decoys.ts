/**
 * Decoy credentials: values that exist nowhere but in one run. Some go in the environment, some
 * are planted as files (AWS, SSH, Docker, Kubernetes, git, npm credentials) in the home of the
 * user the image runs as, through the overlay before the container exists, so they sit in the
 * writable layer and never in the image. A sample that reads them is looking for credentials;
 * one that sends a value anywhere is stealing them, and the value names the file it came from.
 * Every value is random per run, and file secrets carry the marker `FAKE` where the format has a
 * fixed prefix (`AKIAFAKE…`, `ghp_FAKE…`), so a value that escapes is recognisably ours.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  chownSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { printable } from '../../errors.js';
import { resolveInRoot } from '../../layer/paths.js';
import type { BehaviorReport } from '../types.js';
import type { IdMap, ProcessSpec } from './types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}-_`;
/** Marks file decoy values as fake where the format has room for it. */
export const DECOY_MARKER = 'FAKE';
const DAY_MS = 86_400_000;

export function randomOf(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Credentials put in the environment: a sample that sends one of them anywhere, or reads them
 * back out of another process, is after credentials.
 */
export function decoyEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: `AKIA${randomOf(BASE32, 16)}`,
    AWS_SECRET_ACCESS_KEY: randomOf(BASE62 + '/+', 40),
    GITHUB_TOKEN: `ghp_${randomOf(BASE62, 36)}`,
    NPM_TOKEN: `npm_${randomOf(BASE62, 36)}`,
    DATABASE_URL: `postgres://app:${randomOf(BASE62, 20)}@db.internal:5432/app`,
  };
}

/** A secret inside a decoy file, by the name its format gives it. */
export interface DecoySecret {
  name: string;
  value: string;
}

export interface DecoyFileSpec {
  /** Path below the home directory (`.aws/credentials`). */
  rel: string;
  content: string;
  /** Mode of the directories made for it. */
  dirMode: number;
  /** The values a sample could send: in `content` as they are, or (docker's token) decoded from it. */
  secrets: DecoySecret[];
}

export interface PlantedDecoy {
  /** Where the container finds it: `$HOME/rel` as the process's HOME spells it. */
  path: string;
  /** The same file with the home's symlinks resolved (what the writable layer shows). */
  realPath: string;
  size: number;
  sha256: string;
  secrets: DecoySecret[];
}

export interface PlantedDecoys {
  planted: PlantedDecoy[];
  /** Decoys left out, and why (an image file already there, no home). */
  warnings: string[];
}

/** SSH wire-format pieces for the OpenSSH private key container. */
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sshString = (b: Buffer | string) => {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([u32(buf.length), buf]);
};
/** A random positive multiple-precision integer of `bytes` bytes with its top bit set. */
const mpint = (bytes: number) => {
  const b = randomBytes(bytes);
  b[0] = (b[0] ?? 0) | 0x80;
  return sshString(Buffer.concat([Buffer.from([0]), b]));
};

/**
 * An `openssh-key-v1` RSA private key with the structure ssh-keygen writes (unencrypted, one
 * 2048-bit key, check ints, comment, padding) but random numbers: it parses as a key file and
 * opens nothing.
 */
function fakeOpenSshRsaKey(comment: string): string {
  const e = sshString(Buffer.from([0x01, 0x00, 0x01]));
  const n = mpint(256);
  const pub = Buffer.concat([sshString('ssh-rsa'), e, n]);
  const check = randomBytes(4);
  let priv = Buffer.concat([
    check,
    check,
    sshString('ssh-rsa'),
    n,
    e,
    mpint(256),
    mpint(128),
    mpint(128),
    mpint(128),
    sshString(comment),
  ]);
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(pub),
    sshString(priv),
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** The decoy files of one run, each with fresh random values. */
export function decoyFiles(): DecoyFileSpec[] {
  const awsId = `AKIA${DECOY_MARKER}${randomOf(BASE32, 12)}`;
  const awsSecret = randomOf(BASE62 + '/+', 40);
  const sshKey = fakeOpenSshRsaKey(`deploy@build-${randomBytes(3).toString('hex')}`);
  // The key's third line is all random modulus: what a copy of the file would carry.
  const sshLine = sshKey.split('\n')[3] ?? '';
  const dockerPat = `dckr_pat_${DECOY_MARKER}${randomOf(BASE62 + '-_', 23)}`;
  const dockerAuth = Buffer.from(`deploy:${dockerPat}`).toString('base64');
  const kubeToken = [
    b64url(JSON.stringify({ alg: 'RS256', kid: randomOf(BASE64URL, 43) })),
    b64url(
      JSON.stringify({
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': 'ci',
        'kubernetes.io/serviceaccount/service-account.name': 'deployer',
        sub: 'system:serviceaccount:ci:deployer',
        jti: `${DECOY_MARKER}-${randomBytes(8).toString('hex')}`,
      }),
    ),
    randomOf(BASE64URL, 342),
  ].join('.');
  // A CA that does not parse: kubectl stops before it would send the token anywhere.
  const kubeCa = Buffer.from(
    `-----BEGIN CERTIFICATE-----\n${(
      randomBytes(840)
        .toString('base64')
        .match(/.{1,64}/g) ?? []
    ).join('\n')}\n-----END CERTIFICATE-----\n`,
  ).toString('base64');
  const ghToken = `ghp_${DECOY_MARKER}${randomOf(BASE62, 32)}`;
  const npmToken = `npm_${DECOY_MARKER}${randomOf(BASE62, 32)}`;
  return [
    {
      rel: '.aws/credentials',
      dirMode: 0o755,
      content: `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n`,
      secrets: [
        { name: 'aws_access_key_id', value: awsId },
        { name: 'aws_secret_access_key', value: awsSecret },
      ],
    },
    {
      rel: '.ssh/id_rsa',
      dirMode: 0o700,
      content: sshKey,
      secrets: [{ name: 'private key', value: sshLine.slice(0, 48) }],
    },
    {
      rel: '.docker/config.json',
      dirMode: 0o700,
      content: `{\n\t"auths": {\n\t\t"https://index.docker.io/v1/": {\n\t\t\t"auth": "${dockerAuth}"\n\t\t}\n\t}\n}\n`,
      secrets: [
        { name: 'auth', value: dockerAuth },
        { name: 'token', value: dockerPat },
      ],
    },
    {
      rel: '.kube/config',
      dirMode: 0o750,
      content: [
        'apiVersion: v1',
        'kind: Config',
        'current-context: prod',
        'users:',
        '- name: deployer',
        '  user:',
        `    token: ${kubeToken}`,
        'clusters:',
        '- name: prod',
        '  cluster:',
        `    certificate-authority-data: ${kubeCa}`,
        '    server: https://k8s-prod.internal:6443',
        'contexts:',
        '- name: prod',
        '  context:',
        '    cluster: prod',
        '    user: deployer',
        '',
      ].join('\n'),
      // Past the header's constant start: the part made of the random key id.
      secrets: [{ name: 'token', value: kubeToken.slice(30, 78) }],
    },
    {
      rel: '.git-credentials',
      dirMode: 0o700,
      content: `https://deploy:${ghToken}@github.com\n`,
      secrets: [{ name: 'token', value: ghToken }],
    },
    {
      rel: '.npmrc',
      dirMode: 0o700,
      content: `//registry.npmjs.org/:_authToken=${npmToken}\n`,
      secrets: [{ name: '_authToken', value: npmToken }],
    },
  ];
}

/** The last HOME= of the process's environment (the image's own, or the one Docker would set). */
function homeOf(env: string[]): string | undefined {
  const entry = [...env].reverse().find((e) => e.startsWith('HOME='));
  return entry?.slice('HOME='.length);
}

/**
 * Plants `specs` under the home of the user `proc` runs as, in the container's root file system
 * (the overlay, mounted and not yet in use: what is written lands in the writable layer). A path
 * the image already has, or whose directories are links or files in the image, is left alone and
 * named in the warnings. New directories and files belong to the user; directories of the image
 * that get a new entry keep their times.
 */
export function plantDecoys(
  rootfs: string,
  proc: ProcessSpec,
  specs: DecoyFileSpec[],
  idMap: IdMap,
): PlantedDecoys {
  const out: PlantedDecoys = { planted: [], warnings: [] };
  if (specs.length === 0) return out;
  const home = homeOf(proc.env);
  if (!home?.startsWith('/')) {
    out.warnings.push(`no decoy files: HOME ${printable(home ?? '(unset)')} is not an absolute path`);
    return out;
  }
  // Nothing runs in the container yet: the image's links stay what they are while we look.
  const lookup = (p: string) =>
    statOf(join(rootfs, p))?.isSymbolicLink() ? readlinkSync(join(rootfs, p)) : undefined;
  const realHome = resolveInRoot(home, lookup);
  if (realHome === null || !statOf(join(rootfs, realHome))?.isDirectory()) {
    out.warnings.push(`no decoy files: home ${printable(home)} is not a directory in the image`);
    return out;
  }
  const mapped = (id: number, base: number) => base + (id >= 0 && id < idMap.size ? id : 65_534);
  const uid = mapped(proc.uid, idMap.hostUid);
  const gid = mapped(proc.gid, idMap.hostGid);
  // Image directories that get a new entry, with their times as the image had them.
  const touched = new Map<string, Stats>();
  const now = Date.now();
  for (const spec of specs) {
    const path = `${home.replace(/\/+$/, '')}/${spec.rel}`;
    try {
      const result = plantOne(rootfs, realHome, spec, { uid, gid }, touched, now);
      if (typeof result === 'string')
        out.warnings.push(`decoy ${printable(path)} not planted: ${printable(result)}`);
      else out.planted.push({ path, ...result });
    } catch (err) {
      // A decoy is a bonus: the run goes on without it.
      out.warnings.push(`decoy ${printable(path)} not planted: ${(err as Error).message}`);
    }
  }
  for (const [dir, st] of touched) utimesSync(join(rootfs, dir), st.atime, st.mtime);
  return out;
}

/** Plants one file (and the directories it needs) below `realHome`; a string says why not. */
function plantOne(
  rootfs: string,
  realHome: string,
  spec: DecoyFileSpec,
  owner: { uid: number; gid: number },
  touched: Map<string, Stats>,
  now: number,
): Omit<PlantedDecoy, 'path'> | string {
  const segments = spec.rel.split('/');
  const name = segments.pop() ?? '';
  // Weeks to months old, as credentials on a real machine are.
  const seconds = (now - (20 + Math.floor(Math.random() * 380)) * DAY_MS) / 1000;
  let dir = realHome;
  for (const seg of segments) {
    const next = dir === '' ? seg : `${dir}/${seg}`;
    const st = statOf(join(rootfs, next));
    if (st && !st.isDirectory()) return `/${next} is not a directory in the image`;
    if (!st) {
      remember(touched, rootfs, dir);
      const abs = join(rootfs, next);
      mkdirSync(abs);
      chownSync(abs, owner.uid, owner.gid);
      chmodSync(abs, spec.dirMode);
      utimesSync(abs, seconds, seconds);
    }
    dir = next;
  }
  const realPath = `/${dir === '' ? name : `${dir}/${name}`}`;
  if (statOf(join(rootfs, realPath))) return `the image has ${realPath}: left alone`;
  remember(touched, rootfs, dir);
  writeNew(join(rootfs, realPath), spec.content, owner, seconds);
  return {
    realPath,
    size: Buffer.byteLength(spec.content),
    sha256: createHash('sha256').update(spec.content).digest('hex'),
    secrets: spec.secrets,
  };
}

function statOf(abs: string): Stats | null {
  try {
    return lstatSync(abs);
  } catch {
    return null;
  }
}

/** Keeps a directory's times before its first new entry (only directories the image had). */
function remember(touched: Map<string, Stats>, rootfs: string, dir: string): void {
  if (touched.has(dir)) return;
  const st = statOf(join(rootfs, dir));
  if (st) touched.set(dir, st);
}

function writeNew(abs: string, content: string, owner: { uid: number; gid: number }, seconds: number): void {
  const fd = openSync(
    abs,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, 0o600);
    const buf = Buffer.from(content);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
    futimesSync(fd, seconds, seconds);
  } finally {
    closeSync(fd);
  }
}

/** Every path a planted decoy can be opened by. */
export function decoyPaths(planted: PlantedDecoy[]): string[] {
  return [...new Set(planted.flatMap((d) => [d.path, d.realPath]))];
}

/** The secrets the behaviour rules look for on the network, each named after its file. */
export function decoySecrets(planted: PlantedDecoy[]): { path: string; name: string; value: string }[] {
  return planted.flatMap((d) => d.secrets.map((s) => ({ path: d.path, ...s })));
}

/**
 * What the container dropped, less the decoys the sandbox planted: a decoy is listed only when
 * the container changed it (its content is no longer what was planted).
 */
export function withoutDecoys(
  dropped: BehaviorReport['dropped'],
  planted: PlantedDecoy[],
): BehaviorReport['dropped'] {
  const ours = new Map(planted.map((d) => [d.realPath, d.sha256]));
  return dropped.filter((f) => ours.get(f.path) !== f.sha256);
}
