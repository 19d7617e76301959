// What every probe receives: the TensorFlow.js namespace on the chosen backend, the model (and spec) graph, the
// seed and budget, and a progress callback.

import type * as tfc from '@tensorflow/tfjs-core';
import type { ModelGraph } from '../../core/graph';
import { batchSize, buildProbeModel, type ProbeModel, type TF } from '../buildModel';
import { type Objective, objectiveFor } from '../objective';
import type { SeededRandom } from '../rng';
import { randomInputs, randomTargets } from '../train';
import type { ProbeProgress, ProbeResult } from '../types';

export interface ProbeContext {
  readonly tf: TF;
  readonly graph: ModelGraph;
  readonly spec?: ModelGraph;
  readonly seed: number;
  /** Overrides each probe's default step budget. */
  readonly steps?: number;
  readonly widthScale?: number;
  /** Per-sample input shapes the budget chose (smaller images), when it did; else the graph's own. */
  readonly inputShapes?: readonly (readonly number[])[];
  /** A `performance.now()` time by which this probe should give its verdict; training stops there and says so. */
  readonly deadline?: number;
  progress(p: ProbeProgress): void;
}

export type ProbeOutcome = Omit<ProbeResult, 'seconds'>;

/** The detail line for a run the time budget cut short. */
export function budgetNote(done: number | undefined, steps: number): string[] {
  return done === undefined ? [] : [`stopped by the time budget after ${done} of ${steps} steps (raise --budget or --timeout, or pass --steps)`];
}

/** The code's model built for a probe, the objective its output calls for, and one random batch for it. */
export interface RandomBatch {
  readonly model: ProbeModel;
  readonly objective: Objective;
  /** Samples in the batch: the probe's preferred number, fewer for a model with large feature maps. */
  readonly size: number;
  readonly inputs: tfc.Tensor[];
  readonly targets: tfc.Tensor;
}

/**
 * Builds the code's model, picks its objective and draws one random batch from `rng` (a probe may draw more from it
 * afterwards), hands them to `use` and disposes them when it returns or throws.
 */
export function withRandomBatch<T>(ctx: ProbeContext, rng: SeededRandom, batch: { readonly preferred: number; readonly minimum: number }, use: (b: RandomBatch) => T): T {
  const { tf, graph } = ctx;
  const model = buildProbeModel(tf, graph, { seed: ctx.seed, widthScale: ctx.widthScale, inputShapes: ctx.inputShapes });
  let inputs: tfc.Tensor[] = [];
  let targets: tfc.Tensor | undefined;
  try {
    const size = batchSize(model, batch.preferred, batch.minimum);
    const objective = objectiveFor(graph, model.outputNode.op, model.outputShape[model.outputShape.length - 1] ?? 1);
    inputs = randomInputs(tf, model, size, rng);
    targets = randomTargets(tf, objective, model, size, rng);
    return use({ model, objective, size, inputs, targets });
  } finally {
    inputs.forEach((t) => t.dispose());
    targets?.dispose();
    model.dispose();
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a < 0.1 ? 4 : 3);
}

/** Replaces non-finite numbers by null, since JSON has no NaN. */
export function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
