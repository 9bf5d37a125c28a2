/** Every per-threat sample file of this folder, merged. */
import * as backdoor from './backdoor.js';
import * as hacktool from './hacktool.js';
import * as miner from './miner.js';
import * as webshell from './webshell.js';
import type { RuleSamples, Sample } from './kit.js';

const areas = [miner, webshell, backdoor, hacktool];
export const EXTRA_THREATS: Sample[] = areas.flatMap((a) => a.THREATS);
export const EXTRA_LEGITIMATE: Sample[] = areas.flatMap((a) => a.LEGITIMATE);
export const EXTRA_RULE_SAMPLES: Record<string, RuleSamples> = Object.assign(
  {},
  ...areas.map((a) => a.RULE_SAMPLES),
);
