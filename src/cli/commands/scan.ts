import { analyzeTarget } from '../analyze-target.js';
import { defaultAnalyzers } from '../../analyze/index.js';
import { threatAnalyzers, threatChecks } from '../../analyze/threats.js';
import { threatFindings, type ThreatFindings } from '../../scan/threats.js';
import { Command } from 'commander';
import { ShipshapeError, withTarget } from '../../errors.js';
import { applyIgnores, loadIgnoreFile, type Suppressed } from '../../policy/ignore.js';
import { loadVex, vexFor } from '../../policy/vex.js';
import { parseFailOn, verdictOf } from '../../policy/verdict.js';
import { scanJson, type ScanOutcome } from '../../report/scan-report.js';
import { scanTable } from '../../report/scan-table.js';
import { inventoryOf } from '../../scan/inventory.js';
import { readSbom } from '../../scan/sbom-input.js';
import { osEolFinding } from '../../vulndb/eol/os-eol.js';
import { matchInventory } from '../../vulndb/match/matcher.js';
import { VulnStore } from '../../vulndb/index.js';
import { addCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface ScanOptions extends CommonOptions {
  failOn?: string;
  ignoreFile?: string;
  vex?: string[];
  dynamic?: boolean;
}

async function inventoryFor(target: string, o: ScanOptions) {
  if (target.startsWith('sbom:')) {
    const sbom = await readSbom(target, target.slice('sbom:'.length));
    return { ...sbom, layerFacts: undefined, warnings: [] as string[], analyzed: null };
  }
  const analyzed = await analyzeTarget(target, o, undefined, [...defaultAnalyzers(), ...threatAnalyzers()]);
  return {
    analyzed,
    image: analyzed.image,
    os: analyzed.os,
    packages: inventoryOf(analyzed).packages,
    layerFacts: analyzed.facts.layers,
    warnings: analyzed.facts.layers.flatMap((l) => l.warnings),
  };
}

export async function scanTarget(target: string, o: ScanOptions): Promise<ScanOutcome> {
  const started = performance.now();
  const failOn = parseFailOn(o.failOn);
  if (o.dynamic) throw new ShipshapeError('UNSUPPORTED', '--dynamic: the sandbox is not built yet');
  try {
    const inv = await inventoryFor(target, o);
    const checks = ['packages'];
    const warnings = [...inv.warnings];
    let match: ScanOutcome['match'] = { vulnerabilities: [], malware: [] };
    let database: ScanOutcome['database'] = null;
    let threats: ThreatFindings | null = null;
    const vulns = VulnStore.open(o.db);
    try {
      if (inv.analyzed) {
        threats = await threatFindings(
          { image: inv.image, facts: inv.analyzed.facts, packages: inv.packages, os: inv.os, db: vulns.db },
          threatChecks(),
        );
        checks.push('malware', 'secrets', 'misconfigurations', 'binaries', ...threats.checks);
        warnings.push(...threats.warnings);
        if (threats.gaps.length) {
          const bytes = threats.gaps.reduce((n, g) => n + g.bytes, 0);
          warnings.push(
            `${threats.gaps.length} file(s) not fully scanned for threats (${bytes} bytes): see "gaps"`,
          );
        }
      }
      const totals = vulns.totals();
      if (totals.advisories === 0) {
        warnings.push(
          'the vulnerability database is empty: run `shipshape db update` (or `db import`) to check for vulnerabilities',
        );
      } else {
        match = matchInventory(inv.packages, inv.os, vulns);
        checks.push('vulnerabilities', 'malicious-packages');
        const last = vulns
          .states()
          .map((s) => s.updatedAt)
          .sort()
          .at(-1);
        database = { advisories: totals.advisories, lastUpdate: last ?? null };
      }
    } finally {
      vulns.close();
    }
    const eol = osEolFinding(inv.os);
    if (inv.os) checks.push('os-eol');
    if (eol) match.vulnerabilities.unshift(eol);
    const vex = await loadVex(o.vex ?? []);
    const vexSuppressed: Suppressed[] = [];
    match.vulnerabilities = match.vulnerabilities.filter((v) => {
      const statement = vexFor(vex, [v.id, ...v.aliases], v.package.purl);
      if (!statement) return true;
      const why = statement.justification ? `: ${statement.justification}` : '';
      vexSuppressed.push({
        kind: 'vulnerability',
        id: v.id,
        package: v.package.name,
        reason: `VEX ${statement.status}${why}`,
        source: statement.source,
      });
      return false;
    });
    const ignore = await loadIgnoreFile(o.ignoreFile);
    const vulnsKept = applyIgnores(
      match.vulnerabilities,
      (v) => ({
        kind: 'vulnerability',
        ids: [v.id, ...v.aliases],
        packages: [v.package.name, v.package.purl],
      }),
      ignore,
    );
    const malwareKept = applyIgnores(
      match.malware,
      (m) => ({ kind: 'malware', ids: [m.rule], packages: [m.path] }),
      ignore,
    );
    match = { vulnerabilities: vulnsKept.kept, malware: malwareKept.kept };
    const suppressed = [...vexSuppressed, ...vulnsKept.suppressed, ...malwareKept.suppressed];
    warnings.push(...vulnsKept.warnings);
    if (threats) {
      const m = applyIgnores(
        threats.malware,
        (f) => ({ kind: 'malware', ids: [f.rule], packages: [f.path] }),
        ignore,
      );
      const s = applyIgnores(
        threats.secrets,
        (f) => ({ kind: 'secret', ids: [f.rule], packages: [f.path] }),
        ignore,
      );
      const c = applyIgnores(
        threats.misconfigurations,
        (f) => ({ kind: 'misconfiguration', ids: [f.rule], packages: [] }),
        ignore,
      );
      threats = { ...threats, malware: m.kept, secrets: s.kept, misconfigurations: c.kept };
      suppressed.push(...m.suppressed, ...s.suppressed, ...c.suppressed);
    }
    const findings = [
      ...match.vulnerabilities.map((v) => ({
        kind: 'vulnerability',
        id: v.id,
        severity: v.severity,
        where: `${v.package.name} ${v.package.version}`,
      })),
      ...match.malware.map((m) => ({ kind: 'malware', id: m.rule, severity: m.severity, where: m.path })),
      ...(threats?.malware ?? []).map((m) => ({
        kind: 'malware',
        id: m.rule,
        severity: m.severity,
        where: `${m.path}${m.innerPath ? ` [${m.innerPath}]` : ''} (layer ${m.layer})`,
      })),
      ...(threats?.secrets ?? []).map((m) => ({
        kind: 'secret',
        id: m.rule,
        severity: m.severity,
        where: `${m.path} (layer ${m.layer})`,
      })),
      ...(threats?.misconfigurations ?? []).map((m) => ({
        kind: 'misconfiguration',
        id: m.rule,
        severity: m.severity,
        where: 'image config',
      })),
    ];
    return {
      image: inv.image,
      os: inv.os,
      layerFacts: inv.layerFacts,
      packages: inv.packages,
      match,
      threats,
      checks,
      database,
      suppressed,
      verdict: verdictOf(findings, failOn),
      warnings,
      totalMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    throw withTarget(e, target);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function scanCommand(): Command {
  const cmd = new Command('scan')
    .description('inventory an image and match it against the vulnerability and malicious-package database')
    .argument(
      '<target>',
      'image reference, docker-archive:PATH, PATH.tar, oci:DIR[:TAG], dir:PATH or sbom:FILE (CycloneDX)',
    )
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding at or above this severity exists (critical, high, medium, low, unknown)',
    )
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX statements to apply (repeatable)', collect, [])
    .option(
      '--ignore-file <path>',
      'accepted findings (default: .shipshapeignore in the current directory, if present)',
    )
    .option('--dynamic', 'also run the image in the sandbox (not built yet)');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (target: string, o: ScanOptions) => {
    const outcome = await scanTarget(target, o);
    const text =
      o.format === 'json'
        ? JSON.stringify(scanJson(outcome), null, 2)
        : scanTable(outcome, Boolean(process.stdout.isTTY) && !o.output);
    await emit(text, o.output);
    if (!outcome.verdict.pass) process.exitCode = 1;
  });
  return cmd;
}
