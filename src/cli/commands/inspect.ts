import { Command } from 'commander';
import { defaultAnalyzers } from '../../analyze/index.js';
import { withTarget } from '../../errors.js';
import { openSource } from '../../image/target.js';
import { inspectJson, inspectTable, type InspectResult } from '../../report/inspect.js';
import { analyzeImage } from '../../scan/analyze-image.js';
import { addCommonOptions, openStore, sourceOptions, type CommonOptions } from '../common.js';
import { emit, progress } from '../output.js';

interface InspectOptions extends CommonOptions {
  configOnly?: boolean;
}

/** Resolves the target and, unless --config-only, reads every layer once (cached by digest). */
export async function inspectTarget(target: string, o: InspectOptions): Promise<InspectResult> {
  const started = performance.now();
  const source = openSource(target, sourceOptions(o));
  const store = o.configOnly ? null : openStore(o);
  const say = progress(o.quiet);
  try {
    if (o.configOnly) {
      const image = await source.resolve();
      return { image, analyzed: null, cached: [], totalMs: Math.round(performance.now() - started) };
    }
    const cached: boolean[] = [];
    const analyzed = await analyzeImage(source, {
      analyzers: defaultAnalyzers(),
      cache: store?.cache ?? null,
      ...(o.allowDevices ? { allowDevices: true } : {}),
      onLayer: ({ layer, cached: hit }) => {
        cached[layer.index] = hit;
        say(`layer ${layer.index + 1}: ${hit ? 'cached' : 'read'}`);
      },
    });
    return { image: analyzed.image, analyzed, cached, totalMs: Math.round(performance.now() - started) };
  } catch (e) {
    throw withTarget(e, target);
  } finally {
    store?.close();
    await source.close();
  }
}

export function inspectCommand(): Command {
  const cmd = new Command('inspect')
    .description('show platforms, config, history and layers (digest, size, instruction) of an image')
    .argument('<target>', 'image reference, docker-archive:PATH, PATH.tar, oci:DIR[:TAG] or dir:PATH')
    .option('--config-only', 'read manifests and config only; do not read the layers');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (target: string, o: InspectOptions) => {
    const result = await inspectTarget(target, o);
    const text =
      o.format === 'json'
        ? JSON.stringify(inspectJson(result), null, 2)
        : inspectTable(result, Boolean(process.stdout.isTTY) && !o.output);
    await emit(text, o.output);
  });
  return cmd;
}
