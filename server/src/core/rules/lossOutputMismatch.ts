// MA012 loss-output-mismatch: a loss whose kind of target does not fit the model's output layer: a categorical
// cross-entropy over one unit, a binary cross-entropy over a softmax of several classes (over two, with one-hot labels, it equals the categorical one: information), a regression loss (MSE, MAE)
// on class probabilities (a softmax, or sigmoids scored by accuracy). What each loss is made for comes from the frontend (LossUse.task).

import type { Finding } from '../findings';
import { ModelGraph } from '../graph';
import { lossInputs } from './lossInputs';
import type { ModelRule } from './rule';

/** The number of units of a model output, when its shape is known. */
function outputWidth(graph: ModelGraph, index: number): number | undefined {
  const id = graph.outputs[index];
  const shape = id === undefined ? undefined : ModelGraph.node(graph, id).shape;
  const last = shape && shape.length > 0 ? shape[shape.length - 1] : undefined;
  return typeof last === 'number' ? last : undefined;
}

export const lossOutputMismatch: ModelRule = {
  code: 'MA012',
  name: 'loss-output-mismatch',
  defaultSeverity: 'warning',
  docs: {
    summary: 'The loss does not fit the output layer: categorical cross-entropy over one unit or over independent sigmoids, binary cross-entropy over a softmax of several classes (over two, with one-hot labels, it equals the categorical one: information), MSE or MAE on softmax probabilities, or on sigmoid outputs scored by accuracy (a classifier).',
    why:
      'Categorical cross-entropy over one unit is constant (the one "class" always has probability 1), so nothing ' +
      'trains. Binary cross-entropy over a softmax scores each class as an independent yes/no while the softmax ties ' +
      'them together, and Keras then reports binary accuracy, which looks high because most one-hot entries are 0. MSE ' +
      'or MAE on probabilities gives vanishing gradients where the model is confidently wrong, so a classifier trained ' +
      'with it learns slowly and often stalls; through a sigmoid the same happens, which is reported when the model ' +
      'is scored by accuracy (MSE on a sigmoid is also how autoencoders fit pixels in [0, 1]). All of these run ' +
      'without an error.',
    bad: "model.add(Dense(10, activation='softmax'))\nmodel.compile(loss='binary_crossentropy', optimizer='adam')",
    good: "model.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy', optimizer='adam')",
    fix: 'No automatic fix: the right loss depends on the labels (one-hot or integer classes, independent labels, real values).',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    for (const info of lossInputs(graph)) {
      const { loss, kind } = info;
      const index = loss.output ?? 0;
      const width = outputWidth(graph, index);
      let text: string | undefined;
      let level = severity;
      if (loss.task === 'classes' && width === 1) {
        text = `${loss.name} chooses one class out of several, but the model's output has a single unit: the loss is constant and nothing trains. For two classes use one unit with a sigmoid and a binary cross-entropy, or one unit per class.`;
      } else if (loss.task === 'classes' && kind === 'sigmoid' && width !== undefined && width > 1 && loss.expects === 'probabilities') {
        text = `${loss.name} expects a probability distribution over the ${width} classes, but they come from independent sigmoids that do not sum to 1: use a softmax for one class per sample, or a binary cross-entropy for independent labels.`;
      } else if (loss.task === 'binary' && kind === 'softmax' && width === 2) {
        // Over two softmax units and one-hot labels the two yes/no terms are the same term twice, so this trains
        // exactly like a categorical cross-entropy; only 0/1 integer labels (broadcast to both units) break it.
        text = `${loss.name} over a softmax of 2 units equals a categorical cross-entropy when the labels are one-hot, but with 0/1 labels both units are pushed towards the same target while the softmax makes them sum to 1: use categorical_crossentropy, or one sigmoid unit.`;
        if (level === 'warning' || level === 'error') level = 'information';
      } else if (loss.task === 'binary' && kind === 'softmax' && width !== undefined && width > 2) {
        text = `${loss.name} scores each of the ${width} outputs as an independent yes/no, but they come from a softmax that makes them compete: for one class per sample use a categorical cross-entropy; for independent labels use a sigmoid.`;
      } else if (loss.task === 'regression' && (kind === 'softmax' || kind === 'log_softmax')) {
        text = `${loss.name} is a regression loss, but the model outputs class probabilities from ${info.op}: its gradient vanishes where the model is confidently wrong. Use a cross-entropy loss for classes.`;
      } else if (loss.task === 'regression' && kind === 'sigmoid' && loss.accuracyMetric) {
        // MSE on a sigmoid is also how autoencoders fit pixels in [0, 1]; asking for accuracy says these are classes.
        text = `${loss.name} is a regression loss, but the model classifies: it outputs sigmoid probabilities from ${info.op} and is scored by accuracy. Through a sigmoid the squared error's gradient vanishes where the model is confidently wrong, so it learns slowly or stalls: use binary_crossentropy for yes/no targets.`;
      }
      if (!text) continue;
      findings.push({
        code: 'MA012',
        severity: level,
        message: text,
        range: loss.range,
        related: [{ range: info.range, message: `the model's output comes from here` }],
        model: graph.name,
      });
    }
    return findings;
  },
};
