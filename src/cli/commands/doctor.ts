import { Command } from 'commander';
import { emit } from '../output.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check what the sandbox needs on this machine (root, runc, tracers, namespaces, cgroups)')
    .option('--format <format>', 'table or json', 'table')
    .action(async (o: { format: string }) => {
      const { doctor } = await import('../../sandbox/doctor.js');
      const r = await doctor();
      const text =
        o.format === 'json'
          ? JSON.stringify(r, null, 2)
          : r.checks
              .map(
                (c) =>
                  `${c.ok ? 'ok  ' : 'MISS'} ${c.name.padEnd(22)} ${c.detail}${!c.ok && c.fix ? `  → ${c.fix}` : ''}`,
              )
              .join('\n');
      await emit(text);
      if (r.checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
