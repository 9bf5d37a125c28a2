import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeDemoImages } from '../../demo/images.js';
import { isShipshapeError } from '../../errors.js';
import { inspectJson, inspectTable } from '../../report/inspect.js';
import { addCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';
import { inspectTarget } from './inspect.js';

interface DemoOptions extends CommonOptions {
  dir?: string;
}

function defaultDemoDir(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'shipshape', 'demo');
}

/** The README's main job: build harmless demo images and run every capability on them, offline. */
export function demoCommand(): Command {
  const cmd = new Command('demo')
    .description('build demo images (no network) and run everything shipshape can do on them')
    .option('--dir <dir>', 'where to write the demo images (default ~/.cache/shipshape/demo)');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (o: DemoOptions) => {
    const dir = o.dir ?? defaultDemoDir();
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const targets = await writeDemoImages(dir);
    const runs: [string, string, CommonOptions][] = [
      [
        'A web app in an OCI layout: three layers, the last deletes a file the second shipped',
        targets.webapp,
        o,
      ],
      [
        'A multi-platform index (zstd layers), amd64 picked',
        targets.multiarch,
        { ...o, platform: 'linux/amd64' },
      ],
      ['The same index, arm64/v8 picked', targets.multiarch, { ...o, platform: 'linux/arm64/v8' }],
      ['A docker save tarball whose layers are symlinks', targets.legacy, o],
    ];
    const results = [];
    const sections: string[] = [`Demo images written to ${dir}`];
    for (const [title, target, opts] of runs) {
      const r = await inspectTarget(target, opts);
      results.push({ title, result: inspectJson(r) });
      sections.push(
        '',
        `== ${title}`,
        `$ shipshape inspect ${target}${opts.platform !== o.platform ? ` --platform ${opts.platform}` : ''}`,
        inspectTable(r, false),
      );
    }
    const refused = await inspectTarget(targets.hostile, o).then(
      () => 'not refused (this is a bug)',
      (e: unknown) => (isShipshapeError(e) ? `refused (exit code 2): ${e.message}` : `failed: ${String(e)}`),
    );
    sections.push(
      '',
      '== A hostile layer that writes through a symlink pointing out of the root',
      `$ shipshape inspect ${targets.hostile}`,
      refused,
    );
    results.push({ title: 'hostile layer', result: { refused } });
    const again = await inspectTarget(targets.webapp, o);
    sections.push(
      '',
      `== The layer cache: inspecting the web app again read ${again.image.layers.length - again.analyzed!.cacheHits} layers and took ${again.totalMs} ms (${again.analyzed!.cacheHits} of ${again.image.layers.length} layers from cache)`,
    );
    await emit(
      o.format === 'json' ? JSON.stringify({ dir, runs: results }, null, 2) : sections.join('\n'),
      o.output,
    );
  });
  return cmd;
}
