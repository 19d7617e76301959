// MT007 validation-split-unshuffled: Keras fit(validation_split=…) on arrays read from a file that nothing shuffles.

import type { Finding } from '../findings';
import type { FileRule } from './rule';

export const validationSplitUnshuffled: FileRule = {
  kind: 'file',
  code: 'MT007',
  name: 'validation-split-unshuffled',
  defaultSeverity: 'warning',
  docs: {
    summary: 'fit(..., validation_split=v) on arrays read from a file that the script never shuffles: the validation set is the last rows as saved (np.load, h5py: warning; a CSV or text table: information).',
    why:
      'Keras takes the validation set from the end of x and y before it shuffles anything; fit(shuffle=True) only ' +
      'shuffles the training part. Arrays saved to a file are often in order (all of one class, then the next; ' +
      'oldest to newest), so the validation set is one class or one period the model never trains on: validation ' +
      'accuracy stays near 0 or the validation loss looks absurd while training looks fine. Data from ' +
      'keras.datasets comes shuffled and is not reported, nor is a script that shuffles or splits the rows itself ' +
      '(np.random.permutation, sklearn\'s shuffle or train_test_split). Saved arrays (np.load, h5py), which are ' +
      'usually built class by class, give a warning; the rows of a CSV or text table, as often in the order they ' +
      'were collected, information.',
    bad: 'x = np.load("x.npy")\ny = np.load("y.npy")\nmodel.fit(x, y, epochs=20, validation_split=0.2)',
    good: 'x = np.load("x.npy")\ny = np.load("y.npy")\np = np.random.permutation(len(x))\nx, y = x[p], y[p]\nmodel.fit(x, y, epochs=20, validation_split=0.2)',
    fix: 'No automatic fix: shuffle x and y together before fit (one permutation for both), or split with train_test_split and pass validation_data.',
  },
  check({ facts, severity }) {
    const findings: Finding[] = [];
    for (const split of facts.validationSplits ?? []) {
      const what = split.variable ? `\`${split.variable}\`` : 'the arrays';
      findings.push({
        code: 'MT007',
        // Saved arrays are usually written class by class; the rows of a table are as often in collection order.
        severity: split.source === 'table' && (severity === 'error' || severity === 'warning') ? 'information' : severity,
        message: `validation_split=${split.value} takes the last ${Math.round(split.value * 100)} % of ${what} as read by ${split.written}(), before any shuffling, and nothing in the script shuffles the rows: if the file is in order (by class, by time), the validation set is one slice the model never trains on. Shuffle x and y together first.`,
        range: split.range,
        related: [{ range: split.sourceRange, message: `${what} is read here, in file order` }],
        fixes: [],
      });
    }
    return findings;
  },
};
