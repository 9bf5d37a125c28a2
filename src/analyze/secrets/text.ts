/** Text, as far as the first bytes tell: no NUL, and hardly any other control bytes. */
export function looksLikeText(head: Buffer): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) return false;
    // Tab, newline, vertical tab, form feed, carriage return and escape occur in real text.
    if (b < 0x20 && !(b >= 0x09 && b <= 0x0d) && b !== 0x1b) control++;
  }
  return control * 20 <= head.length;
}
