/**
 * The command line: wiring only. Exit codes (CONTRACT.md): 0 done and passing, 1 policy failed,
 * 2 could not do it. A ShipshapeError is one line on stderr; a stack only with --debug.
 */
import { Command, CommanderError } from 'commander';
import { errorMessage, isShipshapeError, printable } from '../errors.js';
import { VERSION } from '../version.js';

/**
 * Each command is loaded only when it runs: the modules behind all of them take about half a
 * second to import, more than a cached `sbom` takes to do its work.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  inspect: async () => (await import('./commands/inspect.js')).inspectCommand(),
  scan: async () => (await import('./commands/scan.js')).scanCommand(),
  sbom: async () => (await import('./commands/sbom.js')).sbomCommand(),
  demo: async () => (await import('./commands/demo.js')).demoCommand(),
  db: async () => (await import('./commands/db.js')).dbCommand(),
  sandbox: async () => (await import('./commands/sandbox.js')).sandboxCommand(),
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand(),
};

export async function program(argv: string[] = []): Promise<Command> {
  const p = new Command('shipshape')
    .description('Is this container image safe to run? Inventory, vulnerabilities, malware and behaviour.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = named && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) p.addCommand(await COMMANDS[name]!());
  for (const c of p.commands) c.exitOverride();
  return p;
}

export async function run(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await (await program(argv)).parseAsync(argv);
    // A command that finished but failed its policy sets exit code 1 itself.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successful exits; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isShipshapeError(e)) {
      process.stderr.write(`shipshape: ${printable(e.message, 2000)}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      return 2;
    }
    process.stderr.write(`shipshape: internal error: ${printable(errorMessage(e), 2000)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(run with --help for usage; --debug for details; please report this)\n');
    return 2;
  }
}
