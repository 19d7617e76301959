// MA011 softmax-over-one-unit: a softmax (or log_softmax) over an axis of size one, whose output is always 1.0 (or
// 0.0), whatever the input. A frequent Stack Overflow bug: a binary classifier written as Dense(1, activation='softmax').

import type { Finding } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { Ops } from '../ops';
import { type ModelRule, layerName } from './rule';

/** The size of the axis a softmax-family node normalizes over, when its shape is known. */
export function normalizedWidth(node: GraphNode): number | undefined {
  const shape = node.shape;
  if (!shape || shape.length === 0) return undefined;
  const dim = node.attrs.dim;
  // Shapes are per sample; a `dim` counts the batch as axis 0 in every framework the graph comes from.
  const index = typeof dim === 'number' ? (dim < 0 ? shape.length + dim : dim - 1) : shape.length - 1;
  const width = shape[index];
  return typeof width === 'number' ? width : undefined;
}

export const softmaxOverOneUnit: ModelRule = {
  code: 'MA011',
  name: 'softmax-over-one-unit',
  defaultSeverity: 'error',
  docs: {
    summary: 'A softmax over a layer of one unit: its output is always 1.0 (log_softmax: always 0), whatever the input.',
    why:
      'Softmax divides each exponential by the sum over the axis; with one unit that is x / x = 1. The model predicts ' +
      'the same class for every sample, the gradient through the softmax is zero, and nothing trains, without any ' +
      'error. It is how a binary classifier is often mistyped: one unit needs a sigmoid, two or more units need the softmax.',
    bad: "model.add(Dense(1, activation='softmax'))\nmodel.compile(loss='binary_crossentropy', optimizer='adam')",
    good: "model.add(Dense(1, activation='sigmoid'))\nmodel.compile(loss='binary_crossentropy', optimizer='adam')",
    fix: 'No automatic fix: a sigmoid on one unit (binary labels) and a softmax over as many units as classes are both right; which one depends on the labels.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    for (const node of graph.nodes) {
      if (!Ops.info(node.op).normalizesOverDim || node.origin !== undefined) continue;
      if (normalizedWidth(node) !== 1) continue;
      const input = node.inputs[0] !== undefined ? ModelGraph.node(graph, node.inputs[0]) : undefined;
      const from = input && input.category !== 'input' ? ` of ${layerName(input)}` : '';
      const constant = node.op === 'log_softmax' ? '0' : '1.0';
      findings.push({
        code: 'MA011',
        severity,
        message: `${node.op} over the single unit${from} is always ${constant}: the model cannot learn anything through it. Use a sigmoid for one output unit, or give the layer one unit per class.`,
        range: node.range,
        model: graph.name,
      });
    }
    return findings;
  },
};
