/**
 * `.shipshapeignore`: findings a team has decided to accept, each with a reason and optionally
 * a package and an expiry date. Suppressed findings are listed in the report, never silently
 * dropped; an expired entry no longer applies and is reported as a warning.
 *
 *   - id: CVE-2024-0727          # a vulnerability id or alias, or a malware rule
 *     package: libssl3           # optional: only for this package (name or purl)
 *     reason: PKCS12 files are never parsed here
 *     expires: 2027-01-01        # optional
 */
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod/v3';
import { ShipshapeError } from '../errors.js';
import { readFileLimited } from '../image/read-limited.js';

const entrySchema = z.object({
  id: z.string().min(1),
  package: z.string().min(1).optional(),
  reason: z.string().min(1, 'every entry needs a reason'),
  expires: z
    .union([z.string(), z.date()])
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
    .refine((v) => !Number.isNaN(Date.parse(v)), 'expires must be a date (YYYY-MM-DD)')
    .optional(),
});
const fileSchema = z.array(entrySchema).max(10_000);

export type IgnoreEntry = z.infer<typeof entrySchema>;

export interface Suppressed {
  kind: 'vulnerability' | 'malware' | 'secret' | 'misconfiguration';
  id: string;
  package: string;
  reason: string;
  source: string;
}

export async function loadIgnoreFile(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<{ entries: IgnoreEntry[]; source: string } | null> {
  const file = path ?? `${cwd}/.shipshapeignore`;
  if (!path && !existsSync(file)) return null;
  const text = (await readFileLimited(file, 4 * 1024 * 1024, file)).toString('utf8');
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50 }) ?? [];
  } catch (e) {
    throw new ShipshapeError('MALFORMED', `${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ShipshapeError(
      'MALFORMED',
      `${file}: entry ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`,
    );
  }
  return { entries: r.data, source: file };
}

/** Splits findings into kept and suppressed; expired entries become warnings. */
export function applyIgnores<T>(
  findings: T[],
  describe: (f: T) => { kind: Suppressed['kind']; ids: string[]; packages: string[] },
  ignore: { entries: IgnoreEntry[]; source: string } | null,
  now: Date = new Date(),
): { kept: T[]; suppressed: Suppressed[]; warnings: string[] } {
  if (!ignore) return { kept: findings, suppressed: [], warnings: [] };
  const warnings: string[] = [];
  const active = ignore.entries.filter((e) => {
    if (e.expires && new Date(`${e.expires}T23:59:59Z`) < now) {
      warnings.push(`${ignore.source}: the entry for ${e.id} expired on ${e.expires} and no longer applies`);
      return false;
    }
    return true;
  });
  const kept: T[] = [];
  const suppressed: Suppressed[] = [];
  for (const f of findings) {
    const d = describe(f);
    const hit = active.find((e) => d.ids.includes(e.id) && (!e.package || d.packages.includes(e.package)));
    if (hit)
      suppressed.push({
        kind: d.kind,
        id: d.ids[0]!,
        package: d.packages[0] ?? '',
        reason: hit.reason,
        source: ignore.source,
      });
    else kept.push(f);
  }
  return { kept, suppressed, warnings };
}
