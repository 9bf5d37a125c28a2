/**
 * One process for the whole suite (node:test spawns one per file otherwise, ten times slower):
 * imports every `*.test.ts` under test/. A file still runs alone with
 * `node --import tsx --test test/NAME.test.ts`.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Property tests explore new random inputs on every local run; CI runs one fixed seed, so a
// landing never depends on the luck of the draw (a failure found locally becomes a fixed test).
const seed = process.env.SHIPSHAPE_FC_SEED ?? (process.env.CI ? '20261129' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

const here = dirname(fileURLToPath(import.meta.url));
const only = process.env.SHIPSHAPE_TESTS?.split(',').filter(Boolean);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => !only || only.some((o) => f.includes(o)))
  .sort();
for (const f of files) await import(pathToFileURL(join(here, f)).href);
