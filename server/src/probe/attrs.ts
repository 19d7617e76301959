// What the probe builder reads from a node's attributes (sizes as numbers, axes, per-axis tuples) and the error it
// raises when a node cannot be built: the op, its 1-based line and why, which every message and verdict repeats.

import type { AttrValue, GraphNode, ModelGraph } from '../core/graph';

/** An op the probe cannot build, with where it is in the source. */
export class ProbeBuildError extends Error {
  constructor(
    readonly op: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`cannot build \`${op}\` (line ${line}) for a probe: ${detail}`);
    this.name = 'ProbeBuildError';
  }
}

/** Stops the build at `node`, naming it (an opaque step by the call as written) and its line. */
export function fail(node: GraphNode, detail: string): never {
  throw new ProbeBuildError(node.op === 'opaque' ? node.label ?? 'opaque' : node.op, node.range.start.line + 1, detail);
}

/** The attribute as a number, or undefined when the graph holds a name, an expression or nothing. */
export function num(v: AttrValue | unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** A per-axis attribute (`kernel_size=3` or `(3, 5)`) as `rank` numbers, `fallback` where it is not a number. */
export function tuple(v: AttrValue | undefined, rank: number, fallback: number): number[] {
  if (Array.isArray(v)) return Array.from({ length: rank }, (_, i) => num(v[i] ?? v[0]) ?? fallback);
  const n = num(v);
  return Array.from({ length: rank }, () => n ?? fallback);
}

/** A dimension as written (negative from the end) as an axis of a `rank`-d tensor, batch counted. */
export function axisOf(node: GraphNode, d: AttrValue, rank: number): number {
  if (typeof d !== 'number') fail(node, `its dimension \`${String(d)}\` is not a number`);
  const axis = d < 0 ? rank + d : d;
  if (axis < 0 || axis >= rank) fail(node, `dimension ${d} is out of range for a ${rank}-d tensor`);
  return axis;
}

const piecesCache = new WeakMap<ModelGraph, ReadonlyMap<number, number>>();

/**
 * How many pieces each node's output is unpacked into (`q, k, v = x.split(n, dim=2)`: slices with a numeric index),
 * by the node's id; counted once per graph, since the builder asks at every forward pass.
 */
export function splitPieces(graph: ModelGraph): ReadonlyMap<number, number> {
  let pieces = piecesCache.get(graph);
  if (!pieces) {
    const counts = new Map<number, number>();
    for (const n of graph.nodes) {
      if (n.op === 'slice' && typeof n.attrs.index === 'number' && n.inputs[0] !== undefined) counts.set(n.inputs[0], (counts.get(n.inputs[0]) ?? 0) + 1);
    }
    piecesCache.set(graph, (pieces = counts));
  }
  return pieces;
}
