/**
 * Validation of OSV records from untrusted sources (a downloaded zip, a folder, a mirror).
 *
 * Only the fields shipshape uses are checked, with bounds on every string and array so a
 * hostile record cannot blow up storage or matching; unknown fields pass through untouched and
 * are kept in the stored record. A record that fails is skipped with a reason, never thrown.
 */
import { z } from 'zod/v3';
import { printable } from '../errors.js';
import { isTimestamp } from './timestamp.js';
import type { OsvRecord } from './types.js';

/** OSV ids in the wild: `GHSA-…`, `ALSA-2024:1234`, `openSUSE-SU-2024:1-1`, `DEBIAN-CVE-…`. */
export const OSV_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/;

export function isValidOsvId(id: string): boolean {
  return OSV_ID.test(id) && !id.includes('..');
}

export const LIMITS = {
  shortString: 1024,
  summary: 16 * 1024,
  details: 2 * 1024 * 1024,
  url: 8 * 1024,
  aliases: 2_000,
  affected: 20_000,
  ranges: 1_000,
  events: 20_000,
  versions: 200_000,
  severities: 32,
} as const;

const short = z.string().max(LIMITS.shortString);
const timestamp = z
  .string()
  .max(64)
  .refine((s) => isTimestamp(s), { message: 'not an RFC 3339 timestamp' });
const idList = z.array(short).max(LIMITS.aliases);
const jsonObject = z.record(z.string(), z.unknown());

const severity = z
  .array(z.object({ type: short, score: z.string().max(LIMITS.url) }).passthrough())
  .max(LIMITS.severities);

const event = z
  .object({
    introduced: short.optional(),
    fixed: short.optional(),
    last_affected: short.optional(),
    limit: short.optional(),
  })
  .passthrough();

const range = z
  .object({
    type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
    repo: z.string().max(LIMITS.url).optional(),
    events: z.array(event).max(LIMITS.events),
    database_specific: jsonObject.optional(),
  })
  .passthrough();

const affected = z
  .object({
    package: z
      .object({
        ecosystem: short.min(1),
        name: short.min(1),
        purl: z.string().max(LIMITS.url).optional(),
      })
      .passthrough()
      .optional(),
    ranges: z.array(range).max(LIMITS.ranges).optional(),
    versions: z.array(short).max(LIMITS.versions).optional(),
    severity: severity.optional(),
    ecosystem_specific: jsonObject.optional(),
    database_specific: jsonObject.optional(),
  })
  .passthrough();

export const osvRecordSchema = z
  .object({
    schema_version: short.optional(),
    id: z.string().refine(isValidOsvId, { message: 'not a valid OSV id' }),
    modified: timestamp,
    published: timestamp.optional(),
    withdrawn: timestamp.optional(),
    aliases: idList.optional(),
    related: idList.optional(),
    upstream: idList.optional(),
    summary: z.string().max(LIMITS.summary).optional(),
    details: z.string().max(LIMITS.details).optional(),
    severity: severity.optional(),
    affected: z.array(affected).max(LIMITS.affected).optional(),
    database_specific: jsonObject.optional(),
  })
  .passthrough();

export type ParseResult = { ok: true; record: OsvRecord } | { ok: false; id: string | null; reason: string };

/** Why a value failed, in one short line: the first issue and where it was. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid record';
  const where = issue.path.length
    ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
    : '';
  return `${where ? `${where.replace(/^\./, '')}: ` : ''}${issue.message}`;
}

/** The id of something that looked like a record, for warnings, made printable. */
function idOf(value: unknown): string | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string') return printable(id, 80);
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Bytes (a file or zip entry) to a validated record, or the reason it was rejected. */
export function parseOsvBytes(bytes: Uint8Array): ParseResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, id: null, reason: 'not UTF-8 text' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, id: null, reason: `invalid JSON (${printable((e as Error).message, 120)})` };
  }
  return parseOsvValue(value);
}

export function parseOsvValue(value: unknown): ParseResult {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, id: null, reason: 'not a JSON object' };
  }
  const r = osvRecordSchema.safeParse(value);
  if (!r.success) return { ok: false, id: idOf(value), reason: printable(firstIssue(r.error), 300) };
  return { ok: true, record: r.data as OsvRecord };
}
