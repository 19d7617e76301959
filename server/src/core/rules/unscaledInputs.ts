// MT005 unscaled-inputs: `fit` trains on data straight from its source (Keras image datasets of 0–255 pixels, a CSV
// table of raw features) with no scaling anywhere on the way and no normalization layer in front of the model.

import type { Finding } from '../findings';
import { ModelGraph } from '../graph';
import type { FileRule } from './rule';

/** Whether a model normalizes its own inputs: its first op after an input is a normalization or rescaling layer. */
function normalizesInputs(graph: ModelGraph): boolean {
  return graph.nodes.some((n) => n.inputs.length > 0 && ModelGraph.node(graph, n.inputs[0]).category === 'input' && (n.category === 'normalization' || n.op === 'rescaling'));
}

export const unscaledInputs: FileRule = {
  kind: 'file',
  code: 'MT005',
  name: 'unscaled-inputs',
  defaultSeverity: 'warning',
  docs: {
    summary: 'fit trains on inputs straight from their source, never scaled: raw 0–255 pixels from a Keras image dataset (warning), or raw feature columns from a CSV or text table (information: the columns may already be small).',
    why:
      'Weights are initialised for inputs of about unit size. Pixels of 0–255, or features whose ranges differ by ' +
      'orders of magnitude (an age next to an income), make the first layer\'s pre-activations huge: sigmoid and tanh ' +
      'units saturate, ReLU units die, the loss plateaus or turns to NaN, and the learning rate that suits one input ' +
      'is far off for another. Nothing fails; accuracy just stays low. It is among the most common bugs behind "my ' +
      'network does not learn" questions.',
    bad: '(x_train, y_train), _ = mnist.load_data()\nmodel.fit(x_train, y_train, epochs=5)',
    good: "(x_train, y_train), _ = mnist.load_data()\nx_train = x_train.astype('float32') / 255\nmodel.fit(x_train, y_train, epochs=5)",
    fix: 'No automatic fix: dividing by 255 suits pixels, a StandardScaler fitted on the training set suits table features, and the same scaling must be applied at prediction time. If your table is already scaled, suppress the finding with a comment.',
  },
  check({ facts, graphs, severity }) {
    const inputs = facts.inputs ?? [];
    if (inputs.length === 0 || graphs.some(normalizesInputs)) return [];
    const findings: Finding[] = [];
    for (const input of inputs) {
      const what = input.source === 'pixels'
        ? `${input.written}() gives images as integers 0–255`
        : `${input.written}() gives raw feature values`;
      const fed = input.variable ? `\`${input.variable}\`` : 'the inputs';
      const advice = input.source === 'pixels' ? 'divide by 255 (or add a Rescaling(1/255) layer)' : 'standardize them (StandardScaler fitted on the training set) or add a Normalization layer';
      // Pixels are certainly 0–255; a table's columns may already be in a small range, which the code does not say.
      const level = input.source === 'table' && (severity === 'error' || severity === 'warning') ? 'information' : severity;
      findings.push({
        code: 'MT005',
        severity: level,
        message: `${what}, and ${fed} reaches fit without any scaling: the first layer saturates and training stalls. ${advice[0].toUpperCase()}${advice.slice(1)}.`,
        range: input.range,
        related: [{ range: input.fitRange, message: 'the unscaled data is trained on here' }],
      });
    }
    return findings;
  },
};
