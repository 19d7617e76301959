// MA013 dropout-before-batch-norm: a dropout whose output goes straight into a batch norm (through reshapes at most),
// so the norm learns statistics at training time that evaluation never sees (the "variance shift").

import type { Finding } from '../findings';
import { dropoutsInto } from './dropoutsInto';
import { type ModelRule, layerName } from './rule';

export const dropoutBeforeBatchNorm: ModelRule = {
  code: 'MA013',
  name: 'dropout-before-batch-norm',
  defaultSeverity: 'information',
  docs: {
    summary: 'A dropout feeds straight into a BatchNorm, so the norm is trained on the dropped-out values and evaluated on the full ones.',
    why:
      'During training dropout zeroes units and scales the rest by 1/(1−p), which changes the variance of what the ' +
      'batch norm sees; its running variance is learnt from those values. At evaluation dropout is off, the variance ' +
      'is different, and the norm rescales every activation with the wrong statistics (the "variance shift" of Li et ' +
      'al., "Understanding the Disharmony between Dropout and Batch Normalization", CVPR 2019). Training loss looks ' +
      'fine; validation accuracy is lower than it should be, and nothing reports why. The loss is a few points of accuracy, ' +
      'not a failure, and a model that never runs in evaluation mode (a GAN discriminator) does not suffer it at all, ' +
      'hence information.',
    bad: 'model.add(Dense(128, activation="relu"))\nmodel.add(Dropout(0.5))\nmodel.add(BatchNormalization())\nmodel.add(Dense(10, activation="softmax"))',
    good: 'model.add(Dense(128, activation="relu"))\nmodel.add(BatchNormalization())\nmodel.add(Dropout(0.5))\nmodel.add(Dense(10, activation="softmax"))',
    fix: 'No automatic fix: move the dropout after the batch norm (or after the last batch norm of the block), or drop it, since batch norm already regularizes.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    for (const { dropout: node, next: norm } of dropoutsInto(graph, (n) => n.op === 'batch_norm')) {
      findings.push({
        code: 'MA013',
        severity,
        message: `${layerName(node)} feeds ${layerName(norm)} (batch norm) directly: the norm learns its variance from dropped-out values, which evaluation never sees, so at evaluation every activation is rescaled wrongly. Put the dropout after the batch norm.`,
        range: node.range,
        related: [{ range: norm.range, message: `${layerName(norm)} learns its running statistics from the dropout's output here` }],
        model: graph.name,
      });
    }
    return findings;
  },
};
