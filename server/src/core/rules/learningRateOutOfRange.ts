// MT006 learning-rate-out-of-range: an optimizer constructed with a learning rate far outside the range in which it
// can train (Adam at 1.0, SGD at 50, any optimizer at 1e-9). The ranges are per optimizer class, read by the frontend.

import type { Finding } from '../findings';
import type { FileRule } from './rule';

export const learningRateOutOfRange: FileRule = {
  kind: 'file',
  code: 'MT006',
  name: 'learning-rate-out-of-range',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A learning rate far outside the range in which its optimizer trains: above 0.1 for Adam, RMSprop and their variants, above 10 for SGD, above 1 for Adagrad, below 1e-7 for any.',
    why:
      'Adam-style optimizers scale each step to about the learning rate itself, so at 1.0 every weight moves by about ' +
      '1 per step and the loss diverges or the ReLUs die at once; SGD at tens does the same. A learning rate of 1e-8 ' +
      'moves nothing in any run of usual length, so the model looks as if it cannot learn. Both train without error.',
    bad: 'optimizer = keras.optimizers.Adam(learning_rate=1.0)',
    good: 'optimizer = keras.optimizers.Adam(learning_rate=1e-3)',
    fix: 'No automatic fix: the right value depends on the model and the batch size; the optimizer\'s default is a good start.',
  },
  check({ facts, severity }) {
    const findings: Finding[] = [];
    for (const lr of facts.learningRates ?? []) {
      const message = lr.problem === 'too-large'
        ? `A learning rate of ${lr.value} is far above what ${lr.optimizer} can train with (at most about ${lr.limit}): the loss diverges or the units die in the first steps.`
        : `A learning rate of ${lr.value} is too small for ${lr.optimizer} to move the weights in a run of usual length: the model looks as if it cannot learn.`;
      findings.push({ code: 'MT006', severity, message, range: lr.range });
    }
    return findings;
  },
};
