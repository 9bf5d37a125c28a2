/**
 * cargo-auditable's dependency list: zlib-compressed JSON in the `.dep-v0` section,
 * `{"packages":[{"name","version","source","kind"?,"dependencies"?,"root"?}], "format"?}`
 * (rustsec.org/schemas/cargo-auditable.json). `kind` is "runtime" (the default) or "build":
 * build-time crates (build scripts, proc macros) are not in the binary, so they are not
 * reported as its packages.
 */
import { inflateSync } from 'node:zlib';
import { z } from 'zod/v3';
import type { PackageFact } from '../types.js';

/** The JSON of the largest dependency trees is a few hundred KB. */
export const MAX_AUDIT_JSON_BYTES = 8 * 1024 * 1024;
const MAX_PACKAGES = 100_000;

const AuditPackage = z.object({
  name: z.string().min(1).max(256),
  version: z.string().min(1).max(256),
  source: z.string().max(1024).optional(),
  kind: z.string().optional(),
  dependencies: z.array(z.number()).optional(),
  root: z.boolean().optional(),
});

const AuditData = z.object({
  packages: z.array(AuditPackage).max(MAX_PACKAGES),
  format: z.number().optional(),
});

export type AuditData = z.infer<typeof AuditData>;

export type AuditRead = { ok: true; data: AuditData } | { ok: false; reason: string };

export function parseAuditData(compressed: Buffer): AuditRead {
  let json: Buffer;
  try {
    json = inflateSync(compressed, { maxOutputLength: MAX_AUDIT_JSON_BYTES });
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      ok: false,
      reason:
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `dependency list inflates past ${MAX_AUDIT_JSON_BYTES} bytes`
          : `dependency list is not valid zlib data (${(err as Error).message})`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'dependency list is not JSON' };
  }
  const data = AuditData.safeParse(parsed);
  if (!data.success)
    return {
      ok: false,
      reason: `dependency list does not match the format: ${data.error.issues[0]?.message}`,
    };
  return { ok: true, data: data.data };
}

export function cargoPackageFacts(filePath: string, data: AuditData): PackageFact[] {
  const facts: PackageFact[] = [];
  const seen = new Set<string>();
  for (const p of data.packages) {
    if ((p.kind ?? 'runtime') !== 'runtime') continue;
    const key = `${p.name}@${p.version}@${p.source ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const deps = (p.dependencies ?? [])
      .map((i) => data.packages[i])
      .filter((d): d is NonNullable<typeof d> => d !== undefined)
      .map((d) => `${d.name}@${d.version}`);
    facts.push({
      kind: 'package',
      type: 'cargo',
      name: p.name,
      version: p.version,
      path: filePath,
      metadata: {
        source: p.source ?? null,
        ...(p.root ? { root: true } : {}),
        ...(deps.length > 0 ? { dependencies: deps } : {}),
        auditFormat: data.format ?? 0,
      },
    });
  }
  return facts;
}
