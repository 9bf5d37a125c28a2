/**
 * Random access into a tar file on disk (a `docker save` archive): one walk over the headers
 * only, seeking past bodies, so a multi-gigabyte archive is indexed without reading its layers.
 * Headers are decoded by node-tar's Header and Pax classes; this module only does the seeking.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { Header, Pax } from 'tar';
import { ShipshapeError, printable } from '../errors.js';

export interface ArchiveMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  offset: number;
  size: number;
  linkpath?: string;
}

const BLOCK = 512;
const MAX_MEMBERS = 100_000;
const MAX_META_BYTES = 1024 * 1024;
const MAX_LINK_HOPS = 8;

function memberType(t: string | undefined): ArchiveMember['type'] {
  if (t === 'File' || t === 'OldFile' || t === 'ContiguousFile') return 'file';
  if (t === 'Directory') return 'dir';
  if (t === 'SymbolicLink') return 'symlink';
  return 'other';
}

/** Archive member names normalised; `null` for names that would leave the archive root. */
export function normaliseMemberName(name: string): string | null {
  const n = posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
  if (n === '.' || n === '' || n.startsWith('/') || n === '..' || n.startsWith('../')) return null;
  return n;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

export class ArchiveIndex {
  readonly members = new Map<string, ArchiveMember>();
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static async build(path: string, label: string): Promise<ArchiveIndex> {
    const index = new ArchiveIndex(path);
    const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new ShipshapeError('NOT_FOUND', `${label}: file not found`);
      throw new ShipshapeError('MALFORMED', `${label}: cannot open (${e.code ?? e.message})`);
    });
    try {
      const fileSize = (await fh.stat()).size;
      let pos = 0;
      let pax: { path?: string; linkpath?: string } = {};
      let longName: string | undefined;
      let longLink: string | undefined;
      while (true) {
        const block = await readAt(fh, pos, BLOCK);
        if (block.length === 0) break; // some writers omit the end-of-archive blocks
        if (block.length < BLOCK)
          throw new ShipshapeError('MALFORMED', `${label}: truncated tar header at byte ${pos}`);
        const h = new Header(block);
        if (h.nullBlock) break;
        if (!h.cksumValid)
          throw new ShipshapeError(
            'MALFORMED',
            `${label}: not a tar archive (bad header checksum at byte ${pos})`,
          );
        const size = h.size ?? 0;
        const body = pos + BLOCK;
        if (size < 0 || body + size > fileSize) {
          throw new ShipshapeError(
            'MALFORMED',
            `${label}: truncated archive (member at byte ${pos} declares ${size} bytes)`,
          );
        }
        pos = body + Math.ceil(size / BLOCK) * BLOCK;
        const t = h.type;
        if (t === 'ExtendedHeader' || t === 'NextFileHasLongPath' || t === 'NextFileHasLongLinkpath') {
          if (size > MAX_META_BYTES)
            throw new ShipshapeError('MALFORMED', `${label}: oversized tar metadata header`);
          const meta = await readAt(fh, body, size);
          if (t === 'ExtendedHeader') {
            const p = Pax.parse(meta.toString('utf8'), undefined, false);
            pax = { ...(p.path ? { path: p.path } : {}), ...(p.linkpath ? { linkpath: p.linkpath } : {}) };
          } else if (t === 'NextFileHasLongPath') longName = meta.toString('utf8').replace(/\0.*$/s, '');
          else longLink = meta.toString('utf8').replace(/\0.*$/s, '');
          continue;
        }
        if (t === 'GlobalExtendedHeader') continue;
        const rawName = pax.path ?? longName ?? h.path ?? '';
        const rawLink = pax.linkpath ?? longLink ?? h.linkpath;
        pax = {};
        longName = longLink = undefined;
        const name = normaliseMemberName(rawName);
        if (name === null) continue; // an archive member outside the root is never looked up
        if (index.members.size >= MAX_MEMBERS)
          throw new ShipshapeError('MALFORMED', `${label}: more than ${MAX_MEMBERS} members`);
        index.members.set(name, {
          name,
          type: memberType(t),
          offset: body,
          size,
          ...(rawLink ? { linkpath: rawLink } : {}),
        });
      }
    } finally {
      await fh.close();
    }
    return index;
  }

  /** Finds a regular file by name, following symlinks inside the archive (docker's layer.tar links). */
  lookup(name: string): ArchiveMember | undefined {
    let current = normaliseMemberName(name);
    for (let hop = 0; current !== null && hop <= MAX_LINK_HOPS; hop++) {
      const m = this.members.get(current);
      if (!m) return undefined;
      if (m.type === 'file') return m;
      if (m.type !== 'symlink' || !m.linkpath) return undefined;
      const base = m.linkpath.startsWith('/') ? '' : posix.dirname(current);
      current = normaliseMemberName(posix.join(base, m.linkpath));
    }
    return undefined;
  }

  async read(member: ArchiveMember, maxBytes: number, label: string): Promise<Buffer> {
    if (member.size > maxBytes) {
      throw new ShipshapeError(
        'TOO_LARGE',
        `${printable(label)}: ${printable(member.name)} is ${member.size} bytes, over the ${maxBytes}-byte cap`,
      );
    }
    const fh = await open(this.path, 'r');
    try {
      return await readAt(fh, member.offset, member.size);
    } finally {
      await fh.close();
    }
  }
}
