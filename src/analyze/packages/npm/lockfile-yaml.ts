/**
 * YAML for lockfiles (pnpm-lock.yaml, yarn berry's yarn.lock). What package managers write is
 * read by block-yaml.ts, in linear time. A file it does not understand (hand-edited, or a YAML
 * feature no package manager emits) goes to the full yaml parser only if small: that parser
 * takes about a second per MiB, and recurses per nesting level, so deeply nested input
 * (`[[[[...`, `- - - - ...`) would cost it seconds and gigabytes. Nesting is measured first, in
 * one linear pass, and a file nested deeper than any lockfile is refused outright.
 */
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../../errors.js';
import { MalformedFile } from '../lang-common.js';
import { UnsupportedYaml, parseBlockYaml } from './block-yaml.js';

/** Lockfiles indent at most ~10 spaces; 256 is far beyond any real one. */
const MAX_INDENT = 256;
/** `- `, `? ` and `: ` indicators opening nested nodes on one line. */
const MAX_COMPACT_INDICATORS = 16;
/** Open `[` and `{` at once (counted everywhere, quoted or not: lockfiles quote no brackets). */
const MAX_FLOW_DEPTH = 64;
/** Largest file handed to the full YAML parser. */
const MAX_FULL_PARSE_BYTES = 512 * 1024;

/** Throws MalformedFile if `text` nests deeper than a lockfile could. */
export function assertShallowYaml(text: string): void {
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32 /* space */) {
        if (++indent > MAX_INDENT) throw new MalformedFile(`indented deeper than ${MAX_INDENT} columns`);
        continue;
      }
      lineStart = false;
      let indicators = 0;
      let j = i;
      while ((text[j] === '-' || text[j] === '?' || text[j] === ':') && text[j + 1] === ' ') {
        if (++indicators > MAX_COMPACT_INDICATORS) throw new MalformedFile('nested deeper than a lockfile');
        j += 2;
        while (text[j] === ' ') j++;
      }
    }
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++flow > MAX_FLOW_DEPTH)
        throw new MalformedFile(`flow collections nested deeper than ${MAX_FLOW_DEPTH}`);
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && flow > 0) {
      flow--;
    }
  }
}

/** A lockfile's YAML document, every scalar a string (versions like `1.10` stay text). */
export function parseLockfileYaml(text: string): unknown {
  assertShallowYaml(text);
  try {
    return parseBlockYaml(text);
  } catch (err) {
    if (!(err instanceof UnsupportedYaml)) throw err;
    if (text.length > MAX_FULL_PARSE_BYTES) throw new MalformedFile(`not lockfile YAML: ${err.message}`);
  }
  try {
    return parseYaml(text, {
      schema: 'failsafe',
      logLevel: 'error',
      maxAliasCount: 100,
      prettyErrors: false,
    });
  } catch (err) {
    throw new MalformedFile(`not valid YAML: ${errorMessage(err)}`);
  }
}
