/**
 * The behaviour rules: data in rules/behavior/*.yaml, validated with zod and compiled once. A
 * rule has exactly one condition: `process`, `file`, `connect` or `network` (declarative, every
 * field given must hold), or `detector` (a named piece of code for what needs state across
 * events, with its parameters in the data). Lists are shared by name (`"@shells"`). A broken
 * rule file stops start-up with a message naming the rule, rather than silently never firing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod/v3';
import { BEHAVIOR_CATEGORIES, type BehaviorCategory, type BehaviorSeverity, type FileOp } from '../types.js';

export const DETECTORS = [
  'cpu-sustained',
  'written-executable-executed',
  'exec-not-in-image',
  'interpreter-runs-dropped-script',
  'downloader-pipe-shell',
  'compile-then-exec',
  'stdio-socket',
  'connect-fanout',
  'decoy-file-read',
  'decoy-value-sent',
  'proc-environ-other',
  'memfd-exec',
  'self-deleting',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

const FILE_OPS = ['write', 'chmod', 'unlink', 'rename', 'exec', 'read', 'mkdir'] as const;
const regex = z.string().min(1).max(2000);
/** An inline list, or `"@name"` for a shared list. */
const names = z.union([z.array(z.string().min(1)).max(500), z.string().regex(/^@[a-z0-9-]+$/)]);

const processCond = z
  .object({
    names: names.optional(),
    argv: regex.optional(),
    notArgv: regex.optional(),
    argvHosts: names.optional(),
    path: regex.optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'empty process condition');

const fileCond = z
  .object({
    ops: z.array(z.enum(FILE_OPS)).min(1),
    path: regex,
    side: z.enum(['source', 'target', 'any']).default('any'),
    excludeProcessNames: names.optional(),
    excludeDecoys: z.boolean().default(false),
  })
  .strict();

const connectCond = z
  .object({
    ports: z.array(z.number().int().min(0).max(65535)).max(200).optional(),
    address: regex.optional(),
    family: z.enum(['inet', 'inet6', 'unix']).optional(),
    minDistinctAddresses: z.number().int().min(1).max(10_000).default(1),
    includeLoopback: z.boolean().default(true),
  })
  .strict();

const networkCond = z
  .object({
    kinds: z.array(z.enum(['dns', 'tcp', 'udp', 'http', 'tls'])).optional(),
    firstBytes: z.array(regex).min(1).max(8).optional(),
    hosts: names.optional(),
    hostRegex: regex.optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'empty network condition');

const paramValue = z.union([z.number(), z.string(), z.array(z.string())]);
const detectorCond = z.object({ name: z.enum(DETECTORS), params: z.record(paramValue).default({}) }).strict();

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
    category: z.enum(BEHAVIOR_CATEGORIES),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    description: z.string().min(1).max(300),
    process: processCond.optional(),
    file: fileCond.optional(),
    connect: connectCond.optional(),
    network: networkCond.optional(),
    detector: detectorCond.optional(),
  })
  .strict()
  .refine(
    (r) => [r.process, r.file, r.connect, r.network, r.detector].filter((c) => c !== undefined).length === 1,
    'a rule needs exactly one of process, file, connect, network, detector',
  );

const fileSchema = z
  .object({
    lists: z.record(z.string().regex(/^[a-z0-9-]+$/), z.array(z.string().min(1)).max(1000)).optional(),
    rules: z.array(ruleSchema).optional(),
  })
  .strict();

export type DetectorParams = Record<string, number | string[]>;

export interface CompiledRule {
  id: string;
  category: BehaviorCategory;
  severity: BehaviorSeverity;
  description: string;
  process?: {
    names: Set<string> | null;
    argv: RegExp | null;
    notArgv: RegExp | null;
    argvHosts: string[] | null;
    path: RegExp | null;
  };
  file?: {
    ops: Set<FileOp>;
    path: RegExp;
    side: 'source' | 'target' | 'any';
    excludeProcessNames: Set<string>;
    excludeDecoys: boolean;
  };
  connect?: {
    ports: Set<number> | null;
    address: RegExp | null;
    family: 'inet' | 'inet6' | 'unix' | null;
    minDistinctAddresses: number;
    includeLoopback: boolean;
  };
  network?: {
    kinds: Set<string> | null;
    firstBytes: RegExp[];
    hosts: string[] | null;
    hostRegex: RegExp | null;
  };
  detector?: { name: DetectorName; params: DetectorParams };
}

export interface BehaviorRuleSet {
  rules: CompiledRule[];
  lists: Record<string, string[]>;
}

/** One rule file's text and its name (for messages). */
export interface RuleSource {
  name: string;
  text: string;
}

export function compileBehaviorRules(sources: RuleSource[]): BehaviorRuleSet {
  const lists: Record<string, string[]> = {};
  const raw: { source: string; rule: z.infer<typeof ruleSchema> }[] = [];
  for (const src of sources) {
    let data: unknown;
    try {
      data = parse(src.text, { maxAliasCount: 0 });
    } catch (e) {
      throw new Error(`${src.name}: not valid YAML: ${(e as Error).message}`);
    }
    const parsed = fileSchema.safeParse(data ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${src.name}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    for (const [k, v] of Object.entries(parsed.data.lists ?? {})) {
      if (lists[k]) throw new Error(`${src.name}: list ${k} defined twice`);
      lists[k] = v.map((s) => s.toLowerCase());
    }
    for (const rule of parsed.data.rules ?? []) raw.push({ source: src.name, rule });
  }
  const seen = new Set<string>();
  const rules = raw.map(({ source, rule }) => {
    const where = `${source}: rule ${rule.id}`;
    if (seen.has(rule.id)) throw new Error(`${where}: duplicate id`);
    seen.add(rule.id);
    return compileRule(rule, lists, where);
  });
  return { rules, lists };
}

function expand(
  v: string | string[] | undefined,
  lists: Record<string, string[]>,
  where: string,
): string[] | null {
  if (v === undefined) return null;
  const out: string[] = [];
  for (const item of Array.isArray(v) ? v : [v]) {
    if (item.startsWith('@')) {
      const l = lists[item.slice(1)];
      if (!l) throw new Error(`${where}: unknown list ${item}`);
      out.push(...l);
    } else out.push(item.toLowerCase());
  }
  return out;
}

function re(source: string | undefined, where: string, flags = 'i'): RegExp | null {
  if (source === undefined) return null;
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new Error(`${where}: bad regex: ${(e as Error).message}`);
  }
}

function compileRule(
  r: z.infer<typeof ruleSchema>,
  lists: Record<string, string[]>,
  where: string,
): CompiledRule {
  const out: CompiledRule = {
    id: r.id,
    category: r.category,
    severity: r.severity,
    description: r.description,
  };
  if (r.process) {
    const n = expand(r.process.names, lists, where);
    out.process = {
      names: n ? new Set(n) : null,
      argv: re(r.process.argv, where),
      notArgv: re(r.process.notArgv, where),
      argvHosts: expand(r.process.argvHosts, lists, where),
      path: re(r.process.path, where),
    };
  }
  if (r.file) {
    out.file = {
      ops: new Set(r.file.ops),
      path: re(r.file.path, where, '') as RegExp,
      side: r.file.side,
      excludeProcessNames: new Set(expand(r.file.excludeProcessNames, lists, where) ?? []),
      excludeDecoys: r.file.excludeDecoys,
    };
  }
  if (r.connect) {
    out.connect = {
      ports: r.connect.ports ? new Set(r.connect.ports) : null,
      address: re(r.connect.address, where),
      family: r.connect.family ?? null,
      minDistinctAddresses: r.connect.minDistinctAddresses,
      includeLoopback: r.connect.includeLoopback,
    };
  }
  if (r.network) {
    out.network = {
      kinds: r.network.kinds ? new Set(r.network.kinds) : null,
      firstBytes: (r.network.firstBytes ?? []).map((s) => re(s, where) as RegExp),
      hosts: expand(r.network.hosts, lists, where),
      hostRegex: re(r.network.hostRegex, where),
    };
  }
  if (r.detector) {
    const params: DetectorParams = {};
    for (const [k, v] of Object.entries(r.detector.params)) {
      params[k] = typeof v === 'number' ? v : (expand(v, lists, where) ?? []);
    }
    out.detector = { name: r.detector.name, params };
  }
  return out;
}

const RULES_DIR = new URL('../../../rules/behavior/', import.meta.url);
let loaded: BehaviorRuleSet | null = null;

/** The shipped rules (rules/behavior/*.yaml), read and compiled once. */
export function behaviorRules(): BehaviorRuleSet {
  if (loaded) return loaded;
  const files = readdirSync(RULES_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  loaded = compileBehaviorRules(
    files.map((f) => ({ name: `rules/behavior/${f}`, text: readFileSync(new URL(f, RULES_DIR), 'utf8') })),
  );
  return loaded;
}
