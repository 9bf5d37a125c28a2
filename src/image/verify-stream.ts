import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ShipshapeError, printable } from '../errors.js';

export interface Expected {
  /** `sha256:<hex>`; other algorithms are refused. */
  digest: string;
  /** Exact byte count, when known. */
  size?: number;
}

export function parseSha256(digest: string, what: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m)
    throw new ShipshapeError(
      'UNSUPPORTED',
      `${what}: unsupported or malformed digest "${printable(digest, 80)}"`,
    );
  return m[1]!;
}

/**
 * Passes bytes through while hashing them; fails the stream (before it ends) when the bytes
 * do not hash to the expected digest or run over/under the expected size. A consumer that saw
 * 'end' therefore saw exactly the named content.
 */
export function verifyingStream(expected: Expected, label: string): Transform {
  const want = parseSha256(expected.digest, label);
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (expected.size !== undefined && expected.size > 0 && seen > expected.size) {
        cb(
          new ShipshapeError('SIZE_MISMATCH', `${label}: more bytes than the declared ${expected.size}`, {
            file: label,
          }),
        );
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (expected.size !== undefined && expected.size > 0 && seen !== expected.size) {
        cb(
          new ShipshapeError('SIZE_MISMATCH', `${label}: ${seen} bytes, but ${expected.size} were declared`, {
            file: label,
          }),
        );
        return;
      }
      const got = hash.digest('hex');
      if (got !== want) {
        cb(
          new ShipshapeError(
            'DIGEST_MISMATCH',
            `${label}: content has digest sha256:${got}, expected ${expected.digest}`,
            {
              file: label,
            },
          ),
        );
        return;
      }
      cb();
    },
  });
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${sha256Hex(data)}`;
}
