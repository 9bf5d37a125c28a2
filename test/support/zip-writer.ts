/**
 * A tiny zip writer for tests (stored and deflate entries, no zip64): enough to make osv.dev-
 * style `all.zip` files and hostile ones — entries whose directory lies about their size, raw
 * (possibly unsafe) names, precompressed bomb data.
 */
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  /** The stored name, as given (no checks: `../x.json` is written as is). */
  name: string;
  data?: Buffer | string;
  /** Precompressed deflate data, with the uncompressed size and CRC it stands for. */
  raw?: { deflated: Buffer; size: number; crc: number };
  method?: 0 | 8;
  /** What the directory claims, when it should lie. */
  declaredSize?: number;
}

function dosTime(): { time: number; date: number } {
  return { time: (12 << 11) | (0 << 5), date: ((2024 - 1980) << 9) | (1 << 5) | 1 };
}

export function zipBuffer(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const { time, date } = dosTime();
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    let method: 0 | 8;
    let body: Buffer;
    let size: number;
    let crc: number;
    if (e.raw) {
      method = 8;
      body = e.raw.deflated;
      size = e.raw.size;
      crc = e.raw.crc;
    } else {
      const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8');
      method = e.method ?? 8;
      body = method === 8 ? deflateRawSync(data) : data;
      size = data.length;
      crc = crc32(data) >>> 0;
    }
    const declared = e.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** Deflate data for `mib` MiB of zeros, made a chunk at a time (never held whole). */
export async function zerosDeflated(mib: number): Promise<{ deflated: Buffer; size: number; crc: number }> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let i = 0; i < mib; i++) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return { deflated: Buffer.concat(out), size: mib * 1024 * 1024, crc: crc >>> 0 };
}
