/**
 * Persistence indicators as data (rules/persistence/persistence.json), validated and compiled
 * once on first use; a malformed file is an error at start-up.
 */
import { z } from 'zod/v3';
import { readRulesJson } from '../binaries/rules.js';

const Schema = z.object({
  description: z.string().optional(),
  fetchAndRun: z.array(z.object({ id: z.string().min(1), pattern: z.string().min(1) })).min(1),
  miner: z.object({ commands: z.array(z.string().min(2)), arguments: z.array(z.string().min(2)) }),
  tempDirs: z.array(z.string().min(1)),
  runtimeDirs: z.array(z.string().min(1)),
  systemDirs: z.array(z.string()),
  toolDotDirs: z.array(z.string().regex(/^\.[A-Za-z0-9_-]{1,64}$/)).default([]),
  kernelThreadNames: z.string().min(1),
  preloadAllowed: z.array(z.string().min(1)),
  suidKnown: z.array(z.string().min(1)),
  suidNever: z.string().min(1),
  sudoRootShells: z.string().min(1),
});

export interface PersistenceRules {
  fetchAndRun: { id: string; re: RegExp }[];
  minerCommands: Set<string>;
  minerArguments: RegExp[];
  tempDirs: string[];
  runtimeDirs: string[];
  systemDirs: Set<string>;
  /** Dot-directories version managers install into (`/usr/local/.nvm`): not hiding places. */
  toolDotDirs: Set<string>;
  kernelThreadName: RegExp;
  preloadAllowed: RegExp[];
  suidKnown: Set<string>;
  suidNever: RegExp;
  /** Programs that are a root shell when sudo runs them without a password. */
  sudoRootShells: RegExp;
}

export function compilePersistenceRules(data: unknown): PersistenceRules {
  const r = Schema.parse(data);
  return {
    fetchAndRun: r.fetchAndRun.map((f) => ({ id: f.id, re: new RegExp(f.pattern, 'i') })),
    minerCommands: new Set(r.miner.commands.map((c) => c.toLowerCase())),
    minerArguments: r.miner.arguments.map((a) => new RegExp(a, 'i')),
    tempDirs: r.tempDirs,
    runtimeDirs: r.runtimeDirs,
    systemDirs: new Set(r.systemDirs),
    toolDotDirs: new Set(r.toolDotDirs),
    kernelThreadName: new RegExp(r.kernelThreadNames),
    preloadAllowed: r.preloadAllowed.map((p) => new RegExp(p)),
    suidKnown: new Set(r.suidKnown),
    suidNever: new RegExp(r.suidNever),
    sudoRootShells: new RegExp(r.sudoRootShells),
  };
}

let loaded: PersistenceRules | null = null;

export function persistenceRules(): PersistenceRules {
  loaded ??= compilePersistenceRules(readRulesJson('persistence/persistence.json'));
  return loaded;
}
