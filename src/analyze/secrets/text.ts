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

/**
 * Text written as UTF-16 (PowerShell's and Windows editors' default: a byte-order mark, or ASCII
 * with every other byte NUL), as a string, or null. Looked at only where looksLikeText() saw NULs.
 */
export function utf16Text(bytes: Buffer): string | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return swapped.swap16().toString('utf16le');
  }
  // No mark: ASCII as UTF-16LE, the odd bytes of the first few hundred all NUL, the even ones not.
  const end = Math.min(bytes.length & ~1, 512);
  for (let i = 0; i < end; i += 2) if (bytes[i] === 0 || bytes[i + 1] !== 0) return null;
  return bytes.toString('utf16le');
}

/** Text, or text written as UTF-16 (see utf16Text), from a file's first bytes. */
export function textOrUtf16(head: Buffer): boolean {
  if (looksLikeText(head)) return true;
  const text = utf16Text(head.subarray(0, head.length & ~1));
  return text !== null && looksLikeText(Buffer.from(text, 'latin1'));
}
