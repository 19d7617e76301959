// MA004 shape-mismatch: widths, channels or ranks that cannot connect, found by shape inference over the graph.
// Channels are read on the axis the frontend recorded for each layer (`channels_last`: the last axis in Keras and
// TF.js, the first in PyTorch), and fixes are named in the model's framework's idiom.

import type { Finding } from '../findings';
import { type Dim, type GraphNode, ModelGraph, type Shape } from '../graph';
import { Shapes } from '../shapes';
import { type ModelRule, idiomsOf, layerName } from './rule';

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

/** The channels of a feature map as `node` reads them: on the last axis for a channels-last layer, else the first. */
function channelsOf(node: GraphNode, shape: Shape): Dim | undefined {
  if (shape.length === 0) return undefined;
  return node.attrs.channels_last === true ? shape[shape.length - 1] : shape[0];
}

/** Image channel counts: grey, RGB, RGBA. */
const IMAGE_CHANNELS = new Set([1, 3, 4]);

/**
 * A declared input shape that a channels-last convolution would read with the channels in front, as PyTorch lays
 * images out: (3, 32, 32) is read as a 3×32 image with 32 channels. Nothing crashes; the model trains on a
 * scrambled layout. Only 2-d and 3-d convolutions, whose shapes leave little doubt, are checked.
 */
function looksChannelsFirst(node: GraphNode, shape: Shape): boolean {
  const rank = Number(/([23])d$/.exec(node.op)?.[1] ?? 0);
  if (rank === 0 || node.attrs.channels_last !== true || shape.length !== rank + 1) return false;
  const [first, ...rest] = shape;
  return typeof first === 'number' && IMAGE_CHANNELS.has(first) && rest.every((d) => typeof d === 'number' && d >= 8);
}

export const shapeMismatch: ModelRule = {
  code: 'MA004',
  name: 'shape-mismatch',
  defaultSeverity: 'error',
  docs: {
    summary: 'Widths, channels or ranks that cannot connect: Linear(784, 256) into Linear(128, 10), a conv feature map into a Linear without flatten, a channels-first image shape given to a channels-last Keras or TF.js convolution.',
    why:
      'Some of these crash at the first batch, but many do not: a Linear (or Keras Dense) applied to a feature map ' +
      'runs over the last axis only (the width of a PyTorch C×H×W map, the channels of a Keras H×W×C one) and mixes ' +
      'nothing else, a Lazy layer infers the wrong size, a Keras ' +
      'Conv2D given input_shape=(3, 32, 32) reads a 3×32 image with 32 channels and trains on a scrambled layout, or ' +
      'a code path that is rarely taken is never run before a long job. Catching the mismatch while typing saves that run.',
    bad: 'self.fc1 = nn.Linear(784, 256)\nself.fc2 = nn.Linear(128, 10)',
    good: 'self.fc1 = nn.Linear(784, 256)\nself.fc2 = nn.Linear(256, 10)',
    fix: 'No automatic fix: which side is wrong is a design decision.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const idioms = idiomsOf(graph);
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
    const inputsReported = new Set<number>();
    for (const node of graph.nodes) {
      if (node.inputs.length === 0) continue;
      const inputNode = ModelGraph.node(graph, node.inputs[0]);
      const s = inputNode.shape;
      const from = producer(graph, node.inputs[0]);
      const spatial = node.category === 'affine' && Shapes.isSpatial(node.op);
      if (from.category === 'input') {
        // An input's shape is only checked when the code declares it (a shape inferred from its first consumer fits
        // that consumer by construction): a channels-first image into a channels-last conv, or a declared image
        // whose channels a convolution built on another input does not take.
        if (node.category === 'affine' && s && !inputsReported.has(from.id) && looksChannelsFirst(node, s)) {
          inputsReported.add(from.id);
          const [c, ...spatial] = s;
          const last = s[s.length - 1];
          findings.push({
            code: 'MA004',
            severity,
            message: `${layerName(node)} reads channels on the last axis, but the input shape ${Shapes.format(s)} puts ${c} channels first: it sees a ${s.slice(0, -1).join('×')} image with ${last} channels. Declare the shape channels-last (${[...spatial, c].join(', ')}), or construct ${layerName(node)} with ${idioms.channelsFirst}.`,
            range: from.range,
            related: [{ range: node.defRange ?? node.range, message: `${layerName(node)} reads its ${String(node.attrs.in ?? last)} input channels on the last axis` }],
            model: graph.name,
          });
        }
        const declaredImage = s !== undefined && s.length >= 2 && s.every((d) => typeof d === 'number');
        if (!spatial || !declaredImage) continue;
      }
      const expected = node.attrs.in;
      if (node.category === 'affine' && !Shapes.isSpatial(node.op)) {
        if (!s || s.length === 0) continue;
        if (s.length >= 2 && (Shapes.isSpatial(from.op) || from.category === 'pooling')) {
          report(node, from, `${layerName(node)} (${node.op}) receives the ${Shapes.format(s)} feature map of ${layerName(from)} with no flatten: ${idioms.dense} acts on the last axis only. Flatten it first (${idioms.flatten}).`);
          continue;
        }
        const last = s[s.length - 1];
        if (typeof last === 'number' && typeof expected === 'number' && last !== expected) {
          report(node, from, `${layerName(node)} expects ${expected} input features but receives ${last} from ${layerName(from)}.`);
        }
      } else if (spatial) {
        if (!s) continue;
        const channels = channelsOf(node, s);
        if (typeof channels === 'number' && typeof expected === 'number' && channels !== expected && s.length >= 2) {
          report(node, from, `${layerName(node)} expects ${expected} input channels but receives ${channels} from ${layerName(from)}.`);
        }
      } else if (node.op === 'batch_norm' && s && s.length > 0) {
        const features = node.attrs.features;
        const channels = channelsOf(node, s);
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
