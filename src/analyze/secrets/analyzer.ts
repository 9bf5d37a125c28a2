/**
 * The `secrets` layer analyzer: credentials in text files. Binary files are passed over (told
 * apart by their first bytes), files in the allow-listed third-party test and doc folders are
 * not read, and only the first 2 MiB of a file are searched (the rest is reported as a gap).
 */
import type { ScanGapFact, SecretFact } from '../findings.js';
import type { EntryHeader } from '../../layer/types.js';
import type { Analyzer, Fact, FileInput, FileSink } from '../types.js';
import { maskSecret } from './mask.js';
import { secretRules } from './rules.js';
import { nativeKeywordScreen } from './keyword-screen.js';
import { anyRuleRuns, isAllowedPath, scanText } from './scan-text.js';
import { archiveSecrets, MAX_SECRET_ARCHIVE_BYTES, wantsArchiveForSecrets } from './archive-members.js';
import { looksLikeText, textOrUtf16, utf16Text } from './text.js';

export { looksLikeText };

export const SECRETS_ANALYZER = 'secrets';
export const MAX_SECRET_SCAN_BYTES = 2 * 1024 * 1024;
const SNIFF_BYTES = 8192;

/** Files no text rule can match: compressed, media, compiled. Saves buffering them. */
const BINARY_SUFFIX =
  /\.(?:png|jpe?g|gif|ico|webp|bmp|tiff?|woff2?|ttf|otf|eot|gz|tgz|bz2|xz|zst|lz4|zip|jar|war|ear|whl|egg|7z|rar|pyc|pyo|so|so\.[0-9.]{1,32}|a|o|mo|class|wasm|node|deb|rpm|apk|db|sqlite3?|mp[34]|ogg|wav|pdf)$/i;

/** Secrets in one file's first MAX_SECRET_SCAN_BYTES (`truncated`: the file goes on). */
function analyzeText(file: FileInput): Fact[] {
  const path = file.header.path;
  const head = file.content.subarray(0, SNIFF_BYTES);
  const plain = looksLikeText(head);
  if (!plain && !textOrUtf16(head)) return [];
  const set = secretRules();
  if (isAllowedPath(path, set.allow)) return [];
  // UTF-16 text is read as the characters it spells (below 256 all that rules look for).
  const content = plain ? file.content : Buffer.from(utf16Text(file.content) ?? '', 'latin1');
  const screen = nativeKeywordScreen(set);
  const present = screen ? screen(content) : undefined;
  let facts: Fact[] = [];
  if (present === undefined || anyRuleRuns(set, path, present)) {
    // latin1: one char per byte, so offsets and line numbers hold whatever the encoding.
    const text = content.toString('latin1');
    facts = scanText(text, set, { path, present }).map((m): SecretFact => ({
      kind: 'secret',
      rule: m.rule.id,
      severity: m.severity,
      path,
      line: m.line,
      evidence: maskSecret(m.secret),
    }));
  }
  if (file.truncated) {
    const gap: ScanGapFact = {
      kind: 'scan-gap',
      analyzer: SECRETS_ANALYZER,
      path,
      reason: `larger than ${MAX_SECRET_SCAN_BYTES} bytes: only the first part was searched for secrets`,
      bytes: Math.max(0, file.header.size - file.content.length),
    };
    facts.push(gap);
  }
  return facts;
}

/**
 * Streams rather than asks the engine to buffer: the first bytes tell a binary file, and a binary
 * file (most of an image's bytes: executables and libraries rarely have a suffix that says so)
 * is then passed over instead of being copied into a buffer of up to 2 MiB first.
 */
class SecretSink implements FileSink {
  private chunks: Buffer[] = [];
  private kept = 0;
  private seen = 0;
  private binary = false;

  constructor(private readonly header: EntryHeader) {}

  write(chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.binary || this.kept >= MAX_SECRET_SCAN_BYTES) return;
    const part = chunk.subarray(0, MAX_SECRET_SCAN_BYTES - this.kept);
    // Kept as it is, not copied: the layer pass hands every chunk in memory of its own and never
    // reuses it (the content rules keep theirs the same way), and the text is copied at the end.
    this.chunks.push(part);
    this.kept += part.length;
    if (this.kept - part.length < SNIFF_BYTES && this.kept >= Math.min(SNIFF_BYTES, this.header.size)) {
      // Most files arrive in one chunk: sniff it in place rather than copy it whole.
      const first = this.chunks[0]!;
      const head = (first.length >= SNIFF_BYTES ? first : Buffer.concat(this.chunks)).subarray(
        0,
        SNIFF_BYTES,
      );
      if (!textOrUtf16(head)) {
        this.binary = true;
        this.chunks = [];
      }
    }
  }

  end(): Fact[] {
    if (this.binary || this.kept === 0) return [];
    const content = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
    this.chunks = [];
    return analyzeText({ header: this.header, content, truncated: this.seen > this.kept });
  }
}

export const secretsAnalyzer: Analyzer = {
  name: SECRETS_ANALYZER,
  version: 4,
  wants(header) {
    if (header.type !== 'file' || header.size === 0) return false;
    // Archives: their configuration members (archive-members.ts), the archive read whole.
    if (wantsArchiveForSecrets(header.path)) return { mode: 'buffer', maxBytes: MAX_SECRET_ARCHIVE_BYTES };
    if (BINARY_SUFFIX.test(header.path)) return false;
    return { mode: 'stream' };
  },
  open(header: EntryHeader): FileSink {
    return new SecretSink(header);
  },
  analyze(file) {
    if (wantsArchiveForSecrets(file.header.path))
      return archiveSecrets(file.header.path, file.content, file.truncated);
    return analyzeText(file);
  },
};
