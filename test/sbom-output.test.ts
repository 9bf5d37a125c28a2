import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Package } from '../src/inventory/types.js';
import { cyclonedxJson } from '../src/report/cyclonedx.js';
import type { SbomInput } from '../src/report/sbom-context.js';
import { spdxJson } from '../src/report/spdx.js';

const packages: Package[] = [
  {
    name: 'openssl',
    version: '3.0.11-1~deb12u2',
    type: 'deb',
    purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
    sourceName: 'openssl',
    arch: 'amd64',
    licenses: ['Apache-2.0', 'GPL-2+ with OpenSSL exception', 'MIT OR Apache-2.0'],
    layer: 0,
    paths: ['var/lib/dpkg/status'],
    alsoKnownAs: [{ type: 'pypi', name: 'x', version: '1', purl: 'pkg:pypi/x@1', path: 'p' }],
  },
  {
    name: 'core',
    namespace: 'org.example',
    version: '1.0',
    type: 'maven',
    purl: 'pkg:maven/org.example/core@1.0',
    layer: 1,
    paths: ['app/app.war'],
    innerPath: 'WEB-INF/lib/core-1.0.jar',
  },
  {
    name: 'core',
    namespace: 'org.example',
    version: '1.0',
    type: 'maven',
    purl: 'pkg:maven/org.example/core@1.0',
    layer: 1,
    paths: ['app/other.war'],
  },
  {
    name: '@babel/core',
    version: '7.24.0',
    type: 'npm',
    purl: 'pkg:npm/%40babel/core@7.24.0',
    licenses: ['MIT'],
    layer: 1,
    paths: ['app/node_modules/@babel/core/package.json'],
  },
  { name: 'weird name <&>"', version: '', type: 'binary', purl: 'pkg:generic/weird', layer: 1, paths: ['x'] },
];

const input: SbomInput = {
  image: {
    input: 'oci:/tmp/x:1',
    ref: 'docker.io/library/demo:1',
    digest: `sha256:${'a'.repeat(64)}`,
    indexDigest: null,
    platforms: [],
    platform: 'linux/amd64',
    manifestMediaType: null,
    config: {},
    configDigest: `sha256:${'b'.repeat(64)}`,
    layers: [
      {
        index: 0,
        digest: `sha256:${'c'.repeat(64)}`,
        diffId: `sha256:${'d'.repeat(64)}`,
        size: 1,
        mediaType: 'm',
        createdBy: 'ADD rootfs /',
      },
      {
        index: 1,
        digest: `sha256:${'e'.repeat(64)}`,
        diffId: null,
        size: 1,
        mediaType: 'm',
        createdBy: 'COPY . /app',
      },
    ],
    history: [],
    notes: [],
  },
  os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' },
  packages,
  created: '2026-11-29T10:00:00.000Z',
  toolVersion: '0.1.0',
};

test('cyclonedx: 1.6 JSON that passes the official schema (strict), with layer and path properties', async () => {
  const text = cyclonedxJson(input);
  const errors = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text);
  assert.equal(errors, null, JSON.stringify(errors));
  const bom = JSON.parse(text);
  assert.equal(bom.specVersion, '1.6');
  assert.equal(bom.metadata.component.type, 'container');
  assert.equal(bom.metadata.component.name, 'docker.io/library/demo:1');
  const openssl = bom.components.find((c: { name: string }) => c.name === 'openssl');
  const props = Object.fromEntries(
    openssl.properties.map((p: { name: string; value: string }) => [p.name, p.value]),
  );
  assert.equal(props['shipshape:layer:createdBy'], 'ADD rootfs /');
  assert.equal(props['shipshape:package:sourceName'], 'openssl');
  assert.equal(openssl.purl, packages[0]!.purl);
  assert.equal(bom.components.filter((c: { type: string }) => c.type === 'operating-system').length, 1);
  assert.equal(bom.components.length, packages.length + 1);
  assert.equal(
    bom.dependencies.find((d: { ref: string }) => d.ref === 'image').dependsOn.length,
    packages.length + 1,
  );
});

test('spdx: 2.3 JSON with the required fields, unique SPDXIDs, valid licence expressions and relationships', () => {
  const doc = JSON.parse(spdxJson(input));
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.dataLicense, 'CC0-1.0');
  assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
  assert.match(doc.documentNamespace, /^https:\/\/[^\s#]+$/);
  assert.match(doc.creationInfo.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(doc.creationInfo.creators, ['Tool: shipshape-0.1.0']);
  const ids = new Set<string>();
  for (const p of doc.packages) {
    for (const field of [
      'name',
      'SPDXID',
      'downloadLocation',
      'versionInfo',
      'licenseConcluded',
      'licenseDeclared',
      'copyrightText',
    ]) {
      assert.equal(typeof p[field], 'string', `${p.name}: ${field}`);
    }
    assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.ok(!ids.has(p.SPDXID), `duplicate ${p.SPDXID}`);
    ids.add(p.SPDXID);
    assert.equal(p.filesAnalyzed, false);
  }
  const refs = new Set(doc.hasExtractedLicensingInfos.map((l: { licenseId: string }) => l.licenseId));
  const openssl = doc.packages.find((p: { name: string }) => p.name === 'openssl');
  for (const term of openssl.licenseDeclared.split(/ AND | OR /)) {
    assert.ok(CDX.SPDX.isSupportedSpdxId(term) || refs.has(term), `term ${term}`);
    if (term.startsWith('LicenseRef-')) assert.match(term, /^LicenseRef-[A-Za-z0-9.-]+$/);
  }
  for (const r of doc.relationships) {
    assert.ok(r.spdxElementId === 'SPDXRef-DOCUMENT' || ids.has(r.spdxElementId));
    assert.ok(ids.has(r.relatedSpdxElement));
  }
  assert.equal(
    doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS').length,
    packages.length + 1,
  );
  const maven = doc.packages.filter((p: { name: string }) => p.name === 'org.example:core');
  assert.equal(maven.length, 2);
  assert.match(
    maven[0].sourceInfo,
    /layer 1 \(COPY \. \/app\) at app\/app\.war inside WEB-INF\/lib\/core-1\.0\.jar/,
  );
});
