// MA002 unused-layer: a layer or activation built in the constructor and never applied in the forward pass.

import type { Finding } from '../findings';
import type { LayerDecl } from '../graph';
import { findAffinePairs } from '../linearChains';
import { type ModelRule, idiomsOf } from './rule';

export const unusedLayer: ModelRule = {
  code: 'MA002',
  name: 'unused-layer',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A layer or activation module is built in the constructor but never applied in the forward pass.',
    why:
      'The layer was meant to be part of the model: usually an activation, dropout or normalization that the forward ' +
      'pass forgot. The model trains without it and nothing fails. Its parameters (if any) still sit in the ' +
      'optimizer and the checkpoint, receive no gradient, and make parameter counts misleading.',
    bad: 'self.fc1 = nn.Linear(784, 256)\nself.act = nn.ReLU()\n...\ndef forward(self, x):\n    return self.fc2(self.fc1(x))',
    good: 'def forward(self, x):\n    return self.fc2(self.act(self.fc1(x)))',
    fix: 'Offers to delete the constructor line. That changes the state_dict keys (old checkpoints will not load strictly), and the layer may have been meant to be applied: read the forward pass before choosing it.',
  },
  check({ graph, severity }) {
    const applied = new Set<string>();
    for (const node of graph.nodes) if (node.layerId) applied.add(node.layerId);
    const isUsed = (decl: LayerDecl) => {
      if (applied.has(decl.layerId)) return true;
      const prefix = `${decl.layerId}.`;
      for (const id of applied) if (id.startsWith(prefix)) return true;
      return false;
    };
    const unused = graph.layers.filter((d) => !isUsed(d) && !d.referenced);
    const unusedIds = new Set(unused.map((d) => d.layerId));
    // Report a container once, not each of its children again.
    const top = unused.filter((d) => ![...unusedIds].some((id) => d.layerId.startsWith(`${id}.`)));
    const idioms = idiomsOf(graph);
    // An activation module left over where forward applies the same function directly (`self.softmax` built, then
    // `F.softmax(e, dim=-1)`) is dead code, not a missing nonlinearity, as long as no two affine maps meet without
    // one: information only. Where maps do meet, the module is likely the activation meant for that place.
    const functional = findAffinePairs(graph).length > 0 ? new Set<string>() : new Set(graph.nodes.filter((n) => n.category === 'activation' && !n.layerId).map((n) => n.op));
    return top.map((decl): Finding => {
      if (decl.category === 'activation' && functional.has(decl.op)) {
        return {
          code: 'MA002',
          severity: 'information',
          message: `The activation \`${decl.module}\` (${decl.op}) is built in ${idioms.buildSite} but never applied: ${idioms.applySite} applies ${decl.op} as a function instead, so the module is left over.`,
          range: decl.range,
          fixes: decl.removal ? [{ title: `Remove the unused activation \`${decl.module}\``, edits: [decl.removal] }] : [],
          model: graph.name,
        };
      }
      const kind = decl.category === 'activation' ? 'activation' : 'layer';
      const consequence = decl.category === 'activation'
        ? 'the nonlinearity it was built for is missing from the model'
        : decl.category === 'regularization'
          ? 'the model trains without the regularization it was designed with'
          : 'its parameters get no gradient and the model computes without it';
      return {
        code: 'MA002',
        severity,
        message: `The ${kind} \`${decl.module}\` (${decl.op}) is built in ${idioms.buildSite} but never applied in ${idioms.applySite}: ${consequence}.`,
        range: decl.range,
        fixes: decl.removal ? [{ title: `Remove the unused ${kind} \`${decl.module}\``, edits: [decl.removal] }] : [],
        model: graph.name,
      };
    });
  },
};
