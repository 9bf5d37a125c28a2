/** `shipshape inspect` output: JSON (contract shapes for target and layers) and a terminal table. */
import { maskedOrNull, maskSecretsIn } from './mask-secrets.js';
import Table from 'cli-table3';
import type { AnalyzedImage } from '../scan/analyze-image.js';
import type { ResolvedImage } from '../image/types.js';
import { reportLayers, reportTarget, toolInfo } from './model.js';

export interface InspectResult {
  image: ResolvedImage;
  analyzed: AnalyzedImage | null;
  cached: boolean[];
  totalMs: number;
}

/** The value part of a masked `key=value` (the key may have been masked too, and changed length). */
function valueOf(assignment: string): string {
  return assignment.slice(assignment.indexOf('=') + 1);
}

export function inspectJson(r: InspectResult): object {
  const { image, analyzed } = r;
  const c = image.config.config ?? {};
  return {
    schemaVersion: 1,
    tool: toolInfo(),
    target: reportTarget(image, analyzed?.os ?? null),
    indexDigest: image.indexDigest,
    platforms: image.platforms,
    manifestMediaType: image.manifestMediaType,
    configDigest: image.configDigest,
    config: {
      created: image.config.created ?? null,
      author: image.config.author ?? null,
      user: c.User ?? '',
      entrypoint: c.Entrypoint?.map((s) => maskSecretsIn(s)) ?? null,
      cmd: c.Cmd?.map((s) => maskSecretsIn(s)) ?? null,
      env: (c.Env ?? []).map((s) => maskSecretsIn(s)),
      workingDir: c.WorkingDir ?? '',
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
      volumes: Object.keys(c.Volumes ?? {}),
      labels: Object.fromEntries(
        Object.entries(c.Labels ?? {}).map(([k, v]) => [k, valueOf(maskSecretsIn(`${k}=${v}`))]),
      ),
      stopSignal: c.StopSignal ?? null,
    },
    history: image.history.map((h) => ({
      created: h.created ?? null,
      createdBy: maskedOrNull(h.created_by),
      emptyLayer: h.empty_layer ?? false,
      comment: h.comment ?? null,
    })),
    layers: reportLayers(image, analyzed?.facts.layers, analyzed ? r.cached : undefined),
    files: analyzed
      ? {
          final: analyzed.facts.tree.size,
          everInAnyLayer: analyzed.facts.history.length,
          removedOrReplaced: analyzed.facts.history.filter((f) => f.removedIn !== undefined).length,
        }
      : null,
    warnings: analyzed ? analyzed.facts.layers.flatMap((l) => l.warnings) : [],
    notes: image.notes,
    timings: { totalMs: r.totalMs },
  };
}

function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

function shortDigest(d: string | null): string {
  return d ? d.replace(/^sha256:/, '').slice(0, 12) : '-';
}

function oneLine(s: string | null, max = 70): string {
  if (!s) return '';
  const t = s
    .replace(/^\/bin\/sh -c (#\(nop\) )?/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function inspectTable(r: InspectResult, color: boolean): string {
  const { image, analyzed } = r;
  const c = image.config.config ?? {};
  const style = color ? {} : { style: { head: [], border: [] } };
  const lines: string[] = [];
  lines.push(`Image      ${image.ref ?? image.input}`);
  if (image.digest) lines.push(`Digest     ${image.digest}`);
  lines.push(`Platform   ${image.platform}`);
  if (analyzed?.os)
    lines.push(
      `OS         ${analyzed.os.name ?? analyzed.os.family} (${analyzed.os.family} ${analyzed.os.version ?? ''})`.trimEnd(),
    );
  if (image.platforms.length > 0)
    lines.push(`Platforms  ${image.platforms.map((p) => p.platform).join(', ')}`);
  if (image.config.created) lines.push(`Created    ${image.config.created}`);
  lines.push(`User       ${c.User || 'root (not set)'}`);
  if (c.Entrypoint?.length) lines.push(`Entrypoint ${maskSecretsIn(JSON.stringify(c.Entrypoint))}`);
  if (c.Cmd?.length) lines.push(`Cmd        ${maskSecretsIn(JSON.stringify(c.Cmd))}`);
  if (c.WorkingDir) lines.push(`WorkingDir ${c.WorkingDir}`);
  const ports = Object.keys(c.ExposedPorts ?? {});
  if (ports.length) lines.push(`Ports      ${ports.join(', ')}`);
  for (const e of c.Env ?? []) lines.push(`Env        ${maskSecretsIn(e)}`);
  for (const [k, v] of Object.entries(c.Labels ?? {})) lines.push(`Label      ${maskSecretsIn(`${k}=${v}`)}`);
  const table = new Table({ head: ['#', 'digest', 'size', 'files', 'created by'], ...style });
  const layers = reportLayers(image, analyzed?.facts.layers, r.cached);
  for (const l of layers) {
    table.push([
      String(l.index),
      shortDigest(l.digest ?? l.diffId),
      human(l.size),
      l.entries === undefined ? '-' : String(l.entries),
      oneLine(l.createdBy),
    ]);
  }
  lines.push('', table.toString());
  if (analyzed) {
    const removed = analyzed.facts.history.filter((f) => f.removedIn !== undefined).length;
    lines.push(
      `${analyzed.facts.tree.size} files in the final tree; ${analyzed.facts.history.length} entries across layers (${removed} removed or replaced by a later layer); ${analyzed.cacheHits}/${image.layers.length} layers from cache`,
    );
    for (const w of analyzed.facts.layers.flatMap((l) => l.warnings)) lines.push(`warning: ${w}`);
  }
  for (const n of image.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
