// The overfit probe: one small batch with random labels. A healthy model memorises it, driving the loss near zero
// within the budget; when it cannot, the summary says why if the graph explains it (a softmax before a loss that
// applies softmax again puts a floor of ln(1 + (C−1)/e) under the loss).

import { Objective } from '../objective';
import { SeededRandom } from '../rng';
import { round, train } from '../train';
import { budgetNote, fmt, type ProbeContext, type ProbeOutcome, withRandomBatch } from './context';

const PREFERRED_BATCH = 16;
const MIN_BATCH = 8;
const DEFAULT_STEPS = 200;
/** A memorised batch has a loss below this share of its starting loss. */
export const MEMORISED_SHARE = 0.05;

export function runOverfit(ctx: ProbeContext): ProbeOutcome {
  const { tf } = ctx;
  const steps = ctx.steps ?? DEFAULT_STEPS;
  const rng = new SeededRandom(ctx.seed).fork('overfit');
  return withRandomBatch(ctx, rng, { preferred: PREFERRED_BATCH, minimum: MIN_BATCH }, ({ model, objective, size: BATCH, inputs, targets }) => {
    const result = train(tf, model, objective, { inputs, targets }, {
      steps,
      learningRate: 0.003,
      forward: { training: true, dropout: false },
      stopBelow: Math.max(MEMORISED_SHARE * objective.expectedInitial.value, 0.01) / 2,
      deadline: ctx.deadline,
      onPoint: (step, loss) => ctx.progress({ probe: 'overfit', message: 'one batch, random labels', step, steps, loss }),
    });
    const reached = Math.min(result.final, result.best);
    const target = Math.max(MEMORISED_SHARE * objective.expectedInitial.value, 0.01);
    const details = [
      `loss: ${Objective.describe(objective)}, from ${objective.source}`,
      `${BATCH} samples with random ${Objective.isClassification(objective) ? 'labels' : 'targets'}; dropout off; Adam, learning rate 0.003, ${steps} steps`,
      ...model.notes,
      ...budgetNote(result.outOfTime, steps),
    ];
    const floor = objective.floor;
    const atFloor = floor !== undefined && reached < floor.value * 1.25 + 0.02;
    let verdict: 'pass' | 'fail' | 'inconclusive';
    let summary: string;
    if (Number.isFinite(reached) && reached <= target) {
      verdict = 'pass';
      summary = `The model memorises one batch of random labels: loss ${fmt(result.initial)} → ${fmt(reached)} in ${result.stoppedAt ?? steps} steps.`;
    } else if (floor && atFloor) {
      verdict = 'fail';
      summary = `The loss stalls at ${fmt(reached)}, at the floor ${floor.formula}: ${floor.explanation}.`;
    } else if (!Number.isFinite(reached)) {
      verdict = 'fail';
      summary = `The loss diverged (${reached}) while fitting one small batch.`;
    } else {
      // A run the budget cut short has not shown that the model cannot memorise.
      verdict = reached < 0.5 * result.initial || result.outOfTime !== undefined ? 'inconclusive' : 'fail';
      summary = verdict === 'fail'
        ? `The model cannot memorise one batch of ${BATCH} random labels: the loss only fell from ${fmt(result.initial)} to ${fmt(reached)} in ${steps} steps.`
        : `The loss fell from ${fmt(result.initial)} to ${fmt(reached)} in ${result.outOfTime ?? steps} steps, not yet near zero (${fmt(target)}); try more --steps.`;
    }
    return {
      probe: 'overfit',
      verdict,
      summary,
      metrics: {
        initial_loss: round(result.initial),
        final_loss: round(reached),
        target_loss: round(target),
        floor: floor ? round(floor.value) : null,
        classes: Objective.isClassification(objective) ? objective.classes : null,
        steps: result.stoppedAt ?? steps,
      },
      curve: result.curve,
      series: [{ label: 'code', points: result.curve }],
      references: floor ? [{ label: `floor ${floor.formula.split(' = ')[0]}`, value: round(floor.value) }] : [],
      details,
      lines: verdict === 'fail' ? [model.outputNode.range.start.line + 1] : [],
    };
  });
}
