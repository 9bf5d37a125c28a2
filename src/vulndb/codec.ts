/**
 * How a full OSV record is kept in `vuln_advisory.record`: compact JSON, raw-deflated
 * (about 3.3× smaller on real osv.dev data; inflating one record takes microseconds).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { OsvRecord } from './types.js';

/** A stored record inflates to at most this (records are capped well below it on import). */
const MAX_INFLATED = 64 * 1024 * 1024;

export function encodeRecord(record: OsvRecord): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(record)), { level: 6 });
}

export function decodeRecord(blob: Buffer): OsvRecord {
  return JSON.parse(inflateRawSync(blob, { maxOutputLength: MAX_INFLATED }).toString('utf8')) as OsvRecord;
}
