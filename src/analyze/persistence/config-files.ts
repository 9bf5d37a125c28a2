/**
 * The `persistence-config` analyzer: the files that make something run again and again, or let
 * someone back in, read whole (up to 1 MiB) and checked line by line:
 *  - etc/ld.so.preload: any library in it is loaded into every program (backdoor);
 *  - cron tables and cron.{hourly,daily,...} scripts, systemd units, supervisor programs,
 *    rc.local, init.d, profile and shell rc files: commands that download and run code, run
 *    from temporary or hidden places, start a miner, or export LD_PRELOAD (persistence);
 *  - authorized_keys: a baked-in SSH key lets its owner log in (backdoor);
 *  - sudoers: NOPASSWD for every command (persistence).
 */
import { createHash } from 'node:crypto';
import type { MalwareCategory, MalwareFact, ThreatSeverity } from '../findings.js';
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../types.js';
import { analyzeCommand } from './commands.js';
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
  | 'environment';

const KINDS: [RegExp, ConfigKind][] = [
  [/^etc\/ld\.so\.preload$/, 'ld-preload'],
  [/^etc\/(crontab|cron\.d\/[^/.][^/]*)$/, 'crontab-system'],
  [/^etc\/anacrontab$/, 'anacrontab'],
  [/^var\/spool\/cron\/(crontabs\/|tabs\/)?[^/.][^/]*$/, 'crontab-user'],
  [/^etc\/cron\.(hourly|daily|weekly|monthly|yearly)\/[^/.][^/]*$/, 'shell'],
  [/^(usr\/(local\/)?lib|lib|etc|run)\/systemd\/(system|user)\/.+\.(service|timer|socket|path)$/, 'systemd'],
  [/^(root|home\/[^/]+)\/\.config\/systemd\/user\/.+\.service$/, 'systemd'],
  [
    /^etc\/(supervisord\.conf|supervisor\/supervisord\.conf|supervisor\/conf\.d\/[^/]+|supervisord\.d\/[^/]+)$/,
    'supervisor',
  ],
  [/^etc\/(rc\.local|rc\.d\/rc\.local|init\.d\/[^/]+|local\.d\/[^/]+\.start|init\/[^/]+\.conf)$/, 'shell'],
  [
    /^etc\/(profile|profile\.d\/[^/]+|bash\.bashrc|bashrc|zshrc|zsh\/(zshrc|zprofile|zshenv|zlogin))$/,
    'shell',
  ],
  [
    /^(root|home\/[^/]+)\/\.(bashrc|profile|bash_profile|bash_login|bash_logout|zshrc|zprofile|zshenv|zlogin)$/,
    'shell',
  ],
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
    else command = line;
    if (command) out.push({ n, command });
  }
  return out;
}

function startupHooks(text: string, kind: ConfigKind, rules: PersistenceRules): Hit[] {
  const hits = new Map<string, Hit>();
  for (const { n, command } of commandsOf(text, kind)) {
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

function sudoersFile(text: string): Hit[] {
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
  }
  return [];
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

export function checkConfigFile(path: string, text: string, rules = persistenceRules()): Hit[] {
  const kind = configKind(path);
  switch (kind) {
    case undefined:
      return [];
    case 'ld-preload':
      return ldPreloadFile(text, rules);
    case 'authorized-keys':
      return authorizedKeysFile(text);
    case 'sudoers':
      return sudoersFile(text);
    case 'environment':
      return environmentFile(text, rules);
    default:
      return startupHooks(text, kind, rules);
  }
}

export const persistenceConfigAnalyzer: Analyzer = {
  name: PERSISTENCE_CONFIG_ANALYZER,
  version: 1,
  wants: (header) =>
    header.type === 'file' && configKind(header.path) ? { mode: 'buffer', maxBytes: MAX_BYTES } : false,
  analyze(file: FileInput, ctx: AnalyzeContext): Fact[] {
    const path = file.header.path;
    if (file.truncated) ctx.warn(path, `larger than ${MAX_BYTES} bytes: only the first part was checked`);
    const hits = checkConfigFile(path, file.content.toString('utf8'));
    if (!hits.length) return [];
    const sha256 = file.truncated ? null : createHash('sha256').update(file.content).digest('hex');
    return hits.map((h): MalwareFact => ({ kind: 'malware', path, sha256, ...h }));
  },
};
