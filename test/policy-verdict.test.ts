import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFailOn, verdictOf } from '../src/policy/verdict.js';

const f = (kind: string, id: string, severity: string) => ({ kind, id, severity, where: 'x' });

test('default gate: malware, behaviour and the attack misconfigurations (miner settings, reverse shells) at high or above', () => {
  const cases: [ReturnType<typeof f>[], boolean][] = [
    [[f('malware', 'miner-xmrig-binary', 'critical')], false],
    [[f('behavior', 'reverse-shell', 'high')], false],
    [[f('misconfiguration', 'miner-flags', 'critical')], false],
    [[f('misconfiguration', 'reverse-shell', 'high')], false],
    [[f('malware', 'spam-seo-page', 'medium')], true],
    [[f('misconfiguration', 'miner-flags', 'medium')], true],
    // Hygiene, however severe, is the team's threshold to set (--fail-on).
    [[f('misconfiguration', 'curl-pipe-shell', 'high'), f('misconfiguration', 'runs-as-root', 'low')], true],
    [[f('vulnerability', 'CVE-2024-0001', 'critical'), f('secret', 'aws-access-key-id', 'critical')], true],
  ];
  for (const [findings, pass] of cases) {
    const v = verdictOf(findings, parseFailOn(undefined));
    assert.equal(v.pass, pass, JSON.stringify(findings));
    if (!pass) assert.match(v.reasons[0] ?? '', new RegExp(findings[0]!.id), 'the reason names the finding');
  }
  assert.equal(
    verdictOf([f('misconfiguration', 'miner-flags', 'critical')], 'none').pass,
    true,
    '--fail-on none',
  );
  assert.equal(
    verdictOf([f('misconfiguration', 'curl-pipe-shell', 'high')], 'high').pass,
    false,
    '--fail-on high',
  );
});
