/**
 * What the per-threat sample files of this folder share: a disguised threat or a legitimate
 * look-alike (test/malware-disguises.test.ts runs every one through the analyzer, and through the
 * engine with and without the anchors), and the rule samples of the rules they add
 * (test/malware-rules.test.ts). Everything is harmless text or bytes written here.
 */
import type { RuleSample, RuleSamples } from '../malware-samples.js';

export { fakeElf, fakeMoneroWallet, fakePeWithImports, pseudoRandom } from '../malware-samples.js';
export type { RuleSample, RuleSamples };

export interface Sample {
  label: string;
  /** The category a finding must have (for a threat), or undefined for clean content. */
  category: string | undefined;
  /** The file's basename, which the rules see. */
  name: string;
  content: Buffer;
}

export const sample =
  (category: string | undefined) =>
  (label: string, name: string, content: string | Buffer): Sample => ({
    label,
    category,
    name,
    content: typeof content === 'string' ? Buffer.from(content, 'latin1') : content,
  });

export const text = (content: string, name?: string): RuleSample =>
  name === undefined
    ? { content: Buffer.from(content, 'latin1') }
    : { content: Buffer.from(content, 'latin1'), name };
export const bin = (content: Buffer, name?: string): RuleSample =>
  name === undefined ? { content } : { content, name };
