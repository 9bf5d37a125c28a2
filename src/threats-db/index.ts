/** The known-bad hash deny-list: feed parsers, the importer and the store (table `denied_hashes`). */
export {
  HashListParser,
  LineSplitter,
  cleanName,
  csvHeader,
  parseCsvLine,
  parseListLine,
  splitCsvRecord,
  type CsvColumns,
  type DeniedHashEntry,
  type HashListFormat,
  type LineResult,
} from './parse.js';
export { importHashFile, type ImportHashesOptions, type ImportHashesSummary } from './import.js';
export {
  addDeniedHashes,
  deniedHashLookup,
  denyListIsEmpty,
  denyListStatus,
  DENIED_HASHES_TABLE,
  type DeniedHash,
  type DenyListStatus,
} from './store.js';
