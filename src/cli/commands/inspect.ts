import { analyzeTarget } from '../analyze-target.js';
import { Command } from 'commander';
import { withTarget } from '../../errors.js';
import { openSource } from '../../image/target.js';
import { inspectJson, inspectTable, type InspectResult } from '../../report/inspect.js';
import { addCommonOptions, sourceOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface InspectOptions extends CommonOptions {
  configOnly?: boolean;
}

/** Resolves the target and, unless --config-only, reads every layer once (cached by digest). */
export async function inspectTarget(target: string, o: InspectOptions): Promise<InspectResult> {
  const started = performance.now();
  try {
    if (o.configOnly) {
      const source = openSource(target, sourceOptions(o));
      try {
        const image = await source.resolve();
        return { image, analyzed: null, cached: [], totalMs: Math.round(performance.now() - started) };
      } finally {
        await source.close();
      }
    }
    const cached: boolean[] = [];
    const analyzed = await analyzeTarget(target, o, (index, hit) => (cached[index] = hit));
    return { image: analyzed.image, analyzed, cached, totalMs: Math.round(performance.now() - started) };
  } catch (e) {
    throw withTarget(e, target);
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
