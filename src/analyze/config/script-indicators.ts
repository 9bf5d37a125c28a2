/**
 * The `script-indicators` layer analyzer: for shell, Python and Node scripts (by shebang or
 * extension, anywhere in the image), the config audit's indicators and the scripts they call.
 * The entrypoint is not known while a layer is read, so every script is summarised and the
 * image check picks the ones the Entrypoint/Cmd actually runs. Only the hits are kept, never
 * the content.
 */
import type { Analyzer, Fact, FileInput } from '../types.js';
import { findIndicators, type CommentStyle, type IndicatorHit } from './indicators.js';
import { configRules } from './rules.js';

export const SCRIPT_INDICATORS_ANALYZER = 'script-indicators';
export const MAX_SCRIPT_BYTES = 256 * 1024;
const MAX_CALLS = 16;

export type ScriptLanguage = 'shell' | 'python' | 'node';

export interface ScriptIndicatorsFact extends Fact {
  kind: 'script-indicators';
  path: string;
  language: ScriptLanguage;
  indicators: IndicatorHit[];
  /** Paths of other programs this one runs (`exec /start.sh`, `sh ./run.sh`), as written. */
  calls: string[];
}

const SCRIPT_EXT: Record<string, ScriptLanguage> = {
  sh: 'shell',
  bash: 'shell',
  ash: 'shell',
  zsh: 'shell',
  ksh: 'shell',
  py: 'python',
  js: 'node',
  mjs: 'node',
  cjs: 'node',
};

function extension(path: string): string | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : null;
}

/** The script's language from its `#!` line, if it has one we read. */
export function shebangLanguage(head: string): ScriptLanguage | null {
  const m = /^#!\s{0,8}(\S{1,255})(?:\s{1,8}(\S{1,255}))?/.exec(head);
  if (!m) return null;
  let prog = m[1]!.slice(m[1]!.lastIndexOf('/') + 1);
  if (prog === 'env' && m[2]) prog = m[2].slice(m[2].lastIndexOf('/') + 1);
  if (/^(?:ba|da|z|k|a|mk)?sh$|^busybox$/.test(prog)) return 'shell';
  if (/^python[0-9.]{0,6}$/.test(prog)) return 'python';
  if (/^(?:node|nodejs|bun|deno)$/.test(prog)) return 'node';
  return null;
}

const CALL =
  /(?:^|[;&|(]\s{0,8}|\b(?:exec|nohup|then|do|sudo|sh|bash|source)\s{1,8}|^\.\s{1,8})((?:\/|\.\/)[A-Za-z0-9._/-]{1,255})/gm;

/** Paths (absolute, or `./x`: relative to the working directory) the script runs as commands. */
function calledScripts(text: string): string[] {
  const out = new Set<string>();
  CALL.lastIndex = 0;
  for (let m = CALL.exec(text); m && out.size < MAX_CALLS; m = CALL.exec(text)) {
    out.add(m[1]!);
  }
  return [...out];
}

export const scriptIndicatorsAnalyzer: Analyzer = {
  name: SCRIPT_INDICATORS_ANALYZER,
  version: 2,
  wants(header) {
    if (header.type !== 'file' || header.size === 0 || header.size > MAX_SCRIPT_BYTES) return false;
    const ext = extension(header.path);
    // Extension-less files and executables may carry a shebang; other extensions are data.
    if (ext === null || ext in SCRIPT_EXT || (header.mode & 0o111) !== 0) {
      return { mode: 'buffer', maxBytes: MAX_SCRIPT_BYTES };
    }
    return false;
  },
  analyze(file: FileInput): Fact[] {
    const head = file.content.subarray(0, 256).toString('latin1');
    const ext = extension(file.header.path);
    const language = shebangLanguage(head) ?? (ext ? SCRIPT_EXT[ext] : undefined);
    if (!language || file.content.includes(0)) return [];
    const text = file.content.toString('latin1');
    const comments: CommentStyle = language === 'node' ? 'js' : 'shell';
    const indicators = findIndicators(text, configRules(), { comments });
    const calls = language === 'shell' ? calledScripts(text) : [];
    if (indicators.length === 0 && calls.length === 0) return [];
    const fact: ScriptIndicatorsFact = {
      kind: 'script-indicators',
      path: file.header.path,
      language,
      indicators,
      calls,
    };
    return [fact];
  },
};
