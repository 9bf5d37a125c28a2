/** The sandbox run for a terminal: what ran, what it reached, what it wrote, and the verdicts. */
import Table from 'cli-table3';
import type { BehaviorReport } from '../sandbox/types.js';

const MAX_ROWS = 25;

export function behaviorTable(b: BehaviorReport, color: boolean): string {
  const style = color ? {} : { style: { head: [], border: [] } };
  const lines = [
    `Sandbox   ran ${(b.durationMs / 1000).toFixed(1)} s, ${b.timedOut ? 'stopped at the time limit' : `exit code ${b.exitCode ?? '(none)'}`}, monitor ${b.monitor ?? 'none'}`,
    `Processes ${b.processes.length}   Network ${b.network.length}   File events ${b.files.length}   Dropped ${b.dropped.length}`,
  ];
  if (b.findings.length) {
    const t = new Table({ head: ['behaviour', 'rule', 'severity', 'evidence'], ...style });
    for (const f of b.findings.slice(0, MAX_ROWS))
      t.push([f.category, f.rule, f.severity, f.evidence.slice(0, 90)]);
    lines.push('', t.toString());
  } else lines.push('Behaviour findings: none');
  if (b.processes.length) {
    const t = new Table({ head: ['pid', 'ppid', 'ms', 'argv'], ...style });
    for (const p of b.processes.slice(0, MAX_ROWS))
      t.push([String(p.pid), String(p.ppid), String(p.startMs), p.argv.join(' ').slice(0, 100)]);
    lines.push('', t.toString());
  }
  if (b.network.length) {
    const t = new Table({ head: ['kind', 'host', 'ip', 'port', 'first bytes / detail'], ...style });
    for (const n of b.network.slice(0, MAX_ROWS))
      t.push([
        n.kind,
        n.host ?? '',
        n.ip ?? '',
        n.port === null ? '' : String(n.port),
        (n.detail ?? n.firstBytes).slice(0, 70),
      ]);
    lines.push('', t.toString());
  }
  if (b.dropped.length) {
    const t = new Table({ head: ['dropped file', 'size', 'sha256'], ...style });
    for (const d of b.dropped.slice(0, MAX_ROWS))
      t.push([d.path, String(d.size), (d.sha256 ?? '').slice(0, 16)]);
    lines.push('', t.toString());
  }
  for (const w of b.warnings) lines.push(`sandbox warning: ${w}`);
  return lines.join('\n');
}
