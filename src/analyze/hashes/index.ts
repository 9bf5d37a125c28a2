/**
 * File digests (sha256, md5, sha1 of executables, libraries and likely payloads, in one pass)
 * and the known-bad hash check that matches them against the database's deny-list.
 */
import type { ImageCheck } from '../findings.js';
import type { Analyzer } from '../types.js';
import { hashDenylistCheck } from './denylist-check.js';
import { fileDigestsAnalyzer } from './file-digests.js';

export { categoryForName, loadNameCategoryRules, nameCategoryRules } from './categories.js';
export { HASH_DENYLIST_CHECK, KNOWN_BAD_HASH_RULE, hashDenylistCheck } from './denylist-check.js';
export { DigestRequests } from './digest-requests.js';
export {
  createFileDigestsAnalyzer,
  FILE_DIGESTS_ANALYZER,
  fileDigestsAnalyzer,
  isFileDigestFact,
  wantsDigest,
  type FileDigestFact,
} from './file-digests.js';

export const hashAnalyzers: Analyzer[] = [fileDigestsAnalyzer];

export const hashChecks: ImageCheck[] = [hashDenylistCheck];
