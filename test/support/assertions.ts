/**
 * Small helpers the source tests share: a promise that must fail with a given ShipshapeError,
 * and the whole content of a stream.
 */
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { ShipshapeError } from '../../src/errors.js';

/** Asserts `p` rejects with a ShipshapeError of `code` whose one-line message mentions each fragment. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  ...fragments: string[]
): Promise<ShipshapeError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ShipshapeError, `expected a ShipshapeError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(!caught.message.includes('\n'), 'one line');
  for (const f of fragments)
    assert.ok(caught.message.includes(f), `"${caught.message}" should mention "${f}"`);
  return caught;
}

/** Every byte of a stream. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
