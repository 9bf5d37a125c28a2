import { analyzeTarget } from '../analyze-target.js';
import type { BehaviorReport } from '../../sandbox/types.js';
import { behaviorFindings, sandboxImage } from './sandbox.js';
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
  timeout?: string;
  monitor?: string;
  clamav?: boolean;
  clamavSocket?: string;
  clamavDb?: string;
  failOn?: string;
  ignoreFile?: string;
  vex?: string[];
  dynamic?: boolean;
}

async function inventoryFor(target: string, o: ScanOptions) {
  if (target.startsWith('sbom:')) {
    const sbom = await readSbom(target, target.slice('sbom:'.length));
    if (o.clamav) throw new ShipshapeError('BAD_ARGUMENT', '--clamav needs an image, not an SBOM');
    return { ...sbom, layerFacts: undefined, warnings: [] as string[], analyzed: null, clamav: null };
  }
  const analyzers = [...defaultAnalyzers(), ...threatAnalyzers()];
  if (!o.clamav) {
    const analyzed = await analyzeTarget(target, o, undefined, analyzers);
    return { ...inventoryParts(analyzed), clamav: null };
  }
  // ClamAV scans files on disk: every layer's files are spooled during the one pass, so no layer
  // may come from the cache for this run.
  const clam = await import('../../analyze/clamav/index.js');
  if (!(await clam.clamavAvailable(o.clamavSocket ? { socket: o.clamavSocket } : {}))) {
    throw new ShipshapeError('UNSUPPORTED', '--clamav: ClamAV is not installed (apt-get install clamav)');
  }
  const spool = await clam.createClamavSpool();
  try {
    const analyzed = await analyzeTarget(target, { ...o, cache: false }, undefined, [
      ...analyzers,
      spool.analyzer,
    ]);
    const result = await clam.scanSpooledWithClamav(spool, analyzed.facts, {
      ...(o.clamavSocket ? { socket: o.clamavSocket } : {}),
      ...(o.clamavDb ? { database: o.clamavDb } : {}),
    });
    return { ...inventoryParts(analyzed), clamav: result };
  } finally {
    await spool.remove();
  }
}

function inventoryParts(analyzed: Awaited<ReturnType<typeof analyzeTarget>>) {
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
        if (inv.clamav) {
          threats.malware.push(...inv.clamav.findings);
          threats.gaps.push(...inv.clamav.gaps.map(({ kind: _k, ...g }) => g));
          warnings.push(...inv.clamav.warnings);
          if (inv.clamav.complete) checks.push('clamav');
        }
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
    let behavior: BehaviorReport | null = null;
    if (o.dynamic) {
      if (!inv.analyzed) throw new ShipshapeError('BAD_ARGUMENT', '--dynamic needs an image, not an SBOM');
      behavior = await sandboxImage(target, inv.analyzed, o);
      checks.push('behavior');
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
      ...behaviorFindings(behavior),
    ];
    return {
      image: inv.image,
      os: inv.os,
      layerFacts: inv.layerFacts,
      packages: inv.packages,
      match,
      threats,
      behavior,
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
    .option('--dynamic', 'also run the image in the sandbox and judge its behaviour')
    .option('--timeout <seconds>', 'with --dynamic: the observation window (default 30)')
    .option('--monitor <name>', 'with --dynamic: strace (default) or bpftrace')
    .option('--clamav', 'also scan every file with ClamAV (clamd or clamscan, with your signatures)')
    .option('--clamav-socket <path>', 'a clamd socket to use (implies --clamav)')
    .option('--clamav-db <dir>', 'ClamAV signatures to use with clamscan (implies --clamav)');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (target: string, o: ScanOptions) => {
    if (o.clamavSocket || o.clamavDb) o.clamav = true;
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
