/**
 * WWW-Authenticate parsing (RFC 7235). The header comes from the network, so this never throws:
 * anything it cannot read is skipped, and the caller decides what a missing challenge means.
 */

export interface Challenge {
  /** Lower-cased scheme, e.g. `bearer` or `basic`. */
  scheme: string;
  /** Lower-cased parameter names, values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  skipSpace(): void {
    while (!this.done() && (this.s[this.pos] === ' ' || this.s[this.pos] === '\t')) this.pos++;
  }

  /** Returns whether a comma was among what it skipped. */
  skipSpaceAndCommas(): boolean {
    let comma = false;
    while (!this.done() && /[\s,]/.test(this.s[this.pos]!)) {
      if (this.s[this.pos] === ',') comma = true;
      this.pos++;
    }
    return comma;
  }

  token(): string {
    const start = this.pos;
    while (!this.done() && TOKEN_CHAR.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** A quoted-string; an unterminated one runs to the end rather than failing. */
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done()) {
      const c = this.s[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\' && !this.done()) out += this.s[this.pos++]!;
      else out += c;
    }
    return out;
  }

  peek(): string | undefined {
    return this.s[this.pos];
  }

  /** Skips to the next comma (leaving it), for recovering from something unreadable. */
  skipToComma(): void {
    while (!this.done() && this.s[this.pos] !== ',') this.pos++;
  }
}

/**
 * Tries to read `name=value` at the scanner; on anything else rewinds and returns undefined, so
 * the caller can treat what follows as the next challenge's scheme.
 */
function readParam(sc: Scanner): [string, string] | undefined {
  const start = sc.pos;
  const name = sc.token();
  sc.skipSpace();
  if (name === '' || sc.peek() !== '=') {
    sc.pos = start;
    return undefined;
  }
  sc.pos++;
  sc.skipSpace();
  // token68 values (e.g. `Basic abc==`) use '=' padding, which a param value cannot start with.
  if (sc.peek() === '=') {
    sc.pos = start;
    return undefined;
  }
  const value = sc.peek() === '"' ? sc.quoted() : sc.token();
  return [name.toLowerCase(), value];
}

export function parseWwwAuthenticate(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const sc = new Scanner(header);
  const challenges: Challenge[] = [];
  let guard = 0;
  while (!sc.done() && guard++ < header.length + 1) {
    sc.skipSpaceAndCommas();
    const scheme = sc.token();
    if (scheme === '') {
      sc.skipToComma();
      continue;
    }
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    let first = true;
    while (true) {
      const afterComma = sc.skipSpaceAndCommas();
      if (sc.done()) break;
      const param = readParam(sc);
      if (param) {
        const [name, value] = param;
        if (!(name in params)) params[name] = value;
      } else if (first && !afterComma) {
        // A token68 blob right after the scheme (`Negotiate abc==`): carries nothing we use.
        sc.skipToComma();
      } else {
        break; // the next challenge's scheme
      }
      first = false;
    }
    challenges.push({ scheme: scheme.toLowerCase(), params: { ...params } });
  }
  return challenges;
}
