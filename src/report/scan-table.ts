/** `shipshape scan` for a terminal: the image, counts by severity, then the findings. */
import Table from 'cli-table3';
import { behaviorTable } from './behavior-table.js';
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
  const malware = [...o.match.malware, ...(o.threats?.malware ?? [])];
  lines.push(`Malware  ${malware.length} (${o.match.malware.length} malicious packages)`);
  if (o.threats) {
    lines.push(`Secrets  ${o.threats.secrets.length}`);
    lines.push(`Misconfigurations  ${o.threats.misconfigurations.length}`);
    const langs = new Map<string, number>();
    for (const b of o.threats.binaries)
      langs.set(`${b.format}/${b.language}`, (langs.get(`${b.format}/${b.language}`) ?? 0) + 1);
    lines.push(
      `Binaries  ${o.threats.binaries.length}${langs.size ? ` (${[...langs].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
    );
  }
  if (malware.length) {
    const t = new Table({ head: ['category', 'rule', 'severity', 'layer', 'path', 'evidence'], ...style });
    for (const m of malware) {
      const inner = 'innerPath' in m && m.innerPath ? ` [${m.innerPath}]` : '';
      const removed = 'removedIn' in m && m.removedIn !== undefined ? ` (deleted in ${m.removedIn})` : '';
      t.push([
        m.category,
        m.rule,
        m.severity,
        `${m.layer}${removed}`,
        `${m.path}${inner}`,
        m.evidence.slice(0, 80),
      ]);
    }
    lines.push('', t.toString());
  }
  if (o.threats?.secrets.length) {
    const t = new Table({ head: ['secret', 'severity', 'layer', 'path', 'evidence'], ...style });
    for (const x of o.threats.secrets)
      t.push([
        x.rule,
        x.severity,
        String(x.layer),
        `${x.path}${x.line ? `:${x.line}` : ''}`,
        x.evidence.slice(0, 60),
      ]);
    lines.push('', t.toString());
  }
  if (o.threats?.misconfigurations.length) {
    const t = new Table({ head: ['misconfiguration', 'severity', 'evidence'], ...style });
    for (const x of o.threats.misconfigurations) t.push([x.rule, x.severity, x.evidence.slice(0, 90)]);
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
  if (o.behavior) lines.push('', behaviorTable(o.behavior, color));
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
