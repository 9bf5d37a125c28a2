/**
 * Printable escaping for bytes a container sent: the report shows them as text, so every byte
 * that is not plain printable ASCII becomes an escape (`\n`, `\r`, `\t`, `\\`, `\xHH`). The
 * result is cut at a whole escape, never inside one.
 */

export const FIRST_BYTES_MAX_CHARS = 512;

export function printable(bytes: Uint8Array, maxChars = FIRST_BYTES_MAX_CHARS): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    let piece: string;
    if (b === 0x5c) piece = '\\\\';
    else if (b >= 0x20 && b <= 0x7e) piece = String.fromCharCode(b);
    else if (b === 0x0a) piece = '\\n';
    else if (b === 0x0d) piece = '\\r';
    else if (b === 0x09) piece = '\\t';
    else piece = `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length + piece.length > maxChars) break;
    out += piece;
  }
  return out;
}

/** A short header-ish value (Host, User-Agent, SNI) made safe to show: printable, bounded. */
export function printableText(text: string, maxChars = 255): string {
  return printable(Buffer.from(text, 'latin1'), maxChars);
}
