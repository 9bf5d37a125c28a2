/** `shipshape scan` for a terminal: the image, counts by severity, then the findings. */
import Table from 'cli-table3';
import type { ScanOutcome } from './scan-report.js';

const ORDER = ['critical', 'high', 'medium', 'low', 'unknown'];

export function scanTable(o: ScanOutcome, color: boolean): string {
  const style = color ? {} : { style: { head: [], border: [] } };
  const lines = [`Image     ${o.image.ref ?? o.image.input}`];
  if (o.image.digest) lines.push(`Digest    ${o.image.digest}`);
  if (o.os) lines.push(`OS        ${o.os.name ?? o.os.family}`);
  lines.push(`Packages  ${o.packages.length}`);
  if (o.database) {
    lines.push(
      `Database  ${o.database.advisories} advisories${o.database.lastUpdate ? `, updated ${o.database.lastUpdate}` : ''}`,
    );
  }
  const counts = ORDER.map((s) => `${s} ${o.match.vulnerabilities.filter((v) => v.severity === s).length}`);
  lines.push(`Vulnerabilities  ${o.match.vulnerabilities.length} (${counts.join(', ')})`);
  lines.push(`Malicious packages  ${o.match.malware.length}`);
  if (o.match.malware.length) {
    const t = new Table({ head: ['rule', 'severity', 'layer', 'path', 'evidence'], ...style });
    for (const m of o.match.malware)
      t.push([m.rule, m.severity, String(m.layer), m.path, m.evidence.slice(0, 80)]);
    lines.push('', t.toString());
  }
  if (o.match.vulnerabilities.length) {
    const t = new Table({ head: ['id', 'severity', 'package', 'installed', 'fixed in', 'layer'], ...style });
    for (const v of o.match.vulnerabilities) {
      t.push([
        v.id,
        v.severity,
        v.package.name,
        v.package.version,
        v.fixedVersion ?? '(none)',
        String(v.layer),
      ]);
    }
    lines.push('', t.toString());
  }
  for (const x of o.suppressed) lines.push(`suppressed: ${x.kind} ${x.id} in ${x.package} (${x.reason})`);
  lines.push('', `Checks run: ${o.checks.join(', ')}`);
  lines.push(
    o.verdict.pass
      ? 'Verdict: pass'
      : `Verdict: FAIL\n${o.verdict.reasons.map((r) => `  - ${r}`).join('\n')}`,
  );
  for (const w of o.warnings) lines.push(`warning: ${w}`);
  for (const n of o.image.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
