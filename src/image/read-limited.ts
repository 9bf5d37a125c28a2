import { open } from 'node:fs/promises';
import { ShipshapeError } from '../errors.js';

/** Reads a small local file (manifest, config, index) without trusting its size. */
export async function readFileLimited(path: string, maxBytes: number, label: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ShipshapeError('NOT_FOUND', `${label}: file not found`, { file: label });
    throw new ShipshapeError('MALFORMED', `${label}: cannot open (${code ?? (e as Error).message})`, {
      file: label,
    });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ShipshapeError('MALFORMED', `${label}: not a regular file`, { file: label });
    if (st.size > maxBytes) {
      throw new ShipshapeError('TOO_LARGE', `${label}: ${st.size} bytes exceeds the ${maxBytes}-byte cap`, {
        file: label,
      });
    }
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
