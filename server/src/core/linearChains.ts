// Finds affine maps that compose with no nonlinearity between them, so that they collapse into one linear map.
// The linear-collapse rule reports them and the renderer shows their combined parameters (W′ = W₃W₂).

import { type ActivationInsertion, type GraphNode, ModelGraph, type Range } from './graph';
import { Ops } from './ops';

export interface AffinePair {
  /** The earlier affine map, whose output lacks an activation. */
  readonly first: GraphNode;
  /** The later affine map it composes with. */
  readonly second: GraphNode;
  /** The ops crossed between them (reshapes, dropout, batch norm, residual adds), in order from first to second. */
  readonly through: readonly GraphNode[];
}

/** Ops that keep a map affine at evaluation time: what passes through them still composes linearly. */
export function preservesLinearity(node: GraphNode): boolean {
  if (node.op === 'opaque' || node.op === 'bmm' || node.op === 'mul') return false;
  switch (node.category) {
    case 'reshape':
    case 'regularization':
      return true;
    case 'normalization':
      return node.op === 'batch_norm';
    case 'pooling':
      return node.op.startsWith('avg') || node.op.startsWith('adaptive_avg') || node.op === 'mean' || node.op === 'sum';
    case 'merge':
      return node.op === 'add' || node.op === 'sub' || node.op === 'concat';
    default:
      return node.op === 'scale';
  }
}

export function isAffine(node: GraphNode): boolean {
  return node.category === 'affine' && node.op !== 'bilinear';
}

/**
 * Whether a merge joins a value with something computed from it (`x + f(x)`, `cat([x, f(x)])`): a residual or dense
 * skip. The maps on either side of a skip compose linearly only along the skip, which is the design, not a missing
 * activation; two parallel branches of one input (`fc1(x) + fc2(x)`) are not a skip.
 */
export function isSkipJoin(graph: ModelGraph, merge: GraphNode, cache = new Map<number, boolean>()): boolean {
  const cached = cache.get(merge.id);
  if (cached !== undefined) return cached;
  let result = false;
  if ((merge.op === 'add' || merge.op === 'sub' || merge.op === 'concat') && merge.inputs.length >= 2) {
    for (const a of merge.inputs) {
      const others = merge.inputs.filter((b) => b !== a);
      if (others.some((b) => ModelGraph.isAncestor(graph, a, b))) {
        result = true;
        break;
      }
    }
  }
  cache.set(merge.id, result);
  return result;
}

/**
 * Every pair of affine maps joined by a path of linearity-preserving ops that crosses no skip connection; `crosses`
 * widens what a path may go through (MA015 lets it cross max pooling too).
 */
export function findAffinePairs(graph: ModelGraph, crosses: (node: GraphNode) => boolean = preservesLinearity): AffinePair[] {
  const pairs: AffinePair[] = [];
  const skips = new Map<number, boolean>();
  for (const second of graph.nodes) {
    if (!isAffine(second)) continue;
    const seen = new Set<number>();
    const stack: { id: number; path: GraphNode[] }[] = second.inputs.map((id) => ({ id, path: [] }));
    while (stack.length > 0) {
      const { id, path } = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = ModelGraph.node(graph, id);
      if (isAffine(node)) {
        pairs.push({ first: node, second, through: [...path].reverse() });
      } else if (crosses(node) && !isSkipJoin(graph, node, skips)) {
        for (const input of node.inputs) stack.push({ id: input, path: [...path, node] });
      }
    }
  }
  return pairs.sort((a, b) => a.first.id - b.first.id || a.second.id - b.second.id);
}

/**
 * Maximal direct chains A₁ → A₂ → … → Aₙ (n ≥ 2) where each map feeds only the next, possibly through reshapes or
 * dropout: these the renderer can show as one combined map.
 */
export function findDirectChains(graph: ModelGraph): GraphNode[][] {
  const consumers = ModelGraph.consumers(graph);
  const next = new Map<number, GraphNode>();
  for (const pair of findAffinePairs(graph)) {
    const direct = pair.through.every((n) => n.category === 'reshape' || n.category === 'regularization');
    const onlyConsumer = [pair.first, ...pair.through].every((n) => (consumers.get(n.id)?.length ?? 0) === 1);
    if (direct && onlyConsumer) next.set(pair.first.id, pair.second);
  }
  const hasPrev = new Set([...next.values()].map((n) => n.id));
  const chains: GraphNode[][] = [];
  for (const node of graph.nodes) {
    if (!next.has(node.id) || hasPrev.has(node.id)) continue;
    const chain: GraphNode[] = [node];
    let current = node;
    while (next.has(current.id) && chain.length < graph.nodes.length) {
      current = next.get(current.id)!;
      chain.push(current);
    }
    chains.push(chain);
  }
  return chains;
}

export namespace Affine {
  export function width(v: unknown): number | undefined {
    return typeof v === 'number' ? v : undefined;
  }
  /** Whether a pair is an intentional low-rank bottleneck: the inner width is below both outer widths. */
  export function isBottleneck(pair: AffinePair): boolean {
    const inner = width(pair.first.attrs.out);
    const before = width(pair.first.attrs.in);
    const after = width(pair.second.attrs.out);
    return inner !== undefined && before !== undefined && after !== undefined && inner < before && inner < after;
  }
  /** Whether every entry of a kernel size (a number or one per spatial axis) is 1; undefined when it is not known. */
  function isUnitKernel(kernel: unknown): boolean | undefined {
    const sizes = Array.isArray(kernel) ? kernel : [kernel];
    if (sizes.length === 0 || !sizes.every((k) => typeof k === 'number')) return undefined;
    return sizes.every((k) => k === 1);
  }
  /**
   * A depthwise convolution: one group per input channel (`groups` equal to the input width, as frontends record
   * it for `Conv2d(C, C·k, groups=C)`, `DepthwiseConv2D` and `tf.layers.depthwiseConv2d`), with a spatial kernel.
   * A 1×1 depthwise convolution only scales each channel, which nothing factorises, so it does not count.
   */
  export function isDepthwise(node: GraphNode): boolean {
    const groups = node.attrs.groups;
    const inWidth = node.attrs.in;
    if (!/^conv[123]d$/.test(node.op) || groups === undefined || groups === 1 || groups !== inWidth) return false;
    return isUnitKernel(node.attrs.kernel) !== true;
  }
  /**
   * A pointwise convolution: a 1×1 kernel that mixes channels, over all of them or within groups (ShuffleNet's
   * grouped 1×1). A 1×1 depthwise one mixes nothing, so it is not one.
   */
  export function isPointwise(node: GraphNode): boolean {
    const groups = node.attrs.groups;
    const perChannel = groups !== undefined && groups !== 1 && groups === node.attrs.in;
    return /^conv[123]d$/.test(node.op) && !perChannel && isUnitKernel(node.attrs.kernel) === true;
  }
  /**
   * Whether a pair is a depthwise-separable factorisation of one convolution (Xception, MobileNet, Keras's
   * `SeparableConv2D` written out): a depthwise convolution into a pointwise one with nothing between them but
   * batch norm or dropout. The two do compose linearly, by design: the product is a convolution with far fewer
   * parameters than a full one.
   */
  export function isSeparable(pair: AffinePair): boolean {
    return isDepthwise(pair.first) && isPointwise(pair.second) && pair.through.every((n) => n.category === 'normalization' || n.category === 'regularization');
  }
  export function isNonlinearOp(op: string): boolean {
    return Ops.isNonlinear(op);
  }
}

/** Where a person fixes the missing activation: after the first map, or after the submodule call that ends with it. */
export function fixSite(pair: AffinePair): { range: Range; insert?: ActivationInsertion } {
  const a = pair.first.site;
  const b = pair.second.site;
  const sameSite = a !== undefined && b !== undefined && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
  if (a && !sameSite) return { range: a.range, insert: a.insertActivation };
  return { range: pair.first.range, insert: pair.first.insertActivation };
}
