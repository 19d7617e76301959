// workspace/executeCommand `modelAudit.runProbes`: runs a model's quick-train probes in a worker process (never in
// this process) with LSP work-done progress that shows the live loss and can cancel the run, then reports failed
// probes as MP diagnostics and their verdicts on the model's code lens. Refused in an untrusted workspace.

import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import type { Finding } from '../core/findings';
import type { ModelGraph } from '../core/graph';
import { ProbeWorkerError, runProbesInWorker } from '../probe/runInWorker';
import { probeFindings } from '../probe/probeFindings';
import { firstChartSvg, renderProbeReport } from '../probe/report';
import { ProbeReport } from '../shared/customMessages';
import { PROBE_IDS, type ProbeResult, type ProbeRun, VERDICT_MARKS } from '../probe/types';

export const RUN_PROBES = 'modelAudit.runProbes';

export interface RunProbesArgs {
  readonly uri: string;
  readonly model: string;
  /** Probe ids; default: every probe that applies without a spec. */
  readonly probes?: readonly string[];
  readonly seed?: number;
  /** Values for the sizes the code leaves open (as `probe --set`); remembered for the model's next runs and lens. */
  readonly sizes?: Readonly<Record<string, number>>;
}

export type RunProbesResult = { readonly run: ProbeRun } | { readonly refused: string } | { readonly error: string };

export interface ProbeHost {
  analysis(uri: string): Promise<FileAnalysis | undefined>;
  /** The spec model bound to a code model, when an open spec names it. */
  boundSpec(uri: string, model: string): Promise<ModelGraph | undefined>;
  /** Replaces the probe findings of one model in a document and republishes its diagnostics. */
  setFindings(uri: string, model: string, findings: Finding[]): void;
  refreshCodeLenses(): void;
  isTrusted(): boolean;
  log(message: string): void;
}

function num(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2)) : undefined;
}

/** One result in a few words for a code lens: `nonlinearity ✗ 0.94 vs linear 0.94`. */
export function describeResult(r: ProbeResult): string {
  const m = r.metrics ?? {};
  const final = num(m.final_loss);
  const detail =
    final !== undefined && num(m.linear_baseline_loss) !== undefined ? `${final} vs linear ${num(m.linear_baseline_loss)}`
      : num(m.initial_loss) !== undefined && num(m.expected_loss) !== undefined ? `${num(m.initial_loss)} vs ${num(m.expected_loss)} expected`
        : final !== undefined ? `loss ${final}` : '';
  return `${r.probe} ${VERDICT_MARKS[r.verdict]}${detail ? ` ${detail}` : ''}`;
}

export class ProbeRuns {
  private readonly runs = new Map<string, Map<string, ProbeRun>>();
  private readonly sizes = new Map<string, Readonly<Record<string, number>>>();

  constructor(private readonly connection: Connection, private readonly host: ProbeHost) {}

  /** The last run's verdicts for a model, for its code lens. */
  summary(uri: string, model: string): string | undefined {
    const run = this.runs.get(uri)?.get(model);
    return run ? `${run.results.map(describeResult).join(' · ')} (${run.backend}, ${run.seconds.toFixed(1)} s)` : undefined;
  }

  /** The sizes last given for a model, for its code lens. */
  sizesOf(uri: string, model: string): Readonly<Record<string, number>> | undefined {
    return this.sizes.get(`${uri}#${model}`);
  }

  forget(uri: string): void {
    this.runs.delete(uri);
  }

  /** `modelAudit/probeReport`: the HTML report of the document's last runs, or null when none has run. */
  report(uri: string): ProbeReport.Result | null {
    const runs = [...(this.runs.get(uri)?.values() ?? [])];
    if (runs.length === 0) return null;
    const html = renderProbeReport(runs.map((run) => ({ path: uri, run })));
    const charts = runs.flatMap((run) => {
      const svg = firstChartSvg(run);
      return svg ? [{ model: run.model, svg }] : [];
    });
    return { html, charts };
  }

  async run(args: RunProbesArgs, token?: CancellationToken): Promise<RunProbesResult> {
    if (!this.host.isTrusted()) {
      const refused = 'Model Audit does not run probes in an untrusted workspace: they train the model in a worker process. Trust the workspace to run them.';
      void this.connection.window.showWarningMessage(refused);
      return { refused };
    }
    const analysis = await this.host.analysis(args.uri);
    const model = analysis?.models.find((m) => m.graph.name === args.model);
    if (!model) return { error: `no model named ${args.model} in ${args.uri}` };
    // With a bound spec, the bake-off trains the spec's architecture beside the code's; without one it cannot run.
    const spec = await this.host.boundSpec(args.uri, args.model);
    const probes = (args.probes ?? PROBE_IDS).filter((p) => p !== 'spec-bakeoff' || spec !== undefined) as ProbeRun['results'][number]['probe'][];
    if (probes.length === 0) return { error: `spec-bakeoff needs a spec bound to ${args.model} (open the .mspec that names it)` };
    const key = `${args.uri}#${args.model}`;
    if (args.sizes) {
      const valid = Object.entries(args.sizes).filter(([, v]) => Number.isInteger(v) && v > 0);
      this.sizes.set(key, Object.fromEntries(valid));
    }
    const sizes = this.sizes.get(key);
    const progress = await this.connection.window.createWorkDoneProgress();
    progress.begin(`Model Audit: probing ${args.model}`, 0, 'starting the worker', true);
    const controller = new AbortController();
    progress.token.onCancellationRequested(() => controller.abort());
    token?.onCancellationRequested(() => controller.abort());
    try {
      const run = await runProbesInWorker(
        { graph: model.graph, spec, probes, backend: 'auto', seed: args.seed ?? 0, sizes },
        {
          signal: controller.signal,
          onProgress: (p) => progress.report(`${p.probe}: ${p.message}${p.loss !== undefined ? ` (loss ${p.loss.toFixed(3)})` : ''}`),
        },
      );
      const byModel = this.runs.get(args.uri) ?? new Map<string, ProbeRun>();
      byModel.set(args.model, run);
      this.runs.set(args.uri, byModel);
      this.host.setFindings(args.uri, args.model, probeFindings(run, model.graph));
      this.host.refreshCodeLenses();
      return { run };
    } catch (error) {
      const message = error instanceof ProbeWorkerError || error instanceof Error ? error.message : String(error);
      this.host.log(`probes on ${args.model} failed: ${message}`);
      if (!controller.signal.aborted) void this.connection.window.showErrorMessage(`Model Audit: the probes on ${args.model} could not run: ${message}`);
      return { error: message };
    } finally {
      progress.done();
    }
  }
}
