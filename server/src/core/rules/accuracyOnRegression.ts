// MA017 accuracy-on-regression: `compile(loss='mse', metrics=['accuracy'])` over a real-valued output. Accuracy
// compares predictions with targets for equality (Keras resolves it to binary accuracy, a rounding at 0.5, for one
// output unit), which on real-valued targets says nothing about the fit. Which losses are regressions comes from the
// frontend (LossUse.task), where the metric is from LossUse.accuracyMetric.

import type { Finding } from '../findings';
import { lossInputs } from './lossInputs';
import type { ModelRule } from './rule';

/** Outputs whose values are probabilities or log-probabilities: accuracy on them can mean something. */
const PROBABILITIES = new Set(['softmax', 'log_softmax', 'sigmoid', 'log_of_probabilities']);

export const accuracyOnRegression: ModelRule = {
  code: 'MA017',
  name: 'accuracy-on-regression',
  defaultSeverity: 'warning',
  docs: {
    summary: "Accuracy as the metric of a regression (MSE, MAE, Huber, …) over a real-valued output: `compile(loss='mse', metrics=['accuracy'])`.",
    why:
      'Accuracy counts predictions that equal their targets. Keras resolves `accuracy` from the loss and the output ' +
      'shape, and for a real-valued output it compares rounded or thresholded predictions with real targets, so it ' +
      'stays near 0 (or moves at random) however well the regression fits. Nothing fails: the loss still trains, but ' +
      'the number everyone watches in the progress bar, in early stopping and in the history is meaningless, and ' +
      'people tune learning rates and epochs by it (the Stack Overflow questions behind DeepLocalize start exactly ' +
      "there: \"my accuracy is always 0\"). Outputs squashed by a sigmoid or softmax are not reported: there MSE is a " +
      'loss for probabilities and accuracy can mean something.',
    bad: "model.add(Dense(1))\nmodel.compile(loss='mse', optimizer='adam', metrics=['accuracy'])",
    good: "model.add(Dense(1))\nmodel.compile(loss='mse', optimizer='adam', metrics=['mae'])",
    fix: "Replaces 'accuracy' with 'mae' (mean absolute error, in the targets' units). Safe: metrics do not change what trains.",
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const { loss, kind, range } of lossInputs(graph)) {
      const metric = loss.accuracyMetric;
      if (!metric || loss.task !== 'regression' || PROBABILITIES.has(kind)) continue;
      const at = `${metric.range.start.line}:${metric.range.start.character}`;
      if (seen.has(at)) continue;
      seen.add(at);
      findings.push({
        code: 'MA017',
        severity,
        message: `accuracy is not a measure of a regression: with ${loss.name} over a real-valued output it compares predictions and targets for equality, so it stays near 0 however well the model fits. Watch the loss, or use 'mae' as the metric.`,
        range: metric.range,
        related: [
          { range: loss.range, message: `${loss.name} is a regression loss` },
          { range, message: "the model's real-valued output comes from here" },
        ],
        model: graph.name,
        fixes: [{ title: "Use 'mae' as the metric instead of accuracy", edits: [{ range: metric.range, newText: metric.asMae }], isPreferred: true }],
      });
    }
    return findings;
  },
};
