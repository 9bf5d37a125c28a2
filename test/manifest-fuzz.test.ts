import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { printable, ShipshapeError } from '../src/errors.js';
import { describeLayers, parseImageConfig, parseManifestDocument } from '../src/image/manifest.js';
import { selectPlatform } from '../src/image/platform.js';
import { parseReference } from '../src/image/reference.js';
import { parseSha256 } from '../src/image/verify-stream.js';
import type { Descriptor } from '../src/image/types.js';
import { buildImage, buildIndex } from './fixtures/builder.js';

function onlyShipshapeErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ShipshapeError)) throw e;
    assert.ok(!e.message.includes('\n'), 'one-line messages');
  }
}

const img = buildImage({
  layers: [{ files: [{ path: 'a', content: 'b' }] }, { files: [{ path: 'c', content: 'd' }] }],
});
const idx = buildIndex([img]);

test('manifest parser: arbitrary JSON values never crash it', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      onlyShipshapeErrors(() => parseManifestDocument(Buffer.from(JSON.stringify(v) ?? 'null'), 'm'));
      onlyShipshapeErrors(() => parseImageConfig(Buffer.from(JSON.stringify(v) ?? 'null'), 'c'));
    }),
    { numRuns: 2000 },
  );
});

test('manifest parser: byte mutations of real manifests, indexes and configs never crash it', () => {
  for (const doc of [img.manifest, idx.index, img.config]) {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(doc.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (edits) => {
          const b = Buffer.from(doc);
          for (const [at, v] of edits) b[at] = v;
          onlyShipshapeErrors(() => {
            const d = parseManifestDocument(b, 'm');
            if (d.kind === 'manifest') describeLayers(d.manifest, parseImageConfig(img.config, 'c'), 'm');
            else selectPlatform(d.index.manifests as Descriptor[], 'linux/amd64', 'm');
          });
          onlyShipshapeErrors(() => parseImageConfig(b, 'c'));
        },
      ),
      { numRuns: 1500 },
    );
  }
});

test('hostile strings quoted in errors stay on one line (media types, digests, references)', () => {
  const manifest = JSON.parse(img.manifest.toString()) as Record<string, unknown>;
  const cases: [string, () => unknown][] = [
    [
      'a manifest media type',
      () =>
        parseManifestDocument(
          Buffer.from(JSON.stringify({ ...manifest, mediaType: 'application/x\nInjected: line\r\x1b[2J' })),
          'm',
        ),
    ],
    [
      'a record key in a schema error',
      () =>
        parseManifestDocument(
          Buffer.from(JSON.stringify({ ...manifest, annotations: { 'k\n\x1b[2J': 5 } })),
          'm',
        ),
    ],
    [
      'an offered platform',
      () =>
        selectPlatform(
          [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: `sha256:${'a'.repeat(64)}`,
              size: 1,
              platform: { os: 'linux\nInjected', architecture: 'arm64' },
            },
          ] as Descriptor[],
          'linux/amd64',
          'm',
        ),
    ],
    ['a digest', () => parseSha256('sha256:\nabc', 'blob')],
    ['a reference', () => parseReference('registry.example/a\nb:latest')],
  ];
  for (const [what, f] of cases) {
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof ShipshapeError &&
        !/[\n\r]/.test(e.message) &&
        !e.message.includes('\x1b') &&
        e.message.includes('\\x0a'),
      `${what}: one line, the newline shown as \\x0a`,
    );
  }
});

test('printable(): one line, no reordering, no half characters, whatever the input', () => {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.oneof(
          fc.constantFrom('\n', '\x1b', '\u2028', '\u202e', '\ud800', '\udc00', '😀', 'é'),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
        maxLength: 60,
      }),
      fc.integer({ min: 1, max: 80 }),
      (s, max) => {
        const out = printable(s, max);
        assert.ok(!unsafe.test(out) && !lone.test(out), JSON.stringify(out));
        assert.ok(out.length <= max + 1, `${out.length} > ${max} + 1`);
        const body = out.endsWith('…') && out !== s ? out.slice(0, -1) : out;
        assert.ok(!/\\(x[0-9a-f]?|u\{[0-9a-f]{0,3})$/.test(body), `no escape cut: ${JSON.stringify(out)}`);
        if (!unsafe.test(s) && !lone.test(s) && s.length <= max) assert.equal(out, s, 'safe text as it is');
      },
    ),
    { numRuns: 3000 },
  );
});

test('manifest parser: structurally valid manifests with hostile fields are validated', () => {
  const bad = (o: object) => Buffer.from(JSON.stringify(o));
  const cfg = { mediaType: 'x', digest: `sha256:${'a'.repeat(64)}`, size: 1 };
  assert.throws(
    () => parseManifestDocument(bad({ schemaVersion: 2, config: cfg, layers: [{ ...cfg, size: -1 }] }), 'm'),
    /invalid/,
  );
  assert.throws(
    () =>
      parseManifestDocument(
        bad({ schemaVersion: 2, config: cfg, layers: [{ ...cfg, digest: 'sha256:../../x' }] }),
        'm',
      ),
    /invalid document at layers\.0\.digest/,
  );
  assert.throws(
    () =>
      parseManifestDocument(bad({ schemaVersion: 2, mediaType: 'text/html', config: cfg, layers: [] }), 'm'),
    /unsupported manifest media type/,
  );
  const d = parseManifestDocument(bad({ schemaVersion: 2, config: cfg, layers: [cfg] }), 'm');
  assert.ok(d.kind === 'manifest');
  assert.throws(
    () => describeLayers(d.manifest, parseImageConfig(img.config, 'c'), 'm'),
    /manifest has 1 layers but config lists 2 diff_ids/,
  );
});
