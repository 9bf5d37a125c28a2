import { Option, type Command } from 'commander';
import { LayerFactsCache } from '../facts/cache.js';
import { defaultDbPath, openDatabase, type Db } from '../store/sqlite.js';
import type { SourceOptions } from '../image/target.js';
import { ShipshapeError } from '../errors.js';
import { parsePlatform } from '../image/platform.js';

export interface CommonOptions {
  format: string;
  output?: string;
  db?: string;
  platform?: string;
  username?: string;
  password?: string;
  insecureRegistry?: string[];
  offline?: boolean;
  quiet?: boolean;
  debug?: boolean;
  cache?: boolean;
  allowDevices?: boolean;
}

export function addCommonOptions(cmd: Command, formats: string[]): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default(formats[0]))
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option('--db <path>', 'SQLite database (default $SHIPSHAPE_DB or ~/.cache/shipshape/shipshape.db)')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--username <user>', 'registry user (or SHIPSHAPE_USERNAME)')
    .option('--password <password>', 'registry password or token (or SHIPSHAPE_PASSWORD)')
    .option('--insecure-registry <host>', 'use plain HTTP for this registry (repeatable)', collect, [])
    .option('--offline', 'never touch the network except the target registry')
    .option('--no-cache', 'do not read or write the layer cache')
    .option('--allow-devices', 'record device files in layers instead of refusing the image')
    .option('-q, --quiet', 'no progress output')
    .option('--debug', 'print stack traces on errors');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function sourceOptions(o: CommonOptions, env: NodeJS.ProcessEnv = process.env): SourceOptions {
  const username = o.username ?? env.SHIPSHAPE_USERNAME;
  const password = o.password ?? env.SHIPSHAPE_PASSWORD;
  if ((username && !password) || (!username && password)) {
    throw new ShipshapeError('BAD_ARGUMENT', 'give both a username and a password, or neither');
  }
  if (o.platform) parsePlatform(o.platform);
  return {
    ...(o.platform ? { platform: o.platform } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(o.insecureRegistry?.length ? { insecureRegistries: o.insecureRegistry } : {}),
  };
}

export function openStore(o: CommonOptions): { db: Db | null; cache: LayerFactsCache | null; close(): void } {
  if (o.cache === false) return { db: null, cache: null, close() {} };
  const db = openDatabase(o.db ?? defaultDbPath());
  return { db, cache: new LayerFactsCache(db), close: () => db.close() };
}
