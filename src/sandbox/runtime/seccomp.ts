/**
 * The containers' seccomp profile, kept as data (rules/sandbox/seccomp.json) and validated at
 * load: a typo in an action or operator would otherwise surface only as runc refusing to start.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod/v3';

const ActionSchema = z.enum(['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL']);
const ArgSchema = z
  .object({
    index: z.number().int().min(0).max(5),
    value: z.number().int().nonnegative(),
    valueTwo: z.number().int().nonnegative().optional(),
    op: z.enum([
      'SCMP_CMP_NE',
      'SCMP_CMP_LT',
      'SCMP_CMP_LE',
      'SCMP_CMP_EQ',
      'SCMP_CMP_GE',
      'SCMP_CMP_GT',
      'SCMP_CMP_MASKED_EQ',
    ]),
  })
  .strict();
const RuleSchema = z
  .object({
    why: z.string().min(1),
    names: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1),
    action: ActionSchema,
    errnoRet: z.number().int().positive().optional(),
    args: z.array(ArgSchema).optional(),
  })
  .strict();
const ProfileSchema = z
  .object({
    description: z.string(),
    defaultAction: ActionSchema,
    architectures: z.array(z.string().regex(/^SCMP_ARCH_[A-Z0-9_]+$/)).min(1),
    syscalls: z.array(RuleSchema).min(1),
  })
  .strict();

/** The `linux.seccomp` object of an OCI runtime config. */
export interface OciSeccomp {
  defaultAction: string;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: z.infer<typeof ArgSchema>[] }[];
}

export function compileSeccomp(data: unknown): OciSeccomp {
  const profile = ProfileSchema.parse(data);
  const seen = new Set<string>();
  for (const rule of profile.syscalls) {
    for (const name of rule.names) {
      // A name in two unconditional rules would make libseccomp refuse the filter.
      const key = `${name}/${rule.args ? 'args' : 'plain'}`;
      if (seen.has(key)) throw new Error(`seccomp profile: ${name} is listed twice`);
      seen.add(key);
    }
  }
  return {
    defaultAction: profile.defaultAction,
    architectures: profile.architectures,
    syscalls: profile.syscalls.map(({ why: _why, ...rule }) => rule),
  };
}

let loaded: OciSeccomp | undefined;

export function seccompProfile(): OciSeccomp {
  loaded ??= compileSeccomp(
    JSON.parse(readFileSync(new URL('../../../rules/sandbox/seccomp.json', import.meta.url), 'utf8')),
  );
  return loaded;
}
