/**
 * End-of-life OS releases: an image on a release that no longer gets security updates carries
 * every vulnerability found after that date, fixed or not. The dates are data (rules/os-eol.json).
 */
import { readFileSync } from 'node:fs';
import type { DetectedOs } from '../../analyze/os/detect.js';
import type { VulnerabilityFinding } from '../match/matcher.js';

type EolTable = Record<string, Record<string, string>>;

let table: EolTable | null = null;

function eolTable(): EolTable {
  table ??= JSON.parse(
    readFileSync(new URL('../../../rules/os-eol.json', import.meta.url), 'utf8'),
  ) as EolTable;
  return table;
}

/** The release key of a version in the table: `3.20.3` → `3.20` for Alpine, `8.9` → `8` for RHEL. */
function releaseKey(family: string, version: string): string {
  if (family === 'ubuntu' || family === 'alpine') return /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
  return /^(\d+)/.exec(version)?.[1] ?? version;
}

export function osEolFinding(os: DetectedOs | null, now: Date = new Date()): VulnerabilityFinding | null {
  if (!os?.version) return null;
  const release = releaseKey(os.family, os.version);
  const eol = eolTable()[os.family]?.[release];
  if (!eol || new Date(`${eol}T23:59:59Z`) >= now) return null;
  const name = os.name ?? `${os.family} ${os.version}`;
  return {
    id: 'os-eol',
    aliases: [],
    advisory: 'os-eol',
    package: { name: os.family, version: os.version, type: 'os', purl: '' },
    severity: 'high',
    cvss: null,
    fixedVersion: null,
    status: 'unfixed',
    layer: 0,
    title: `${name} reached its end of life on ${eol}: it gets no more security updates`,
    match: { ecosystem: os.family, name: os.family, version: os.version, range: `end of life ${eol}` },
  };
}
