// Turns a model graph's symbolic input shapes (`1×H×W`, `d`, `T`) into concrete per-sample shapes a probe can feed,
// by trying sizes until the graph's own numbers (Linear in-features after a flatten, view targets) agree.

import { type Dim, type GraphNode, ModelGraph, type Shape } from '../core/graph';
import { inferShapes, keepsLastAxis } from '../core/shapes';

export interface ConcreteInput {
  /** Per-sample shape, batch left out, in the framework's own layout (PyTorch: channels first). */
  readonly shape: readonly number[];
  /** For inputs that index an embedding: the vocabulary size; the input then holds integer ids. */
  readonly vocabulary?: number;
}

export interface InputResolution {
  readonly inputs: readonly ConcreteInput[];
  /** How the sizes were chosen, for the result's notes; empty when the code gives them all. */
  readonly notes: readonly string[];
}

/** Image sizes tried first (the common datasets), then every size up to 128. */
const SPATIAL_CANDIDATES = [28, 32, 64, 224, 96, 16, 8, ...Array.from({ length: 125 }, (_, i) => i + 4)];
const SEQUENCE_LENGTH = 8;
const DEFAULT_WIDTH = 16;
/** The size used when the layers accept any: small, so convolutions stay cheap. */
const FREE_SPATIAL = 16;

export function resolveInputShapes(graph: ModelGraph, overrides?: readonly (readonly number[])[]): InputResolution {
  const notes: string[] = [];
  const consumers = ModelGraph.consumers(graph);
  const inferred = inferShapes(graph);
  const inputs: ConcreteInput[] = [];
  const joined = concatenatedWidths(graph, consumers);
  for (const [index, id] of graph.inputs.entries()) {
    const node = ModelGraph.node(inferred, id);
    const vocabulary = embeddingVocabulary(graph, id, consumers);
    const override = overrides?.[index];
    if (override) {
      inputs.push({ shape: [...override], vocabulary });
      continue;
    }
    const image = node.shape ? undefined : concatenatedImage(graph, id, consumers);
    let shape: Shape = node.shape ?? (image ? [image, 'H', 'W'] : vocabulary !== undefined ? ['T'] : ['d']);
    // `torch.cat((self.label_emb(labels), noise), -1)`: a class label, one id per sample, joins a feature vector.
    if (vocabulary !== undefined && shape.length === 1 && shape[0] === 'T' && isLabel(graph, inferred, id, consumers)) {
      notes.push(`input ${labelOf(node)} taken as one id per sample (its embedding joins a feature vector, as a class label does)`);
      inputs.push({ shape: [], vocabulary });
      continue;
    }
    // A block of a sequence model (attention written out, recurrent layers) reads a (time, features) sample.
    if (vocabulary === undefined && shape.length === 1 && readsSequences(graph)) shape = ['T', shape[0]!];
    // `F.softmax(scores, dim=2)` on a model of one feature axis: the code's own axis says its samples have more.
    const rank = axesNamed(graph, id, consumers);
    while (shape.length < rank) shape = ['T', ...shape];
    const symbolic = shape.map((d, i) => (typeof d === 'number' ? undefined : i)).filter((i): i is number => i !== undefined);
    if (symbolic.length === 0) {
      // Sizes the code names (`x: [n_features]`) got their values with the layers': say which.
      const written = node.attrs?.written_shape;
      if (typeof written === 'string') notes.push(`input ${labelOf(node)} taken as ${shape.join('×')} (written ${written})`);
      inputs.push({ shape: shape as number[], vocabulary });
      continue;
    }
    const isSpatial = (d: Dim) => typeof d === 'string' && /^[HWDL]/.test(d);
    if (shape.some(isSpatial) && latentProjection(graph, id, consumers)) {
      const concrete = shape.map((d) => (typeof d === 'number' ? d : isSpatial(d) ? 1 : SEQUENCE_LENGTH));
      notes.push(`input ${labelOf(node)} taken as ${concrete.join('×')} (a latent vector: the transposed convolution it enters grows it from 1×1, as DCGAN generators write)`);
      inputs.push({ shape: concrete, vocabulary });
      continue;
    }
    if (shape.some(isSpatial)) {
      const size = findSpatialSize(graph, id, shape);
      const concrete = shape.map((d) => (typeof d === 'number' ? d : isSpatial(d) ? size.value : SEQUENCE_LENGTH));
      notes.push(`input ${labelOf(node)} taken as ${concrete.join('×')} ${size.fromGraph ? '(the only size the layers accept)' : size.free ? '(the layers accept any size; a small one keeps the probe fast)' : '(no layer fixes the size)'}`);
      inputs.push({ shape: concrete, vocabulary });
      continue;
    }
    const width = joined.get(id);
    const length = viewedLength(graph, id, shape, consumers);
    const concrete = shape.map((d, i) => (typeof d === 'number' ? d : d === 'T' ? length?.value ?? SEQUENCE_LENGTH : i === shape.length - 1 && width ? width.value : DEFAULT_WIDTH));
    const why = [width?.why, length?.why].filter(Boolean).join('; ');
    notes.push(`input ${labelOf(node)} taken as ${concrete.join('×')}${why ? ` (${why})` : ''}`);
    inputs.push({ shape: concrete, vocabulary });
  }
  return { inputs, notes };
}

/**
 * Widths for inputs joined by a concat that feeds a layer with a known input width (`fc1(torch.cat([obs, act], 1))`
 * with `Linear(23, …)`): the layer's width less the operands' known widths, shared among the open ones in order.
 */
function concatenatedWidths(graph: ModelGraph, consumers: Map<number, number[]>): Map<number, { value: number; why: string }> {
  const result = new Map<number, { value: number; why: string }>();
  const inputs = new Set(graph.inputs);
  const inferred = inferShapes(graph);
  for (const node of graph.nodes) {
    if (node.op !== 'concat' || node.attrs.stack === true || node.inputs.length < 2) continue;
    const layer = (consumers.get(node.id) ?? []).map((c) => ModelGraph.node(graph, c)).find((c) => (c.op === 'linear' || c.op === 'matmul') && typeof c.attrs.in === 'number');
    if (!layer) continue;
    let known = 0;
    let unreadable = false;
    const open: number[] = [];
    for (const id of node.inputs) {
      const shape = ModelGraph.node(inferred, id).shape;
      const last = shape?.[shape.length - 1];
      if (inputs.has(id) && typeof last !== 'number') open.push(id);
      else if (typeof last === 'number') known += last;
      else unreadable = true;
    }
    const total = (layer.attrs.in as number) - known;
    if (unreadable || open.length === 0 || total < open.length) continue;
    open.forEach((id, i) => {
      const value = Math.floor(total / open.length) + (i < total % open.length ? 1 : 0);
      result.set(id, { value, why: `\`${layer.module ?? layer.op}\` takes ${layer.attrs.in} features from their concatenation` });
    });
  }
  // An open-width input read directly by a layer of known width (`Linear(n_features, …)` once n_features has a value).
  // Elementwise steps that keep the last axis come first in hand-written norms (`x * torch.rsqrt(x.pow(2).mean(-1,
  // keepdim=True) + eps)`): the layer after them reads the input's width.
  for (const id of graph.inputs) {
    if (result.has(id)) continue;
    const queue = [id];
    const seen = new Set<number>(queue);
    search: for (let hops = 0; queue.length > 0 && hops < 32; hops++) {
      const from = queue.shift()!;
      for (const layer of (consumers.get(from) ?? []).map((c) => ModelGraph.node(graph, c))) {
        const width = readWidth(layer) ?? (from === id ? partnerWidth(inferred, layer, id) : undefined);
        if (width !== undefined) {
          result.set(id, { value: width, why: `the width \`${layer.module ?? layer.op}\` reads` });
          break search;
        }
        if (keepsLastAxis(layer.op) && !seen.has(layer.id)) {
          seen.add(layer.id);
          queue.push(layer.id);
        }
      }
    }
  }
  return result;
}

/**
 * The width an elementwise product or sum asks of an open input: its other operand's last size, when the graph gives
 * it (`multiply([latent, classEmbedding])`, `label_emb(labels) * noise`).
 */
function partnerWidth(inferred: ModelGraph, node: GraphNode, id: number): number | undefined {
  if (!['mul', 'add', 'sub'].includes(node.op) || node.inputs.length !== 2) return undefined;
  const other = node.inputs.find((i) => i !== id);
  const shape = other === undefined ? undefined : ModelGraph.node(inferred, other).shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' ? last : undefined;
}

/**
 * The channels of an image input joined with others along the channels into a convolution of known input channels
 * (`self.model(torch.cat((img_A, img_B), 1))` with `Conv2d(6, …)`): the convolution's channels shared equally.
 */
function concatenatedImage(graph: ModelGraph, id: number, consumers: Map<number, number[]>): number | undefined {
  for (const c of consumers.get(id) ?? []) {
    const join = ModelGraph.node(graph, c);
    if (join.op !== 'concat' || join.attrs.dim !== 1 || join.attrs.stack === true || !join.inputs.every((i) => graph.inputs.includes(i))) continue;
    const conv = (consumers.get(c) ?? []).map((n) => ModelGraph.node(graph, n)).find((n) => n.op === 'conv2d' && typeof n.attrs.in === 'number' && n.attrs.channels_last !== true);
    const channels = conv?.attrs.in as number | undefined;
    if (channels !== undefined && channels % join.inputs.length === 0) return channels / join.inputs.length;
  }
  return undefined;
}

/** Whether a token input's embedding is concatenated with, or multiplies, a tensor of one axis per sample. */
function isLabel(graph: ModelGraph, inferred: ModelGraph, id: number, consumers: Map<number, number[]>): boolean {
  const inputs = new Set(graph.inputs);
  for (const e of consumers.get(id) ?? []) {
    if (ModelGraph.node(graph, e).op !== 'embedding') continue;
    for (const c of consumers.get(e) ?? []) {
      const join = ModelGraph.node(graph, c);
      if (!['concat', 'mul', 'add'].includes(join.op) || join.attrs.stack === true) continue;
      const others = join.inputs.filter((i) => i !== e).map((i) => ModelGraph.node(inferred, i));
      if (others.some((o) => (o.shape ? o.shape.length === 1 && o.shape[0] !== 'T' : inputs.has(o.id) || (o.op === 'flatten' && o.attrs.end_dim === undefined)))) return true;
    }
  }
  return false;
}

/**
 * The sequence length a view of the input fixes: `input.reshape(-1, 28, 28)` of a (T, 28) input makes T 28. The
 * view's sizes must all be numbers and divisible by the input's known sizes.
 */
function viewedLength(graph: ModelGraph, id: number, shape: Shape, consumers: Map<number, number[]>): { value: number; why: string } | undefined {
  if (shape.filter((d) => d === 'T').length !== 1) return undefined;
  const known = shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  for (const c of consumers.get(id) ?? []) {
    const view = ModelGraph.node(graph, c);
    if ((view.op !== 'view' && view.op !== 'reshape') || !Array.isArray(view.attrs.shape)) continue;
    const target = view.attrs.shape.slice(1);
    if (!target.every((d) => typeof d === 'number' && d > 0)) continue;
    const total = (target as number[]).reduce((p, q) => p * q, 1);
    if (total % known === 0) return { value: total / known, why: `the ${view.op} on line ${view.range.start.line + 1} makes each sample ${target.join('×')}` };
  }
  return undefined;
}

/**
 * The rank (batch left out) an input's samples need for the highest fixed softmax axis applied after it, through
 * ops that keep the rank (dense layers, activations, dropout, sums); a reshape or any other op ends the search.
 */
function axesNamed(graph: ModelGraph, id: number, consumers: Map<number, number[]>): number {
  let rank = 0;
  const stack = [id];
  const seen = new Set<number>();
  while (stack.length > 0) {
    for (const c of consumers.get(stack.pop()!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      const node = ModelGraph.node(graph, c);
      if ((node.op === 'softmax' || node.op === 'log_softmax') && typeof node.attrs.dim === 'number' && node.attrs.dim > 0) rank = Math.max(rank, node.attrs.dim);
      const keepsRank = node.op === 'linear' || node.op === 'matmul' || node.op === 'add' || node.op === 'sub' || node.op === 'mul' || ['activation', 'regularization'].includes(node.category);
      if (keepsRank) stack.push(c);
    }
  }
  return rank;
}

/** The feature width a layer reads from its input's last axis, when the graph gives it as a number. */
function readWidth(layer: GraphNode): number | undefined {
  const a = layer.attrs;
  if ((layer.op === 'linear' || layer.op === 'matmul' || layer.category === 'recurrent') && typeof a.in === 'number') return a.in;
  if (layer.op === 'layer_norm') {
    const f = Array.isArray(a.features) ? a.features[a.features.length - 1] : a.features ?? (Array.isArray(a.normalized_shape) ? a.normalized_shape[a.normalized_shape.length - 1] : a.normalized_shape);
    return typeof f === 'number' ? f : undefined;
  }
  if (layer.op === 'multihead_attention' && typeof a.embed_dim === 'number') return a.embed_dim;
  if (layer.op === 'transformer_encoder_layer' && typeof a.d_model === 'number') return a.d_model;
  return undefined;
}

const SEQUENCE_OPS = new Set(['lstm', 'gru', 'rnn', 'multihead_attention', 'transformer_encoder_layer', 'bmm', 'scaled_dot_product_attention']);

function readsSequences(graph: ModelGraph): boolean {
  return graph.nodes.some((n) => SEQUENCE_OPS.has(n.op) || ((n.op === 'view' || n.op === 'reshape') && Array.isArray(n.attrs.shape) && n.attrs.shape.length >= 4 && n.attrs.shape[1] === 'T'));
}

function labelOf(node: GraphNode): string {
  return typeof node.attrs.name === 'string' ? `\`${node.attrs.name}\`` : `#${node.id}`;
}

function embeddingVocabulary(graph: ModelGraph, id: number, consumers: Map<number, number[]>): number | undefined {
  for (const c of consumers.get(id) ?? []) {
    const node = ModelGraph.node(graph, c);
    if (node.op === 'embedding') return typeof node.attrs.in === 'number' ? node.attrs.in : 100;
  }
  return undefined;
}

/**
 * Whether the input goes straight into a transposed convolution of stride 1 without padding
 * (`nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0)`): a latent vector of 1×1 that the layer projects to a k×k map.
 */
function latentProjection(graph: ModelGraph, id: number, consumers: Map<number, number[]>): boolean {
  const first = (consumers.get(id) ?? []).map((c) => ModelGraph.node(graph, c));
  const one = (v: unknown, value: number) => v === undefined || v === value || (Array.isArray(v) && v.every((x) => x === value));
  return first.length > 0 && first.every((n) => n.op === 'conv_transpose2d' && one(n.attrs.stride, 1) && one(n.attrs.padding, 0));
}

/**
 * The spatial size for which every numeric width in the graph agrees with the inferred shapes. When several agree
 * (global pooling before the classifier), a small one keeps the probe fast.
 */
function findSpatialSize(graph: ModelGraph, inputId: number, shape: Shape): { value: number; fromGraph: boolean; free?: boolean } {
  let constrained = false;
  const accepted: number[] = [];
  for (const size of SPATIAL_CANDIDATES) {
    const concrete = shape.map((d) => (typeof d === 'number' ? d : size));
    const nodes = graph.nodes.map((n) => (n.id === inputId ? { ...n, shape: concrete } : n));
    const result = checkConsistency(inferShapes({ ...graph, nodes }));
    if (result.checked > 0) constrained = true;
    if (result.ok && result.checked > 0) accepted.push(size);
    if (accepted.length > 3) break;
  }
  if (accepted.length === 1) return { value: accepted[0]!, fromGraph: true };
  if (accepted.length > 1) return { value: accepted.includes(FREE_SPATIAL) ? FREE_SPATIAL : Math.min(...accepted.filter((a) => a >= 8)), fromGraph: false, free: true };
  return { value: constrained ? 28 : FREE_SPATIAL, fromGraph: false };
}

function checkConsistency(graph: ModelGraph): { ok: boolean; checked: number } {
  let checked = 0;
  for (const node of graph.nodes) {
    if (node.shape?.some((d) => typeof d === 'number' && d <= 0)) return { ok: false, checked };
    if ((node.op === 'linear' || node.op === 'matmul') && typeof node.attrs.in === 'number') {
      const input = node.inputs[0] === undefined ? undefined : ModelGraph.node(graph, node.inputs[0]).shape;
      const last = input?.[input.length - 1];
      if (typeof last === 'number') {
        checked++;
        if (last !== node.attrs.in) return { ok: false, checked };
      }
    }
    if ((node.op === 'view' || node.op === 'reshape') && Array.isArray(node.attrs.shape)) {
      const input = node.inputs[0] === undefined ? undefined : ModelGraph.node(graph, node.inputs[0]).shape;
      const target = (node.attrs.shape as Dim[]).slice(1);
      if (input && input.every((d) => typeof d === 'number') && target.every((d) => typeof d === 'number' && d > 0)) {
        checked++;
        const a = (input as number[]).reduce((x, y) => x * y, 1);
        const b = (target as number[]).reduce((x, y) => x * y, 1);
        if (a !== b) return { ok: false, checked };
      }
    }
  }
  return { ok: true, checked };
}
