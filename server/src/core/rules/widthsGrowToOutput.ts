// MA016 widths-grow-towards-output: the hidden dense layers of a classifier or regressor widen towards a narrow
// output (128 → 256 → 512 → 10) instead of narrowing.

import type { Finding } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { type ModelRule, layerName } from './rule';

const isDense = (n: GraphNode) => n.op === 'linear' && typeof n.attrs.out === 'number';

/** The next dense layer a dense layer's output reaches through single-input, non-affine ops only. */
function nextDense(graph: ModelGraph, consumers: Map<number, number[]>, id: number): GraphNode | undefined {
  const next = ModelGraph.nextThrough(graph, consumers, id, (n) => n.category !== 'affine' && n.inputs.length === 1);
  return next && isDense(next) ? next : undefined;
}

export const widthsGrowToOutput: ModelRule = {
  code: 'MA016',
  name: 'widths-grow-towards-output',
  defaultSeverity: 'information',
  docs: {
    summary: 'Three or more hidden dense layers each wider than the one before, into a narrower output layer (128 → 256 → 512 → 10).',
    why:
      'A network that classifies or regresses compresses: each layer keeps what matters for the output and drops ' +
      'the rest, so hidden widths usually shrink towards the output. Widening instead adds parameters where the ' +
      'signal has the least left to say, makes the widest layer the easiest to overfit, and puts the bottleneck at ' +
      'the output. It trains, just worse per parameter (NeuraLint lists it among the design bugs of real programs). ' +
      'Decoders and generators, whose output is the widest layer, are not reported. A design choice more than a bug, ' +
      'hence information.',
    bad: "model.add(Dense(128, activation='relu'))\nmodel.add(Dense(256, activation='relu'))\nmodel.add(Dense(512, activation='relu'))\nmodel.add(Dense(10, activation='softmax'))",
    good: "model.add(Dense(512, activation='relu'))\nmodel.add(Dense(256, activation='relu'))\nmodel.add(Dense(128, activation='relu'))\nmodel.add(Dense(10, activation='softmax'))",
    fix: 'No automatic fix: reverse the widths, or make the hidden layers one width.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const consumers = ModelGraph.consumers(graph);
    const hasDensePredecessor = new Set<number>();
    for (const n of graph.nodes) {
      if (!isDense(n)) continue;
      const next = nextDense(graph, consumers, n.id);
      if (next) hasDensePredecessor.add(next.id);
    }
    for (const start of graph.nodes) {
      if (!isDense(start) || hasDensePredecessor.has(start.id) || start.origin !== undefined) continue;
      const chain: GraphNode[] = [start];
      for (let n = nextDense(graph, consumers, start.id); n && chain.length < 64; n = nextDense(graph, consumers, n.id)) chain.push(n);
      if (chain.length < 4) continue;
      const output = chain[chain.length - 1];
      const hidden = chain.slice(0, -1);
      const width = (n: GraphNode) => n.attrs.out as number;
      // The longest run of strictly widening hidden layers that ends at the last hidden one.
      let from = hidden.length - 1;
      while (from > 0 && width(hidden[from - 1]) < width(hidden[from])) from--;
      const run = hidden.slice(from);
      if (run.length < 3 || width(output) >= width(run[0])) continue;
      findings.push({
        code: 'MA016',
        severity,
        message: `The hidden layers widen towards the output: ${run.map((n) => `${layerName(n)} (${width(n)})`).join(' → ')} → ${layerName(output)} (${width(output)}). Layers that classify or regress usually narrow; the widest layer here is the last hidden one, where the model has the least left to represent. Consider narrowing instead.`,
        range: run[run.length - 1].range,
        related: run.slice(0, -1).map((n) => ({ range: n.range, message: `${layerName(n)} is ${width(n)} wide` })),
        fixes: [],
        model: graph.name,
      });
    }
    return findings;
  },
};
