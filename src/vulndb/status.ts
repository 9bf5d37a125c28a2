/** `shipshape db status`: what the database holds, where it came from, and how old it is. */
import Table from 'cli-table3';
import { VulnStore } from './store.js';

export const DEFAULT_MAX_AGE_DAYS = 7;

export interface EcosystemStatus {
  ecosystem: string;
  advisories: number;
  withdrawn: number;
  source: string;
  mode: 'update' | 'import';
  updatedAt: string;
  lastModified: string | null;
  ageDays: number;
  stale: boolean;
}

export interface DbStatus {
  database: string;
  advisories: number;
  withdrawn: number;
  ecosystems: EcosystemStatus[];
  maxAgeDays: number;
  /** One line each: an empty database, stale ecosystems, withdrawn advisories kept. */
  warnings: string[];
}

export function dbStatus(
  store: VulnStore,
  database: string,
  maxAgeDays = DEFAULT_MAX_AGE_DAYS,
  now = Date.now(),
): DbStatus {
  const totals = store.totals();
  const ecosystems = store.states().map((s): EcosystemStatus => {
    const ageDays = Math.max(0, (now - Date.parse(s.updatedAt)) / 86_400_000);
    return {
      ecosystem: s.ecosystem,
      advisories: s.advisories,
      withdrawn: s.withdrawn,
      source: s.source,
      mode: s.mode,
      updatedAt: s.updatedAt,
      lastModified: s.lastModified,
      ageDays: Math.round(ageDays * 10) / 10,
      stale: ageDays > maxAgeDays,
    };
  });
  const warnings: string[] = [];
  if (totals.advisories === 0) {
    warnings.push(
      'the vulnerability database is empty: run `shipshape db update` (or `db import PATH` offline)',
    );
  }
  const stale = ecosystems.filter((e) => e.stale);
  if (stale.length) {
    const oldest = Math.max(...stale.map((e) => e.ageDays));
    warnings.push(
      `${stale.map((e) => e.ecosystem).join(', ')} last updated more than ${maxAgeDays} days ago ` +
        `(oldest ${Math.floor(oldest)} days): run \`shipshape db update\``,
    );
  }
  if (totals.withdrawn > 0) {
    warnings.push(`${totals.withdrawn} withdrawn advisories are kept but never matched`);
  }
  return { database, ...totals, ecosystems, maxAgeDays, warnings };
}

function age(days: number): string {
  if (days < 1 / 24) return 'just now';
  if (days < 1) return `${Math.round(days * 24)} h ago`;
  return `${Math.floor(days)} d ago`;
}

export function dbStatusTable(s: DbStatus, color: boolean): string {
  const style = color ? {} : { style: { head: [], border: [] } };
  const table = new Table({
    head: ['ecosystem', 'advisories', 'withdrawn', 'last update', 'newest record', 'source'],
    ...style,
  });
  for (const e of s.ecosystems) {
    table.push([
      e.ecosystem,
      String(e.advisories),
      String(e.withdrawn),
      `${e.updatedAt.slice(0, 16).replace('T', ' ')} (${age(e.ageDays)})${e.stale ? ' STALE' : ''}`,
      e.lastModified?.slice(0, 10) ?? '',
      e.mode === 'import' ? `import ${e.source}` : e.source,
    ]);
  }
  const lines = [
    `Database    ${s.database}`,
    `Advisories  ${s.advisories}${s.withdrawn ? ` (${s.withdrawn} withdrawn)` : ''}`,
  ];
  if (s.ecosystems.length) lines.push('', table.toString());
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
