// MT002 missing-zero-grad: `optimizer.step()` in a loop that never clears the gradients.

import type { Finding, Fix } from '../findings';
import type { FileRule } from './rule';

export const missingZeroGrad: FileRule = {
  kind: 'file',
  code: 'MT002',
  name: 'missing-zero-grad',
  defaultSeverity: 'warning',
  docs: {
    summary: 'An optimizer steps in a loop that calls backward() but never zero_grad(), so gradients accumulate across steps.',
    why:
      'backward() adds to .grad; it does not overwrite it. Without zero_grad() each step applies the sum of all ' +
      'gradients so far: the effective learning rate grows every step, updates point along stale directions, and ' +
      'the loss oscillates or diverges, or just converges badly with a small learning rate. Gradient accumulation ' +
      'that clears every k steps is fine and not reported; so is a step with a closure (LBFGS).',
    bad: 'for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()',
    good: 'for x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()',
    fix: 'Inserts optimizer.zero_grad() before the backward call, inside the loop. Safe.',
  },
  check({ facts, severity }) {
    const findings: Finding[] = [];
    for (const s of facts.steps) {
      if (s.zeroesGradients || s.closure || !s.backward) continue;
      const fixes: Fix[] = s.insertZeroGrad ? [{ title: `Clear the gradients each step: ${s.insertZeroGrad.description}`, edits: s.insertZeroGrad.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MT002',
        severity,
        message: `${s.optimizer}.step() runs in a loop that never calls zero_grad(): backward() adds to the gradients, so every step applies the sum of all gradients so far and the updates grow and go stale.`,
        range: s.range,
        related: [
          { range: s.loopRange, message: 'the loop that repeats the step' },
          ...(s.backwardRange ? [{ range: s.backwardRange, message: `backward() adds to the gradients left from the last step: ${s.optimizer}.zero_grad() belongs before it` }] : []),
        ],
        fixes,
      });
    }
    return findings;
  },
};
