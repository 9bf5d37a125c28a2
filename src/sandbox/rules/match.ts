/** The declarative conditions: process, file, connect and network rules. Each returns evidence strings. */
import type { CompiledRule } from './load.js';
import { evidence, hostMatches, isLoopback, type Ctx } from './context.js';

type Cond<K extends keyof CompiledRule> = NonNullable<CompiledRule[K]>;

const HOSTLIKE = /[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+/gi;

export function matchProcess(c: Cond<'process'>, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const p of ctx.processes) {
    if (c.names && !ctx.names(p).some((n) => c.names?.has(n))) continue;
    if (c.path && !c.path.test(p.path)) continue;
    const text = ctx.argvText(p);
    if (c.argv && !c.argv.test(text)) continue;
    if (c.notArgv?.test(text)) continue;
    if (c.argvHosts) {
      const hosts = (text.match(HOSTLIKE) ?? []).slice(0, 200);
      const hit = hosts.map((h) => hostMatches(h, c.argvHosts ?? [])).find((h) => h);
      if (!hit) continue;
    }
    out.push(evidence(`${c.path && !c.argv ? `${p.path}: ` : ''}${text || p.path}`));
  }
  return out;
}

export function matchFile(c: Cond<'file'>, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const f of ctx.files) {
    if (!c.ops.has(f.op)) continue;
    const paths: string[] = [];
    if (c.side !== 'target') paths.push(f.path);
    if (f.op === 'rename' && f.target !== undefined && c.side !== 'source') paths.push(f.target);
    const hit = paths.find((p) => c.path.test(p) && !(c.excludeDecoys && ctx.decoyFiles.has(p)));
    if (hit === undefined) continue;
    const proc = ctx.processAt(f.pid, f.ms);
    const names = ctx.names(proc);
    if (names.some((n) => c.excludeProcessNames.has(n))) continue;
    out.push(evidence(`${f.op} ${hit}${names[0] ? ` by ${names[0]}` : ''}`));
  }
  return out;
}

interface Endpoint {
  family: string;
  address: string;
  port: number;
}

/** Destinations from both sides: the syscalls and what the fake internet saw. */
export function endpoints(ctx: Ctx): (Endpoint & { ms: number })[] {
  const out: (Endpoint & { ms: number })[] = ctx.input.observations.connects.map((c) => ({
    family: c.family,
    address: c.address,
    port: c.port,
    ms: c.ms,
  }));
  for (const n of ctx.input.network) {
    if (n.kind === 'dns' || !n.ip || n.port === null) continue;
    out.push({ family: n.ip.includes(':') ? 'inet6' : 'inet', address: n.ip, port: n.port, ms: n.ms });
  }
  return out;
}

export function matchConnect(c: Cond<'connect'>, ctx: Ctx): string[] {
  const hits = endpoints(ctx).filter(
    (e) =>
      (!c.family || e.family === c.family) &&
      (!c.ports || c.ports.has(e.port)) &&
      (!c.address || c.address.test(e.address)) &&
      (c.includeLoopback || !isLoopback(e.address)),
  );
  const addresses = [...new Set(hits.map((e) => e.address))];
  if (hits.length === 0 || addresses.length < c.minDistinctAddresses) return [];
  const shown = [...new Set(hits.map((e) => (e.family === 'unix' ? e.address : `${e.address}:${e.port}`)))];
  if (c.minDistinctAddresses > 1)
    return [evidence(`${addresses.length} addresses: ${shown.slice(0, 6).join(', ')}`)];
  return shown.slice(0, 20).map((s) => evidence(s));
}

export function matchNetwork(c: Cond<'network'>, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const n of ctx.input.network) {
    if (c.kinds && !c.kinds.has(n.kind)) continue;
    if (c.firstBytes.length && !c.firstBytes.every((r) => r.test(n.firstBytes))) continue;
    if (c.hosts && !(n.host && hostMatches(n.host, c.hosts))) continue;
    if (c.hostRegex && !(n.host && c.hostRegex.test(n.host))) continue;
    const where = `${n.kind} ${n.host ?? n.ip ?? '?'}${n.port !== null && n.kind !== 'dns' ? `:${n.port}` : ''}`;
    out.push(evidence(c.firstBytes.length ? `${where} ${n.firstBytes.slice(0, 100)}` : where));
  }
  return out;
}
