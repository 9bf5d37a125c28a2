/** Webshell disguises and look-alikes beyond test/malware-disguises.test.ts's own (see kit.ts). */
import { sample, type RuleSamples, type Sample } from './kit.js';

const threat = sample('webshell');
const clean = sample(undefined);

export const THREATS: Sample[] = [];
export const LEGITIMATE: Sample[] = [];
/** Samples of the rules this area adds to the pack. */
export const RULE_SAMPLES: Record<string, RuleSamples> = {};
void threat;
void clean;
