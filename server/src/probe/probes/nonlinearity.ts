// The nonlinearity probe: can the model, and each stage between two consecutive affine layers, fit a target that
// no linear map can? Inputs lie on a random 2-d plane inside the input space (x = M z), the target is a random
// mix of z₁z₂, z₁² and z₂² (even functions, so their best linear fit explains almost nothing), and the trained
// loss is compared with the closed-form least-squares fit on the same data. A stage that does no better than that
// fit computes a linear map: its affine layers collapse into one.

import type { ModelGraph } from '../../core/graph';
import { batchSize, buildProbeModel, type ProbeModel } from '../buildModel';
import type { Objective } from '../objective';
import { SeededRandom } from '../rng';
import { affineSegments, afterEmbeddings, label } from '../segments';
import { type Curve, leastSquaresError, round, standardize, train } from '../train';
import type { Series, Verdict } from '../types';
import { fmt, type ProbeContext, type ProbeOutcome } from './context';

const DEFAULT_SAMPLES = 64;
/** Fewer samples for models with large feature maps; still far more than the 3 a linear fit per output has. */
const MIN_SAMPLES = 16;
const LATENT = 2;
const DEFAULT_STEPS = 150;
const MAX_SEGMENTS = 6;
/** Outputs wider than this are read through a fixed random projection to this many values. */
const READOUT = 16;
/** At or above this share of the linear fit's loss, a stage is no better than linear. */
export const FAIL_RATIO = 0.9;
/** At or below this share, a stage is clearly nonlinear. */
export const PASS_RATIO = 0.6;
/** Training stops early at this share: the verdict is clear and the rest of the budget would only polish it. */
const CLEAR_PASS_RATIO = 0.25;
/** A run stopped by the budget before this many steps cannot tell a slow learner from a linear map. */
const MIN_VERDICT_STEPS = 60;

interface Run {
  readonly name: string;
  readonly lines: number[];
  readonly final: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly verdict: Verdict;
  readonly curve: Curve;
  readonly parameters: number;
  /** Steps done when the time budget stopped the run. */
  readonly outOfTime?: number;
}

const OUTPUT_ACTIVATIONS = new Set(['softmax', 'log_softmax', 'softmin', 'sigmoid']);

export function runNonlinearity(ctx: ProbeContext): ProbeOutcome {
  const { tf, graph } = ctx;
  const steps = ctx.steps ?? DEFAULT_STEPS;
  const rng = new SeededRandom(ctx.seed).fork('nonlinearity');
  const details: string[] = [];
  const runs: Run[] = [];

  // The whole model, without an output softmax or sigmoid (which maps the fit's scale, not its shape).
  const whole = withoutOutputActivation(graph);
  if (whole.dropped) details.push(`whole model probed before its output \`${whole.dropped}\`, which only rescales the fit`);
  const { segments, skipped } = affineSegments(graph, MAX_SEGMENTS);
  // Each run gets an equal share of what is left of the probe's time.
  let runsLeft = segments.length + 1;
  const runDeadline = () => (ctx.deadline === undefined ? undefined : performance.now() + (ctx.deadline - performance.now()) / Math.max(1, runsLeft--));
  const full = buildProbeModel(tf, whole.graph, { seed: ctx.seed, widthScale: ctx.widthScale, inputShapes: ctx.inputShapes });
  const nodeShapes = full.nodeShapes;
  try {
    if (!full.inputs.some((i) => i.vocabulary !== undefined)) runs.push(fit(ctx, full, 'whole model', [], steps, rng.fork('whole'), runDeadline()));
    else {
      // Token ids: any function of a token is a lookup, so the model is probed from its embeddings' outputs on.
      const rest = afterEmbeddings(whole.graph);
      const shapes = rest?.inputs.map((id) => nodeShapes.get(id));
      if (!rest || !shapes || shapes.some((s) => s === undefined)) {
        details.push('whole model not probed: its input is token ids, and any function of a token is a lookup');
        runsLeft--;
      } else {
        details.push('whole model probed from its embeddings on: its input is token ids, and any function of a token is a lookup');
        const after = buildProbeModel(tf, rest, { seed: ctx.seed, widthScale: ctx.widthScale, inputShapes: shapes as number[][] });
        try {
          runs.push(fit(ctx, after, 'whole model', [], steps, rng.fork('whole'), runDeadline()));
        } finally {
          after.dispose();
        }
      }
    }
  } finally {
    full.dispose();
  }

  if (skipped > 0) details.push(`${skipped} stage(s) not probed (fed by a skip connection from outside the stage, or over the limit of ${MAX_SEGMENTS})`);
  for (const segment of segments) {
    const shape = nodeShapes.get(segment.sourceId);
    if (!shape) {
      details.push(`stage ${label(segment.first)} → ${label(segment.last)} not probed: its input shape is unknown`);
      continue;
    }
    ctx.progress({ probe: 'nonlinearity', message: `stage ${label(segment.first)} → ${label(segment.last)}` });
    const model = buildProbeModel(tf, segment.graph, { seed: ctx.seed, inputShapes: [shape], widthScale: ctx.widthScale });
    try {
      runs.push(fit(ctx, model, `${label(segment.first)} → ${label(segment.last)}`, [segment.first.range.start.line + 1, segment.last.range.start.line + 1], steps, rng.fork(segment.graph.name), runDeadline()));
    } finally {
      model.dispose();
    }
  }

  for (const run of runs) details.push(`${run.name}: loss ${fmt(run.final)} vs linear fit ${fmt(run.baseline)} (${(run.ratio * 100).toFixed(0)}%) → ${run.verdict}${run.outOfTime !== undefined ? ` (stopped by the time budget after ${run.outOfTime} of ${steps} steps)` : ''}`);
  const failed = runs.filter((r) => r.verdict === 'fail');
  const unsure = runs.filter((r) => r.verdict === 'inconclusive');
  const verdict: Verdict = runs.length === 0 ? 'inconclusive' : failed.length > 0 ? 'fail' : unsure.length > 0 ? 'inconclusive' : 'pass';
  const primary = failed.find((r) => r.name !== 'whole model') ?? failed[0] ?? unsure[0] ?? runs[0];
  const wholeRun = runs.find((r) => r.name === 'whole model');
  let summary: string;
  if (!primary) summary = 'No stage of the model could be probed.';
  else if (verdict === 'fail') {
    const collapsed = failed.filter((r) => r.name !== 'whole model').map((r) => r.name);
    summary = primary.name === 'whole model'
      ? `The whole model does no better than the best linear fit (loss ${fmt(primary.final)} vs ${fmt(primary.baseline)}): it computes a linear map.`
      : `${collapsed.join(', ')} ${collapsed.length === 1 ? 'does' : 'do'} no better than the best linear fit (loss ${fmt(primary.final)} vs ${fmt(primary.baseline)}): those layers collapse into one linear map${wholeRun && wholeRun.verdict !== 'fail' ? `, though the whole model is nonlinear elsewhere (${fmt(wholeRun.final)})` : ''}.`;
  } else if (verdict === 'pass') {
    summary = `Every probed stage beats the best linear fit (${runs.length} run${runs.length === 1 ? '' : 's'}; whole model ${wholeRun ? `${fmt(wholeRun.final)} vs ${fmt(wholeRun.baseline)}` : 'not probed'}).`;
  } else {
    summary = `${unsure.map((r) => r.name).join(', ')} beat the linear fit only partly in ${steps} steps (loss ${fmt(primary.final)} vs ${fmt(primary.baseline)}); try more --steps.`;
  }
  const series: Series[] = runs.filter((r) => r !== primary).map((r) => ({ label: r.name, points: r.curve }));
  return {
    probe: 'nonlinearity',
    verdict,
    summary,
    metrics: {
      final_loss: primary ? round(primary.final) : null,
      linear_baseline_loss: primary ? round(primary.baseline) : null,
      ratio: primary ? round(primary.ratio, 3) : null,
      stage: primary?.name ?? null,
      whole_model_loss: wholeRun ? round(wholeRun.final) : null,
      stages_probed: runs.length,
      steps,
    },
    curve: primary?.curve ?? [],
    series: [{ label: primary?.name ?? 'model', points: primary?.curve ?? [] }, ...series],
    references: primary ? [{ label: `linear fit (${primary.name})`, value: round(primary.baseline) }] : [],
    details,
    lines: [...new Set(failed.flatMap((r) => r.lines))],
  };
}

function fit(ctx: ProbeContext, built: ProbeModel, name: string, lines: number[], steps: number, rng: SeededRandom, deadline: number | undefined): Run {
  const { tf } = ctx;
  const SAMPLES = batchSize(built, DEFAULT_SAMPLES, MIN_SAMPLES);
  const inputSizes = built.inputs.map((i) => i.shape.reduce((a, b) => a * b, 1));
  const rawOutput = built.outputShape.reduce((a, b) => a * b, 1);
  // A wide output (a feature map) is read through a fixed random projection to a few values: a linear stage stays
  // linear through it, and the target keeps a size a short run can fit.
  const readout = rawOutput > READOUT ? tf.tensor(rng.fillNormal(rawOutput * READOUT, 1 / Math.sqrt(rawOutput)), [rawOutput, READOUT]) : undefined;
  const model: ProbeModel = readout
    ? { ...built, outputShape: [READOUT], forward: (ins, opts) => tf.matMul(tf.reshape(built.forward(ins, opts), [ins[0]!.shape[0]!, rawOutput]), readout) }
    : built;
  const outputSize = readout ? READOUT : rawOutput;
  const z = rng.fillUniform(SAMPLES * LATENT, -1, 1);
  // x = M z: each input value a random mix of the two latent coordinates, unit variance (several inputs: one M each).
  const xs = inputSizes.map((inputSize) => {
    const M = rng.fillNormal(inputSize * LATENT, Math.sqrt(3 / LATENT));
    const x = new Float32Array(SAMPLES * inputSize);
    for (let n = 0; n < SAMPLES; n++) {
      for (let i = 0; i < inputSize; i++) x[n * inputSize + i] = M[i * LATENT]! * z[n * LATENT]! + M[i * LATENT + 1]! * z[n * LATENT + 1]!;
    }
    return x;
  });
  // y = P φ(z), φ = (z₁z₂, z₁² − ⅓, z₂² − ⅓), then each output standardised.
  const P = rng.fillNormal(3 * outputSize);
  const y = new Float32Array(SAMPLES * outputSize);
  for (let n = 0; n < SAMPLES; n++) {
    const z1 = z[n * LATENT]!;
    const z2 = z[n * LATENT + 1]!;
    const phi = [z1 * z2 * 3, (z1 * z1 - 1 / 3) * 3, (z2 * z2 - 1 / 3) * 3];
    for (let o = 0; o < outputSize; o++) y[n * outputSize + o] = phi[0]! * P[o]! + phi[1]! * P[outputSize + o]! + phi[2]! * P[2 * outputSize + o]!;
  }
  standardize(y, SAMPLES, outputSize);
  const baseline = leastSquaresError(z, LATENT, y, outputSize, SAMPLES);
  const objective: Objective = { kind: 'mse', classes: outputSize, source: 'nonlinear target', expectedInitial: { value: 1, formula: '1' } };
  const inputs = xs.map((x, i) => tf.tensor(x, [SAMPLES, ...model.inputs[i]!.shape]));
  const targets = tf.tensor(y, [SAMPLES, ...model.outputShape]);
  try {
    const result = train(tf, model, objective, { inputs, targets }, {
      steps,
      learningRate: 0.01,
      forward: { training: true, dropout: false },
      stopBelow: baseline * CLEAR_PASS_RATIO,
      deadline,
      onPoint: (step, loss) => ctx.progress({ probe: 'nonlinearity', message: name, step, steps, loss }),
    });
    const final = Math.min(result.final, result.best);
    const ratio = baseline > 0 ? final / baseline : Number.POSITIVE_INFINITY;
    let verdict: Verdict = !Number.isFinite(final) || ratio >= FAIL_RATIO ? 'fail' : ratio <= PASS_RATIO ? 'pass' : 'inconclusive';
    // Too few steps to tell a slow learner from a linear map: a run the budget cut short fails only when diverged.
    if (verdict === 'fail' && Number.isFinite(final) && result.outOfTime !== undefined && result.outOfTime < MIN_VERDICT_STEPS) verdict = 'inconclusive';
    return { name, lines, final, baseline, ratio, verdict, curve: result.curve, parameters: model.parameterCount, outOfTime: result.outOfTime };
  } finally {
    inputs.forEach((t) => t.dispose());
    targets.dispose();
    readout?.dispose();
  }
}

function withoutOutputActivation(graph: ModelGraph): { graph: ModelGraph; dropped?: string } {
  const out = graph.outputs[0];
  if (out === undefined) return { graph };
  const node = graph.nodes.find((n) => n.id === out);
  if (!node || !OUTPUT_ACTIVATIONS.has(node.op) || node.inputs.length !== 1) return { graph };
  return { graph: { ...graph, outputs: [node.inputs[0]!, ...graph.outputs.slice(1)] }, dropped: node.op };
}
