/**
 * The image config and history audit: what the image runs (Entrypoint/Cmd and the scripts they
 * start), how it was built (history), and what it asks of the host (user, ports, volumes,
 * environment). Secrets in config and history are the `secrets-config` check's (not repeated).
 */
import type { ImageFacts } from '../../facts/types.js';
import type { ImageConfig, ResolvedImage } from '../../image/types.js';
import type { ImageCheck, MisconfigurationFinding, ThreatSeverity } from '../findings.js';
import { historyLayerIndex, instructions, layerForHistory, restatesConfigEnv } from './history.js';
import { findIndicators, redact, type IndicatorHit } from './indicators.js';
import { resolveCommand, factsOfFile } from './resolve.js';
import { configRules, type ConfigFinding, type ConfigRules } from './rules.js';
import { SCRIPT_INDICATORS_ANALYZER, type ScriptIndicatorsFact } from './script-indicators.js';

export const CONFIG_CHECK = 'config';
const MAX_SCRIPTS = 16;
const MAX_DEPTH = 4;
const MAX_EVIDENCE = 200;
const CONFIG_ONLY = /^(?:CMD|ENTRYPOINT|LABEL|EXPOSE|USER|WORKDIR|VOLUME|STOPSIGNAL|SHELL|MAINTAINER)\b/i;

/** Where indicators were found: an instruction, the Entrypoint/Cmd, a script, an Env value. */
interface Unit {
  where: string;
  hits: IndicatorHit[];
  /** Runs every time a container starts (Entrypoint/Cmd and its scripts), not at build time. */
  runtime: boolean;
  layer?: number;
}

type Config = NonNullable<ImageConfig['config']>;

class Findings {
  readonly list: MisconfigurationFinding[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly rules: ConfigRules) {}

  /** `same`: what makes two findings one (an excerpt seen in history and again in Env). */
  add(
    rule: ConfigFinding,
    severity: ThreatSeverity,
    evidence: string,
    layer?: number,
    same = evidence,
  ): void {
    const key = `${rule}\0${same}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const e = evidence.length > MAX_EVIDENCE ? `${evidence.slice(0, MAX_EVIDENCE - 1)}…` : evidence;
    this.list.push({
      rule,
      severity,
      evidence: e,
      title: this.rules.titles[rule],
      ...(layer !== undefined ? { layer } : {}),
    });
  }
}

function indicatorFinding(rules: ConfigRules, id: string): ConfigFinding | undefined {
  return rules.indicators.find((i) => i.id === id)?.finding;
}

function hostsIn(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/([A-Za-z0-9.-]{1,253})/g)].map((m) => m[1]!.toLowerCase());
}

function knownInstaller(rules: ConfigRules, excerpt: string): boolean {
  const hosts = hostsIn(excerpt);
  return (
    hosts.length > 0 && hosts.every((h) => rules.knownInstallers.some((k) => h === k || h.endsWith(`.${k}`)))
  );
}

function evidence(unit: Unit, hit: IndicatorHit): string {
  return `${unit.where}${unit.runtime && unit.where.startsWith('/') ? `:${hit.line}` : ''}: ${hit.excerpt}`;
}

const has = (unit: Unit, id: string) => unit.hits.find((h) => h.rule === id);

function auditUnit(rules: ConfigRules, unit: Unit, out: Findings): void {
  for (const hit of unit.hits) {
    const finding = indicatorFinding(rules, hit.rule);
    const ev = evidence(unit, hit);
    // A download saved, checked against a checksum or signature, then run is verified code.
    if (hit.rule === 'download-then-shell' && has(unit, 'checksum-verify')) continue;
    if (finding === 'curl-pipe-shell') {
      const known = knownInstaller(rules, hit.excerpt);
      const severity = unit.runtime ? (known ? 'medium' : 'high') : known ? 'low' : 'medium';
      out.add('curl-pipe-shell', severity, ev, unit.layer, hit.excerpt);
    } else if (finding === 'miner-flags') {
      out.add('miner-flags', unit.runtime ? 'critical' : 'high', ev, unit.layer, hit.excerpt);
    } else if (finding === 'reverse-shell') {
      out.add('reverse-shell', unit.runtime ? 'critical' : 'high', ev, unit.layer, hit.excerpt);
    } else if (finding === 'add-from-url' && !unit.runtime) {
      out.add('add-from-url', /--checksum=/.test(hit.excerpt) ? 'low' : 'medium', ev, unit.layer);
    } else if (finding === 'privileged-hints') {
      out.add('privileged-hints', 'medium', ev, unit.layer);
    }
  }
  const download = has(unit, 'download');
  const chmod = has(unit, 'chmod-exec');
  if (download && chmod) {
    const verified = has(unit, 'checksum-verify') !== undefined;
    if (unit.runtime)
      out.add('download-chmod-exec', verified ? 'medium' : 'high', evidence(unit, chmod), unit.layer);
    else if (!verified) out.add('download-chmod-exec', 'low', evidence(unit, chmod), unit.layer);
  }
}

/** Runtime units together: fetching in one script and compiling in another is one story. */
function auditRuntimeBuild(units: Unit[], out: Findings): void {
  const first = (id: string) => {
    for (const u of units) {
      const h = has(u, id);
      if (h) return evidence(u, h);
    }
    return null;
  };
  const fetch = first('fetch-source');
  const compile = first('compile');
  const install = first('package-install');
  if (fetch && compile) out.add('runtime-build', 'high', `${fetch} … ${compile}`);
  else if (fetch || compile) out.add('runtime-build', 'medium', (fetch ?? compile)!);
  else if (install) out.add('runtime-build', 'low', install);
}

/** Consecutive build steps: one downloads, the next makes something executable. */
function auditHistoryPairs(units: Unit[], out: Findings): void {
  for (let i = 0; i + 1 < units.length; i++) {
    const a = units[i]!;
    const b = units[i + 1]!;
    const download = has(a, 'download');
    const chmod = has(b, 'chmod-exec');
    if (
      !download ||
      !chmod ||
      has(a, 'chmod-exec') ||
      has(a, 'checksum-verify') ||
      has(b, 'checksum-verify')
    ) {
      continue;
    }
    out.add('download-chmod-exec', 'low', `${evidence(a, download)} … ${evidence(b, chmod)}`, b.layer);
  }
}

function envValue(cfg: Config, name: string): string | undefined {
  const prefix = `${name}=`;
  return (cfg.Env ?? []).find((e) => typeof e === 'string' && e.startsWith(prefix))?.slice(prefix.length);
}

/** The Entrypoint/Cmd command line and the programs it names, in order. */
function commandLine(cfg: Config): { text: string; candidates: string[] } {
  const argv = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])].filter(
    (a): a is string => typeof a === 'string',
  );
  const text = argv.join(' ').slice(0, 64 * 1024);
  const candidates: string[] = [];
  if (argv[0]) candidates.push(argv[0]);
  for (const a of argv.slice(1, 32)) {
    if (/^(?:\/|\.\/)[^\s]{1,4096}$|^[^\s/-][^\s]{0,255}\.(?:sh|bash|py|js|mjs|cjs)$/.test(a))
      candidates.push(a);
    else if (/\s/.test(a)) {
      // `sh -c "cd /app && exec ./start.sh"`: the programs of the command string.
      for (const m of a.matchAll(
        /(?:^|[;&|(]\s{0,8}|\b(?:exec|nohup|then|do|sh|bash|source)\s{1,8})((?:\/|\.\/)?[A-Za-z0-9._/-]{1,255})/g,
      )) {
        candidates.push(m[1]!);
      }
    }
  }
  return { text, candidates: [...new Set(candidates)] };
}

/** The scripts the container runs: the command's programs, then the scripts those call. */
function runtimeScripts(facts: ImageFacts, cfg: Config, candidates: string[]): Unit[] {
  const units: Unit[] = [];
  const seen = new Set<string>();
  let frontier = candidates.map((c) => ({ command: c, depth: 0 }));
  const pathVar = envValue(cfg, 'PATH');
  while (frontier.length > 0 && seen.size < MAX_SCRIPTS) {
    const next: typeof frontier = [];
    for (const { command, depth } of frontier) {
      const path = resolveCommand(facts.tree, command, cfg.WorkingDir, pathVar);
      if (!path || seen.has(path) || seen.size >= MAX_SCRIPTS) continue;
      seen.add(path);
      const fact = factsOfFile(facts, SCRIPT_INDICATORS_ANALYZER, path)[0] as
        ScriptIndicatorsFact | undefined;
      if (!fact) continue;
      units.push({ where: `/${path}`, hits: fact.indicators ?? [], runtime: true });
      if (depth + 1 < MAX_DEPTH)
        for (const c of (fact.calls ?? []).slice(0, 16)) next.push({ command: c, depth: depth + 1 });
    }
    frontier = next;
  }
  return units;
}

function auditUser(cfg: Config, out: Findings): void {
  const user = (cfg.User ?? '').trim();
  const name = user.split(':')[0]!;
  if (name === '' || name === 'root' || /^0{1,16}$/.test(name)) {
    out.add('runs-as-root', 'low', user === '' ? 'User: (not set)' : `User: ${user}`);
  }
}

function auditPorts(rules: ConfigRules, cfg: Config, minerSeen: boolean, out: Findings): void {
  for (const key of Object.keys(cfg.ExposedPorts ?? {}).slice(0, 1024)) {
    const port = Number(/^(\d{1,5})(?:\/(?:tcp|udp|sctp))?$/.exec(key)?.[1]);
    if (rules.sshPorts.has(port)) out.add('exposed-ssh', 'low', `ExposedPorts: ${key}`);
    if (rules.minerPorts.has(port))
      out.add('exposed-miner-port', minerSeen ? 'medium' : 'low', `ExposedPorts: ${key}`);
  }
}

function auditEnvAndVolumes(rules: ConfigRules, cfg: Config, out: Findings): void {
  for (const entry of (cfg.Env ?? []).slice(0, 4096)) {
    if (typeof entry !== 'string') continue;
    const name = entry.slice(0, Math.max(0, entry.indexOf('=')));
    if (name === 'LD_PRELOAD' && entry.length > 'LD_PRELOAD='.length) {
      out.add('ld-preload-env', 'high', redact(`Env: ${entry}`));
    }
    auditUnit(rules, { where: `Env ${name}`, hits: findIndicators(entry, rules), runtime: false }, out);
  }
  for (const v of Object.keys(cfg.Volumes ?? {}).slice(0, 1024)) {
    if (/^(?:\/var)?\/run\/docker\.sock$/.test(v)) out.add('privileged-hints', 'medium', `Volumes: ${v}`);
  }
  for (const [k, v] of Object.entries(cfg.Labels ?? {}).slice(0, 1024)) {
    if (typeof v !== 'string') continue;
    const hits = findIndicators(v, rules).filter(
      (h) => indicatorFinding(rules, h.rule) === 'privileged-hints',
    );
    for (const h of hits) out.add('privileged-hints', 'low', `Labels ${k}: ${h.excerpt}`);
  }
}

/** The audit over one image; `facts` gives the final tree and the scripts' indicators. */
export function auditConfig(
  image: ResolvedImage,
  facts: ImageFacts,
  rules: ConfigRules = configRules(),
): MisconfigurationFinding[] {
  const out = new Findings(rules);
  // What runs and what the config says come first: an excerpt seen there and again in history
  // is reported once, at its more telling place.
  const cfg = image.config.config;
  if (cfg) {
    const { text, candidates } = commandLine(cfg);
    const runtime: Unit[] = [];
    if (text) runtime.push({ where: 'Entrypoint/Cmd', hits: findIndicators(text, rules), runtime: true });
    runtime.push(...runtimeScripts(facts, cfg, candidates));
    for (const u of runtime) auditUnit(rules, u, out);
    auditRuntimeBuild(runtime, out);
    auditEnvAndVolumes(rules, cfg, out);
  }
  const layers = historyLayerIndex(image);
  const env = new Set((cfg?.Env ?? []).filter((e): e is string => typeof e === 'string'));
  const history: Unit[] = instructions(image)
    // The final config already shows these; an overridden CMD never runs.
    .filter((ins) => ins.text.length > 0 && !CONFIG_ONLY.test(ins.text) && !restatesConfigEnv(ins.text, env))
    .map((ins) => ({
      where: `history:${ins.index}`,
      hits: findIndicators(ins.text, rules),
      runtime: false,
      layer: layerForHistory(layers, ins.index),
    }));
  for (const u of history) auditUnit(rules, u, out);
  auditHistoryPairs(history, out);
  if (cfg) {
    auditPorts(
      rules,
      cfg,
      out.list.some((f) => f.rule === 'miner-flags'),
      out,
    );
    auditUser(cfg, out);
  }
  return out.list;
}

export const configCheck: ImageCheck = {
  name: CONFIG_CHECK,
  run(ctx) {
    return { misconfigurations: auditConfig(ctx.image, ctx.facts) };
  },
};
