// MA010 layer-reused: one layer instance with parameters applied at two places in sequence (accidental weight
// sharing, usually a copy-paste `self.fc2` that should have been `self.fc3`).

import type { Finding } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { type ModelRule, layerName } from './rule';

/** Layers that hold learned state; reusing a stateless one (ReLU, Dropout, pooling) is normal. */
function hasState(node: GraphNode): boolean {
  switch (node.category) {
    case 'affine':
    case 'normalization':
    case 'recurrent':
    case 'attention':
      return node.op !== 'normalize';
    default:
      return node.op === 'embedding' || node.op === 'prelu';
  }
}

/** Where an application is written: its call in the model's forward (for submodule ops) and in the op's own code. */
function place(node: GraphNode): string {
  const r = node.site?.range ?? node.range;
  return `${r.start.line}:${r.start.character}|${node.range.start.line}:${node.range.start.character}`;
}

export const layerReused: ModelRule = {
  code: 'MA010',
  name: 'layer-reused',
  defaultSeverity: 'information',
  docs: {
    summary: 'One layer instance with weights is applied at two places, one after the other, so both places share its weights.',
    why:
      'Weight sharing is sometimes the design (a Siamese encoder, a loop over one block), but applying the same ' +
      'Linear or norm twice along one path is more often a copy-paste slip: `self.fc2` written where `self.fc3` was ' +
      'meant. The model silently has fewer parameters than designed, the intended layer stays unused, and the ' +
      'shared layer must serve two roles. Reported as information because sharing can be intended; applications to ' +
      'independent inputs (Siamese branches) and a loop over one call are not reported.',
    bad: 'x = F.relu(self.fc2(x))\nx = F.relu(self.fc2(x))   # meant self.fc3\nreturn self.out(x)',
    good: 'x = F.relu(self.fc2(x))\nx = F.relu(self.fc3(x))\nreturn self.out(x)',
    fix: 'No automatic fix: whether to share is a design decision.',
  },
  check({ graph, severity }) {
    const byLayer = new Map<string, GraphNode[]>();
    for (const node of graph.nodes) {
      if (!node.layerId || !hasState(node)) continue;
      byLayer.set(node.layerId, [...(byLayer.get(node.layerId) ?? []), node]);
    }
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const [layerId, apps] of byLayer) {
      const first = apps[0];
      const later = apps.find((n) => place(n) !== place(first) && ModelGraph.isAncestor(graph, first.id, n.id));
      if (!later) continue;
      // Two applications inside one submodule call are told apart where they are written; otherwise at the calls.
      const sameSite = later.site !== undefined && first.site !== undefined && later.site.range.start.line === first.site.range.start.line && later.site.range.start.character === first.site.range.start.character;
      const range = sameSite ? later.range : later.site?.range ?? later.range;
      const key = `${range.start.line}:${range.start.character}`;
      if (reported.has(key)) continue;
      reported.add(key);
      // A submodule applied twice is named once, by its own name, not once per layer inside it.
      const name = !sameSite && later.site?.module && later.site.module !== first.module ? later.site.module : layerName(first);
      findings.push({
        code: 'MA010',
        severity,
        message: `${name} (${!sameSite && later.site?.module ? 'a module with weights' : first.op}) is applied again here on a path that already went through it, so both applications share one set of weights. If a separate layer was meant, construct another one.`,
        range,
        related: [{ range: sameSite ? first.range : first.site?.range ?? first.range, message: `first application of ${layerId}` }],
        model: graph.name,
      });
    }
    return findings;
  },
};
