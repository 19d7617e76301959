// The spec bake-off: a randomly initialised copy of the spec's model is the teacher; a fresh student with the
// spec's architecture and a student with the code's architecture train on the teacher's outputs with the same
// data, seed and budget. A code model that ends clearly worse than the spec's student cannot compute what the spec
// says, and the curves show what that costs.

import { buildProbeModel, type ProbeModel, ProbeBuildError } from '../buildModel';
import type { Objective } from '../objective';
import { SeededRandom } from '../rng';
import { type Curve, leastSquaresError, round, standardize, train } from '../train';
import { fmt, type ProbeContext, type ProbeOutcome } from './context';

const SAMPLES = 128;
const LATENT = 4;
const DEFAULT_STEPS = 200;
/** The code fails when its loss exceeds the spec student's by this factor and margin. */
export const WORSE_FACTOR = 1.5;
export const WORSE_MARGIN = 0.02;

export function runSpecBakeoff(ctx: ProbeContext): ProbeOutcome {
  const { tf, graph, spec } = ctx;
  if (!spec) {
    return {
      probe: 'spec-bakeoff', verdict: 'inconclusive', summary: 'No spec is bound to this model, so there is nothing to bake off against (pass --spec FILE).',
      metrics: {}, curve: [],
    };
  }
  const steps = ctx.steps ?? DEFAULT_STEPS;
  const rng = new SeededRandom(ctx.seed).fork('spec-bakeoff');
  const teacher = buildProbeModel(tf, spec, { seed: ctx.seed + 1 });
  const inputShape = teacher.inputs[0]!.shape;
  const specStudent = buildProbeModel(tf, spec, { seed: ctx.seed + 2, widthScale: ctx.widthScale });
  let codeStudent: ProbeModel | undefined;
  try {
    codeStudent = buildProbeModel(tf, graph, { seed: ctx.seed + 3, widthScale: ctx.widthScale });
    const dIn = size(inputShape);
    const dCode = size(codeStudent.inputs[0]!.shape);
    if (dIn !== dCode) throw new ProbeBuildError('input', graph.range.start.line + 1, `the spec's model takes ${inputShape.join('×')} inputs and the code's ${codeStudent.inputs[0]!.shape.join('×')}`);
    const mSpec = size(teacher.outputShape);
    const mCode = size(codeStudent.outputShape);
    if (mSpec !== mCode) throw new ProbeBuildError('output', graph.range.start.line + 1, `the spec's model has ${mSpec} outputs and the code's ${mCode}`);

    // Inputs on a random 4-d subspace, so the least-squares baseline is exact and cheap.
    const z = rng.fillUniform(SAMPLES * LATENT, -1, 1);
    const M = rng.fillNormal(dIn * LATENT, Math.sqrt(3 / LATENT));
    const x = new Float32Array(SAMPLES * dIn);
    for (let n = 0; n < SAMPLES; n++) for (let i = 0; i < dIn; i++) {
      let v = 0;
      for (let j = 0; j < LATENT; j++) v += M[i * LATENT + j]! * z[n * LATENT + j]!;
      x[n * dIn + i] = v;
    }
    const teacherOut = tf.tidy(() => teacher.forward([tf.tensor(x, [SAMPLES, ...inputShape])], { training: false, dropout: false }).dataSync() as Float32Array);
    const y = Float32Array.from(teacherOut);
    standardize(y, SAMPLES, mSpec);
    const baseline = leastSquaresError(z, LATENT, y, mSpec, SAMPLES);
    const objective: Objective = { kind: 'mse', classes: mSpec, source: 'teacher outputs', expectedInitial: { value: 1, formula: '1' } };
    const fit = (model: ProbeModel, name: string): Curve => {
      const inputs = [tf.tensor(x, [SAMPLES, ...model.inputs[0]!.shape])];
      const targets = tf.tensor(y, [SAMPLES, ...model.outputShape]);
      try {
        return train(tf, model, objective, { inputs, targets }, {
          steps, learningRate: 0.003, forward: { training: true, dropout: false },
          onPoint: (step, loss) => ctx.progress({ probe: 'spec-bakeoff', message: name, step, steps, loss }),
        }).curve;
      } finally {
        inputs.forEach((t) => t.dispose());
        targets.dispose();
      }
    };
    const specCurve = fit(specStudent, 'spec student');
    const codeCurve = fit(codeStudent, 'code student');
    const specFinal = specCurve[specCurve.length - 1]![1];
    const codeFinal = codeCurve[codeCurve.length - 1]![1];
    const worse = !Number.isFinite(codeFinal) || codeFinal > specFinal * WORSE_FACTOR + WORSE_MARGIN;
    const summary = worse
      ? `The code's model ends at ${fmt(codeFinal)} where the spec's reaches ${fmt(specFinal)} (linear fit ${fmt(baseline)}): it cannot compute what the spec describes.`
      : `The code's model keeps up with the spec's: ${fmt(codeFinal)} vs ${fmt(specFinal)} (linear fit ${fmt(baseline)}).`;
    return {
      probe: 'spec-bakeoff',
      verdict: worse ? 'fail' : 'pass',
      summary,
      metrics: { final_loss: round(codeFinal), spec_loss: round(specFinal), linear_baseline_loss: round(baseline), steps },
      curve: codeCurve,
      series: [{ label: 'code', points: codeCurve }, { label: 'spec', points: specCurve }],
      references: [{ label: 'linear fit', value: round(baseline) }],
      details: [
        `teacher: the spec's model \`${spec.name}\` with random weights (seed ${ctx.seed + 1}), outputs standardised`,
        `${SAMPLES} inputs on a random ${LATENT}-d subspace; mean squared error; Adam, learning rate 0.003, ${steps} steps; dropout off`,
        ...codeStudent.notes,
      ],
      lines: worse ? [graph.nameRange.start.line + 1] : [],
    };
  } finally {
    teacher.dispose();
    specStudent.dispose();
    codeStudent?.dispose();
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
