// MA004 shape-mismatch: widths, channels or ranks that cannot connect, found by shape inference over the graph.

import type { Finding } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { Shapes } from '../shapes';
import { type ModelRule, layerName } from './rule';

/** The op that produced a value, looking through ops that keep its shape. */
function producer(graph: ModelGraph, id: number): GraphNode {
  let node = ModelGraph.node(graph, id);
  for (let hops = 0; hops < 32; hops++) {
    const passes = node.category === 'activation' || node.category === 'regularization' || node.op === 'identity' || node.op === 'scale';
    if (!passes || node.inputs.length === 0) return node;
    node = ModelGraph.node(graph, node.inputs[0]);
  }
  return node;
}

export const shapeMismatch: ModelRule = {
  code: 'MA004',
  name: 'shape-mismatch',
  defaultSeverity: 'error',
  docs: {
    summary: 'Widths, channels or ranks that cannot connect: Linear(784, 256) into Linear(128, 10), a conv feature map into a Linear without flatten.',
    why:
      'Some of these crash at the first batch, but many do not: a Linear applied to a C×H×W feature map runs over the ' +
      'last axis and silently mixes only the width, a Lazy layer infers the wrong size, or a code path that is rarely ' +
      'taken is never run before a long job. Catching the mismatch while typing saves that run.',
    bad: 'self.fc1 = nn.Linear(784, 256)\nself.fc2 = nn.Linear(128, 10)',
    good: 'self.fc1 = nn.Linear(784, 256)\nself.fc2 = nn.Linear(256, 10)',
    fix: 'No automatic fix: which side is wrong is a design decision.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const report = (node: GraphNode, from: GraphNode, message: string) => {
      findings.push({
        code: 'MA004',
        severity,
        message,
        range: node.defRange ?? node.range,
        related: [{ range: from.defRange ?? from.range, message: `${layerName(from)} produces ${Shapes.format(from.shape)}` }],
        model: graph.name,
      });
    };
    for (const node of graph.nodes) {
      if (node.inputs.length === 0) continue;
      const inputNode = ModelGraph.node(graph, node.inputs[0]);
      const s = inputNode.shape;
      const from = producer(graph, node.inputs[0]);
      if (from.category === 'input') continue;
      const expected = node.attrs.in;
      if (node.category === 'affine' && !Shapes.isSpatial(node.op)) {
        if (!s || s.length === 0) continue;
        if (s.length >= 2 && (Shapes.isSpatial(from.op) || from.category === 'pooling')) {
          report(node, from, `${layerName(node)} (${node.op}) receives the ${Shapes.format(s)} feature map of ${layerName(from)} with no flatten: a Linear acts on the last axis only. Flatten it first (torch.flatten(x, 1) or nn.Flatten()).`);
          continue;
        }
        const last = s[s.length - 1];
        if (typeof last === 'number' && typeof expected === 'number' && last !== expected) {
          report(node, from, `${layerName(node)} expects ${expected} input features but receives ${last} from ${layerName(from)}.`);
        }
      } else if (node.category === 'affine' && Shapes.isSpatial(node.op)) {
        if (!s) continue;
        const channels = s[0];
        if (typeof channels === 'number' && typeof expected === 'number' && channels !== expected && s.length >= 2) {
          report(node, from, `${layerName(node)} expects ${expected} input channels but receives ${channels} from ${layerName(from)}.`);
        }
      } else if (node.op === 'batch_norm' && s && s.length > 0) {
        const features = node.attrs.features;
        const channels = s[0];
        if (typeof channels === 'number' && typeof features === 'number' && channels !== features) {
          report(node, from, `${layerName(node)} normalizes ${features} features but receives ${channels} from ${layerName(from)}.`);
        }
      } else if ((node.op === 'add' || node.op === 'sub') && node.inputs.length === 2) {
        const a = inputNode.shape;
        const b = ModelGraph.node(graph, node.inputs[1]).shape;
        if (a && b && a.length === b.length && a.every((d, i) => typeof d === 'number' && typeof b[i] === 'number') && a.some((d, i) => d !== b[i] && d !== 1 && b[i] !== 1)) {
          report(node, producer(graph, node.inputs[1]), `The two sides of this ${node.op === 'add' ? 'sum' : 'difference'} have shapes ${Shapes.format(a)} and ${Shapes.format(b)}, which do not match.`);
        }
      }
    }
    return findings;
  },
};
