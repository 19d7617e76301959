// MT004 train-mode-not-restored: model.eval() inside a training loop with no model.train() after it.

import type { Finding, Fix } from '../findings';
import type { FileRule } from './rule';

export const trainModeNotRestored: FileRule = {
  kind: 'file',
  code: 'MT004',
  name: 'train-mode-not-restored',
  defaultSeverity: 'warning',
  docs: {
    summary: 'model.eval() (or a validation helper that calls it) runs inside the training loop, and nothing calls model.train() again.',
    why:
      'After the first validation the model stays in evaluation mode for the rest of training: dropout is off (so ' +
      'the regularization silently disappears after epoch one) and batch norm stops updating its statistics and ' +
      'normalizes with stale running averages. Training continues without error; the model overfits or plateaus and ' +
      'only the first epoch was trained as designed.',
    bad: 'model.train()\nfor epoch in range(epochs):\n    for x, y in train_loader:\n        ...\n        loss.backward()\n        optimizer.step()\n    model.eval()\n    validate(model)',
    good: 'for epoch in range(epochs):\n    model.train()\n    for x, y in train_loader:\n        ...\n    model.eval()\n    validate(model)',
    fix: 'Inserts model.train() at the top of the loop body, so each iteration starts in training mode. Safe.',
  },
  check({ facts, severity }) {
    const findings: Finding[] = [];
    for (const s of facts.modeSwitches) {
      if (s.restored || !s.trained) continue;
      const fixes: Fix[] = s.insertTrain ? [{ title: `Restore training mode: ${s.insertTrain.description}`, edits: s.insertTrain.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MT004',
        severity,
        message: `${s.model} is put in evaluation mode inside the training loop and never back into training mode: from the second iteration on it trains with dropout off and frozen batch-norm statistics.`,
        range: s.range,
        related: [{ range: s.loopRange, message: 'the training loop' }],
        fixes,
      });
    }
    return findings;
  },
};
