/**
 * Java archives in the image, chosen by extension alone (jar, war, ear, par, jpi, hpi): a zip
 * magic check would need the content, and archives by other names are rare. Each is buffered
 * whole, up to 200 MiB (a larger one is reported and skipped), because a zip is read from its
 * central directory at the end.
 */
import type { AnalyzeContext, Analyzer, Fact, FileInput } from '../../types.js';
import { ARCHIVE_NAME } from './archive-name.js';
import { catalogJavaArchive } from './archive.js';

export const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;
/** Smaller than an empty zip's end-of-central-directory record: not an archive. */
const MIN_ARCHIVE_BYTES = 22;

export const javaArchiveAnalyzer: Analyzer = {
  name: 'java-archive',
  version: 1,
  wants(header) {
    if (header.type !== 'file' || !ARCHIVE_NAME.test(header.path)) return false;
    return { mode: 'buffer', maxBytes: MAX_ARCHIVE_BYTES };
  },
  async analyze(file: FileInput, ctx: AnalyzeContext): Promise<Fact[]> {
    const path = file.header.path;
    if (file.truncated) {
      ctx.warn(path, `Java archive larger than ${MAX_ARCHIVE_BYTES} bytes; not read`);
      return [];
    }
    if (file.content.length < MIN_ARCHIVE_BYTES) {
      ctx.warn(path, `Java archive of ${file.content.length} bytes is not a zip archive`);
      return [];
    }
    return catalogJavaArchive(path, file.content, (message) => ctx.warn(path, message));
  },
};
