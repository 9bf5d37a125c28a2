import { writeFile } from 'node:fs/promises';

/** Writes a command's result to --output or stdout. */
export async function emit(text: string, output?: string): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (output) await writeFile(output, body);
  else process.stdout.write(body);
}

/** Progress lines go to stderr, and only to a terminal unless asked. */
export function progress(quiet: boolean | undefined): (line: string) => void {
  if (quiet || !process.stderr.isTTY) return () => {};
  return (line) => process.stderr.write(`${line}\n`);
}
