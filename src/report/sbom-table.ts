/** `shipshape sbom --format table`: counts per package type, then the packages themselves. */
import Table from 'cli-table3';
import { imageName, type SbomInput } from './sbom-context.js';

export function sbomTable(input: SbomInput, color: boolean): string {
  const style = color ? {} : { style: { head: [], border: [] } };
  const counts = new Map<string, number>();
  for (const p of input.packages) counts.set(p.type, (counts.get(p.type) ?? 0) + 1);
  const lines = [`Image     ${imageName(input.image)}`];
  if (input.os)
    lines.push(
      `OS        ${input.os.name ?? input.os.family} (${input.os.family} ${input.os.version ?? ''})`.trimEnd(),
    );
  lines.push(`Packages  ${input.packages.length}`);
  const summary = new Table({ head: ['type', 'packages'], ...style });
  for (const [type, n] of [...counts].sort((a, b) => b[1] - a[1])) summary.push([type, String(n)]);
  const list = new Table({ head: ['type', 'name', 'version', 'layer', 'path'], ...style });
  for (const p of input.packages) {
    list.push([
      p.type,
      p.namespace ? `${p.namespace}:${p.name}` : p.name,
      p.version,
      String(p.layer),
      p.paths[0] ?? '',
    ]);
  }
  return [...lines, '', summary.toString(), '', list.toString()].join('\n');
}
