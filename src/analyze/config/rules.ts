/**
 * The config audit's data (rules/config/config.yaml): finding titles, indicator patterns, port
 * lists and known installer hosts, validated and compiled once, at first use.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod/v3';
import { compileBounded } from '../secrets/regex-guard.js';

export const CONFIG_FINDINGS = [
  'runs-as-root',
  'curl-pipe-shell',
  'download-chmod-exec',
  'runtime-build',
  'miner-flags',
  'reverse-shell',
  'exposed-ssh',
  'exposed-miner-port',
  'add-from-url',
  'ld-preload-env',
  'privileged-hints',
] as const;
export type ConfigFinding = (typeof CONFIG_FINDINGS)[number];

const FINDING = z.enum(CONFIG_FINDINGS);
const PORT = z.number().int().min(1).max(65535);

const fileSchema = z
  .object({
    findings: z.record(FINDING, z.object({ title: z.string().min(1).max(200) }).strict()),
    indicators: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
            finding: FINDING,
            part: z.boolean().optional(),
            flags: z.enum(['', 'i']).default(''),
            regex: z.string().min(1).max(4000),
          })
          .strict(),
      )
      .min(1),
    minerPorts: z.array(PORT),
    sshPorts: z.array(PORT),
    knownInstallers: z.array(z.string().regex(/^[a-z0-9.-]{1,253}$/)),
  })
  .strict();

export interface Indicator {
  id: string;
  finding: ConfigFinding;
  /** Counts only together with other indicators (see the findings' logic in index.ts). */
  part: boolean;
  regex: RegExp;
}

export interface ConfigRules {
  titles: Record<ConfigFinding, string>;
  indicators: Indicator[];
  minerPorts: Set<number>;
  sshPorts: Set<number>;
  knownInstallers: string[];
}

/** Validates and compiles the YAML text of rules/config/config.yaml. */
export function compileConfigRules(text: string): ConfigRules {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 0 });
  } catch (err) {
    throw new Error(`config rules: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`config rules: ${first.path.join('.')}: ${first.message}`);
  }
  const d = parsed.data;
  const missing = CONFIG_FINDINGS.filter((f) => !d.findings[f]);
  if (missing.length > 0) throw new Error(`config rules: no title for ${missing.join(', ')}`);
  const ids = new Set<string>();
  const indicators = d.indicators.map((i): Indicator => {
    if (ids.has(i.id)) throw new Error(`config rules: duplicate indicator ${i.id}`);
    ids.add(i.id);
    return {
      id: i.id,
      finding: i.finding,
      part: i.part ?? false,
      // m: `^` is the start of each line of a script or instruction.
      regex: compileBounded(i.regex, `gm${i.flags}`, `config indicator ${i.id}`),
    };
  });
  const titles = Object.fromEntries(CONFIG_FINDINGS.map((f) => [f, d.findings[f]!.title])) as Record<
    ConfigFinding,
    string
  >;
  return {
    titles,
    indicators,
    minerPorts: new Set(d.minerPorts),
    sshPorts: new Set(d.sshPorts),
    knownInstallers: d.knownInstallers,
  };
}

let loaded: ConfigRules | null = null;

export function configRules(): ConfigRules {
  loaded ??= compileConfigRules(
    readFileSync(new URL('../../../rules/config/config.yaml', import.meta.url), 'utf8'),
  );
  return loaded;
}
