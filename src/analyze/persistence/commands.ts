/**
 * What a command line that a startup hook runs (a cron entry, a systemd Exec line, a line of
 * rc.local or a shell profile) does that a backdoor would: download and run code, run a program
 * from a temporary or hidden place, or start a coin miner. Precise on purpose: a cleanup job
 * that mentions /tmp (`find /tmp -delete`) or a download that is not run does not count.
 */
import { commandPathLocations } from './paths.js';
import type { PersistenceRules } from './rules.js';

export interface CommandHit {
  rule: 'persistence-fetch-and-run' | 'persistence-runs-from-hidden-or-temp' | 'persistence-starts-miner';
  detail: string;
}

const MAX_LINE = 4096;
/** Words that run the next word as the program (with their own options skipped). */
const WRAPPERS = new Set([
  'nohup',
  'exec',
  'setsid',
  'nice',
  'ionice',
  'sudo',
  'env',
  'command',
  'timeout',
  'chrt',
  'taskset',
  'stdbuf',
  'busybox',
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'ash',
  // Shell keywords that precede the command they run.
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  'time',
]);

/** The words that start each simple command of `line` (quotes dropped). */
export function commandWords(line: string): string[][] {
  const segments = line.split(/\|\||&&|[;|&\n`]|\$\(|\(|\)|\{|\}/);
  const out: string[][] = [];
  for (const seg of segments) {
    const words = seg
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^["']+|["']+$/g, ''))
      .filter(Boolean);
    if (words.length) out.push(words);
  }
  return out;
}

/** The program a simple command runs, past variable assignments and wrappers like nohup. */
export function programOf(words: string[]): { program: string; args: string[] } | undefined {
  let i = 0;
  for (let guard = 0; i < words.length && guard < 16; guard++) {
    const w = words[i]!;
    if (/^[A-Za-z_]\w*=/.test(w)) {
      i++;
      continue;
    }
    const base = w.slice(w.lastIndexOf('/') + 1);
    // A wrapper's name outside the system's program directories (`/tmp/.s/sudo`) is the program.
    if (!WRAPPERS.has(base) || (w.includes('/') && !/^\/(usr\/)?(local\/)?s?bin\/[^/]+$/.test(w))) break;
    i++;
    // Options of the wrapper (and `timeout 60`, `nice -n 5`): skipped.
    while (i < words.length && (words[i]!.startsWith('-') || /^\d+[smhd]?$/.test(words[i]!))) {
      if (words[i] === '-c') return undefined; // `sh -c '...'`: the quoted text was split as its own segment
      i++;
    }
  }
  return i < words.length ? { program: words[i]!, args: words.slice(i + 1) } : undefined;
}

/** `alias sudo='/tmp/.s/sudo'`: the command an alias stands for. */
const ALIAS = /^\s*alias\s+[^=\s]+=(["'])(.*)\1\s*$/;

export function analyzeCommand(rawLine: string, rules: PersistenceRules): CommandHit[] {
  const alias = ALIAS.exec(rawLine.slice(0, MAX_LINE));
  const line = alias ? alias[2]! : rawLine.slice(0, MAX_LINE);
  const hits: CommandHit[] = [];
  // `c\url ... | "sh"`: the shell drops backslashes before letters and the quotes around words.
  const plain = line
    .replace(/\\(?=[A-Za-z])/g, '')
    .replace(/(^|\s|\|)["']([A-Za-z0-9_./-]{1,64})["'](?=\s|$|;|\|)/g, '$1$2');
  const fetch = rules.fetchAndRun.find((f) => f.re.test(line) || f.re.test(plain));
  if (fetch)
    hits.push({ rule: 'persistence-fetch-and-run', detail: `downloads and runs code (${fetch.id})` });

  const commands = commandWords(line);
  let cdTemp = false;
  for (const words of commands) {
    const p = programOf(words);
    if (!p) continue;
    const where = commandPathLocations(p.program, rules);
    if (where.length) {
      hits.push({
        rule: 'persistence-runs-from-hidden-or-temp',
        detail: `runs ${p.program} (${where[0]!.reason})`,
      });
      break;
    }
    if (p.program === 'cd')
      cdTemp = p.args[0] !== undefined && commandPathLocations(`${p.args[0]}/x`, rules).length > 0;
    else if (cdTemp && p.program.startsWith('./')) {
      hits.push({
        rule: 'persistence-runs-from-hidden-or-temp',
        detail: `runs ${p.program} after changing into a temporary directory`,
      });
      break;
    }
  }

  const miner =
    commands
      .map((w) => programOf(w)?.program)
      .find(
        (p) => p !== undefined && rules.minerCommands.has(p.slice(p.lastIndexOf('/') + 1).toLowerCase()),
      ) ?? rules.minerArguments.find((re) => re.test(line))?.source;
  if (miner)
    hits.push({ rule: 'persistence-starts-miner', detail: `starts a coin miner (${miner.slice(0, 60)})` });
  return hits;
}
