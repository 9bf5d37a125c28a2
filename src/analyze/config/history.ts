/**
 * History entries and the layers they made. Instructions that change only the config (ENV,
 * ARG, CMD, ...) are recorded with `empty_layer: true` and make no layer, so the n-th entry is
 * not the n-th layer.
 */
import type { HistoryEntry, ResolvedImage } from '../../image/types.js';

/** Longest instruction text looked at; longer ones are cut (they are data, not commands). */
export const MAX_INSTRUCTION_CHARS = 64 * 1024;

function entries(image: ResolvedImage): HistoryEntry[] {
  return image.history.length > 0 ? image.history : (image.config.history ?? []);
}

/**
 * For each history entry, the index of the layer it produced, or null for an entry that made
 * none (or one past the last layer, when history and layers disagree).
 */
export function historyLayerIndex(image: ResolvedImage): (number | null)[] {
  let next = 0;
  return entries(image).map((h) => {
    if (h.empty_layer === true) return null;
    const index = next++;
    return index < image.layers.length ? index : null;
  });
}

/**
 * The layer a finding in history entry `i` belongs to: the layer it produced, or for a
 * config-only instruction the last layer made before it (the image as it stood), else 0.
 */
export function layerForHistory(map: readonly (number | null)[], i: number): number {
  for (let j = Math.min(i, map.length - 1); j >= 0; j--) {
    const l = map[j];
    if (l !== null && l !== undefined) return l;
  }
  return 0;
}

export interface Instruction {
  index: number;
  /** The instruction as the builder recorded it, without the `/bin/sh -c #(nop)` wrapper. */
  text: string;
  /** `RUN` build arguments the classic builder and BuildKit prefix as `|N K=V ...`. */
  buildArgs: [string, string][];
  emptyLayer: boolean;
}

const BUILD_ARGS = /^(?:RUN\s{1,8})?\|(\d{1,3})\s/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}=/;

/** Splits `|2 A=1 B=x y /bin/sh -c cmd` into the arguments and the command. */
function splitBuildArgs(text: string): { args: [string, string][]; rest: string } {
  const m = BUILD_ARGS.exec(text);
  if (!m) return { args: [], rest: text };
  const count = Number(m[1]);
  const tokens = text.slice(m[0].length).split(' ');
  const args: [string, string][] = [];
  let i = 0;
  // Values are joined with spaces unquoted: a token that is not `NAME=` continues the value.
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (ARG_NAME.test(t) && args.length < count) {
      const eq = t.indexOf('=');
      args.push([t.slice(0, eq), t.slice(eq + 1)]);
    } else if (args.length === count && /^(?:\/bin\/)?(?:ba|da)?sh$/.test(t)) break;
    else if (args.length > 0) args[args.length - 1]![1] += ` ${t}`;
    else break;
  }
  return { args, rest: tokens.slice(i).join(' ') };
}

/** Every history entry as an instruction, in order. */
export function instructions(image: ResolvedImage): Instruction[] {
  return entries(image).map((h, index) => {
    const raw = (h.created_by ?? '').slice(0, MAX_INSTRUCTION_CHARS);
    const { args, rest } = splitBuildArgs(raw.trim());
    const text = rest
      .replace(/^\/bin\/sh -c #\(nop\)\s{0,8}/, '')
      .replace(/\s{1,8}# buildkit$/, '')
      .trim();
    return { index, text, buildArgs: args, emptyLayer: h.empty_layer === true };
  });
}

/** `NAME=VALUE` split at the first `=`. */
export function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** `ENV A=1 B=2`, `ENV A 1`, `ARG A=1` of a history instruction. */
export function declaredVariables(
  text: string,
): { keyword: 'ENV' | 'ARG'; pairs: [string, string][] } | null {
  const m = /^(ENV|ARG)\s{1,8}(.{1,65536})$/s.exec(text);
  if (!m) return null;
  const keyword = m[1] as 'ENV' | 'ARG';
  const body = m[2]!.trim();
  const pairs: [string, string][] = [];
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,255}=/.test(body)) {
    const sp = body.search(/\s/);
    if (sp > 0) pairs.push([body.slice(0, sp), body.slice(sp + 1).trim()]);
    return { keyword, pairs };
  }
  for (const tok of body.match(
    /[A-Za-z_][A-Za-z0-9_]{0,255}=(?:"[^"]{0,4096}"|'[^']{0,4096}'|\S{0,4096})/g,
  ) ?? []) {
    pairs.push(splitEnv(tok));
  }
  return { keyword, pairs };
}

/** A value without one pair of surrounding quotes. */
export function unquote(v: string): string {
  return v.replace(/^(["'])(.*)\1$/s, '$2');
}

/** True for an `ENV` instruction whose every variable the final config still holds as is. */
export function restatesConfigEnv(text: string, env: ReadonlySet<string>): boolean {
  const decl = declaredVariables(text);
  return (
    decl?.keyword === 'ENV' &&
    decl.pairs.length > 0 &&
    decl.pairs.every(([n, v]) => env.has(`${n}=${unquote(v)}`))
  );
}
