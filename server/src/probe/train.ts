// The training loop and synthetic data the probes share: one optimizer step per iteration on a fixed batch, every
// intermediate inside tf.tidy, the loss read back only at the points of the curve, and a closed-form least-squares
// fit for the linear baselines.

import type * as tfc from '@tensorflow/tfjs-core';
import type { ForwardOptions, ProbeModel, TF } from './buildModel';
import { Objective } from './objective';
import type { SeededRandom } from './rng';

type Tensor = tfc.Tensor;

export interface Batch {
  readonly inputs: readonly Tensor[];
  /** Class ids (int32) for classification, 0/1 floats for binary losses, values for regression. */
  readonly targets: Tensor;
}

export type Curve = [number, number][];

export interface TrainOptions {
  readonly steps: number;
  readonly learningRate: number;
  readonly forward: ForwardOptions;
  /** Called at each point of the curve (about 40 per run); may throw to stop. */
  readonly onPoint?: (step: number, loss: number) => void;
  /** Stops early once the loss at a curve point is at or below this (a clear verdict needs no more steps). */
  readonly stopBelow?: number;
  /** A `performance.now()` time: training stops at the first step past it (after a few steps), and says so. */
  readonly deadline?: number;
}

export interface TrainResult {
  readonly curve: Curve;
  readonly initial: number;
  readonly final: number;
  /** The lowest loss seen at a curve point. */
  readonly best: number;
  /** The step at which training stopped early, when it did. */
  readonly stoppedAt?: number;
  /** The steps done when the time budget stopped training before `steps`. */
  readonly outOfTime?: number;
}

/** The loss of `output` against `targets` for the objective, averaged over samples (and positions). */
export function lossOf(tf: TF, objective: Objective, output: Tensor, targets: Tensor): tfc.Scalar {
  const width = output.shape[output.shape.length - 1] ?? 1;
  const flat = tf.reshape(output, [-1, width]);
  switch (objective.kind) {
    case 'softmax_cross_entropy':
    case 'nll':
    case 'probability_cross_entropy': {
      const labels = tf.oneHot(tf.cast(tf.reshape(targets, [-1]), 'int32'), width);
      const logp = objective.kind === 'softmax_cross_entropy'
        ? tf.sub(flat, tf.logSumExp(flat, -1, true))
        : objective.kind === 'nll' ? flat : tf.log(tf.clipByValue(flat, 1e-7, 1));
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, logp), -1))) as tfc.Scalar;
    }
    case 'bce_with_logits': {
      const y = tf.reshape(targets, flat.shape);
      // max(z, 0) − z·y + ln(1 + e^−|z|), the stable form.
      return tf.mean(tf.add(tf.sub(tf.relu(flat), tf.mul(flat, y)), tf.log1p(tf.exp(tf.neg(tf.abs(flat))))));
    }
    case 'bce': {
      const y = tf.reshape(targets, flat.shape);
      const p = tf.clipByValue(flat, 1e-7, 1 - 1e-7);
      return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tfc.Scalar;
    }
    case 'mse':
      return tf.mean(tf.square(tf.sub(flat, tf.reshape(targets, flat.shape))));
  }
}

/** Random inputs of the model's shapes: standard normal floats, or uniform token ids for embedding inputs. */
export function randomInputs(tf: TF, model: ProbeModel, batch: number, rng: SeededRandom): Tensor[] {
  return model.inputs.map((input) => {
    const size = batch * input.shape.reduce((a, b) => a * b, 1);
    if (input.vocabulary !== undefined) {
      const ids = new Int32Array(size);
      for (let i = 0; i < size; i++) ids[i] = rng.int(input.vocabulary);
      return tf.tensor(ids, [batch, ...input.shape], 'int32');
    }
    return tf.tensor(rng.fillNormal(size), [batch, ...input.shape]);
  });
}

/** Random targets for the objective: uniform class ids, fair coin flips, or standard normal values. */
export function randomTargets(tf: TF, objective: Objective, model: ProbeModel, batch: number, rng: SeededRandom): Tensor {
  const positions = model.outputShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const width = model.outputShape[model.outputShape.length - 1] ?? 1;
  if (Objective.isClassification(objective)) {
    const ids = new Int32Array(batch * positions);
    for (let i = 0; i < ids.length; i++) ids[i] = rng.int(width);
    return tf.tensor(ids, [batch * positions], 'int32');
  }
  const size = batch * positions * width;
  if (objective.kind === 'mse') return tf.tensor(rng.fillNormal(size), [batch * positions, width]);
  const bits = new Float32Array(size);
  for (let i = 0; i < size; i++) bits[i] = rng.next() < 0.5 ? 0 : 1;
  return tf.tensor(bits, [batch * positions, width]);
}

/** The loss on a batch without training. */
export function evaluate(tf: TF, model: ProbeModel, objective: Objective, batch: Batch, forward: ForwardOptions): number {
  return tf.tidy(() => lossOf(tf, objective, model.forward(batch.inputs, forward), batch.targets).dataSync()[0]!);
}

/** Steps a run always takes, however tight the budget: fewer say nothing about training. */
const MIN_STEPS = 5;

/** Full-batch Adam on one batch; the loss is read back only at the curve's points. */
export function train(tf: TF, model: ProbeModel, objective: Objective, batch: Batch, options: TrainOptions): TrainResult {
  const optimizer = tf.train.adam(options.learningRate);
  const varList = model.params.map((p) => p.variable);
  const every = Math.max(1, Math.round(options.steps / 40));
  const curve: Curve = [];
  let stoppedAt: number | undefined;
  let outOfTime: number | undefined;
  const record = (step: number, loss: number) => {
    curve.push([step, round(loss)]);
    options.onPoint?.(step, loss);
  };
  try {
    for (let step = 0; step < options.steps; step++) {
      if (options.deadline !== undefined && step >= MIN_STEPS && performance.now() > options.deadline) {
        outOfTime = step;
        break;
      }
      const f = () => lossOf(tf, objective, model.forward(batch.inputs, { ...options.forward, step }), batch.targets);
      const loss = optimizer.minimize(f, step % every === 0, varList);
      if (loss) {
        const value = loss.dataSync()[0]!;
        loss.dispose();
        record(step, value);
        if (options.stopBelow !== undefined && value <= options.stopBelow && step > 0) {
          stoppedAt = step;
          break;
        }
      }
    }
    record(stoppedAt ?? outOfTime ?? options.steps, evaluate(tf, model, objective, batch, options.forward));
  } finally {
    optimizer.dispose();
  }
  const values = curve.map(([, l]) => l);
  return { curve, initial: values[0]!, final: values[values.length - 1]!, best: Math.min(...values), stoppedAt, outOfTime };
}

/**
 * The mean squared error of the best affine fit of `targets` (n × m) from `features` (n × k), solved in closed form
 * from the normal equations with a tiny ridge for stability.
 */
export function leastSquaresError(features: Float32Array, k: number, targets: Float32Array, m: number, n: number): number {
  const d = k + 1;
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d * m);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let j = 0; j < k; j++) row[j + 1] = features[i * k + j]!;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) xtx[a * d + b] += row[a]! * row[b]!;
      for (let c = 0; c < m; c++) xty[a * m + c] += row[a]! * targets[i * m + c]!;
    }
  }
  for (let a = 0; a < d; a++) xtx[a * d + a] += 1e-9 * n;
  const coef = solve(xtx, xty, d, m);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let j = 0; j < k; j++) row[j + 1] = features[i * k + j]!;
    for (let c = 0; c < m; c++) {
      let pred = 0;
      for (let a = 0; a < d; a++) pred += row[a]! * coef[a * m + c]!;
      const r = targets[i * m + c]! - pred;
      sse += r * r;
    }
  }
  return sse / (n * m);
}

/** Gaussian elimination with partial pivoting: A (d×d) X = B (d×m). */
function solve(A: Float64Array, B: Float64Array, d: number, m: number): Float64Array {
  const a = Float64Array.from(A);
  const b = Float64Array.from(B);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r * d + col]!) > Math.abs(a[pivot * d + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < d; c++) [a[col * d + c], a[pivot * d + c]] = [a[pivot * d + c]!, a[col * d + c]!];
      for (let c = 0; c < m; c++) [b[col * m + c], b[pivot * m + c]] = [b[pivot * m + c]!, b[col * m + c]!];
    }
    const p = a[col * d + col]! || 1e-12;
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r * d + col]! / p;
      if (f === 0) continue;
      for (let c = col; c < d; c++) a[r * d + c] -= f * a[col * d + c]!;
      for (let c = 0; c < m; c++) b[r * m + c] -= f * b[col * m + c]!;
    }
  }
  for (let r = 0; r < d; r++) {
    const p = a[r * d + r]! || 1e-12;
    for (let c = 0; c < m; c++) b[r * m + c] /= p;
  }
  return b;
}

export function round(v: number, digits = 5): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Centres each of the m columns of an n × m row-major matrix and scales it to unit variance, in place. */
export function standardize(y: Float32Array, n: number, m: number): void {
  for (let o = 0; o < m; o++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i * m + o]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (y[i * m + o]! - mean) ** 2;
    const std = Math.sqrt(v / n) || 1;
    for (let i = 0; i < n; i++) y[i * m + o] = (y[i * m + o]! - mean) / std;
  }
}
