/**
 * Scripts: a `#!` line names the interpreter (decided from content, whatever the name);
 * Windows scripts have no such line, so their extension says what they are (PowerShell,
 * batch, VBScript, WSH), and a `.js` counts only when it uses the WSH object model, which no
 * browser or Node code has.
 */

const MAX_SHEBANG = 256;

const INTERPRETERS: [RegExp, string][] = [
  [/^(ba|da|z|k|mk|a|c|tc|yash|posh|fi)?sh$|^fish$|^busybox$/, 'shell'],
  [/^(python|pypy)[\d.]*$/, 'python'],
  [/^(node|nodejs|deno|bun|ts-node|tsx)$/, 'node'],
  [/^perl[\d.]*$/, 'perl'],
  [/^(j|truffle)?ruby[\d.]*$/, 'ruby'],
  [/^php[\d.-]*$/, 'php'],
  [/^(pwsh|powershell)(\.exe)?$/, 'powershell'],
  [/^(lua|luajit)[\d.]*$/, 'lua'],
  [/^(tclsh|wish|expect)[\d.]*$/, 'tcl'],
  [/^(g|m|n)?awk$/, 'awk'],
  [/^Rscript$/, 'r'],
  [/^java$/, 'java'],
  [/^groovy$/, 'groovy'],
  [/^osascript$/, 'applescript'],
  [/^make$/, 'make'],
];

export interface Shebang {
  interpreter: string;
  language: string;
}

/** Reads `#!` from the first bytes; undefined when the file does not start with one. */
export function parseShebang(head: Buffer): Shebang | undefined {
  if (head.length < 3 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const end = head.indexOf(0x0a);
  const line = head
    .subarray(2, end < 0 ? Math.min(head.length, MAX_SHEBANG) : Math.min(end, MAX_SHEBANG))
    .toString('latin1')
    .replace(/\r$/, '')
    .trim();
  // The kernel wants an absolute path: `#![...]` (Rust attributes) and prose after `#!` are not.
  if (!/^\/[\w.+-]+(\/[\w.+-]+)*(\s|$)/.test(line) || /[^\x20-\x7e\t]/.test(line)) return undefined;
  const words = line.split(/\s+/);
  let program = basename(words[0]!);
  let rest = words.slice(1);
  if (program === 'env') {
    rest = rest.filter((w) => !w.startsWith('-') && !/^\w+=/.test(w));
    program = basename(rest[0] ?? '');
    rest = rest.slice(1);
  }
  if (program === 'busybox' && rest[0]) program = basename(rest[0]);
  const language = INTERPRETERS.find(([re]) => re.test(program))?.[1] ?? 'unknown';
  return { interpreter: line.slice(0, 120), language };
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export type WindowsScriptKind = 'powershell' | 'batch' | 'vbscript' | 'wsh' | 'jscript-candidate';

const WINDOWS_EXTENSIONS: Record<string, WindowsScriptKind> = {
  ps1: 'powershell',
  psm1: 'powershell',
  bat: 'batch',
  cmd: 'batch',
  vbs: 'vbscript',
  vbe: 'vbscript',
  wsf: 'wsh',
  js: 'jscript-candidate',
  jse: 'wsh',
};

export function windowsScriptKind(path: string): WindowsScriptKind | undefined {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? WINDOWS_EXTENSIONS[name.slice(dot + 1).toLowerCase()] : undefined;
}

/** Text of a script head: UTF-16 (with its BOM, as PowerShell often writes) or UTF-8. */
export function scriptText(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return head.subarray(2).toString('utf16le');
  if (head[0] === 0xfe && head[1] === 0xff) {
    const swapped = Buffer.from(head.subarray(2, 2 + ((head.length - 2) & ~1)));
    return swapped.swap16().toString('utf16le');
  }
  // A NUL in the first kilobytes: binary data with a script's name.
  if (head.subarray(0, 4096).includes(0)) return undefined;
  return head.toString('utf8');
}

const WSH_OBJECT =
  /\bWScript\s*\.\s*(CreateObject|Shell|Echo|Arguments|Sleep|Quit|ScriptFullName|ScriptName|StdOut|StdIn|GetObject)\b/;

export function usesWsh(text: string): boolean {
  return WSH_OBJECT.test(text);
}
