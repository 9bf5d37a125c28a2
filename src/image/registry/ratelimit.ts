/**
 * Docker Hub meters manifest pulls and says how many are left in `ratelimit-limit` /
 * `ratelimit-remaining` headers (`100;w=21600`: 100 pulls per 21600-second window). Surveys of
 * many images hit this limit, so the numbers are reported with the scan.
 */

export interface RateLimit {
  limit: number;
  remaining: number;
  /** Window length in seconds, when the registry says. */
  windowSeconds: number | undefined;
}

function parseQuota(value: string | null): { count: number; window: number | undefined } | undefined {
  if (value === null) return undefined;
  const m = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value);
  if (!m) return undefined;
  return { count: Number(m[1]), window: m[2] === undefined ? undefined : Number(m[2]) };
}

export function parseRateLimit(headers: Headers): RateLimit | undefined {
  const limit = parseQuota(headers.get('ratelimit-limit'));
  const remaining = parseQuota(headers.get('ratelimit-remaining'));
  if (!limit || !remaining) return undefined;
  return { limit: limit.count, remaining: remaining.count, windowSeconds: limit.window ?? remaining.window };
}

function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function describeRateLimit(registry: string, r: RateLimit): string {
  const window = r.windowSeconds === undefined ? '' : ` per ${formatWindow(r.windowSeconds)}`;
  return `${registry} rate limit: ${r.remaining} of ${r.limit} pulls remaining${window}`;
}
