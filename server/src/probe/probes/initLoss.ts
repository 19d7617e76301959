// The init-loss probe: the loss at initialisation against the value a healthy model starts from (ln C for C-class
// cross-entropy: the model should be equally unsure of every class). A start far above it means over-confident
// initial outputs (wasted early steps, "hockey stick" curves); far below it, labels leaking or a mis-specified loss.

import { Objective } from '../objective';
import { SeededRandom } from '../rng';
import { evaluate, round } from '../train';
import { fmt, type ProbeContext, type ProbeOutcome, withRandomBatch } from './context';

const PREFERRED_BATCH = 256;
const MIN_BATCH = 32;
/** A start within this factor of the expected loss passes. */
export const TOLERANCE = 1.25;

export function runInitLoss(ctx: ProbeContext): ProbeOutcome {
  const { tf, graph } = ctx;
  const rng = new SeededRandom(ctx.seed).fork('init-loss');
  return withRandomBatch(ctx, rng, { preferred: PREFERRED_BATCH, minimum: MIN_BATCH }, ({ model, objective, size: BATCH, inputs, targets }) => {
    const loss = evaluate(tf, model, objective, { inputs, targets }, { training: true, dropout: false });
    const expected = objective.expectedInitial.value;
    const ratio = loss / expected;
    const ok = Number.isFinite(loss) && ratio <= TOLERANCE && ratio >= 1 / TOLERANCE;
    const summary = ok
      ? `The loss at initialisation is ${fmt(loss)}, close to the expected ${objective.expectedInitial.formula} = ${fmt(expected)}.`
      : ratio > 1
        ? `The loss at initialisation is ${fmt(loss)}, ${ratio.toFixed(1)}× the expected ${objective.expectedInitial.formula} = ${fmt(expected)}: the initial outputs are too large (over-confident); scale down the last layer's initial weights.`
        : `The loss at initialisation is ${fmt(loss)}, below the expected ${objective.expectedInitial.formula} = ${fmt(expected)}: a model that knows nothing should not start that well; check that the loss matches the outputs.`;
    return {
      probe: 'init-loss',
      verdict: ok ? 'pass' : 'fail',
      summary,
      metrics: { initial_loss: round(loss), expected_loss: round(expected), ratio: round(ratio, 3) },
      curve: [[0, round(loss)]],
      references: [{ label: `expected ${objective.expectedInitial.formula}`, value: round(expected) }],
      details: [`loss: ${Objective.describe(objective)}, from ${objective.source}`, `${BATCH} random inputs and ${Objective.isClassification(objective) ? 'labels' : 'targets'}; the ${graph.framework} default initialisation`, ...model.notes],
      lines: ok ? [] : [model.outputNode.range.start.line + 1],
    };
  });
}
