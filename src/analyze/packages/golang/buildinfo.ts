/**
 * Go build info, as `go version -m` reads it: a 32-byte header that starts with the magic
 * `\xff Go buildinf:` (16-byte aligned, in .go.buildinfo / __go_buildinfo / the start of .data),
 * followed by the Go version and the module info text. Two layouts:
 *  - Go >= 1.18 (flags & 2): both strings inline after the header, each a uvarint length and
 *    the bytes. Needs nothing else from the file.
 *  - Go 1.13-1.17: two pointers (virtual addresses of Go string headers {data, len}) to the
 *    runtime.buildVersion and runtime.modinfo variables. Needs the loaded regions to turn
 *    addresses into file offsets, and the bytes there.
 * The modinfo text is wrapped in 16-byte sentinels, which are dropped.
 */
import type { ByteView } from '../executable/byte-view.js';
import { addressToOffset, type ExecutableLayout } from '../executable/layout.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const FLAG_INLINE = 2;
const FLAG_BIG_ENDIAN = 1;
const MAX_VERSION_BYTES = 1024;
/** Far beyond the module info of the largest real programs (a few hundred KB). */
export const MAX_MODINFO_BYTES = 4 * 1024 * 1024;

export interface RawBuildInfo {
  goVersion: string;
  /** The module info text without its sentinels; empty when the program was built without modules. */
  modinfo: string;
  layout: 'inline' | 'pointer';
}

export type BuildInfoRead = { ok: true; info: RawBuildInfo } | { ok: false; reason: string };

/** Unsigned LEB128 as Go's binary.Uvarint; undefined when truncated or longer than 53 bits. */
export function readUvarint(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const b = bytes[at + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return Number.isSafeInteger(value) ? { value, next: at + i + 1 } : undefined;
    scale *= 128;
  }
  return undefined;
}

/** Whether the header at `offset` could be real build info (a literal copy of the magic is not). */
export function plausibleHeader(view: ByteView, offset: number): boolean {
  const h = view.read(offset, 16);
  return !!h && (h[14] === 4 || h[14] === 8) && h[15]! <= 3;
}

export function readBuildInfoAt(
  view: ByteView,
  offset: number,
  layout: ExecutableLayout | undefined,
): BuildInfoRead {
  const header = view.read(offset, HEADER_BYTES);
  if (!header) return { ok: false, reason: 'build info header is cut short' };
  if (!header.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) {
    return { ok: false, reason: 'no build info magic' };
  }
  const flags = header[15]!;
  const read =
    flags & FLAG_INLINE ? readInline(view, offset + HEADER_BYTES) : readPointers(view, header, layout);
  if (!read.ok) return read;
  const version = read.strings[0].toString('latin1');
  if (!/^(go|devel )[\x20-\x7e]*$/.test(version)) {
    return { ok: false, reason: `Go version ${JSON.stringify(version.slice(0, 40))} is not one` };
  }
  return {
    ok: true,
    info: {
      goVersion: version,
      modinfo: stripSentinels(read.strings[1]),
      layout: flags & FLAG_INLINE ? 'inline' : 'pointer',
    },
  };
}

type Strings = { ok: true; strings: [Buffer, Buffer] } | { ok: false; reason: string };

function readInline(view: ByteView, at: number): Strings {
  // The two strings are short; read what is there (up to the caps) and walk it.
  const avail = Math.max(0, Math.min(view.size - at, 20 + MAX_VERSION_BYTES + MAX_MODINFO_BYTES));
  const bytes = view.read(at, avail) ?? largestHeldPrefix(view, at, avail);
  if (!bytes) return { ok: false, reason: 'build info strings are not readable' };
  const out: Buffer[] = [];
  let cursor = 0;
  for (const [what, cap] of [
    ['Go version', MAX_VERSION_BYTES],
    ['module info', MAX_MODINFO_BYTES],
  ] as const) {
    const len = readUvarint(bytes, cursor);
    if (!len) return { ok: false, reason: `${what} length is not a valid varint` };
    if (len.value > cap) return { ok: false, reason: `${what} claims ${len.value} bytes (limit ${cap})` };
    if (len.next + len.value > bytes.length) {
      return { ok: false, reason: `${what} runs past the end of the data (${len.value} bytes claimed)` };
    }
    out.push(bytes.subarray(len.next, len.next + len.value));
    cursor = len.next + len.value;
  }
  return { ok: true, strings: [out[0]!, out[1]!] };
}

/** A streamed file holds a bounded window after the magic: read as much of it as is held. */
function largestHeldPrefix(view: ByteView, at: number, want: number): Buffer | undefined {
  let lo = 0;
  let hi = want;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (view.read(at, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? view.read(at, lo) : undefined;
}

function readPointers(view: ByteView, header: Buffer, layout: ExecutableLayout | undefined): Strings {
  const ptrSize = header[14]!;
  if (ptrSize !== 4 && ptrSize !== 8)
    return { ok: false, reason: `pointer size ${ptrSize} is neither 4 nor 8` };
  if (!layout) return { ok: false, reason: 'pointer-form build info but the program headers are unreadable' };
  const le = (header[15]! & FLAG_BIG_ENDIAN) === 0;
  const ptr = (b: Buffer, at: number): number | undefined => {
    if (ptrSize === 4) return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
    const v = le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  };
  const out: Buffer[] = [];
  for (const [what, slot, cap] of [
    ['Go version', 16, MAX_VERSION_BYTES],
    ['module info', 16 + ptrSize, MAX_MODINFO_BYTES],
  ] as const) {
    const addr = ptr(header, slot);
    const hdrOff = addr === undefined ? undefined : addressToOffset(layout, addr, 2 * ptrSize);
    const strHeader = hdrOff === undefined ? undefined : view.read(hdrOff, 2 * ptrSize);
    if (!strHeader)
      return { ok: false, reason: `${what} string header at 0x${(addr ?? 0).toString(16)} is not readable` };
    const dataAddr = ptr(strHeader, 0);
    const len = ptr(strHeader, ptrSize);
    if (dataAddr === undefined || len === undefined || len > cap) {
      return { ok: false, reason: `${what} string claims ${String(len)} bytes (limit ${cap})` };
    }
    const dataOff = len === 0 ? 0 : addressToOffset(layout, dataAddr, len);
    const data = dataOff === undefined ? undefined : view.read(dataOff, len);
    if (!data) return { ok: false, reason: `${what} bytes at 0x${dataAddr.toString(16)} are not readable` };
    out.push(data);
  }
  return { ok: true, strings: [out[0]!, out[1]!] };
}

/** cmd/go wraps the text in 16 bytes before and after; without them it is not module info. */
function stripSentinels(bytes: Buffer): string {
  if (bytes.length >= 33 && bytes[bytes.length - 17] === 0x0a) {
    return bytes.subarray(16, bytes.length - 16).toString('utf8');
  }
  return '';
}
