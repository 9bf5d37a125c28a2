/**
 * A digest of the rule data shipped in `rules/` (YARA pack, secrets, persistence, config, binary
 * and behaviour rules...). The analyzers' facts depend on it as much as on their code, so it is
 * part of the layer cache key: after an upgrade or an edit of the rules, cached layers are read
 * again instead of keeping what the old rules found.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

const digests = new Map<string, string>();

/** sha256 over every file's relative path and content, in path order (once per process). */
export function rulesDigest(dir = RULES_DIR): string {
  let digest = digests.get(dir);
  if (digest === undefined) {
    const hash = createHash('sha256');
    for (const path of filesUnder(dir)) {
      hash.update(`${path}\0`);
      hash.update(readFileSync(join(dir, path)));
      hash.update('\0');
    }
    digest = hash.digest('hex');
    digests.set(dir, digest);
  }
  return digest;
}

function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
