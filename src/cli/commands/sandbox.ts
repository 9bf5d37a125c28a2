import { Command } from 'commander';
import { osDetectors } from '../../analyze/os/index.js';
import { ShipshapeError, withTarget } from '../../errors.js';
import { openSource } from '../../image/target.js';
import { parseFailOn, verdictOf, type Verdict } from '../../policy/verdict.js';
import { behaviorTable } from '../../report/behavior-table.js';
import { reportLayers, reportTarget, toolInfo } from '../../report/model.js';
import type { AnalyzedImage } from '../../scan/analyze-image.js';
import type { BehaviorReport } from '../../sandbox/types.js';
import { analyzeTarget } from '../analyze-target.js';
import { addCommonOptions, sourceOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

export interface SandboxCliOptions extends CommonOptions {
  timeout?: string;
  monitor?: string;
  failOn?: string;
}

export function timeoutMsOf(value: string | undefined): number {
  if (value === undefined) return 30_000;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0 || s > 3600)
    throw new ShipshapeError('BAD_ARGUMENT', `--timeout must be seconds between 1 and 3600, not "${value}"`);
  return Math.round(s * 1000);
}

function monitorOf(value: string | undefined): 'strace' | 'bpftrace' | undefined {
  if (value === undefined) return undefined;
  if (value === 'strace' || value === 'bpftrace') return value;
  throw new ShipshapeError('BAD_ARGUMENT', `--monitor must be strace or bpftrace, not "${value}"`);
}

/**
 * Runs an already analyzed image in the sandbox. Ctrl-C or SIGTERM aborts the run, and the
 * sandbox's cleanup still runs before the process exits.
 */
export async function sandboxImage(
  target: string,
  analyzed: AnalyzedImage,
  o: SandboxCliOptions,
): Promise<BehaviorReport> {
  if (!analyzed.image.layers.some((l) => l.digest ?? l.diffId))
    throw new ShipshapeError(
      'UNSUPPORTED',
      'the sandbox runs images; a root filesystem (dir:) has no layers',
    );
  const { runSandbox } = await import('../../sandbox/run.js');
  const controller = new AbortController();
  const stop = () => controller.abort(new ShipshapeError('INTERRUPTED', 'interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const source = openSource(target, sourceOptions(o));
  try {
    const monitor = monitorOf(o.monitor);
    const report = await runSandbox(source, analyzed.image, analyzed.facts.tree, {
      timeoutMs: timeoutMsOf(o.timeout),
      ...(monitor ? { monitor } : {}),
      signal: controller.signal,
    });
    // A run that never started observed nothing: that is a failure to analyse, not a pass.
    if (!report.ran) {
      const why = report.warnings.find((w) => w.startsWith('runtime:')) ?? report.warnings[0] ?? 'unknown';
      throw new ShipshapeError('SANDBOX', `the sandbox could not run the image: ${why}`);
    }
    return report;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await source.close();
  }
}

export function behaviorFindings(b: BehaviorReport | null) {
  return (b?.findings ?? []).map((f) => ({
    kind: 'behavior',
    id: f.rule,
    severity: f.severity,
    where: f.evidence.slice(0, 120),
  }));
}

interface SandboxOutcome {
  analyzed: AnalyzedImage;
  behavior: BehaviorReport;
  verdict: Verdict;
  totalMs: number;
}

async function sandboxTarget(target: string, o: SandboxCliOptions): Promise<SandboxOutcome> {
  const started = performance.now();
  try {
    const failOn = parseFailOn(o.failOn);
    const analyzed = await analyzeTarget(target, o, undefined, osDetectors);
    const behavior = await sandboxImage(target, analyzed, o);
    return {
      analyzed,
      behavior,
      verdict: verdictOf(behaviorFindings(behavior), failOn),
      totalMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    throw withTarget(e, target);
  }
}

export function sandboxCommand(): Command {
  const cmd = new Command('sandbox')
    .description('run the image in an isolated sandbox with a fake internet and judge its behaviour')
    .argument('<target>', 'image reference, docker-archive:PATH, PATH.tar or oci:DIR[:TAG]')
    .option('--timeout <seconds>', 'observation window (default 30)')
    .option('--monitor <name>', 'strace (default) or bpftrace')
    .option('--fail-on <severity>', 'exit 1 when a behaviour finding at or above this severity exists');
  addCommonOptions(cmd, ['table', 'json']);
  cmd.action(async (target: string, o: SandboxCliOptions) => {
    const r = await sandboxTarget(target, o);
    const text =
      o.format === 'json'
        ? JSON.stringify(
            {
              schemaVersion: 1,
              tool: toolInfo(),
              target: reportTarget(r.analyzed.image, r.analyzed.os),
              layers: reportLayers(r.analyzed.image, r.analyzed.facts.layers),
              behavior: r.behavior,
              verdict: r.verdict,
              warnings: r.behavior.warnings,
              timings: { totalMs: r.totalMs },
            },
            null,
            2,
          )
        : [
            `Image     ${r.analyzed.image.ref ?? r.analyzed.image.input}`,
            behaviorTable(r.behavior, Boolean(process.stdout.isTTY) && !o.output),
            r.verdict.pass
              ? 'Verdict: pass'
              : `Verdict: FAIL\n${r.verdict.reasons.map((x) => `  - ${x}`).join('\n')}`,
          ].join('\n');
    await emit(text, o.output);
    if (!r.verdict.pass) process.exitCode = 1;
  });
  return cmd;
}
