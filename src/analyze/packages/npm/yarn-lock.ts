/**
 * `yarn.lock`, both generations. Yarn classic (v1) writes its own indentation format, which is
 * not YAML; yarn berry (2+) writes YAML with a `__metadata` entry. In both, an entry is keyed by
 * every specifier that resolved to it (`"a@^1.0.0, a@^1.2.0":`) and records one version, so
 * each entry is one package. Yarn does not record whether a package is only for development.
 */
import {
  MalformedFile,
  PackageList,
  cleanString,
  decodeText,
  isRecord,
  langPackage,
  type Warn,
} from '../lang-common.js';
import type { PackageFact } from '../types.js';
import { parseLockfileYaml } from './lockfile-yaml.js';
import { aliasTarget, splitSpec, type NpmSpec } from './npm-fields.js';

/** Lines of a classic lockfile that are neither entries nor their fields before we give up. */
const MAX_BAD_LINES = 20;

/** One lockfile entry, whichever generation wrote it. */
interface YarnEntry {
  specifiers: string[];
  fields: Record<string, string>;
}

/**
 * The package an entry's specifiers name. An alias (`x@npm:y@^1`) names its target; yarn
 * berry writes the target in `resolution` (`y@npm:1.2.3`), which wins when present.
 */
function entryIdentity(e: YarnEntry): { name: string; alias?: string } | undefined {
  const specs = e.specifiers.map(splitSpec).filter((s): s is NpmSpec => s !== undefined);
  const first = specs[0];
  const resolution = e.fields.resolution !== undefined ? splitSpec(e.fields.resolution) : undefined;
  const target = first ? aliasTarget(first.range) : undefined;
  const name = resolution?.name ?? target?.name ?? first?.name;
  if (!name) return undefined;
  return first && first.name !== name ? { name, alias: first.name } : { name };
}

function collect(entries: Iterable<YarnEntry>, path: string, lockfile: string, warn: Warn): PackageFact[] {
  const list = new PackageList(warn);
  for (const e of entries) {
    const id = entryIdentity(e);
    const version = cleanString(e.fields.version, 256);
    if (!id || !version) {
      warn(`entry ${JSON.stringify(e.specifiers.join(', ').slice(0, 200))} has no name or version; skipped`);
      continue;
    }
    const fact = langPackage({
      type: 'npm',
      name: id.name,
      version,
      path,
      metadata: {
        source: 'lockfile',
        lockfile,
        alias: id.alias,
        resolved: cleanString(e.fields.resolved ?? e.fields.resolution, 2048),
        integrity: cleanString(e.fields.integrity ?? e.fields.checksum, 1024),
      },
    });
    if (!list.add(fact)) break;
  }
  return list.items;
}

/** A classic-format token: a double-quoted string (JSON escapes) or a bare word. */
function unquote(token: string): string {
  const t = token.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch {
      // not JSON-escaped after all: take it literally
    }
    return t.slice(1, -1);
  }
  return t;
}

/** `"a@^1", a@^2` → ['a@^1', 'a@^2']: commas inside quotes are not separators. */
function splitKeys(line: string): string[] {
  const keys: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quoted) {
      current += c + (line[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ',' && !quoted) {
      keys.push(unquote(current));
      current = '';
    } else {
      current += c;
    }
  }
  keys.push(unquote(current));
  return keys.filter((k) => k.length > 0);
}

/** Yarn classic: entries at column 0 ending in ':', their fields indented by two spaces. */
export function* classicEntries(text: string, warn: Warn): Generator<YarnEntry> {
  let current: YarnEntry | undefined;
  let bad = 0;
  const complain = (lineNo: number, why: string) => {
    if (++bad <= MAX_BAD_LINES) warn(`line ${lineNo}: ${why}`);
    if (bad > MAX_BAD_LINES * 50) throw new MalformedFile('mostly not a yarn lockfile');
  };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      if (current) yield current;
      current = undefined;
      if (!line.endsWith(':')) {
        complain(n + 1, 'expected an entry ending in ":"');
        continue;
      }
      current = { specifiers: splitKeys(line.slice(0, -1)), fields: {} };
    } else if (indent === 2 && current) {
      const body = line.slice(2);
      if (body.endsWith(':')) continue; // a nested block (dependencies:) follows
      const m = /^("(?:[^"\\]|\\.)*"|[^\s"]+)\s+(.*)$/.exec(body);
      if (!m) {
        complain(n + 1, 'expected "key value"');
        continue;
      }
      current.fields[unquote(m[1]!)] = unquote(m[2]!);
    }
    // Deeper lines are dependency lists, which the inventory does not need.
  }
  if (current) yield current;
}

/** Yarn berry: YAML, every scalar kept as a string (versions like `1.10` must not become numbers). */
export function* berryEntries(text: string): Generator<YarnEntry> {
  const doc = parseLockfileYaml(text);
  if (!isRecord(doc)) throw new MalformedFile('not a YAML mapping');
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(value)) continue;
    // Soft links (workspace:, link:, portal:) are the app's own code, not installed packages.
    if (value.linkType === 'soft') continue;
    const fields: Record<string, string> = {};
    for (const f of ['version', 'resolution', 'checksum']) {
      const v = value[f];
      if (typeof v === 'string') fields[f] = v;
    }
    if (fields.resolution && /^(?:@[^/]+\/)?[^@]+@workspace:/.test(fields.resolution)) continue;
    yield { specifiers: key.split(',').map((k) => k.trim()), fields };
  }
}

export function isBerryLockfile(text: string): boolean {
  return /^__metadata:/m.test(text);
}

export function parseYarnLock(content: Buffer, path: string, warn: Warn): PackageFact[] {
  const text = decodeText(content);
  if (isBerryLockfile(text)) return collect(berryEntries(text), path, 'yarn-berry', warn);
  return collect(classicEntries(text, warn), path, 'yarn', warn);
}
