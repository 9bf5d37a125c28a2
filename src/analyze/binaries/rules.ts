/**
 * The data behind the Windows-in-Linux check (rules/binaries/): the allow-list of places where
 * Linux images legitimately carry Windows files, and the indicators that rank a Windows file.
 * Loaded and validated once, on first use; a malformed file is an error at start-up, not a
 * silently empty list.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod/v3';
import { globList, globToRegExp } from './glob.js';

const Glob = z.object({ glob: z.string().min(1), why: z.string().min(1) });

const AllowlistSchema = z.object({
  description: z.string().optional(),
  paths: z.array(Glob),
  scriptShimRoots: z.array(Glob),
});

const IndicatorsSchema = z.object({
  description: z.string().optional(),
  injectionSets: z.array(z.object({ id: z.string().min(1), imports: z.array(z.string().min(1)).min(2) })),
  watchedImports: z.array(z.string().min(1)),
  dotnetOffensiveNames: z.array(z.string().min(3)),
  cradles: z.array(z.object({ id: z.string().min(1), all: z.array(z.string().min(1)).min(1) })),
});

export interface CradleRule {
  id: string;
  all: RegExp[];
}

export interface WindowsRules {
  allowed(path: string): { glob: string; why: string } | undefined;
  shimRoot(path: string): { glob: string; why: string } | undefined;
  injectionSets: { id: string; imports: string[] }[];
  watchedImports: Set<string>;
  dotnetOffensiveNames: Set<string>;
  cradles: CradleRule[];
}

export function readRulesJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../rules/${relative}`, import.meta.url), 'utf8'));
}

/** Compiles rule data; throws naming the file when a list or pattern is malformed. */
export function compileWindowsRules(allowlist: unknown, indicators: unknown): WindowsRules {
  const a = AllowlistSchema.parse(allowlist);
  const ind = IndicatorsSchema.parse(indicators);
  for (const g of [...a.paths, ...a.scriptShimRoots]) globToRegExp(g.glob);
  for (const set of ind.injectionSets) {
    for (const name of set.imports) {
      if (!ind.watchedImports.includes(name))
        throw new Error(`injection set ${set.id}: ${name} is not watched`);
    }
  }
  return {
    allowed: globList(a.paths),
    shimRoot: globList(a.scriptShimRoots),
    injectionSets: ind.injectionSets,
    watchedImports: new Set(ind.watchedImports),
    dotnetOffensiveNames: new Set(ind.dotnetOffensiveNames),
    cradles: ind.cradles.map((c) => ({ id: c.id, all: c.all.map((p) => new RegExp(p, 'i')) })),
  };
}

let loaded: WindowsRules | null = null;

export function windowsRules(): WindowsRules {
  loaded ??= compileWindowsRules(
    readRulesJson('binaries/windows-allowlist.json'),
    readRulesJson('binaries/windows-indicators.json'),
  );
  return loaded;
}
