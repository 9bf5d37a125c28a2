import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeDemoAdvisories } from '../../demo/advisories.js';
import { writeDemoImages } from '../../demo/images.js';
import { isShipshapeError } from '../../errors.js';
import { inspectJson, inspectTable } from '../../report/inspect.js';
import { sbomTable } from '../../report/sbom-table.js';
import { scanJson } from '../../report/scan-report.js';
import { scanTable } from '../../report/scan-table.js';
import { openDatabase } from '../../store/sqlite.js';
import { importPath } from '../../vulndb/index.js';
import { addCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';
import { inspectTarget } from './inspect.js';
import { sbomOf } from './sbom.js';
import { scanTarget } from './scan.js';

interface DemoOptions extends CommonOptions {
  dir?: string;
}

function defaultDemoDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'shipshape', 'demo');
}

/**
 * The README's main job: build harmless demo images and demo vulnerability data, then run every
 * capability on them, offline. The demo keeps its own database (in the demo folder) so its
 * made-up advisories never reach the user's real one.
 */
/** Why the sandbox part of the demo cannot run here (null: it can). */
async function sandboxUnavailable(target: string | null): Promise<string | null> {
  if (!target) return 'no userland could be copied from this machine (needs Linux, bash and ldd)';
  if (process.getuid?.() !== 0) return 'the sandbox needs root (see `shipshape doctor`)';
  const { doctor } = await import('../../sandbox/doctor.js');
  const missing = (await doctor()).checks.filter(
    (c) => !c.ok && /runc|strace|namespace|cgroup|overlay|ip/i.test(c.name),
  );
  return missing.length
    ? `missing: ${missing.map((c) => `${c.name} (${c.fix ?? c.detail})`).join('; ')}`
    : null;
}

export function demoCommand(): Command {
  const cmd = new Command('demo')
    .description('build demo images and data (no network) and run everything shipshape can do on them')
    .option('--dir <dir>', 'where to write the demo images and database (default ~/.cache/shipshape/demo)');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (o: DemoOptions) => {
    const dir = o.dir ?? defaultDemoDir();
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const db = o.db ?? join(dir, 'demo.db');
    const opts: CommonOptions = { ...o, db };
    const targets = await writeDemoImages(join(dir, 'images'));
    const sections: string[] = [`Demo images and database written to ${dir}`];
    const results: { title: string; result: object }[] = [];
    const section = (title: string, command: string, body: string) =>
      sections.push('', `== ${title}`, `$ shipshape ${command}`, body);

    const runs: [string, string, CommonOptions][] = [
      [
        'A web app in an OCI layout: the last layer deletes a file an earlier one shipped',
        targets.webapp,
        opts,
      ],
      [
        'A multi-platform index (zstd layers), amd64 picked',
        targets.multiarch,
        { ...opts, platform: 'linux/amd64' },
      ],
      ['The same index, arm64/v8 picked', targets.multiarch, { ...opts, platform: 'linux/arm64/v8' }],
      ['A docker save tarball whose layers are symlinks', targets.legacy, opts],
    ];
    for (const [title, target, runOpts] of runs) {
      const r = await inspectTarget(target, runOpts);
      results.push({ title, result: inspectJson(r) });
      const platform = runOpts.platform !== o.platform ? ` --platform ${runOpts.platform}` : '';
      section(title, `inspect ${target}${platform}`, inspectTable(r, false));
    }

    const refused = await inspectTarget(targets.hostile, opts).then(
      () => 'not refused (this is a bug)',
      (e: unknown) => (isShipshapeError(e) ? `refused (exit code 2): ${e.message}` : `failed: ${String(e)}`),
    );
    section(
      'A hostile layer that writes through a symlink pointing out of the root',
      `inspect ${targets.hostile}`,
      refused,
    );
    results.push({ title: 'hostile layer', result: { refused } });

    const sbom = await sbomOf(targets.webapp, opts);
    section(
      'The inventory of the web app: OS and language packages with the layer that added each',
      `sbom ${targets.webapp} --format table   (also: --format cyclonedx | spdx)`,
      sbomTable(sbom, false),
    );

    const advisories = await writeDemoAdvisories(join(dir, 'advisories'));
    const store = openDatabase(db);
    try {
      const imported = await importPath(store, advisories);
      section(
        'Demo vulnerability data, imported offline',
        `db import ${advisories} --db ${db}`,
        `${imported.results.reduce((n, r) => n + r.inserted + r.updated, 0)} advisories imported`,
      );
    } finally {
      store.close();
    }
    const scan = await scanTarget(targets.webapp, { ...opts, failOn: 'high' });
    results.push({ title: 'scan', result: scanJson(scan) });
    section(
      'Known vulnerabilities and a malicious npm package, with --fail-on high',
      `scan ${targets.webapp} --fail-on high --db ${db}`,
      scanTable(scan, false),
    );

    const threats = await scanTarget(targets.threats, opts);
    results.push({ title: 'threats', result: scanJson(threats) });
    section(
      'Static threat detection: a miner (also base64, base64 of gzip, zstd-compressed, inside a jar, and one deleted by a later layer), a web shell, a reverse shell, persistence, Windows files, secrets and a risky config — all harmless stand-ins',
      `scan ${targets.threats} --db ${db}`,
      scanTable(threats, false),
    );

    const sandboxWhy = await sandboxUnavailable(targets.sandbox);
    if (sandboxWhy === null) {
      const run = await scanTarget(targets.sandbox!, { ...opts, dynamic: true, timeout: '15' });
      results.push({ title: 'sandbox', result: scanJson(run) });
      section(
        'Dynamic analysis: an image whose payload only exists at run time, run under runc with a fake internet',
        `scan --dynamic ${targets.sandbox} --db ${db}`,
        scanTable(run, false),
      );
    } else {
      section(
        'Dynamic analysis (sandbox)',
        `sandbox ${targets.sandbox ?? '(no image)'}`,
        `skipped: ${sandboxWhy}`,
      );
    }

    const again = await inspectTarget(targets.webapp, opts);
    const layers = again.image.layers.length;
    sections.push(
      '',
      `== The layer cache: inspecting the web app again read ${layers - again.analyzed!.cacheHits} layers and took ${again.totalMs} ms (${again.analyzed!.cacheHits} of ${layers} layers from cache)`,
    );
    await emit(
      o.format === 'json' ? JSON.stringify({ dir, runs: results }, null, 2) : sections.join('\n'),
      o.output,
    );
  });
  return cmd;
}
