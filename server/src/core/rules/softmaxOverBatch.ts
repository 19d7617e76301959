// MA009 softmax-over-batch: softmax or log_softmax over the batch dimension, or with no dim at all.

import type { Finding, Fix } from '../findings';
import { type GraphNode, ModelGraph } from '../graph';
import { Ops } from '../ops';
import { type ModelRule, idiomsOf } from './rule';

/** Ops after which the batch may no longer be the first dimension. */
function movesBatch(node: GraphNode): boolean {
  return node.op === 'permute' || node.op === 'transpose' || node.op === 'view' || node.op === 'reshape' || node.op === 'unflatten' ||
    node.op === 'squeeze' || node.op === 'unsqueeze' || node.op === 'slice' || node.op === 'opaque' || node.op === 'bmm' || node.op === 'matmul' ||
    node.category === 'recurrent' || node.category === 'attention' || (node.op === 'concat' && node.attrs.stack === true);
}

/** Whether the batch is still dimension 0 where `id` is computed: no op on the way in may have moved it. */
function batchFirst(graph: ModelGraph, id: number): boolean {
  const seen = new Set<number>();
  const stack = [id];
  while (stack.length > 0) {
    const n = ModelGraph.node(graph, stack.pop()!);
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n.id !== id && movesBatch(n)) return false;
    stack.push(...n.inputs);
  }
  return true;
}

export const softmaxOverBatch: ModelRule = {
  code: 'MA009',
  name: 'softmax-over-batch',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A softmax or log_softmax normalizes over the batch dimension (dim=0), or has no dim, so PyTorch picks one from the input rank.',
    why:
      'Over dim 0 the "probabilities" of each sample depend on the other samples in the batch: training still lowers ' +
      'the loss, but predictions change with batch size and composition and are wrong for a batch of one. Without ' +
      'dim, PyTorch picks dim 0 for 1-D and 3-D inputs (e.g. batch × time × classes) and warns that the implicit ' +
      'choice is deprecated.',
    bad: 'return F.log_softmax(self.fc(x), dim=0)',
    good: 'return F.log_softmax(self.fc(x), dim=1)',
    fix: 'For a missing dim, offers dim=-1 (the class dimension in the usual layouts); check it matches your layout. No automatic fix for dim=0.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const { axis } = idiomsOf(graph);
    for (const node of graph.nodes) {
      if (!Ops.info(node.op).normalizesOverDim || node.origin !== undefined) continue;
      const input = node.inputs[0] !== undefined ? ModelGraph.node(graph, node.inputs[0]) : undefined;
      const rank = input?.shape ? input.shape.length + 1 : undefined;
      if (node.implicitDim) {
        const picked = rank === undefined ? undefined : rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
        const consequence = picked === 0
          ? `for this ${rank}-D input that is dim 0, the batch, so each sample's ${node.op} depends on the rest of the batch`
          : picked === 1
            ? `for this ${rank}-D input that is dim 1, but the implicit choice is deprecated and changes with the input's rank`
            : 'that is dim 0, the batch, for 1-D and 3-D inputs';
        const fix = node.edits?.setLastDim;
        const fixes: Fix[] = fix ? [{ title: `Give the ${node.op} a dim: ${fix.description}`, edits: fix.edits }] : [];
        findings.push({
          code: 'MA009',
          severity,
          message: `${node.op} without ${axis}: the framework picks the dimension from the input's rank; ${consequence}. Pass ${axis} explicitly.`,
          range: node.range,
          fixes,
          model: graph.name,
        });
        continue;
      }
      const dim = node.attrs.dim;
      const overBatch = dim === 0 || (typeof dim === 'number' && dim < 0 && rank !== undefined && dim === -rank);
      if (!overBatch || !batchFirst(graph, node.id)) continue;
      findings.push({
        code: 'MA009',
        severity,
        message: `${node.op} over ${axis} ${dim}, the batch dimension: each sample's probabilities depend on the other samples in the batch, and a batch of one always gets probability 1. Normalize over the class dimension (${axis}=1 or ${axis}=-1).`,
        range: node.range,
        model: graph.name,
      });
    }
    return findings;
  },
};
