/**
 * ClamAV end to end: spool an image's layers during the normal pass, scan the spool with a
 * signature database written here (EICAR built in code, harmless marker strings), and map the
 * detections back. Needs the Debian packages clamav and clamav-daemon; skipped without them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  clamavAvailable,
  clamavFindings,
  createClamavSpool,
  runClamav,
  scanSpooledWithClamav,
  spooledFiles,
  type ClamavSpool,
} from '../src/analyze/clamav/index.js';
import { mergeLayers } from '../src/facts/merge.js';
import type { ImageFacts } from '../src/facts/types.js';
import { buildImage, type LayerSpec } from '../src/fixtures/builder.js';
import { scanLayer } from '../src/layer/engine.js';
import { debianLayerTar } from './support/debian-rootfs.js';
import { tempDir } from './support/tmp.js';
import { zipBuffer } from './support/zip-writer.js';

const hasClamscan = spawnSync('clamscan', ['--version']).status === 0;
const skip = hasClamscan ? false : 'clamscan is not installed (apt-get install clamav clamav-daemon)';
const CLAMD = ['/usr/sbin/clamd', '/usr/local/sbin/clamd'].find((p) => existsSync(p));

// Assembled at run time so this source file is not itself an EICAR match for a scanner.
const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''),
);
const WEBSHELL_MARKER = 'SHIPSHAPE-FAKE-WEBSHELL-MARKER-7f3a';
const MINER_MARKER = 'SHIPSHAPE-FAKE-MINER-MARKER-c0de';

/** A signature directory: EICAR by MD5 (.hdb), the markers by content (.ndb). */
function signatureDb(): string {
  const dir = join(tempDir('shipshape-clamav-db-'), 'db');
  mkdirSync(dir);
  const md5 = createHash('md5').update(EICAR).digest('hex');
  writeFileSync(join(dir, 'shipshape-test.hdb'), `${md5}:${EICAR.length}:Local.Test.EICAR.MD5\n`);
  const hex = (s: string) => Buffer.from(s).toString('hex');
  writeFileSync(
    join(dir, 'shipshape-test.ndb'),
    `Php.Webshell.ShipshapeMarker:0:*:${hex(WEBSHELL_MARKER)}\n` +
      `Multios.Coinminer.ShipshapeMarker:0:*:${hex(MINER_MARKER)}\n`,
  );
  return dir;
}

/** The normal pass over each layer with the spool analyzer, then the merge. */
async function spoolImage(spool: ClamavSpool, layers: LayerSpec[]): Promise<ImageFacts> {
  const image = buildImage({ layers });
  const facts = [];
  for (const layer of image.layers) {
    facts.push(
      await scanLayer(Readable.from([layer.blob]), { analyzers: [spool.analyzer], label: layer.digest }),
    );
  }
  return mergeLayers(facts);
}

const LAYERS: LayerSpec[] = [
  {
    files: [
      { path: 'etc/hostname', content: 'web\n' },
      { path: 'usr/share/doc/app/readme.txt', content: EICAR },
      {
        path: 'opt/app/bundle.zip',
        content: zipBuffer([{ name: 'inner/notes.txt', data: EICAR, method: 8 }]),
      },
      { path: 'srv/www/upload.php', content: `<?php /* ${WEBSHELL_MARKER} */ echo 1;` },
      { path: 'opt/big.bin', content: Buffer.alloc(2 * 1024 * 1024, 0x41) },
    ],
  },
  {
    files: [
      { path: 'tmp/dropper.bin', content: EICAR, mode: 0o755 },
      { path: 'usr/local/bin/start.sh', content: `#!/bin/sh\n# ${MINER_MARKER}\n` },
    ],
  },
  { whiteouts: ['tmp/dropper.bin'] },
];

test('hits map back to the image path, layer and removal; unknown spool names are dropped', async () => {
  const spool = await createClamavSpool(tempDir());
  try {
    const facts = await spoolImage(spool, [
      { files: [{ path: 'opt/x', content: 'a' }] },
      { files: [{ path: 'tmp/y', content: 'b' }] },
      { whiteouts: ['tmp/y'] },
    ]);
    const spooled = spooledFiles(facts);
    assert.deepEqual(
      spooled.map((f) => [f.path, f.layer, f.spoolName, f.removedIn]),
      [
        ['opt/x', 0, 'f1', undefined],
        ['tmp/y', 1, 'f2', 2],
      ],
      'layers and removal come from the merged history',
    );
    const findings = clamavFindings(spooled, [
      { spoolName: 'f1', signature: 'Multios.Coinminer.Sample-1' },
      { spoolName: 'f2', signature: 'Unix.Trojan.Fake-1' },
      { spoolName: 'f9', signature: 'Unix.Trojan.Fake-1' },
    ]);
    assert.deepEqual(
      findings,
      [
        {
          category: 'miner',
          severity: 'high',
          rule: 'clamav:Multios.Coinminer.Sample-1',
          path: 'opt/x',
          sha256: createHash('sha256').update('a').digest('hex'),
          evidence: 'ClamAV: Multios.Coinminer.Sample-1',
          layer: 0,
        },
        {
          category: 'backdoor',
          severity: 'critical',
          rule: 'clamav:Unix.Trojan.Fake-1',
          path: 'tmp/y',
          sha256: createHash('sha256').update('b').digest('hex'),
          evidence: 'ClamAV: Unix.Trojan.Fake-1',
          layer: 1,
          removedIn: 2,
        },
      ],
      'findings carry path, layer, removal and category',
    );
  } finally {
    await spool.remove();
  }
});

test('ClamAV findings map back to image paths, layers and categories', { skip }, async () => {
  const db = signatureDb();
  const spool = await createClamavSpool(tempDir(), { maxFileBytes: 1024 * 1024 });
  const facts = await spoolImage(spool, LAYERS);
  const result = await scanSpooledWithClamav(spool, facts, { database: db });
  assert.ok(!existsSync(spool.dir), 'the spool is removed after the scan');
  assert.equal(result.engine, 'clamscan', 'a database means clamscan');
  assert.equal(result.complete, true, 'the scan ran to the end');
  assert.deepEqual(result.warnings, [], `no warnings: ${result.warnings.join('; ')}`);
  const got = result.findings
    .map((f) => [f.path, f.layer, f.removedIn ?? null, f.category, f.severity, f.rule].join(' '))
    .sort();
  assert.deepEqual(
    got,
    [
      'opt/app/bundle.zip 0  suspicious low clamav:Local.Test.EICAR.MD5.UNOFFICIAL',
      'srv/www/upload.php 0  webshell critical clamav:Php.Webshell.ShipshapeMarker.UNOFFICIAL',
      'tmp/dropper.bin 1 2 suspicious low clamav:Local.Test.EICAR.MD5.UNOFFICIAL',
      'usr/local/bin/start.sh 1  miner high clamav:Multios.Coinminer.ShipshapeMarker.UNOFFICIAL',
      'usr/share/doc/app/readme.txt 0  suspicious low clamav:Local.Test.EICAR.MD5.UNOFFICIAL',
    ],
    'each planted file, renamed, zipped or deleted later, is found where it is',
  );
  const readme = result.findings.find((f) => f.path === 'usr/share/doc/app/readme.txt');
  assert.equal(
    readme?.sha256,
    createHash('sha256').update(EICAR).digest('hex'),
    'the finding carries the sha256',
  );
  assert.equal(readme?.evidence, 'ClamAV: Local.Test.EICAR.MD5.UNOFFICIAL', 'evidence names the signature');
  assert.deepEqual(
    result.gaps.map((g) => [g.path, g.layer, g.bytes, g.kind]),
    [['opt/big.bin', 0, 2 * 1024 * 1024, 'scan-gap']],
    'the file over the per-file cap is a scan gap',
  );
});

test('a file over ClamAV’s own size limit is a scan gap, not a clean file', { skip }, async () => {
  const spool = await createClamavSpool(tempDir());
  try {
    await spoolImage(spool, [
      { files: [{ path: 'a/big.txt', content: Buffer.concat([EICAR, Buffer.alloc(8192)]) }] },
    ]);
    const run = await runClamav(spool.dir, { database: signatureDb(), maxFileBytes: 1024 });
    assert.deepEqual(
      run.limits.map((h) => h.signature),
      ['Heuristics.Limits.Exceeded.MaxFileSize'],
      `the limit is reported: ${JSON.stringify(run)}`,
    );
    assert.deepEqual(run.hits, [], 'no detection claimed');
  } finally {
    await spool.remove();
  }
});

test('clamavAvailable reports the installed scanner', { skip }, async () => {
  const info = await clamavAvailable();
  assert.ok(info, 'a scanner is found');
  assert.match(info.version, /^ClamAV \d+\.\d+/, `version: ${info.version}`);
  assert.equal(
    await clamavAvailable({ socket: join(tempDir(), 'no-such.sock') }),
    null,
    'a dead socket is no scanner',
  );
});

test('no signatures is a clear warning, not a crash', { skip }, async () => {
  const empty = tempDir('shipshape-clamav-empty-');
  const spool = await createClamavSpool(tempDir());
  try {
    await spoolImage(spool, [{ files: [{ path: 'x', content: EICAR }] }]);
    const run = await runClamav(spool.dir, { database: empty });
    assert.deepEqual(run.hits, [], 'nothing found');
    assert.equal(run.warnings.length, 1, `one warning: ${run.warnings.join('; ')}`);
    assert.match(run.warnings[0]!, /no signatures: pass --clamav-db DIR/, 'says what to do');
    assert.equal(run.complete, false, 'a failed scan is not a clean one');
  } finally {
    await spool.remove();
  }
});

test('the spool is removed when the scan fails', { skip }, async () => {
  const spool = await createClamavSpool(tempDir());
  const facts = await spoolImage(spool, [{ files: [{ path: 'x', content: 'clean' }] }]);
  const controller = new AbortController();
  controller.abort(new Error('cancelled by the user'));
  await assert.rejects(
    scanSpooledWithClamav(spool, facts, { database: signatureDb(), signal: controller.signal }),
    /cancelled by the user/,
    'the abort reaches the caller',
  );
  assert.ok(!existsSync(spool.dir), 'the spool is gone after the abort');
});

test('a timeout kills the scanner', async () => {
  // A stand-in clamscan that hangs, so the kill is certain to be needed.
  const bin = tempDir('shipshape-fake-clamscan-');
  const pidFile = join(bin, 'pid');
  writeFileSync(join(bin, 'clamscan'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 60\n`);
  chmodSync(join(bin, 'clamscan'), 0o755);
  const spool = await createClamavSpool(tempDir());
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  try {
    const started = Date.now();
    const run = await runClamav(spool.dir, { database: bin, timeoutMs: 500 });
    assert.ok(Date.now() - started < 10_000, 'returns soon after the timeout');
    assert.match(run.warnings.join('\n'), /timeout/, `warns of the timeout: ${run.warnings.join('; ')}`);
    assert.equal(run.complete, false, 'a timed-out scan is incomplete');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
  } finally {
    process.env.PATH = savedPath;
    await spool.remove();
  }
});

test(
  'clamdscan through a clamd socket finds the same',
  { skip: skip || (CLAMD ? false : 'clamd is not installed') },
  async () => {
    const work = tempDir('shipshape-clamd-');
    const socket = join(work, 'clamd.sock');
    const conf = join(work, 'clamd.conf');
    writeFileSync(
      conf,
      [
        `LocalSocket ${socket}`,
        `DatabaseDirectory ${signatureDb()}`,
        'Foreground yes',
        `LogFile ${join(work, 'log')}`,
        'AlertExceedsMax yes',
        '',
      ].join('\n'),
    );
    const clamd = spawn(CLAMD!, ['-c', conf], { stdio: 'ignore' });
    after(() => clamd.kill('SIGKILL'));
    let info = null;
    for (let i = 0; i < 100 && !info; i++) {
      info = await clamavAvailable({ socket });
      if (!info) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(info?.engine, 'clamdscan', `clamd answers on ${socket}`);
    assert.match(info?.version ?? '', /^ClamAV \d/, 'version read from clamd');
    const spool = await createClamavSpool(tempDir());
    const facts = await spoolImage(spool, LAYERS);
    const result = await scanSpooledWithClamav(spool, facts, { socket });
    assert.equal(result.engine, 'clamdscan', 'the socket means clamdscan');
    assert.deepEqual(
      result.findings.map((f) => f.path).sort(),
      [
        'opt/app/bundle.zip',
        'srv/www/upload.php',
        'tmp/dropper.bin',
        'usr/local/bin/start.sh',
        'usr/share/doc/app/readme.txt',
      ],
      `clamd finds every planted file: ${result.warnings.join('; ')}`,
    );
    assert.ok(!existsSync(spool.dir), 'the spool is removed');
  },
);

test(
  'a clean Debian minbase gives no findings, gaps or warnings',
  {
    skip: skip || (process.env.SHIPSHAPE_SKIP_DEBIAN === '1' ? 'SHIPSHAPE_SKIP_DEBIAN=1' : false),
    timeout: 600_000,
  },
  async () => {
    const tar = await debianLayerTar();
    const spool = await createClamavSpool(tempDir());
    const t0 = Date.now();
    const layer = await scanLayer(Readable.from([tar]), { analyzers: [spool.analyzer], label: 'debian' });
    const spoolMs = Date.now() - t0;
    const files = readdirSync(spool.dir).length;
    const t1 = Date.now();
    const result = await scanSpooledWithClamav(spool, mergeLayers([layer]), { database: signatureDb() });
    const scanMs = Date.now() - t1;
    const mb = tar.length / 1024 ** 2;
    console.log(
      `# debian minbase: ${files} files, ${mb.toFixed(0)} MB tar; spool ${spoolMs} ms (${(mb / (spoolMs / 1000)).toFixed(0)} MB/s), clamscan ${scanMs} ms`,
    );
    assert.deepEqual(result.findings, [], 'no findings');
    assert.deepEqual(result.gaps, [], 'no gaps');
    assert.deepEqual(result.warnings, [], `no warnings: ${result.warnings.join('; ')}`);
  },
);
