// `model-audit probe FILE --model NAME`: extracts the model, runs the quick-train probes in a worker process and
// prints the results as text or the contract's JSON, optionally writing the HTML report. Exit 0 when every probe
// passes (or is inconclusive), 1 when any fails, 2 on a usage, I/O or build error.

import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { analyzeSource } from '../core/analyze';
import type { ModelGraph, Position } from '../core/graph';
import { loadParsers } from '../parsing/loadParsers';
import { languageOf } from '../workspace/files';
import { createImportResolver } from '../workspace/pythonImports';
import { buildNotebookProgram, isNotebookPath, type NotebookProgram, parseNotebookJson } from '../core/notebook';
import { locator, positionText } from './checkReport';
import { BackendName } from '../probe/backendChoice';
import { renderProbeReport } from '../probe/report';
import { ProbeWorkerError, runProbesInWorker } from '../probe/runInWorker';
import type { ProbeRunHeader } from '../probe/runProbes';
import { parseSizeSettings } from '../probe/sizes';
import { PROBE_CODES, PROBE_IDS, ProbeId, type ProbeProgress, type ProbeRequest, type ProbeResult, type ProbeRun, VERDICT_MARKS } from '../probe/types';

export interface ProbeCommandOptions {
  /** The model file, relative to cwd. */
  readonly file: string;
  /** The model's name; optional when the file has exactly one model. */
  readonly model?: string;
  /** Probe ids, or `all`; default: every probe that applies (spec-bakeoff only with a spec). */
  readonly probe?: readonly string[];
  /** A spec (.mspec) or a second model file whose model is the spec. */
  readonly spec?: string;
  /** The spec's model name, when the spec file has several. */
  readonly specModel?: string;
  readonly backend?: string;
  readonly steps?: number | string;
  readonly seed?: number | string;
  readonly format?: string;
  /** Writes the HTML report (loss curves as inline SVG) here. */
  readonly report?: string;
  /** Scales hidden widths for speed (0 < s ≤ 1). */
  readonly widthScale?: number | string;
  /** Sizes the code leaves open: `name=value` items (`--set`). */
  readonly set?: readonly string[];
  /** Seconds the run aims to give every verdict in (default 30). */
  readonly budget?: number | string;
  /** Time limit for the whole run, in seconds (default 120). */
  readonly timeout?: number | string;
  /** The worker's heap limit in MB (default 2048). */
  readonly maxMemory?: number | string;
}

export interface ProbeCommandIo {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** Live progress lines (the CLI sends them to stderr when it is a terminal). */
  progress?(text: string): void;
  readonly signal?: AbortSignal;
}

export type ProbeExitCode = 0 | 1 | 2;

class ProbeUsageError extends Error {}

/** Runs `model-audit probe`; never throws: errors are printed to `io.err` and give exit code 2. */
export async function probeCommand(options: ProbeCommandOptions, io: ProbeCommandIo): Promise<ProbeExitCode> {
  try {
    const { request, notebook } = await buildRequest(options, io.cwd);
    const format = options.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new ProbeUsageError(`--format must be text or json, not ${format}`);
    const path = options.file;
    // Text output streams: the header with the first verdict, then each verdict as its probe finishes.
    let printed = 0;
    const run = await runProbesInWorker(request, {
      timeoutMs: positive(options.timeout, '--timeout', 120) * 1000,
      maxMemoryMb: positive(options.maxMemory, '--max-memory', 2048),
      signal: io.signal,
      onProgress: io.progress ? (p) => io.progress!(progressLine(p)) : undefined,
      onResult: format === 'text' ? (result, header) => {
        io.out(`${printed === 0 ? probeHeader(header) : ''}${probeResultLines(result)}`);
        printed++;
      } : undefined,
    });
    if (format === 'json') io.out(`${JSON.stringify(toJson(run), null, 2)}\n`);
    else io.out(printed === 0 ? probeText(run, path, request.graph, notebook) : probeFooter(run, path, request.graph, notebook));
    if (options.report) {
      const target = resolve(io.cwd, options.report);
      writeFileSync(target, renderProbeReport([{ path, run }]));
      if (format === 'text') io.out(`report written to ${relative(io.cwd, target) || target}\n`);
    }
    return run.results.some((r) => r.verdict === 'fail') ? 1 : 0;
  } catch (error) {
    if (error instanceof ProbeWorkerError) {
      const where = error.line !== undefined ? `${options.file}:${error.line}: ` : '';
      io.err(`model-audit probe: ${where}${error.message}\n`);
    } else {
      io.err(`model-audit probe: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return 2;
  }
}

async function buildRequest(options: ProbeCommandOptions, cwd: string): Promise<{ request: ProbeRequest; notebook?: NotebookProgram }> {
  const { graph, notebook } = await loadModel(cwd, options.file, options.model, 'model');
  const spec = options.spec ? (await loadModel(cwd, options.spec, options.specModel ?? options.model, 'spec')).graph : undefined;
  const backend = options.backend ?? 'auto';
  if (!BackendName.is(backend)) throw new ProbeUsageError(`--backend must be auto, cpu, wasm, tensorflow or tensorflow-gpu, not ${backend}`);
  const requested = (options.probe ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  let probes: ProbeId[];
  if (requested.length === 0 || requested.includes('all')) probes = PROBE_IDS.filter((p) => p !== 'spec-bakeoff' || spec !== undefined);
  else {
    const unknown = requested.filter((p) => !ProbeId.is(p));
    if (unknown.length > 0) throw new ProbeUsageError(`unknown probe ${unknown.join(', ')}; the probes are ${PROBE_IDS.join(', ')} and all`);
    probes = [...new Set(requested as ProbeId[])];
  }
  if (probes.includes('spec-bakeoff') && !spec) throw new ProbeUsageError('the spec-bakeoff probe needs --spec FILE');
  const steps = options.steps === undefined ? undefined : positiveInt(options.steps, '--steps');
  const seed = options.seed === undefined ? 0 : integer(options.seed, '--seed');
  const widthScale = options.widthScale === undefined ? undefined : Number(options.widthScale);
  if (widthScale !== undefined && !(widthScale > 0 && widthScale <= 1)) throw new ProbeUsageError('--width-scale must be a number in (0, 1]');
  let sizes: Record<string, number>;
  try {
    sizes = parseSizeSettings(options.set ?? []);
  } catch (error) {
    throw new ProbeUsageError((error as Error).message);
  }
  const budgetSeconds = options.budget === undefined ? undefined : positive(options.budget, '--budget', 30);
  return { request: { graph, spec, probes, backend, steps, seed, widthScale, sizes, budgetSeconds }, notebook };
}

async function loadModel(cwd: string, file: string, name: string | undefined, role: 'model' | 'spec'): Promise<{ graph: ModelGraph; notebook?: NotebookProgram }> {
  const full = resolve(cwd, file);
  const notebook = isNotebookPath(full);
  const language = notebook ? 'python' : languageOf(full);
  if (!language) throw new ProbeUsageError(`${file}: not a model file (expected .py, .ipynb, .js, .ts, .mjs, .cjs or .mspec)`);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    throw new ProbeUsageError(`${file}: cannot read the file`);
  }
  let program: NotebookProgram | undefined;
  if (notebook) {
    // The notebook's code cells as one program; a failure's line is printed as its cell and line.
    const parsed = parseNotebookJson(text);
    if (!parsed.ok) throw new ProbeUsageError(`${file}: ${parsed.error}`);
    program = buildNotebookProgram(parsed.cells);
    text = program.text;
  }
  const found = (graph: ModelGraph) => ({ graph, ...(program ? { notebook: program } : {}) });
  const parsers = await loadParsers();
  // Helpers imported from the project (`from .attention import Attention`) are followed as `check` follows them.
  const analysis = analyzeSource({ file: { path: file, language, text }, parsers, resolveImport: createImportResolver([cwd], cwd) });
  const models = analysis.models.map((m) => m.graph);
  if (models.length === 0) throw new ProbeUsageError(`${file}: no ${role === 'spec' ? 'spec model' : 'model'} found`);
  if (name) {
    const match = models.find((m) => m.name === name);
    if (match) return found(match);
    if (role === 'spec' && models.length === 1) return found(models[0]!);
    throw new ProbeUsageError(`${file}: no model named ${name} (found ${models.map((m) => m.name).join(', ')})`);
  }
  if (models.length === 1) return found(models[0]!);
  throw new ProbeUsageError(`${file} has ${models.length} models (${models.map((m) => m.name).join(', ')}); choose one with --model`);
}

function positive(v: number | string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(n > 0)) throw new ProbeUsageError(`${flag} must be a positive number`);
  return n;
}

function positiveInt(v: number | string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ProbeUsageError(`${flag} must be a positive integer`);
  return n;
}

function integer(v: number | string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ProbeUsageError(`${flag} must be a non-negative integer`);
  return n;
}

function progressLine(p: ProbeProgress): string {
  const step = p.step !== undefined && p.steps !== undefined ? ` step ${p.step}/${p.steps}` : '';
  const loss = p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : '';
  return `${p.probe}: ${p.message}${step}${loss}`;
}

/** The contract's JSON: version, model, backend, results (plus the reason for the backend and notes). */
export function toJson(run: ProbeRun): unknown {
  return {
    version: 1,
    model: run.model,
    backend: run.backend,
    backendReason: run.backendReason,
    parameters: run.parameters,
    notes: run.notes,
    assumptions: run.assumptions,
    results: run.results.map((r) => ({
      probe: r.probe,
      code: PROBE_CODES[r.probe],
      verdict: r.verdict,
      summary: r.summary,
      metrics: r.metrics,
      curve: r.curve,
      ...(r.series ? { series: r.series } : {}),
      ...(r.references ? { references: r.references } : {}),
      ...(r.details ? { details: r.details } : {}),
      ...(r.lines ? { lines: r.lines } : {}),
      seconds: r.seconds,
    })),
    seconds: run.seconds,
  };
}

/** Text output: a header, one line per probe, its details indented, and compiler-style lines for failures. */
export function probeText(run: ProbeRun, path: string, graph?: ModelGraph, notebook?: NotebookProgram): string {
  return `${probeHeader(run)}${run.results.map(probeResultLines).join('')}${probeFooter(run, path, graph, notebook)}`;
}

/** The first lines: model, backend and why, parameters, and the notes (sizes assumed, widths scaled). */
export function probeHeader(run: ProbeRunHeader): string {
  const lines = [`${run.model}: backend ${run.backend} (${run.backendReason}); ${run.parameters.toLocaleString('en-US')} parameters`];
  for (const note of run.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** One probe's verdict line and its details. */
export function probeResultLines(r: ProbeResult): string {
  const lines = [`  ${VERDICT_MARKS[r.verdict]} ${r.probe.padEnd(13)} ${r.verdict.padEnd(12)} ${r.summary} (${r.seconds.toFixed(1)} s)`];
  for (const d of r.details ?? []) lines.push(`      ${d}`);
  return `${lines.join('\n')}\n`;
}

/** The compiler-style lines for failed probes and the counts. */
export function probeFooter(run: ProbeRun, path: string, graph: ModelGraph | undefined, notebook?: NotebookProgram): string {
  const lines: string[] = [];
  const failed = run.results.filter((r) => r.verdict === 'fail');
  const at = graph?.nameRange.start ?? { line: 0, character: 0 };
  const locate = locator(notebook);
  const where = (pos: Position) => positionText(locate({ start: pos, end: pos }));
  for (const r of failed) lines.push(`${path}:${where(r.lines?.[0] !== undefined ? { line: r.lines[0] - 1, character: 0 } : at)}: warning ${PROBE_CODES[r.probe]} ${r.probe}: ${r.summary}`);
  const counts = (['pass', 'fail', 'inconclusive'] as const).map((v) => `${run.results.filter((r) => r.verdict === v).length} ${v === 'pass' ? 'passed' : v === 'fail' ? 'failed' : 'inconclusive'}`);
  lines.push(`${counts.join(', ')} in ${run.seconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
