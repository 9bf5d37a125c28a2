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
 * (newlines, escape sequences) shown as \xNN, and length capped.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(s: string, max = 200): string {
  const clean = s.replace(CONTROL_CHARS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
