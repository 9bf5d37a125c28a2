/**
 * Every failure a user can cause with bad input or an unreachable registry is a ShipshapeError:
 * the CLI prints its message as one line and exits 2. Anything else is a bug and keeps its stack.
 */
export type ErrorCode =
  | 'BAD_ARGUMENT'
  | 'BAD_REFERENCE'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'MALFORMED'
  | 'UNSAFE_PATH'
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'TOO_LARGE'
  | 'BUDGET_EXCEEDED'
  | 'TIMEOUT'
  | 'AUTH'
  | 'REGISTRY'
  | 'NETWORK'
  | 'INTERRUPTED'
  | 'SANDBOX';

export class ShipshapeError extends Error {
  readonly code: ErrorCode;
  /** The file or blob inside the image that was being read, when there is one. */
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShipshapeError';
    this.code = code;
    this.file = options.file;
  }
}

export function isShipshapeError(e: unknown): e is ShipshapeError {
  return e instanceof ShipshapeError;
}

/** Adds the target (and file) to an error's message so the one line a user sees names both. */
export function withTarget(e: unknown, target: string): unknown {
  if (!isShipshapeError(e)) return e;
  if (e.message.startsWith(`${target}: `)) return e;
  const where = e.file ? `${target}: ${e.file}: ` : `${target}: `;
  const wrapped = new ShipshapeError(e.code, where + e.message, { cause: e.cause });
  return wrapped;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Text from hostile input made safe for a one-line terminal message: control characters
 * (newlines, escape sequences) shown as \xNN; line and paragraph separators, the bidirectional
 * controls that reorder what a terminal shows (Trojan Source) and lone surrogates as \u{NNNN};
 * length capped without cutting an escape or a character in two.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

function shown(ch: string): string {
  if (!UNSAFE.test(ch) || ch.length === 2) return ch; // a whole surrogate pair is a character
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

export function printable(s: string, max = 200): string {
  // The common case, whole in one native pass: nothing to show differently.
  if (!UNSAFE.test(s)) {
    if (s.length <= max) return s;
    const cut = /[\ud800-\udbff]/.test(s.charAt(max - 1)) ? max - 1 : max;
    return `${s.slice(0, cut)}…`;
  }
  let out = '';
  // By code point: a pair is one step, a lone surrogate another.
  for (const ch of s) {
    const piece = shown(ch);
    if (out.length + piece.length > max) return `${out}…`;
    out += piece;
  }
  return out;
}
