// MA007 dropout-always-on: functional dropout that does not follow the model's train/eval mode.

import type { Finding, Fix } from '../findings';
import type { ModelRule } from './rule';

export const dropoutAlwaysOn: ModelRule = {
  code: 'MA007',
  name: 'dropout-always-on',
  defaultSeverity: 'warning',
  docs: {
    summary: 'Functional dropout (F.dropout) without `training=self.training`, so it stays on at evaluation.',
    why:
      "F.dropout's `training` argument defaults to True and knows nothing of model.eval(). Validation and inference " +
      'then drop units at random: metrics are noisy and pessimistic, predictions differ from run to run, and the ' +
      'model looks worse than it is, which steers model selection wrong. A dropout layer (nn.Dropout) follows ' +
      'model.eval() by itself.',
    bad: 'def forward(self, x):\n    x = F.dropout(F.relu(self.fc1(x)), p=0.5)\n    return self.fc2(x)',
    good: 'def forward(self, x):\n    x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=self.training)\n    return self.fc2(x)',
    fix: 'Adds `training=self.training`. Safe: training behaves as before and evaluation becomes deterministic. (For Monte Carlo dropout pass training=True explicitly; that is not reported.)',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    for (const node of graph.nodes) {
      if (node.category !== 'regularization' || node.modeSwitch !== 'default' || node.onlyIn === 'train') continue;
      const fix = node.edits?.followTrainingMode;
      const fixes: Fix[] = fix ? [{ title: `Make the dropout follow model.eval(): ${fix.description}`, edits: fix.edits, isPreferred: true }] : [];
      const p = typeof node.attrs.p === 'number' ? ` (p=${node.attrs.p})` : '';
      findings.push({
        code: 'MA007',
        severity,
        message: `This functional dropout${p} has no training=self.training, and its default is training=True: it keeps dropping units after model.eval(), so evaluation and inference are noisy and pessimistic.`,
        range: node.range,
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};
