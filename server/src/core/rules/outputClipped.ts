// MA005 output-clipped: a clipping activation (ReLU, ReLU6, softplus) on final outputs that feed logits or a
// regression target.

import type { Finding, Fix } from '../findings';
import { lossInputs } from './lossInputs';
import type { ModelRule } from './rule';

export const outputClipped: ModelRule = {
  code: 'MA005',
  name: 'output-clipped',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A clipping activation (ReLU, ReLU6, softplus) on the final outputs, which go into a loss that expects logits or unbounded values.',
    why:
      'Logits must be free to go negative: after a ReLU every class score is at least 0, the scores of wrong classes ' +
      'cannot be pushed down, and units whose pre-activation is negative get no gradient at all. The network still ' +
      'trains (the other outputs compensate), so the only symptom is a loss that plateaus early. The usual cause is a ' +
      'loop that applies the activation after every layer, the last one included. For a regression loss the clip may ' +
      'be intended (non-negative targets), so it is reported as information there.',
    bad: 'def forward(self, x):\n    for layer in self.layers:\n        x = F.relu(layer(x))   # also after the last layer\n    return x\n\nloss = nn.CrossEntropyLoss()(model(x), y)',
    good: 'def forward(self, x):\n    for layer in self.layers[:-1]:\n        x = F.relu(layer(x))\n    return self.layers[-1](x)',
    fix: 'Removes the final activation. Safe for logits; for a regression target check that the targets can be negative.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const info of lossInputs(graph)) {
      if (info.kind !== 'clipping') continue;
      const logits = info.loss.expects === 'logits';
      if (!logits && info.loss.expects !== 'values') continue;
      const key = `${info.range.start.line}:${info.range.start.character}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const consequence = logits
        ? `logits are clipped at 0, so ${info.loss.name} cannot push wrong classes below zero and units with negative pre-activations get no gradient`
        : `predictions cannot go below 0; if the ${info.loss.name} targets can be negative, those errors never shrink`;
      const fixes: Fix[] = info.edits?.remove
        ? [{ title: `Remove the final ${info.op}: ${info.edits.remove.description}`, edits: info.edits.remove.edits, isPreferred: logits }]
        : [];
      findings.push({
        code: 'MA005',
        severity: logits ? severity : 'information',
        message: `The model's outputs end in ${info.op} and go into ${info.loss.name}: ${consequence}.`,
        range: info.range,
        related: [{ range: info.loss.range, message: `${info.loss.name} expects ${logits ? 'logits' : 'unbounded values'}` }],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};
