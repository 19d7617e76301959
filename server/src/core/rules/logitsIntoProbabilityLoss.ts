// MA006 logits-into-probability-loss: raw outputs into a loss that expects probabilities or log-probabilities
// (NLLLoss without log_softmax, BCELoss without sigmoid, Keras categorical_crossentropy without from_logits=True).

import type { Finding, Fix } from '../findings';
import { lossInputs } from './lossInputs';
import { type ModelRule, layerName } from './rule';

export const logitsIntoProbabilityLoss: ModelRule = {
  code: 'MA006',
  name: 'logits-into-probability-loss',
  defaultSeverity: 'warning',
  docs: {
    summary: 'Raw outputs go into a loss that expects probabilities or log-probabilities: NLLLoss without log_softmax, BCELoss without sigmoid, Keras categorical_crossentropy without from_logits=True, or a final ReLU or tanh where a sigmoid or softmax belongs.',
    why:
      'NLLLoss just picks −input[target]: fed raw scores it rewards making the right score huge instead of making the ' +
      'distribution right, and the loss runs off to −∞. Keras categorical_crossentropy without from_logits=True ' +
      'normalizes the scores by their sum and clips them, which gives wrong, flat gradients. A final ReLU or tanh ' +
      'before binary_crossentropy gives values above 1, below 0 or exactly 0, which the loss clips (no gradient) or ' +
      'turns into NaN. All of these train without error and converge badly.',
    bad: 'def forward(self, x):\n    return self.fc(x)\n\ncriterion = nn.NLLLoss()\nloss = criterion(model(x), y)',
    good: 'criterion = nn.CrossEntropyLoss()     # applies log_softmax itself\nloss = criterion(model(x), y)',
    fix: 'Switches to the loss that takes logits (NLLLoss → CrossEntropyLoss, BCELoss → BCEWithLogitsLoss, from_logits=True). That computes exactly what was meant, more stably; safe. A final ReLU or tanh gets no automatic fix: whether a sigmoid or a softmax belongs there depends on the labels.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const info of lossInputs(graph)) {
      const { loss, kind } = info;
      let text: string | undefined;
      if (loss.expects === 'probabilities' && kind === 'raw') {
        text = `${loss.name} expects probabilities in [0, 1], but the model's outputs are raw scores from ${(info.node ? layerName(info.node) : info.op)} with no sigmoid or softmax: the loss is wrong wherever a score leaves [0, 1].`;
      } else if (loss.expects === 'probabilities' && (kind === 'clipping' || kind === 'signed')) {
        const range = kind === 'clipping' ? 'from 0 to infinity, and exactly 0 wherever its input is negative' : 'from −1 to 1';
        text = `${loss.name} expects probabilities in [0, 1], but the model's outputs end in ${info.op}, whose values run ${range}: the loss takes the log of values that are no probabilities, so it is clipped, NaN or flat. End in a sigmoid (one unit) or a softmax (one unit per class).`;
      } else if (loss.expects === 'log_probabilities' && kind === 'raw') {
        text = `${loss.name} expects log-probabilities, but the model's outputs are raw scores from ${(info.node ? layerName(info.node) : info.op)} with no log_softmax: the loss only pushes the target score up and can fall without bound.`;
      } else if (loss.expects === 'log_probabilities' && (kind === 'softmax' || kind === 'sigmoid')) {
        text = `${loss.name} expects log-probabilities, but the model's outputs are probabilities from ${info.op}: use log_softmax instead of softmax (or take the log).`;
      }
      if (!text) continue;
      const key = `${info.range.start.line}:${info.range.start.character}:${loss.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fixes: Fix[] = loss.expectLogits && kind === 'raw'
        ? [{ title: `Use the loss that takes logits: ${loss.expectLogits.description}`, edits: loss.expectLogits.edits, isPreferred: true }]
        : [];
      findings.push({
        code: 'MA006',
        severity,
        message: text,
        range: loss.range,
        related: [{ range: info.range, message: `the model's output comes from here` }],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};
