/**
 * Turns an inventory into findings: every package is looked up by each of its identities, every
 * advisory's affected entries for the image's release are evaluated with the ecosystem's own
 * version order, and the result is one finding per (package, vulnerability), the CVE as its id
 * where the advisory has one. Every finding says which identity, advisory and range matched.
 */
import type { DetectedOs } from '../../analyze/os/detect.js';
import type { Package } from '../../inventory/types.js';
import type { OsvAffected, OsvRecord } from '../types.js';
import { schemeFor } from '../versions/index.js';
import { queriesFor, type Query } from './ecosystem.js';
import { evaluateAffected } from './ranges.js';
import { severityOf, type Severity } from './severity.js';
import { statusOf } from './status.js';

export interface AffectedEntry {
  advisoryId: string;
  /** Full ecosystem string of the entry, with its release suffix. */
  ecosystem: string;
  affected: OsvAffected;
}

/** What the matcher needs from the vulnerability store. */
export interface AdvisoryLookup {
  affectedFor(ecosystem: string, name: string): AffectedEntry[];
  record(id: string): OsvRecord | null;
  /** The advisory's indexed columns, cheaper than inflating the whole record. */
  advisoryInfo?(id: string): {
    id: string;
    modified: string;
    withdrawn: string | null;
    aliases: string[];
    summary: string | null;
    severity: OsvRecord['severity'];
    databaseSpecific: Record<string, unknown> | null;
  } | null;
}

/** What findings need of an advisory: the indexed columns when the store has them, else the record. */
function advisoryOf(lookup: AdvisoryLookup, id: string): OsvRecord | null {
  const info = lookup.advisoryInfo?.(id);
  if (info === undefined) return lookup.record(id);
  if (info === null) return null;
  // Only the summary-less need the record's details for a title; CVE upstreams are in the id.
  if (!info.summary) return lookup.record(id);
  return {
    id: info.id,
    modified: info.modified,
    ...(info.withdrawn ? { withdrawn: info.withdrawn } : {}),
    aliases: info.aliases,
    summary: info.summary,
    ...(info.severity ? { severity: info.severity } : {}),
    ...(info.databaseSpecific ? { database_specific: info.databaseSpecific } : {}),
  };
}

export interface VulnerabilityFinding {
  id: string;
  aliases: string[];
  advisory: string;
  package: { name: string; version: string; type: string; purl: string };
  severity: Severity;
  cvss: { score: number; vector: string } | null;
  fixedVersion: string | null;
  status: 'fixed' | 'unfixed' | 'wont-fix' | 'not-affected';
  layer: number;
  title: string;
  /** Why: the identity looked up and the range that matched. */
  match: { ecosystem: string; name: string; version: string; range: string };
}

export interface MaliciousPackageFinding {
  category: 'malicious-package';
  rule: string;
  severity: 'critical';
  path: string;
  layer: number;
  sha256: null;
  evidence: string;
}

export interface MatchResult {
  vulnerabilities: VulnerabilityFinding[];
  malware: MaliciousPackageFinding[];
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

/**
 * CWEs that say the package itself is the attack (embedded malicious code, trojan horse,
 * trapdoor, logic bomb, spyware). GitHub filed the best-known npm compromises under them as
 * ordinary advisories before it had malware advisories: event-stream/flatmap-stream,
 * ua-parser-js, coa, rc, node-ipc (GHSA-…, CWE-506), and those are what an OSV mirror holds.
 */
const MALWARE_CWES = new Set(['CWE-506', 'CWE-507', 'CWE-510', 'CWE-511', 'CWE-512']);
/** GitHub's wording for them ("Embedded malware in rc", "Embedded Malicious Code in node-ipc"),
 * anchored: a flaw that "allows injection of malicious code" is a vulnerability. */
const MALWARE_SUMMARY = /^\s*(?:embedded\s+)?(?:malware|malicious\s+code)\s+in\b/i;

function isMalicious(record: OsvRecord): boolean {
  if (record.id.startsWith('MAL-') || record.database_specific?.['malicious-packages-origins'] !== undefined)
    return true;
  const cwes = record.database_specific?.['cwe_ids'];
  if (Array.isArray(cwes) && cwes.some((c) => typeof c === 'string' && MALWARE_CWES.has(c))) return true;
  return MALWARE_SUMMARY.test(record.summary ?? '');
}

/** The CVE the advisory is about, when it names exactly one (aliases, then upstream). */
function cveOf(record: OsvRecord): string | null {
  if (record.id.startsWith('CVE-')) return record.id;
  // Distro records named after the CVE they track: DEBIAN-CVE-2024-0727, UBUNTU-CVE-..., ALPINE-CVE-...
  const named = /^[A-Z]+-(CVE-\d{4}-\d{4,})$/.exec(record.id);
  if (named) return named[1]!;
  const cves = [...(record.aliases ?? []), ...(record.upstream ?? [])].filter((a) => a.startsWith('CVE-'));
  const unique = [...new Set(cves)];
  return unique.length === 1 ? unique[0]! : null;
}

function titleOf(record: OsvRecord): string {
  const t = record.summary?.trim() || record.details?.trim().split('\n')[0] || record.id;
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

function packageRef(p: Package) {
  return { name: p.name, version: p.version, type: p.type, purl: p.purl };
}

function matchQuery(
  pkg: Package,
  q: Query,
  lookup: AdvisoryLookup,
  records: Map<string, OsvRecord | null>,
): { record: OsvRecord; fixed: string | null; range: string; affected: OsvAffected }[] {
  const scheme = schemeFor(q.ecosystem);
  if (!scheme) return [];
  const out = [];
  for (const entry of lookup.affectedFor(q.ecosystem, q.name)) {
    if (!q.releaseMatches(entry.ecosystem)) continue;
    const verdict = evaluateAffected(q.version, entry.affected, scheme);
    if (!verdict.affected) continue;
    let record = records.get(entry.advisoryId);
    if (record === undefined) records.set(entry.advisoryId, (record = advisoryOf(lookup, entry.advisoryId)));
    if (!record || record.withdrawn) continue;
    out.push({ record, fixed: verdict.fixed, range: verdict.matched ?? '', affected: entry.affected });
  }
  return out;
}

export function matchInventory(
  packages: Package[],
  os: DetectedOs | null,
  lookup: AdvisoryLookup,
): MatchResult {
  const records = new Map<string, OsvRecord | null>();
  const vulnerabilities: VulnerabilityFinding[] = [];
  const malware: MaliciousPackageFinding[] = [];
  for (const pkg of packages) {
    const identities: Package[] = [pkg];
    // A language identity folded into an OS package is still what malicious-package feeds name.
    for (const a of pkg.alsoKnownAs ?? [])
      identities.push({ ...pkg, type: a.type, name: a.name, version: a.version, purl: a.purl });
    const byId = new Map<string, VulnerabilityFinding>();
    for (const [i, identity] of identities.entries()) {
      for (const q of queriesFor(identity, os)) {
        for (const m of matchQuery(identity, q, lookup, records)) {
          if (isMalicious(m.record)) {
            // Every place the package is installed is a copy of the attack.
            for (const path of pkg.paths.length > 0 ? pkg.paths : ['']) {
              if (malware.some((x) => x.rule === m.record.id && x.path === path)) continue;
              malware.push({
                category: 'malicious-package',
                rule: m.record.id,
                severity: 'critical',
                path,
                layer: pkg.layer,
                sha256: null,
                evidence: `${identity.name}@${identity.version}: ${titleOf(m.record)}`.slice(0, 300),
              });
            }
            continue;
          }
          // Vulnerabilities are matched on the primary identity only: the OS distributor's
          // advisories describe what it shipped (backported fixes included), the upstream
          // registry's would not.
          if (i > 0) continue;
          const cve = cveOf(m.record);
          const id = cve ?? m.record.id;
          const sev = severityOf(m.record, m.affected.severity ?? []);
          const aliases = new Set([m.record.id, ...(m.record.aliases ?? [])]);
          aliases.delete(id);
          const prev = byId.get(id);
          if (prev) {
            for (const a of aliases) if (a !== prev.id && !prev.aliases.includes(a)) prev.aliases.push(a);
            if (SEVERITY_RANK[sev.severity] > SEVERITY_RANK[prev.severity]) {
              prev.severity = sev.severity;
              prev.cvss = sev.cvss;
            }
            prev.fixedVersion ??= m.fixed;
            const status = statusOf(m.fixed, m.affected, m.record);
            // A fix anywhere wins; "won't fix" from one source beats "no fix yet" from another.
            if (prev.fixedVersion) prev.status = 'fixed';
            else if (status === 'wont-fix') prev.status = status;
            continue;
          }
          byId.set(id, {
            id,
            aliases: [...aliases].sort(),
            advisory: m.record.id,
            package: packageRef(pkg),
            severity: sev.severity,
            cvss: sev.cvss,
            fixedVersion: m.fixed,
            status: statusOf(m.fixed, m.affected, m.record),
            layer: pkg.layer,
            title: titleOf(m.record),
            match: { ecosystem: q.ecosystem, name: q.name, version: q.version, range: m.range },
          });
        }
      }
    }
    vulnerabilities.push(...byId.values());
  }
  vulnerabilities.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.package.name.localeCompare(b.package.name) ||
      a.id.localeCompare(b.id),
  );
  return { vulnerabilities, malware };
}
