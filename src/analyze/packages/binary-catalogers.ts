/**
 * The catalogers that read compiled artefacts rather than package databases: Go build info and
 * cargo-auditable data in executables, and Java archives.
 */
import type { Analyzer } from '../types.js';
import { goBinaryAnalyzer } from './golang/cataloger.js';
import { javaArchiveAnalyzer } from './java/cataloger.js';
import { rustAuditAnalyzer } from './rust/cataloger.js';

export const binaryCatalogers: Analyzer[] = [goBinaryAnalyzer, rustAuditAnalyzer, javaArchiveAnalyzer];
