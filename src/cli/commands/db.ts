/**
 * `shipshape db update | import | status`: wiring for the vulnerability database (src/vulndb/);
 * `db import-hashes`: the known-bad hash deny-list (src/threats-db/), which `status` counts too.
 * Progress goes to stderr on a terminal only; warnings to stderr; results to stdout.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ShipshapeError, printable } from '../../errors.js';
import { defaultDbPath, openDatabase } from '../../store/sqlite.js';
import { denyListStatus, importHashFile, type DenyListStatus } from '../../threats-db/index.js';
import {
  DEFAULT_DELTA_LIMIT,
  DEFAULT_MAX_AGE_DAYS,
  DEFAULT_SOURCE,
  VulnStore,
  dbStatus,
  dbStatusTable,
  importPath,
  updateDatabase,
  type DbProgress,
  type UnitResult,
} from '../../vulndb/index.js';
import { emit } from '../output.js';

interface DbOptions {
  db?: string;
  format: string;
  output?: string;
  quiet?: boolean;
  debug?: boolean;
}

interface UpdateCliOptions extends DbOptions {
  source?: string;
  ecosystem: string[];
  offline?: boolean;
  timeout: number;
  retries: number;
  deltaLimit: number;
}

interface ImportCliOptions extends DbOptions {
  ecosystem: string[];
  maxEntryMb: number;
}

interface StatusCliOptions extends DbOptions {
  maxAgeDays: number;
}

interface ImportHashesCliOptions extends DbOptions {
  source?: string;
}

const MAX_WARNINGS_SHOWN = 20;

function positive(kind: 'int' | 'number') {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || (kind === 'int' && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected a non-negative ${kind === 'int' ? 'integer' : 'number'}`);
    }
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function common(cmd: Command, formats = ['table', 'json']): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default(formats[0]))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('--db <path>', 'SQLite database (default $SHIPSHAPE_DB or ~/.cache/shipshape/shipshape.db)')
    .option('-q, --quiet', 'no progress output')
    .option('--debug', 'print stack traces on errors');
}

/** A one-line progress bar on stderr, redrawn at most 10 times a second; only on a terminal. */
class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(private readonly enabled: boolean) {}

  update(p: DbProgress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && p.done !== p.total) return;
    this.last = now;
    const width = 24;
    const frac = p.total ? Math.min(1, p.done / p.total) : 0;
    const bar = p.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
    const fmt = (n: number) => (p.what === 'bytes' ? `${(n / 1048576).toFixed(1)} MB` : String(n));
    const count = p.total ? `${fmt(p.done)}/${fmt(p.total)}` : fmt(p.done);
    const label = { download: 'downloading', fetch: 'fetching', import: 'importing' }[p.phase];
    const cols = process.stderr.columns || 80;
    const line =
      `${printable(p.unit, 40)}: ${label} ${bar}${count} ${p.what === 'bytes' ? '' : p.what}`.trimEnd();
    process.stderr.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    process.stderr.write(`\r${' '.repeat(Math.min((process.stderr.columns || 80) - 1, 100))}\r`);
    this.shown = false;
  }
}

/** Warnings to stderr: the first few in full, then a count. */
class Warnings {
  count = 0;
  constructor(private readonly progress: ProgressLine) {}
  warn = (message: string): void => {
    this.count++;
    if (this.count > MAX_WARNINGS_SHOWN) return;
    this.progress.clear();
    process.stderr.write(`warning: ${printable(message, 500)}\n`);
  };
  finish(): void {
    if (this.count > MAX_WARNINGS_SHOWN) {
      process.stderr.write(`warning: ${this.count - MAX_WARNINGS_SHOWN} more warnings not shown\n`);
    }
  }
}

function dbPathOf(o: DbOptions): string {
  return o.db ?? defaultDbPath();
}

function resultsTable(results: UnitResult[], color: boolean): string {
  const style = color ? {} : { style: { head: [], border: [] } };
  const table = new Table({
    head: [
      'ecosystem',
      'action',
      'new',
      'updated',
      'unchanged',
      'invalid',
      'withdrawn',
      'removed',
      'MB',
      'seconds',
    ],
    ...style,
  });
  for (const r of results) {
    table.push([
      printable(r.unit, 60),
      r.error ? `${r.action}: ${printable(r.error, 80)}` : r.action,
      String(r.inserted),
      String(r.updated),
      String(r.unchanged),
      String(r.invalid),
      String(r.withdrawn),
      String(r.pruned),
      (r.bytes / 1048576).toFixed(1),
      r.seconds.toFixed(1),
    ]);
  }
  return table.toString();
}

function updateCommand(): Command {
  const cmd = new Command('update')
    .description("download OSV advisories from osv.dev's bucket (only what changed since the last update)")
    .option(
      '--source <url|dir>',
      `base URL or mirror folder in the bucket layout (default ${DEFAULT_SOURCE})`,
    )
    .option(
      '--ecosystem <name>',
      'ecosystem to update (repeatable or comma-separated; `all` for every one the source lists); default a ' +
        'built-in list of OS and language ecosystems, or $SHIPSHAPE_OSV_ECOSYSTEMS',
      collect,
      [],
    )
    .option('--offline', 'never touch the network (only a local --source folder works)')
    .option(
      '--timeout <seconds>',
      'give up on a request after this long without data',
      positive('number'),
      30,
    )
    .option('--retries <n>', 'retries on network errors, 429 and 5xx', positive('int'), 4)
    .option(
      '--delta-limit <n>',
      'download all.zip instead when more records than this changed',
      positive('int'),
      DEFAULT_DELTA_LIMIT,
    );
  common(cmd);
  cmd.action(async (o: UpdateCliOptions) => {
    const dbPath = dbPathOf(o);
    const progress = new ProgressLine(!o.quiet && Boolean(process.stderr.isTTY));
    const warnings = new Warnings(progress);
    const envEcosystems = process.env.SHIPSHAPE_OSV_ECOSYSTEMS?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const db = openDatabase(dbPath);
    try {
      const summary = await updateDatabase(db, {
        source: o.source ?? process.env.SHIPSHAPE_OSV_SOURCE ?? DEFAULT_SOURCE,
        ...(o.ecosystem.length
          ? { ecosystems: o.ecosystem }
          : envEcosystems?.length
            ? { ecosystems: envEcosystems }
            : {}),
        stagingDir:
          dbPath === ':memory:'
            ? join(tmpdir(), 'shipshape-osv-staging')
            : join(dirname(dbPath), 'osv-staging'),
        offline: Boolean(o.offline),
        timeoutMs: o.timeout * 1000,
        retries: o.retries,
        deltaLimit: o.deltaLimit,
        warn: warnings.warn,
        onProgress: (p) => progress.update(p),
      });
      progress.clear();
      warnings.finish();
      const text =
        o.format === 'json'
          ? JSON.stringify({ ...summary, warnings: warnings.count }, null, 2)
          : [
              `Source    ${summary.source}`,
              `Requests  ${summary.requests}`,
              '',
              resultsTable(summary.results, Boolean(process.stdout.isTTY) && !o.output),
            ].join('\n');
      await emit(text, o.output);
      const failed = summary.results.filter((r) => r.action === 'failed');
      if (failed.length) {
        const first = failed[0]!;
        const more =
          failed.length > 1 ? ` (${failed.length} ecosystems failed; each kept its previous data)` : '';
        throw new ShipshapeError('NETWORK', `db update: ${first.unit}: ${first.error ?? 'failed'}${more}`);
      }
    } finally {
      progress.clear();
      db.close();
    }
  });
  return cmd;
}

function importCommand(): Command {
  const cmd = new Command('import')
    .description(
      'import OSV advisories offline: an all.zip, a folder of OSV JSON files, or a bucket-layout mirror',
    )
    .argument('<path>', 'zip file, folder of *.json (recursive), mirror folder, or one OSV JSON file')
    .option('--ecosystem <name>', 'for a mirror folder: only this ecosystem (repeatable)', collect, [])
    .option('--max-entry-mb <n>', 'refuse records larger than this, uncompressed', positive('number'), 16)
    .option('--offline', 'accepted: import never uses the network');
  common(cmd);
  cmd.action(async (path: string, o: ImportCliOptions) => {
    const progress = new ProgressLine(!o.quiet && Boolean(process.stderr.isTTY));
    const warnings = new Warnings(progress);
    const db = openDatabase(dbPathOf(o));
    try {
      const summary = await importPath(db, path, {
        maxEntryBytes: Math.floor(o.maxEntryMb * 1024 * 1024),
        ...(o.ecosystem.length ? { ecosystems: o.ecosystem } : {}),
        warn: warnings.warn,
        onProgress: (p) => progress.update(p),
      });
      progress.clear();
      warnings.finish();
      const text =
        o.format === 'json'
          ? JSON.stringify({ ...summary, warnings: warnings.count }, null, 2)
          : [
              `Imported  ${summary.path} (${summary.kind})`,
              '',
              resultsTable(summary.results, Boolean(process.stdout.isTTY) && !o.output),
            ].join('\n');
      await emit(text, o.output);
    } finally {
      progress.clear();
      db.close();
    }
  });
  return cmd;
}

function statusCommand(): Command {
  const cmd = new Command('status')
    .description('advisories per ecosystem, last update, source, and a warning when the data is old')
    .option(
      '--max-age-days <days>',
      'warn when an ecosystem is older than this',
      positive('number'),
      DEFAULT_MAX_AGE_DAYS,
    )
    .option('--offline', 'accepted: status never uses the network');
  common(cmd);
  cmd.action(async (o: StatusCliOptions) => {
    const dbPath = dbPathOf(o);
    const store = VulnStore.open(dbPath);
    try {
      const s = dbStatus(store, dbPath, o.maxAgeDays);
      const denyList = denyListStatus(store.db);
      const text =
        o.format === 'json'
          ? JSON.stringify({ ...s, denyList }, null, 2)
          : `${dbStatusTable(s, Boolean(process.stdout.isTTY) && !o.output)}\n${denyListLine(denyList)}`;
      await emit(text, o.output);
    } finally {
      store.close();
    }
  });
  return cmd;
}

function denyListLine(d: DenyListStatus): string {
  const sources = d.sources.map((s) => `${printable(s.source, 60)}: ${s.hashes}`).join(', ');
  return `Deny-list   ${d.hashes} known-bad hashes${sources ? ` (${sources})` : ''}`;
}

function importHashesCommand(): Command {
  const cmd = new Command('import-hashes')
    .description(
      'add known-bad file hashes to the deny-list: a plain list (`sha256 [name]` a line, # comments) ' +
        'or a MalwareBazaar-style CSV (a sha256_hash column; the signature or file_name is kept as the name)',
    )
    .argument('<file>', 'the list or CSV file')
    .option('--source <name>', 'who lists these hashes, shown in findings (default the file name)');
  common(cmd);
  cmd.action(async (file: string, o: ImportHashesCliOptions) => {
    const db = openDatabase(dbPathOf(o));
    try {
      const summary = await importHashFile(db, file, o.source !== undefined ? { source: o.source } : {});
      for (const b of summary.badSamples) process.stderr.write(`warning: ${file}: ${printable(b, 200)}\n`);
      if (summary.bad > summary.badSamples.length) {
        process.stderr.write(`warning: ${file}: ${summary.bad - summary.badSamples.length} more bad lines\n`);
      }
      if (summary.entries === 0) {
        throw new ShipshapeError(
          'MALFORMED',
          `import-hashes: ${file}: no sha256 found (${summary.lines} lines, ${summary.bad} bad)`,
        );
      }
      const text =
        o.format === 'json'
          ? JSON.stringify(summary, null, 2)
          : [
              `Imported    ${summary.path} (${summary.format}) as ${summary.source}`,
              `Entries     ${summary.entries} (${summary.added} new)`,
              `Bad lines   ${summary.bad}`,
              denyListLine(denyListStatus(db)),
            ].join('\n');
      await emit(text, o.output);
    } finally {
      db.close();
    }
  });
  return cmd;
}

export function dbCommand(): Command {
  const cmd = new Command('db').description(
    'the vulnerability database: update from osv.dev, import offline, status; the known-bad hash deny-list',
  );
  cmd.addCommand(updateCommand());
  cmd.addCommand(importCommand());
  cmd.addCommand(importHashesCommand());
  cmd.addCommand(statusCommand());
  for (const c of cmd.commands) c.exitOverride();
  return cmd;
}
