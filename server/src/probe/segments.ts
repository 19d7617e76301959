// Cuts a model graph into the stages between consecutive affine layers (from one affine map's input to the next
// affine map's output), so the nonlinearity probe can train each stage alone: a stage with no working
// nonlinearity in it is a linear map, whatever the rest of the model does.

import { type GraphNode, ModelGraph } from '../core/graph';

export interface Segment {
  readonly first: GraphNode;
  readonly last: GraphNode;
  /** A self-contained graph: a fresh input standing for `first`'s input, the stage's nodes, `last` as output. */
  readonly graph: ModelGraph;
  /** The node in the full graph whose output feeds the stage. */
  readonly sourceId: number;
  /** Whether any op on the stage is an activation (probed later than stages without one). */
  readonly hasActivation: boolean;
}

const isAffine = (n: GraphNode) => n.category === 'affine' && n.op !== 'bilinear';

/** Every stage A → … → B where B is the nearest affine map after A, self-contained, most suspicious first. */
export function affineSegments(graph: ModelGraph, limit: number): { segments: Segment[]; skipped: number } {
  const segments: Segment[] = [];
  let skipped = 0;
  const consumers = ModelGraph.consumers(graph);
  for (const last of graph.nodes) {
    if (!isAffine(last)) continue;
    // Nearest affine maps upstream of `last`.
    const firsts: GraphNode[] = [];
    const seen = new Set<number>();
    const stack = [...last.inputs];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = ModelGraph.node(graph, id);
      if (isAffine(node)) firsts.push(node);
      else stack.push(...node.inputs);
    }
    for (const first of firsts) {
      const segment = cut(graph, first, last, consumers);
      if (segment) segments.push(segment);
      else skipped++;
    }
  }
  segments.sort((a, b) => Number(a.hasActivation) - Number(b.hasActivation) || a.first.id - b.first.id);
  if (segments.length > limit) {
    skipped += segments.length - limit;
    segments.length = limit;
  }
  segments.sort((a, b) => a.first.id - b.first.id || a.last.id - b.last.id);
  return { segments, skipped };
}

function cut(graph: ModelGraph, first: GraphNode, last: GraphNode, consumers: Map<number, number[]>): Segment | undefined {
  if (first.inputs.length !== 1) return undefined;
  const sourceId = first.inputs[0]!;
  // Nodes downstream of `first` …
  const down = new Set<number>();
  const stack = [first.id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (down.has(id)) continue;
    down.add(id);
    stack.push(...(consumers.get(id) ?? []));
  }
  // … and upstream of `last`.
  const members = new Set<number>();
  const up = [last.id];
  while (up.length > 0) {
    const id = up.pop()!;
    if (members.has(id) || !down.has(id)) continue;
    members.add(id);
    up.push(...ModelGraph.node(graph, id).inputs);
  }
  const nodes = graph.nodes.filter((n) => members.has(n.id));
  // A stage fed from outside itself (a skip connection from before `first`) cannot be trained alone.
  if (nodes.some((n) => n.inputs.some((i) => !members.has(i) && !(n.id === first.id && i === sourceId)))) return undefined;
  const inputId = Math.max(...graph.nodes.map((n) => n.id)) + 1;
  const input: GraphNode = { id: inputId, op: 'input', category: 'input', inputs: [], attrs: { name: 'h' }, range: first.range };
  const remapped = nodes.map((n) => (n.id === first.id ? { ...n, inputs: [inputId] } : n));
  const segmentGraph: ModelGraph = {
    ...graph,
    name: `${graph.name}[${label(first)}→${label(last)}]`,
    nodes: [input, ...remapped],
    inputs: [inputId],
    outputs: [last.id],
    layers: [],
    problems: [],
  };
  return { first, last, graph: segmentGraph, sourceId, hasActivation: nodes.some((n) => n.category === 'activation') };
}

export function label(node: GraphNode): string {
  return node.module ?? `${node.op}@${node.range.start.line + 1}`;
}

/**
 * The model from its embeddings on: each embedding lookup becomes an input of its output's shape, for models whose
 * inputs are token ids (any function of a token is a lookup, so only what follows the lookup can be nonlinear or
 * not). Undefined when a token input feeds anything but embeddings.
 */
export function afterEmbeddings(graph: ModelGraph): ModelGraph | undefined {
  const consumers = ModelGraph.consumers(graph);
  const lookups: number[] = [];
  for (const id of graph.inputs) {
    const users = (consumers.get(id) ?? []).map((c) => ModelGraph.node(graph, c));
    if (users.length === 0 || users.some((u) => u.op !== 'embedding')) return undefined;
    for (const u of users) if (!lookups.includes(u.id)) lookups.push(u.id);
  }
  const inputs = new Set(graph.inputs);
  const nodes = graph.nodes
    .filter((n) => !inputs.has(n.id))
    .map((n): GraphNode => (lookups.includes(n.id) ? { id: n.id, op: 'input', category: 'input', inputs: [], attrs: { name: `${label(n)} output` }, range: n.range } : n));
  return { ...graph, name: `${graph.name}[after embeddings]`, nodes, inputs: lookups, layers: [], problems: [] };
}
