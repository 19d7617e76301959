// What MA013 and MA018 share: the model's dropouts whose output goes straight into another layer.

import { type GraphNode, ModelGraph } from '../graph';

/**
 * Each dropout written in the model's own code (not in an imported file, not one that only runs in one mode or
 * never switches off) whose output goes straight into a node `into` accepts, through reshapes at most (a Flatten
 * between the two changes nothing), with that node. A dropout applied in a loop is one line of code: it comes once.
 */
export function dropoutsInto(graph: ModelGraph, into: (node: GraphNode) => boolean): { readonly dropout: GraphNode; readonly next: GraphNode }[] {
  const consumers = ModelGraph.consumers(graph);
  const lines = new Set<string>();
  const out: { dropout: GraphNode; next: GraphNode }[] = [];
  for (const node of graph.nodes) {
    if (!node.op.includes('dropout') || node.origin !== undefined || node.onlyIn !== undefined || node.modeSwitch === 'constant') continue;
    const next = ModelGraph.nextThrough(graph, consumers, node.id, (n) => n.category === 'reshape', 8);
    if (!next || !into(next)) continue;
    const line = `${node.range.start.line}:${node.range.start.character}`;
    if (lines.has(line)) continue;
    lines.add(line);
    out.push({ dropout: node, next });
  }
  return out;
}
