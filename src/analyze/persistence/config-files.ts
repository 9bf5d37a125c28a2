/**
 * The `persistence-config` analyzer: the files that make something run again and again, or let
 * someone back in, read whole (up to 1 MiB) and checked line by line:
 *  - etc/ld.so.preload: any library in it is loaded into every program (backdoor);
 *  - cron tables and cron.{hourly,daily,...} scripts, systemd units, supervisor programs,
 *    rc.local, init.d, profile and shell rc files: commands that download and run code, run
 *    from temporary or hidden places, start a miner, or export LD_PRELOAD (persistence);
 *  - authorized_keys: a baked-in SSH key lets its owner log in (backdoor);
 *  - sudoers: NOPASSWD for every command, or for a shell or interpreter (persistence);
 *  - hooks other programs run: udev RUN, apt Invoke, XDG autostart, NetworkManager and
 *    ifupdown dispatchers, motd scripts, systemd generators and drop-ins, Python .pth import
 *    lines (checked like startup hooks);
 *  - PAM modules loaded from outside the module directories, `pam_exec` of hidden or temporary
 *    programs, `auth sufficient pam_permit.so` (backdoor); library search paths (ld.so.conf)
 *    and sshd's AuthorizedKeysFile in temporary or hidden places.
 */
import { createHash } from 'node:crypto';
import type { MalwareCategory, MalwareFact, ThreatSeverity } from '../findings.js';
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../types.js';
import { analyzeCommand, commandWords, programOf } from './commands.js';
import { suspiciousLocations } from './paths.js';
import { persistenceRules, type PersistenceRules } from './rules.js';

export const PERSISTENCE_CONFIG_ANALYZER = 'persistence-config';

const MAX_BYTES = 1024 * 1024;
const MAX_LINES = 50_000;
const MAX_EVIDENCE = 160;

export type ConfigKind =
  | 'ld-preload'
  | 'crontab-system'
  | 'crontab-user'
  | 'anacrontab'
  | 'shell'
  | 'systemd'
  | 'supervisor'
  | 'sudoers'
  | 'authorized-keys'
  | 'environment'
  | 'udev'
  | 'apt'
  | 'desktop'
  | 'python-pth'
  | 'pam'
  | 'ld-so-conf'
  | 'sshd-config'
  | 'inittab'
  | 'passwd'
  | 'shadow';

const KINDS: [RegExp, ConfigKind][] = [
  [/^etc\/ld\.so\.preload$/, 'ld-preload'],
  [/^etc\/(crontab|cron\.d\/[^/.][^/]*)$/, 'crontab-system'],
  [/^etc\/anacrontab$/, 'anacrontab'],
  [/^var\/spool\/cron\/(crontabs\/|tabs\/)?[^/.][^/]*$/, 'crontab-user'],
  // Alpine's and BusyBox's crond read their tables here.
  [/^etc\/crontabs\/[^/.][^/]*$/, 'crontab-user'],
  // at jobs are shell scripts; BusyBox init runs what inittab says, and respawns it.
  [/^var\/spool\/(cron\/)?at(jobs)?\/[^/.][^/]*$/, 'shell'],
  [/^etc\/inittab$/, 'inittab'],
  // logrotate runs its scripts (postrotate...) as root, every day.
  [/^etc\/logrotate\.(conf|d\/[^/]+)$/, 'shell'],
  [/^etc\/cron\.(hourly|daily|weekly|monthly|yearly)\/[^/.][^/]*$/, 'shell'],
  [
    /^(usr\/(local\/)?lib|lib|etc|run)\/systemd\/(system|user)\/.+\.(service|timer|socket|path)(\.d\/[^/]+\.conf)?$/,
    'systemd',
  ],
  [/^(root|home\/[^/]+)\/\.config\/systemd\/user\/.+\.service(\.d\/[^/]+\.conf)?$/, 'systemd'],
  [/^(usr\/(local\/)?lib|lib|etc|run)\/systemd\/(system|user)-generators\/[^/]+$/, 'shell'],
  [
    /^etc\/(supervisord\.conf|supervisor\/supervisord\.conf|supervisor\/conf\.d\/[^/]+|supervisord\.d\/[^/]+)$/,
    'supervisor',
  ],
  [
    /^etc\/(rc\.local|rc\.d\/rc\.local|(rc\.d\/)?init\.d\/[^/]+|(rc\.d\/)?rc[0-6S]\.d\/[^/]+|local\.d\/[^/]+\.start|init\/[^/]+\.conf)$/,
    'shell',
  ],
  [
    /^etc\/(periodic\/[^/]+|update-motd\.d|NetworkManager\/dispatcher\.d(\/[^/]+\.d)?|network\/if-[a-z-]+\.d|X11\/Xsession\.d|ppp\/ip-(up|down)\.d)\/[^/]+$/,
    'shell',
  ],
  [/^(etc|usr\/lib|lib|run)\/udev\/rules\.d\/[^/]+\.rules$/, 'udev'],
  [/^etc\/apt\/apt\.conf(\.d\/[^/]+)?$/, 'apt'],
  [/^(etc\/xdg|root\/\.config|home\/[^/]+\/\.config)\/autostart\/[^/]+\.desktop$/, 'desktop'],
  [/(^|\/)(site|dist)-packages\/[^/]+\.pth$/, 'python-pth'],
  [/^(etc|usr\/lib|lib)\/pam\.d\/[^/]+$|^etc\/pam\.conf$/, 'pam'],
  [/^etc\/ld\.so\.conf(\.d\/[^/]+)?$/, 'ld-so-conf'],
  [/^etc\/ssh\/sshd_config(\.d\/[^/]+)?$/, 'sshd-config'],
  [
    /^etc\/(profile|profile\.d\/[^/]+|bash\.bashrc|bashrc|zshrc|zsh\/(zshrc|zprofile|zshenv|zlogin))$/,
    'shell',
  ],
  [
    /^(root|home\/[^/]+|etc\/skel)\/\.(bashrc|profile|bash_profile|bash_login|bash_logout|zshrc|zprofile|zshenv|zlogin)$/,
    'shell',
  ],
  [/^(root|home\/[^/]+)\/\.config\/fish\/config\.fish$|^etc\/fish\/(config\.fish|conf\.d\/[^/]+)$/, 'shell'],
  // git runs a repository's hooks on checkout, commit, merge...
  [/(^|\/)\.git\/hooks\/[^/.]+$/, 'shell'],
  [/^etc\/passwd$/, 'passwd'],
  [/^etc\/shadow$/, 'shadow'],
  [/^etc\/(sudoers|sudoers\.d\/[^/.][^/]*)$/, 'sudoers'],
  [/(^|\/)\.ssh\/authorized_keys2?$/, 'authorized-keys'],
  [/^etc\/(ssh\/authorized_keys\/[^/]+|dropbear\/authorized_keys)$/, 'authorized-keys'],
  [/^etc\/environment$/, 'environment'],
];

export function configKind(path: string): ConfigKind | undefined {
  return KINDS.find(([re]) => re.test(path))?.[1];
}

/** Printable, one line, bounded: safe to show in a report. */
export function safeEvidence(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?').trim();
  return clean.length > MAX_EVIDENCE ? `${clean.slice(0, MAX_EVIDENCE - 3)}...` : clean;
}

/** Non-comment lines, with backslash continuations joined, and their first line numbers. */
export function logicalLines(text: string): { n: number; line: string }[] {
  const out: { n: number; line: string }[] = [];
  const raw = text.split('\n', MAX_LINES);
  for (let i = 0; i < raw.length; i++) {
    const n = i + 1;
    let line = raw[i]!.replace(/\r$/, '');
    while (line.endsWith('\\') && i + 1 < raw.length)
      line = line.slice(0, -1) + ' ' + raw[++i]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    out.push({ n, line: trimmed });
  }
  return out;
}

interface Hit {
  category: MalwareCategory;
  rule: string;
  severity: ThreatSeverity;
  evidence: string;
}

const LD_PRELOAD_ASSIGN = /\bLD_PRELOAD\s*=\s*["']?([^"'\s;]+)/;

function preloadAllowed(lib: string, rules: PersistenceRules): boolean {
  return rules.preloadAllowed.some((re) => re.test(lib));
}

function ldPreloadFile(text: string, rules: PersistenceRules): Hit[] {
  const libs = logicalLines(text)
    .flatMap((l) => l.line.split(/[\s:]+/))
    .filter(Boolean);
  const suspicious = libs.filter((l) => !preloadAllowed(l, rules));
  if (!suspicious.length) return [];
  const hidden = suspicious.some((l) => suspiciousLocations(l.replace(/^\/+/, ''), rules).length > 0);
  return [
    {
      category: 'backdoor',
      rule: 'backdoor-ld-so-preload',
      severity: hidden ? 'critical' : 'high',
      evidence: safeEvidence(`preloads into every program: ${suspicious.slice(0, 4).join(', ')}`),
    },
  ];
}

/** The command part of a cron line: past the schedule (and the user, in system tables). */
export function cronCommand(line: string, kind: ConfigKind): string | undefined {
  if (/^[A-Za-z_]\w*\s*=/.test(line)) return undefined; // SHELL=, PATH=, MAILTO=
  const fields = kind === 'anacrontab' ? 3 : line.startsWith('@') ? 1 : 5;
  const withUser = kind === 'crontab-system' ? 1 : 0;
  const words = line.split(/\s+/);
  if (words.length <= fields + withUser) return undefined;
  let at = 0;
  for (let i = 0; i < fields + withUser; i++) at = line.indexOf(words[i]!, at) + words[i]!.length;
  return line.slice(at).trim();
}

function commandsOf(text: string, kind: ConfigKind): { n: number; command: string }[] {
  const out: { n: number; command: string }[] = [];
  for (const { n, line } of logicalLines(text)) {
    let command: string | undefined;
    if (kind === 'crontab-system' || kind === 'crontab-user' || kind === 'anacrontab')
      command = cronCommand(line, kind);
    else if (kind === 'systemd') command = /^Exec\w*\s*=\s*[-@:+!]*(.*)$/.exec(line)?.[1];
    else if (kind === 'supervisor') command = /^command\s*=\s*(.*)$/.exec(line)?.[1];
    else if (kind === 'desktop') command = /^(?:Try)?Exec\s*=\s*(.*)$/.exec(line)?.[1];
    else if (kind === 'python-pth') command = /^import[\s,]/.test(line) ? line : undefined;
    // id:runlevels:action:process (BusyBox: `::respawn:/sbin/getty ...`).
    else if (kind === 'inittab') command = /^[^:]{0,16}:[^:]{0,16}:[a-z]{1,16}:(.+)$/.exec(line)?.[1];
    else if (kind === 'udev' || kind === 'apt') {
      // The programs are the quoted values (`RUN+="..."`, `Post-Invoke {"..."};`).
      for (const m of line.matchAll(/"([^"]{1,4096})"/g)) out.push({ n, command: m[1]! });
      continue;
    } else {
      command = line;
      // OpenRC services name their program in an assignment (`command=/usr/sbin/sshd`).
      const daemon = /^(?:command|daemon|DAEMON)=["']?(\/[^"'\s;]{1,4096})/.exec(line)?.[1];
      if (daemon) out.push({ n, command: daemon });
    }
    if (command) out.push({ n, command });
  }
  return out;
}

/**
 * A `.pth` import line that runs code beyond importing (packages' own .pth files import a
 * module and call one function): exec/eval of a string (medium), or a shell, a socket, a
 * download or a decoded payload (high).
 */
const PTH_RUNS_CODE = /\b(?:exec|eval|compile)\s*\(/;
const PTH_REACHES_OUT =
  /\b(?:os\.system|os\.popen|os\.exec\w*|subprocess\.\w+|pty\.spawn|socket\.socket|urlopen|urlretrieve|requests\.get|b64decode|decompress|fromhex)\b/;

function startupHooks(text: string, kind: ConfigKind, rules: PersistenceRules): Hit[] {
  const hits = new Map<string, Hit>();
  for (const { n, command } of commandsOf(text, kind)) {
    const reaches = kind === 'python-pth' && PTH_REACHES_OUT.test(command);
    if (
      (reaches || (kind === 'python-pth' && PTH_RUNS_CODE.test(command))) &&
      !hits.has('persistence-python-startup-hook')
    ) {
      hits.set('persistence-python-startup-hook', {
        category: 'persistence',
        rule: 'persistence-python-startup-hook',
        severity: reaches ? 'high' : 'medium',
        evidence: safeEvidence(`line ${n}: every Python start runs: ${command}`),
      });
    }
    for (const h of analyzeCommand(command, rules)) {
      if (hits.has(h.rule)) continue;
      hits.set(h.rule, {
        category: 'persistence',
        rule: h.rule,
        severity: 'high',
        evidence: safeEvidence(`line ${n}: ${h.detail}: ${command}`),
      });
    }
    const preload = LD_PRELOAD_ASSIGN.exec(command);
    if (preload && !preloadAllowed(preload[1]!, rules) && !hits.has('persistence-ld-preload-hook')) {
      hits.set('persistence-ld-preload-hook', {
        category: 'persistence',
        rule: 'persistence-ld-preload-hook',
        severity: 'high',
        evidence: safeEvidence(`line ${n}: sets LD_PRELOAD: ${command}`),
      });
    }
  }
  return [...hits.values()];
}

const KEY_TYPES =
  'ssh-rsa|ssh-dss|ssh-ed25519|ssh-ed448|ecdsa-sha2-nistp\\d+|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com';
const KEY_LINE = new RegExp(`(?:^|\\s)(${KEY_TYPES})\\s+(AAAA[A-Za-z0-9+/]{16,}={0,3})(?:\\s+(.*))?$`);

export interface AuthorizedKey {
  type: string;
  fingerprint: string;
  comment?: string;
}

export function authorizedKeys(text: string): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  for (const { line } of logicalLines(text)) {
    const m = KEY_LINE.exec(line);
    if (!m) continue;
    const blob = Buffer.from(m[2]!, 'base64');
    const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    const key: AuthorizedKey = { type: m[1]!, fingerprint };
    if (m[3]?.trim()) key.comment = m[3].trim().slice(0, 40);
    keys.push(key);
  }
  return keys;
}

function authorizedKeysFile(text: string): Hit[] {
  const keys = authorizedKeys(text);
  if (!keys.length) return [];
  const first = keys[0]!;
  return [
    {
      category: 'backdoor',
      rule: 'backdoor-authorized-keys',
      severity: 'high',
      evidence: safeEvidence(
        `${keys.length} SSH key(s) allowed to log in, e.g. ${first.type} ${first.fingerprint}${first.comment ? ` ${first.comment}` : ''}`,
      ),
    },
  ];
}

const NOPASSWD_ALL = /^(\S+)\s+\S+\s*=\s*(\([^)]*\)\s*)?(\w+:\s*)*NOPASSWD\s*:\s*(\w+:\s*)*ALL\s*$/;
const NOPASSWD_LIST = /^(\S+)\s+\S+\s*=\s*(\([^)]*\)\s*)?(\w+:\s*)*NOPASSWD\s*:\s*(\w+:\s*)*(.+)$/;

/** The first command of a NOPASSWD list that is a shell or an interpreter. */
function rootShellCommand(list: string, rules: PersistenceRules): string | undefined {
  for (const cmd of list.split(',')) {
    const program = cmd.trim().split(/\s+/)[0] ?? '';
    if (rules.sudoRootShells.test(program.slice(program.lastIndexOf('/') + 1))) return program;
  }
  return undefined;
}

function sudoersFile(text: string, rules: PersistenceRules): Hit[] {
  for (const { n, line } of logicalLines(text)) {
    const m = NOPASSWD_ALL.exec(line);
    if (m) {
      return [
        {
          category: 'persistence',
          rule: 'persistence-sudoers-nopasswd-all',
          severity: 'medium',
          evidence: safeEvidence(
            `line ${n}: ${m[1]} may run any command as root without a password: ${line}`,
          ),
        },
      ];
    }
    const list = NOPASSWD_LIST.exec(line);
    const shell = list ? rootShellCommand(list[5]!, rules) : undefined;
    if (list && shell) {
      return [
        {
          category: 'persistence',
          rule: 'persistence-sudoers-nopasswd-shell',
          severity: 'medium',
          evidence: safeEvidence(
            `line ${n}: ${list[1]} may run ${shell} as root without a password (a root shell): ${line}`,
          ),
        },
      ];
    }
  }
  return [];
}

const PAM_MODULE_DIR = /^\/(?:usr\/)?lib(?:32|64)?\/(?:[a-z0-9_]+-linux-[a-z0-9]+\/)?security\/[^/]+$/;

/** One PAM line's type, control and module (`[...]` controls hold spaces). */
function pamLine(line: string): { type: string; control: string; module: string; args: string } | undefined {
  const m = /^-?(\S+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$/.exec(line);
  if (!m || m[1]!.startsWith('@')) return undefined;
  return { type: m[1]!.toLowerCase(), control: m[2]!, module: m[3]!, args: m[4]! };
}

function pamFile(path: string, text: string, rules: PersistenceRules): Hit[] {
  const service = path.startsWith('etc/pam.conf') ? 1 : 0;
  for (const { n, line } of logicalLines(text)) {
    const p = pamLine(service ? line.replace(/^\S+\s+/, '') : line);
    if (!p) continue;
    const backdoor = (why: string): Hit[] => [
      {
        category: 'backdoor',
        rule: 'backdoor-pam-module',
        severity: 'high',
        evidence: safeEvidence(`line ${n}: ${why}: ${line}`),
      },
    ];
    if (p.module.startsWith('/') && !PAM_MODULE_DIR.test(p.module))
      return backdoor('loads a PAM module from outside the module directories');
    if (p.type === 'auth' && p.control === 'sufficient' && /^pam_permit\.so$/.test(p.module))
      return backdoor('accepts any password');
    if (/(?:^|\/)pam_exec\.so$/.test(p.module)) {
      const program = p.args.split(/\s+/).find((a) => a.startsWith('/'));
      const hit = program ? analyzeCommand(p.args.slice(p.args.indexOf(program)), rules)[0] : undefined;
      if (hit) return backdoor(`pam_exec ${hit.detail}`);
    }
  }
  return [];
}

/** Library search paths and sshd key files: a temporary or hidden place is a hijack. */
function placesFile(kind: ConfigKind, text: string, rules: PersistenceRules): Hit[] {
  for (const { n, line } of logicalLines(text)) {
    let place: string | undefined;
    if (kind === 'ld-so-conf') place = /^(\/\S*)$/.exec(line)?.[1];
    else place = /^Authorized(?:Keys|Principals)(?:File|Command)\s+(.*)$/i.exec(line)?.[1];
    for (const p of place?.split(/\s+/) ?? []) {
      if (!p.startsWith('/')) continue;
      // A search path is a directory (judged by a file in it); a key file is judged itself.
      const at = p.replace(/^\/+|\/+$/g, '');
      const where = suspiciousLocations(kind === 'ld-so-conf' ? `${at}/x` : at, rules).filter(
        (l) => kind === 'ld-so-conf' || l.kind !== 'runtime',
      );
      if (!where.length) continue;
      return [
        {
          category: kind === 'ld-so-conf' ? 'persistence' : 'backdoor',
          rule: kind === 'ld-so-conf' ? 'persistence-ld-so-conf-hijack' : 'backdoor-sshd-key-location',
          severity: 'high',
          evidence: safeEvidence(
            `line ${n}: ${kind === 'ld-so-conf' ? 'libraries are looked up' : 'sshd reads login keys'} ${where[0]!.reason}: ${line}`,
          ),
        },
      ];
    }
  }
  return [];
}

/**
 * Accounts that let anyone in as root: a second user with uid 0 (root under another name, the
 * oldest backdoor), a login account whose password field is empty in passwd (no password at
 * all), or in shadow (no password: CVE-2019-5021 shipped Alpine images with `root::`).
 */
function accountsFile(kind: 'passwd' | 'shadow', text: string): Hit[] {
  const hits: Hit[] = [];
  for (const { n, line } of logicalLines(text)) {
    const f = line.split(':');
    if (f.length < (kind === 'passwd' ? 7 : 2)) continue;
    const [user, password] = [f[0]!, f[1]!];
    if (
      kind === 'passwd' &&
      /^0{1,16}$/.test(f[2] ?? '') &&
      user !== 'root' &&
      !hits.some((h) => h.rule === 'backdoor-uid0-account')
    )
      hits.push({
        category: 'backdoor',
        rule: 'backdoor-uid0-account',
        severity: 'high',
        evidence: safeEvidence(`line ${n}: ${user} has uid 0, root under another name`),
      });
    // A shell that logs nobody in (nologin, false) makes an empty password harmless.
    const locked = kind === 'passwd' && /(?:nologin|\/false|\/sync|\/shutdown|\/halt)$/.test(f[6] ?? '');
    if (password === '' && !locked && !hits.some((h) => h.rule === 'backdoor-empty-password')) {
      hits.push({
        category: 'backdoor',
        rule: 'backdoor-empty-password',
        severity: user === 'root' || (kind === 'passwd' && /^0{1,16}$/.test(f[2] ?? '')) ? 'high' : 'medium',
        evidence: safeEvidence(
          `line ${n}: ${user} has an empty password in ${kind}: anyone may log in as ${user}`,
        ),
      });
    }
  }
  return hits;
}

/** sshd letting accounts in without a password. */
function sshdFile(text: string, rules: PersistenceRules): Hit[] {
  const hits = placesFile('sshd-config', text, rules);
  for (const { n, line } of logicalLines(text)) {
    if (/^PermitEmptyPasswords\s+yes\b/i.test(line))
      hits.push({
        category: 'backdoor',
        rule: 'backdoor-sshd-empty-passwords',
        severity: 'medium',
        evidence: safeEvidence(`line ${n}: sshd lets accounts without a password log in: ${line}`),
      });
  }
  return hits;
}

function environmentFile(text: string, rules: PersistenceRules): Hit[] {
  for (const { n, line } of logicalLines(text)) {
    const m = LD_PRELOAD_ASSIGN.exec(line);
    if (m && !preloadAllowed(m[1]!, rules)) {
      return [
        {
          category: 'persistence',
          rule: 'persistence-ld-preload-hook',
          severity: 'high',
          evidence: safeEvidence(`line ${n}: every login session preloads ${m[1]}`),
        },
      ];
    }
  }
  return [];
}

/** Hook files whose commands run at start-up or on a schedule (what the hook-target check follows). */
const HOOK_KINDS: ReadonlySet<ConfigKind> = new Set([
  'crontab-system',
  'crontab-user',
  'anacrontab',
  'systemd',
  'supervisor',
  'desktop',
  'inittab',
  'shell',
]);

export interface HookProgramFact extends Fact {
  kind: 'persistence-hook';
  path: string;
  /** The absolute programs the hook's commands start, with the line of each (at most 16). */
  programs: { program: string; line: number }[];
}

/** The absolute paths a hook file's commands run as programs (`ExecStart=/usr/local/bin/x5`). */
export function hookPrograms(path: string, text: string): HookProgramFact['programs'] {
  const kind = configKind(path);
  if (!kind || !HOOK_KINDS.has(kind)) return [];
  const out: HookProgramFact['programs'] = [];
  for (const { n, command } of commandsOf(text, kind)) {
    for (const words of commandWords(command)) {
      const program = programOf(words)?.program;
      if (program?.startsWith('/') && !out.some((p) => p.program === program)) out.push({ program, line: n });
      if (out.length >= 16) return out;
    }
  }
  return out;
}

export function checkConfigFile(path: string, text: string, rules = persistenceRules()): Hit[] {
  const kind = configKind(path);
  // A compiled hook (systemd's generators are ELF programs) is the binaries analyzers' to judge.
  if (text.slice(0, 512).includes('\0')) return [];
  switch (kind) {
    case undefined:
      return [];
    case 'ld-preload':
      return ldPreloadFile(text, rules);
    case 'authorized-keys':
      return authorizedKeysFile(text);
    case 'sudoers':
      return sudoersFile(text, rules);
    case 'pam':
      return pamFile(path, text, rules);
    case 'ld-so-conf':
      return placesFile(kind, text, rules);
    case 'sshd-config':
      return sshdFile(text, rules);
    case 'passwd':
    case 'shadow':
      return accountsFile(kind, text);
    case 'environment':
      return environmentFile(text, rules);
    default:
      return startupHooks(text, kind, rules);
  }
}

export const persistenceConfigAnalyzer: Analyzer = {
  name: PERSISTENCE_CONFIG_ANALYZER,
  version: 4,
  wants: (header) =>
    header.type === 'file' && configKind(header.path) ? { mode: 'buffer', maxBytes: MAX_BYTES } : false,
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    if (file.truncated) ctx.warn(path, `larger than ${MAX_BYTES} bytes: only the first part was checked`);
    const text = file.content.toString('utf8');
    const hits = checkConfigFile(path, text);
    const programs = text.slice(0, 512).includes('\0') ? [] : hookPrograms(path, text);
    const out: Fact[] = programs.length
      ? [{ kind: 'persistence-hook', path, programs } as HookProgramFact]
      : [];
    if (!hits.length) return out;
    const sha256 = file.truncated ? null : createHash('sha256').update(file.content).digest('hex');
    return [...out, ...hits.map((h): MalwareFact => ({ kind: 'malware', path, sha256, ...h }))];
  },
};
