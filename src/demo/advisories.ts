/**
 * The demo's vulnerability data: a few OSV records written by shipshape itself (no download),
 * imported into the demo's own database so the user's real database is never touched. The
 * records describe real, public issues of the packages the demo image carries.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsvRecord } from '../vulndb/types.js';

const modified = '2026-01-01T00:00:00Z';

export const demoAdvisories: OsvRecord[] = [
  {
    id: 'DEBIAN-CVE-2024-0727',
    modified,
    upstream: ['CVE-2024-0727'],
    summary: 'openssl: denial of service when processing a maliciously formatted PKCS12 file',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H' }],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ],
  },
  {
    id: 'GHSA-jf85-cpcp-j695',
    modified,
    aliases: ['CVE-2019-10744'],
    summary: 'Prototype pollution in lodash',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H' }],
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.12' }] }],
      },
    ],
  },
  {
    id: 'MAL-DEMO-flatmap-stream',
    modified,
    summary: 'Malicious code in flatmap-stream (npm): the 2018 event-stream wallet stealer',
    affected: [{ package: { ecosystem: 'npm', name: 'flatmap-stream' }, versions: ['0.1.1'] }],
  },
  {
    id: 'GHSA-j8r2-6x86-q33q',
    modified,
    aliases: ['CVE-2023-32681'],
    summary: 'Requests leaks Proxy-Authorization headers to destination servers',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N' }],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'requests' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
      },
    ],
  },
];

/** Writes the records as a folder of OSV JSON files, the form `db import` reads. */
export async function writeDemoAdvisories(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const r of demoAdvisories) await writeFile(join(dir, `${r.id}.json`), JSON.stringify(r, null, 2));
  return dir;
}
