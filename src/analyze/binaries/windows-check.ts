/**
 * Windows files in a Linux image (category `windows-malware`): a Linux container cannot run a
 * PE, a batch file or a VBScript, so one shipped in it is a payload waiting for another host,
 * or a tool meant for Wine, Mono or PowerShell Core, unless it sits where Linux software
 * legitimately keeps such files (rules/binaries/windows-allowlist.json). Windows images are not
 * checked. Ranked by what the binaries analyzer saw: process-injection imports, offensive .NET
 * tool names, packing or a download cradle make it high; a signature with none of these, low.
 *
 * Not flagged: UEFI applications (PE, but firmware, not Windows), IL-only .NET libraries
 * (portable assemblies that .NET runs on Linux), and Windows shims that package managers ship
 * inside package trees unless they carry a cradle.
 */
import type {
  BinaryFact,
  ImageCheck,
  ImageCheckContext,
  MalwareFinding,
  ThreatSeverity,
} from '../findings.js';
import type { Fact } from '../types.js';
import { layerDigests } from '../hashes/file-digests.js';
import { BINARIES_ANALYZER } from './analyzer.js';
import { isWindowsImage, placedFacts, type PlacedFact } from './layer-facts.js';
import { windowsRules, type WindowsRules } from './rules.js';

export const WINDOWS_CHECK = 'windows-files-in-linux-image';

const WINDOWS_SCRIPT_LANGUAGES = new Set(['powershell', 'batch', 'vbscript', 'jscript', 'wsh']);

function isBinaryFact(f: Fact): f is BinaryFact {
  return f.kind === 'binary' && typeof f.path === 'string' && typeof f.format === 'string';
}

interface Ranked {
  rule: string;
  severity: ThreatSeverity;
  evidence: string;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** What one Windows file is and how bad it looks; undefined when it is not flagged. */
export function rankWindowsFile(b: BinaryFact, rules: WindowsRules): Ranked | undefined {
  const d = b.details ?? {};
  const why: string[] = [];
  let high = false;
  if (b.format === 'pe' && b.platform === 'windows') {
    const dotnet = b.language === 'dotnet';
    const imports = new Set(list(d.imports));
    const injection = rules.injectionSets.find((s) => s.imports.every((i) => imports.has(i)));
    const offensive = list(d.offensiveNames);
    const packer = typeof d.packer === 'string' ? d.packer : undefined;
    if (injection) why.push(`imports ${injection.imports.join(', ')} (${injection.id})`);
    if (offensive.length) why.push(`.NET names of offensive tools: ${offensive.join(', ')}`);
    if (packer) why.push(`packed (${packer})`);
    high = why.length > 0;
    const ilOnlyLibrary =
      dotnet && d.kind === 'dll' && (d.dotnet as { ilOnly?: boolean } | undefined)?.ilOnly === true;
    if (!high && ilOnlyLibrary) return undefined;
    const what = dotnet ? `.NET ${String(d.kind ?? 'assembly')}` : `Windows ${String(d.kind ?? 'PE')}`;
    const signed = d.signed === true;
    const severity: ThreatSeverity = high ? 'high' : signed ? 'low' : 'medium';
    const extra = why.length ? `: ${why.join('; ')}` : signed ? ' (Authenticode-signed)' : '';
    return {
      rule: dotnet ? 'windows-dotnet-in-linux-image' : 'windows-pe-in-linux-image',
      severity,
      evidence: `${what} (${b.arch ?? 'unknown arch'}, ${String(d.subsystem ?? 'unknown subsystem')}) in a Linux image${extra}`,
    };
  }
  if (b.format === 'script' && WINDOWS_SCRIPT_LANGUAGES.has(b.language)) {
    const cradles = list(d.cradles);
    if (cradles.length) why.push(`download cradle (${cradles.join(', ')})`);
    high = cradles.length > 0;
    return {
      rule: 'windows-script-in-linux-image',
      severity: high ? 'high' : 'medium',
      evidence: `${b.language} script in a Linux image${why.length ? `: ${why.join('; ')}` : ''}`,
    };
  }
  return undefined;
}

function findingOf(p: PlacedFact<BinaryFact>, r: Ranked, sha256: string | undefined): MalwareFinding {
  const f: MalwareFinding = {
    category: 'windows-malware',
    rule: r.rule,
    severity: r.severity,
    path: p.fact.path,
    layer: p.layer,
    sha256: p.fact.sha256 ?? sha256 ?? null,
    evidence: r.evidence,
  };
  if (p.removedIn !== undefined) f.removedIn = p.removedIn;
  return f;
}

export function windowsFilesFindings(ctx: ImageCheckContext, rules = windowsRules()): MalwareFinding[] {
  if (isWindowsImage(ctx.image.platform, ctx.image.config.os)) return [];
  const out: MalwareFinding[] = [];
  // An executable's sha256 is file-digests' (see the binaries analyzer).
  const digests = ctx.facts.layers.map((l) => layerDigests(l.facts));
  for (const p of placedFacts(ctx.facts, BINARIES_ANALYZER, isBinaryFact)) {
    const ranked = rankWindowsFile(p.fact, rules);
    if (!ranked) continue;
    if (rules.allowed(p.fact.path)) continue;
    if (ranked.severity !== 'high' && p.fact.format === 'script' && rules.shimRoot(p.fact.path)) continue;
    out.push(findingOf(p, ranked, digests[p.layer]?.get(p.fact.path)));
  }
  return out;
}

export const windowsFilesCheck: ImageCheck = {
  name: WINDOWS_CHECK,
  run: (ctx) => ({ malware: windowsFilesFindings(ctx) }),
};
