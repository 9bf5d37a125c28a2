/**
 * The vulnerability database (OSV): storage and query API, `db import`, `db update`,
 * `db status`. See docs/vulnerability-db.md.
 */
export { VulnStore, type AdvisoryInfo, type AffectedRow, type EcosystemState } from './store.js';
export { DEFAULT_ECOSYSTEMS, ecosystemBase, normalizePackageName } from './ecosystem.js';
export { importPath, type ImportOptions, type ImportSummary } from './import.js';
export { updateDatabase, DEFAULT_DELTA_LIMIT, type UpdateOptions, type UpdateSummary } from './update.js';
export { DEFAULT_SOURCE } from './source.js';
export { dbStatus, dbStatusTable, DEFAULT_MAX_AGE_DAYS, type DbStatus } from './status.js';
export type { DbProgress, UnitResult } from './result.js';
export { DEFAULT_MAX_ENTRY_BYTES } from './zip.js';
export type { OsvRecord, OsvAffected, OsvRange, OsvEvent, OsvSeverity } from './types.js';
