// MA014 constant-weight-init: a layer's weights all initialised to one value (zeros, ones, a constant).

import type { Finding, Fix } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { isAffine } from '../linearChains';
import { type ModelRule, layerName } from './rule';

/**
 * The affine maps whose output reaches a model output through no other affine map: the output layers. Starting an
 * output layer at zero is a known technique (a policy or value head, a residual branch that starts as the identity,
 * LoRA's B), so zeros there are not reported.
 */
function outputLayers(graph: ModelGraph): Set<number> {
  const last = new Set<number>();
  const seen = new Set<number>();
  const stack = [...graph.outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = ModelGraph.node(graph, id);
    if (isAffine(node)) last.add(id);
    else stack.push(...node.inputs);
  }
  return last;
}

function describe(node: GraphNode): string {
  const init = node.init!;
  return init.kind === 'zeros' ? 'all start at 0' : init.kind === 'ones' ? 'all start at 1' : 'all start at the same constant';
}

export const constantInit: ModelRule = {
  code: 'MA014',
  name: 'constant-weight-init',
  defaultSeverity: 'warning',
  docs: {
    summary: "A layer's weights are all initialised to one value (kernel_initializer='zeros', Constant(0.1), nn.init.zeros_(fc.weight), weight.data.fill_(0)), so its units start identical.",
    why:
      'Units that start with the same weights compute the same output and, when the layer after them is initialised ' +
      'the same way, receive the same gradient: they stay identical for the whole run, and a layer of 512 units ' +
      'learns what one unit could. With zeros the layers before it also get no gradient through it at the first ' +
      'steps. Training does not fail; the loss just falls slowly to a poor value. The default initializers (Glorot, ' +
      'He, PyTorch\'s Kaiming uniform) draw random weights to break this symmetry. Biases starting at 0 and norm ' +
      'weights at 1 are how layers start and are not reported, nor are output layers started at zero (a known ' +
      'technique for policy heads and residual branches).',
    bad: "model.add(Dense(512, activation='relu', kernel_initializer='zeros'))",
    good: "model.add(Dense(512, activation='relu'))  # glorot_uniform",
    fix: "Writes the framework's default initializer in place of the constant one (Keras 'glorot_uniform', TF.js 'glorotNormal', TF1 None), or removes the PyTorch init call. Safe: it only changes where training starts.",
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const last = outputLayers(graph);
    const reported = new Set<string>();
    for (const node of graph.nodes) {
      const init = node.init;
      if (!init || !isAffine(node) || node.origin !== undefined) continue;
      if (init.kind === 'zeros' && last.has(node.id)) continue;
      // One init call (a `weights_init(m)` for every Linear) is reported once, where it is written.
      const key = `${init.range.start.line}:${init.range.start.character}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const fixes: Fix[] = init.reset ? [{ title: `Use the default initializer: ${init.reset.description}`, edits: init.reset.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MA014',
        severity,
        message: `The weights of ${layerName(node)} ${describe(node)} (\`${init.text}\`): its units start identical and, unless the next layer tells them apart, get the same updates and stay alike. Use a random initializer (the default).`,
        range: init.range,
        related: [{ range: node.defRange ?? node.range, message: `${layerName(node)} is built here` }],
        fixes,
        model: graph.name,
      });
    }
    return findings;
  },
};
