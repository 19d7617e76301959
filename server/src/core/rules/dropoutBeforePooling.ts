// MA018 dropout-before-pooling: a dropout whose output goes straight into a max pooling (through reshapes at most).
// Dropping units before taking the maximum of each window mostly drops units the pooling would have discarded anyway,
// and the survivors' 1/(1−p) scaling passes through the max, so training and evaluation see different values.

import type { Finding } from '../findings';
import { dropoutsInto } from './dropoutsInto';
import { isMaxPool, type ModelRule, layerName } from './rule';

export const dropoutBeforePooling: ModelRule = {
  code: 'MA018',
  name: 'dropout-before-pooling',
  defaultSeverity: 'information',
  docs: {
    summary: 'A dropout feeds straight into a max pooling, which keeps only the largest value of each window.',
    why:
      'Max pooling keeps one value per window and discards the rest, so most of the units a dropout before it zeroes ' +
      'would have been discarded anyway: the regularization is weaker than its rate says, and it mostly acts by ' +
      'letting a smaller value win a window now and then. The kept units are scaled by 1/(1−p) during training and ' +
      'not at evaluation, and the maximum passes that scaling on, so the next layer sees larger values in training ' +
      'than at test time. Nothing fails; the usual order, and the one NeuraLint checks for, is pooling first, then ' +
      'dropout. A design choice more than a bug, hence information.',
    bad: 'model.add(Conv2D(32, (3, 3), activation="relu"))\nmodel.add(Dropout(0.25))\nmodel.add(MaxPooling2D((2, 2)))',
    good: 'model.add(Conv2D(32, (3, 3), activation="relu"))\nmodel.add(MaxPooling2D((2, 2)))\nmodel.add(Dropout(0.25))',
    fix: 'No automatic fix: move the dropout after the pooling layer.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    for (const { dropout: node, next: pool } of dropoutsInto(graph, isMaxPool)) {
      findings.push({
        code: 'MA018',
        severity,
        message: `${layerName(node)} feeds ${layerName(pool)} (max pooling) directly: the pooling keeps one value per window, so most units the dropout zeroes were to be discarded anyway, and its training-time scaling passes through the max. Pool first, then drop out.`,
        range: node.range,
        related: [{ range: pool.range, message: `${layerName(pool)} takes the maximum of the dropout's output here` }],
        model: graph.name,
      });
    }
    return findings;
  },
};
