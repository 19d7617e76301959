// Runs the requested probes on an initialised backend and collects the contract's ProbeRun. Used by the worker; a
// test may call it directly with the pure-JS backend.

import type * as tfc from '@tensorflow/tfjs-core';
import type { GraphNode, ModelGraph } from '../core/graph';
import { buildProbeModel, ProbeBuildError, type ProbeModel, type TF } from './buildModel';
import type { BackendChoice } from './backendChoice';
import type { ProbeContext, ProbeOutcome } from './probes/context';
import { PROBES } from './registry';
import { resolveInputShapes } from './inputShapes';
import { SeededRandom } from './rng';
import { describeAssumption, resolveSizes } from './sizes';
import { randomInputs } from './train';
import type { ProbeId, ProbeProgress, ProbeRequest, ProbeResult, ProbeRun } from './types';

const RUNNERS = Object.fromEntries(PROBES.map((p) => [p.id, p.run])) as Readonly<Record<ProbeId, (ctx: ProbeContext) => ProbeOutcome>>;

/** Shares of the time budget, by probe: the training-heavy probes get the most. */
const BUDGET_SHARE: Readonly<Record<ProbeId, number>> = { nonlinearity: 0.4, overfit: 0.25, 'init-loss': 0.05, 'gradient-flow': 0.12, 'spec-bakeoff': 0.3 };
export const DEFAULT_BUDGET_SECONDS = 30;
const BUDGET_MARGIN = 0.85;

export interface RunCallbacks {
  readonly onProgress?: (p: ProbeProgress) => void;
  /** Each probe's result as soon as it is known, before the next probe starts. */
  readonly onResult?: (result: ProbeResult, header: ProbeRunHeader) => void;
}

/** What is known about a run before its first verdict: enough to print its header. */
export type ProbeRunHeader = Omit<ProbeRun, 'results' | 'seconds'>;

export function runProbes(tf: TF, backend: BackendChoice, request: ProbeRequest, callbacks: RunCallbacks | ((p: ProbeProgress) => void) = {}): ProbeRun {
  const { onProgress = () => undefined, onResult } = typeof callbacks === 'function' ? { onProgress: callbacks, onResult: undefined } : callbacks;
  const started = performance.now();
  const results: ProbeResult[] = [];
  const notes: string[] = [];
  const resolved = resolveSizes(request.graph, request.sizes);
  const spec = request.spec ? resolveSizes(request.spec, request.sizes).graph : undefined;
  const graph = resolved.graph;
  for (const a of resolved.assumptions) notes.push(describeAssumption(a));
  const budgetMs = (request.budgetSeconds ?? DEFAULT_BUDGET_SECONDS) * 1000;
  let widthScale = request.widthScale;
  let inputShapes: number[][] | undefined;
  if (widthScale !== undefined && widthScale !== 1) notes.push(`hidden widths scaled by ${widthScale} for speed; the numbers are for the scaled model`);
  else if (widthScale === undefined && request.steps === undefined) {
    const chosen = chooseWidthScale(tf, graph, request.seed, budgetMs, request.probes);
    if (chosen.scale !== 1) {
      widthScale = chosen.scale;
      inputShapes = chosen.inputShapes;
      const images = chosen.inputShapes ? ` and images taken as ${chosen.inputShapes.map((s) => s.join('×')).join(', ')}` : '';
      notes.push(`hidden widths scaled by ${chosen.scale}${images} to give every verdict within the ${budgetMs / 1000} s budget (${Number.isFinite(chosen.fullStepMs) ? `a training step took ${chosen.fullStepMs.toFixed(0)} ms at full size` : 'a training step at full size would not fit in memory'}, ${chosen.stepMs.toFixed(0)} ms scaled); --width-scale 1 to probe the full model`);
    }
  }
  const header: ProbeRunHeader = {
    version: 1,
    model: graph.name,
    backend: backend.backend,
    backendReason: backend.reason,
    parameters: estimateParameters(graph),
    notes,
    assumptions: resolved.assumptions,
  };
  const shares = request.probes.map((p) => BUDGET_SHARE[p]);
  request.probes.forEach((probe, index) => {
    const t0 = performance.now();
    // Each probe gets its share of what is left, so time one probe did not use goes to the next.
    // A probe stops training at its deadline but then evaluates, and trains a few steps at least: deadlines are set
    // within BUDGET_MARGIN of the budget so that overshoot stays inside it.
    const left = budgetMs * BUDGET_MARGIN - (t0 - started);
    const share = shares[index]! / shares.slice(index).reduce((a, b) => a + b, 0);
    onProgress({ probe, message: 'starting' });
    const ctx: ProbeContext = {
      tf, graph, spec, seed: request.seed, steps: request.steps, widthScale, inputShapes,
      deadline: request.steps === undefined ? t0 + Math.max(left * share, 500) : undefined,
      progress: onProgress,
    };
    // Each probe runs in its own scope so a failing one leaves no tensors behind for the next.
    tf.engine().startScope();
    try {
      const result = { ...RUNNERS[probe](ctx), seconds: round2((performance.now() - t0) / 1000) };
      results.push(result);
      onResult?.(result, header);
    } finally {
      tf.engine().endScope();
    }
  });
  return { ...header, results, seconds: round2((performance.now() - started) / 1000) };
}

/** Training steps a whole `--probe all` run takes, counted in steps of a 16-sample batch (measured on the probes). */
const STEP_EQUIVALENTS: Readonly<Record<ProbeId, number>> = { nonlinearity: 900, overfit: 200, 'init-loss': 4, 'gradient-flow': 45, 'spec-bakeoff': 400 };
/** Width scales tried in turn, and the image side used with them (undefined: the graph's own size). */
const SCALES: readonly { readonly scale: number; readonly side?: number }[] = [
  { scale: 1 }, { scale: 0.5 }, { scale: 0.25 }, { scale: 0.25, side: 16 }, { scale: 0.125, side: 16 }, { scale: 0.125, side: 8 },
];
const MIN_SCALED_PARAMETERS = 50_000;
/** Values a 16-sample calibration step may keep (240 MB of floats; the backward pass needs a few times that). */
const CALIBRATION_FLOATS = 60_000_000;

interface ScaleChoice {
  readonly scale: number;
  readonly inputShapes?: number[][];
  readonly stepMs: number;
  readonly fullStepMs: number;
}

/**
 * The width scale (and, for images, the side) at which the requested probes' training fits the budget: one timed
 * training step per choice tried, from full size down. Smaller images are tried only once widths are scaled, when
 * the layer after the flatten adapts its width to them.
 */
function chooseWidthScale(tf: TF, graph: ModelGraph, seed: number, budgetMs: number, probes: readonly ProbeId[]): ScaleChoice {
  const equivalents = probes.reduce((n, p) => n + STEP_EQUIVALENTS[p], 0);
  // Below this size a step's time is per-op overhead, which narrower layers do not reduce.
  // A graph whose widths are only known once built (0 here: `in` left to the data flow) is timed all the same.
  const parameters = estimateParameters(graph);
  if (equivalents === 0 || (parameters > 0 && parameters < MIN_SCALED_PARAMETERS)) return { scale: 1, stepMs: 0, fullStepMs: 0 };
  const native = resolveInputShapes(graph).inputs.map((i) => [...i.shape]);
  let fullStepMs = 0;
  let last: ScaleChoice = { scale: 1, stepMs: 0, fullStepMs: 0 };
  const tried = new Set<string>();
  // The channel axis keeps its size: first in PyTorch, last in Keras, TF.js and TF1 (28×28×1 → 8×8×1).
  const channelAxis = (shape: readonly number[]) => (graph.framework === 'pytorch' ? 0 : shape.length - 1);
  for (const { scale, side } of SCALES) {
    const smaller = side === undefined ? undefined : native.map((shape) => (shape.length >= 2 ? shape.map((d, i) => (i === channelAxis(shape) ? d : Math.min(d, side))) : shape));
    // A smaller side that leaves every input as it was (a 1×1 latent, a flat vector) is the width alone, tried once.
    const shapes = smaller?.every((s, i) => s.join() === native[i]!.join()) ? undefined : smaller;
    const key = `${scale}|${JSON.stringify(shapes)}`;
    if (tried.has(key)) continue;
    tried.add(key);
    const stepMs = timeStep(tf, graph, seed, scale, shapes, (4 * budgetMs) / equivalents);
    // A model that does not build at full size fails in its probes; one scale that does not build may be passed over.
    if (stepMs === undefined) {
      if (scale === 1) break;
      continue;
    }
    if (scale === 1) fullStepMs = stepMs;
    last = { scale, inputShapes: shapes, stepMs, fullStepMs };
    // Leave a third of the budget for calibrating, building, evaluation and the linear fits.
    if (stepMs * equivalents <= budgetMs * 0.65) break;
  }
  return { ...last, fullStepMs };
}

/** Milliseconds of one training step on 16 samples at a width scale; undefined when the model does not build. */
function timeStep(tf: TF, graph: ModelGraph, seed: number, scale: number, inputShapes: number[][] | undefined, slowMs: number): number | undefined {
  let model: ProbeModel | undefined;
  tf.engine().startScope();
  try {
    model = buildProbeModel(tf, graph, { seed, widthScale: scale === 1 ? undefined : scale, inputShapes });
    const built = model;
    // A step whose values would not fit the WASM heap is not timed: it counts as over the budget.
    if (built.activationsPerSample * 16 > CALIBRATION_FLOATS) return Number.POSITIVE_INFINITY;
    const inputs = randomInputs(tf, built, 16, new SeededRandom(seed).fork('calibrate'));
    const optimizer = tf.train.sgd(0);
    const vars = built.params.map((p) => p.variable);
    const step = () => tf.tidy(() => {
      optimizer.minimize(() => tf.mean(tf.square(built.forward(inputs, { training: true, dropout: false }))) as tfc.Scalar, false, vars);
    });
    // The first step compiles kernels; when even it shows the model far over budget, no finer timing is needed.
    const w0 = performance.now();
    step();
    vars[0]?.dataSync();
    const warmUp = performance.now() - w0;
    if (warmUp > slowMs) {
      optimizer.dispose();
      return warmUp;
    }
    let ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      step();
      // dataSync waits for the backend; one small read-back makes the timing honest on asynchronous backends.
      vars[0]?.dataSync();
      ms = Math.min(ms, performance.now() - t0);
    }
    optimizer.dispose();
    return ms;
  } catch {
    return undefined;
  } finally {
    model?.dispose();
    tf.engine().endScope();
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Parameters of the applied layers, from the graph's numbers (shared layers counted once). */
export function estimateParameters(graph: ModelGraph): number {
  const seen = new Set<string>();
  let total = 0;
  for (const node of graph.nodes) {
    const key = node.layerId ?? node.module ?? `#${node.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += parametersOf(node);
  }
  return total;
}

function parametersOf(node: GraphNode): number {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const a = node.attrs;
  const bias = a.bias === false ? 0 : n(a.out);
  if (node.op === 'linear' || node.op === 'matmul') return n(a.in) * n(a.out) + bias;
  if (node.category === 'affine') {
    const k = Array.isArray(a.kernel) ? a.kernel.reduce((p: number, q) => p * n(q), 1) : n(a.kernel) ** (node.op.endsWith('1d') ? 1 : node.op.endsWith('3d') ? 3 : 2);
    return n(a.in) * n(a.out) * k + bias;
  }
  if (node.op === 'embedding') return n(a.in) * n(a.out);
  if (node.category === 'recurrent') {
    const gates = node.op === 'lstm' ? 4 : node.op === 'gru' ? 3 : 1;
    const h = n(a.hidden_size ?? a.out);
    const dirs = a.bidirectional === true ? 2 : 1;
    const layers = Math.max(1, n(a.num_layers));
    return dirs * gates * (n(a.input_size ?? a.in) * h + h * h + 2 * h + (layers - 1) * (dirs * h * h + h * h + 2 * h));
  }
  if (node.op === 'multihead_attention') return 4 * (n(a.embed_dim) * n(a.embed_dim) + n(a.embed_dim));
  if (node.category === 'normalization') return 2 * n(Array.isArray(a.features) ? a.features[0] : a.features);
  return 0;
}

/** A probe build error as the one-line message users see: which op, which line. */
export function describeError(error: unknown): { message: string; op?: string; line?: number } {
  if (error instanceof ProbeBuildError) return { message: error.message, op: error.op, line: error.line };
  return { message: error instanceof Error ? error.message : String(error) };
}
