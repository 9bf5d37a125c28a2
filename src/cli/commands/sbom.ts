import { analyzeTarget } from '../analyze-target.js';
import { Command } from 'commander';
import { withTarget } from '../../errors.js';
import { cyclonedxJson } from '../../report/cyclonedx.js';
import { reportLayers, reportTarget, toolInfo } from '../../report/model.js';
import type { SbomInput } from '../../report/sbom-context.js';
import { sbomTable } from '../../report/sbom-table.js';
import { spdxJson } from '../../report/spdx.js';
import { inventoryOf } from '../../scan/inventory.js';
import { VERSION } from '../../version.js';
import { addCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

/** Reads the image (layers from the cache where possible) and assembles its inventory. */
export async function sbomOf(target: string, o: CommonOptions): Promise<SbomInput & { warnings: string[] }> {
  try {
    const analyzed = await analyzeTarget(target, o);
    return {
      image: analyzed.image,
      os: analyzed.os,
      packages: inventoryOf(analyzed).packages,
      created: new Date().toISOString(),
      toolVersion: VERSION,
      warnings: analyzed.facts.layers.flatMap((l) => l.warnings),
    };
  } catch (e) {
    throw withTarget(e, target);
  }
}

export function sbomCommand(): Command {
  const cmd = new Command('sbom')
    .description('list every OS and language package of an image, with the layer that added it')
    .argument('<target>', 'image reference, docker-archive:PATH, PATH.tar, oci:DIR[:TAG] or dir:PATH');
  addCommonOptions(cmd, ['cyclonedx', 'spdx', 'json', 'table']);
  cmd.action(async (target: string, o: CommonOptions) => {
    const input = await sbomOf(target, o);
    for (const w of input.warnings) if (!o.quiet) process.stderr.write(`warning: ${w}\n`);
    let text: string;
    if (o.format === 'spdx') text = spdxJson(input);
    else if (o.format === 'table') text = sbomTable(input, Boolean(process.stdout.isTTY) && !o.output);
    else if (o.format === 'json') {
      text = JSON.stringify(
        {
          schemaVersion: 1,
          tool: toolInfo(),
          target: reportTarget(input.image, input.os),
          layers: reportLayers(input.image),
          packages: input.packages,
        },
        null,
        2,
      );
    } else text = cyclonedxJson(input);
    await emit(text, o.output);
  });
  return cmd;
}
