// The probe builder's parameter-free tensor ops beyond layers: elementwise maps (exp, log, clamp, pow…), sampled
// noise, indexing and the pieces of split/chunk, masking, padding, upsampling, repeats and reductions. Each takes
// the node and its computed inputs and returns the tensor, or undefined when the op is not one of these (the
// builder then reports it). Tensors are batch first; an index written in the code counts the batch as axis 0.

import type * as tfc from '@tensorflow/tfjs-core';
import { type AttrValue, type GraphNode, ModelGraph } from '../core/graph';
import { num, splitPieces } from './attrs';
import { causalMask } from './sequenceOps';

type TF = typeof tfc;
type Tensor = tfc.Tensor;

export interface TensorOpEnv {
  readonly tf: TF;
  readonly graph: ModelGraph;
  /** Stochastic ops (noise) sample only when on; off, they give their mean, as at evaluation. */
  readonly stochastic: boolean;
  /** A seed that changes from step to step, for noise. */
  readonly seed: number;
  fail(detail: string): never;
}

const RECURRENT = new Set(['lstm', 'gru', 'rnn', 'multihead_attention']);


export function tensorOp(env: TensorOpEnv, node: GraphNode, ins: readonly Tensor[]): Tensor | undefined {
  const { tf } = env;
  const a = node.attrs;
  const x = ins[0] ?? env.fail('its input is missing from the graph');
  switch (node.op) {
    case 'exp':
      return tf.exp(x);
    case 'log':
      return tf.log(x);
    case 'sqrt':
      return tf.sqrt(x);
    case 'rsqrt':
      return tf.rsqrt(x);
    case 'std':
    case 'var':
      return spread(env, node, x);
    case 'abs':
      return tf.abs(x);
    case 'clamp':
      return tf.clipByValue(x, num(a.min) ?? -3.4e38, num(a.max) ?? 3.4e38);
    case 'pow': {
      const e = num(a.exponent) ?? 2;
      return e === 2 ? tf.square(x) : tf.pow(x, e);
    }
    case 'log_sigmoid':
      return tf.logSigmoid(x);
    case 'softshrink':
    case 'hardshrink': {
      const l = num(a.lambd) ?? 0.5;
      const outside = tf.greater(tf.abs(x), l);
      return tf.where(outside, node.op === 'softshrink' ? tf.sub(x, tf.mul(tf.sign(x), l)) : x, tf.zerosLike(x));
    }
    case 'threshold':
      return tf.where(tf.greater(x, num(a.threshold) ?? 0), x, tf.fill(x.shape, num(a.value) ?? 0));
    case 'noise':
    case 'gaussian_noise':
      if (node.op === 'gaussian_noise') return env.stochastic ? tf.add(x, tf.randomNormal(x.shape, 0, num(a.stddev) ?? 0.1, 'float32', env.seed)) : x;
      return env.stochastic ? tf.randomNormal(x.shape, 0, 1, 'float32', env.seed) : tf.zerosLike(x);
    case 'normalize': {
      const axis = axisOf(env, a.dim ?? 1, x.rank);
      return tf.div(x, tf.maximum(tf.norm(x, 2, axis, true), 1e-12));
    }
    case 'max':
      if (ins.length >= 2) return tf.maximum(ins[0]!, ins[1]!);
      return a.dim === undefined || a.dim === null ? tf.max(x, x.shape.slice(1).map((_, i) => i + 1)) : tf.max(x, axisOf(env, a.dim, x.rank), a.keepdim === true);
    case 'maximum':
    case 'minimum':
      if (ins.length < 2) env.fail('it needs two operands');
      return node.op === 'maximum' ? tf.maximum(ins[0]!, ins[1]!) : tf.minimum(ins[0]!, ins[1]!);
    case 'scaled_dot_product_attention':
      return scaledDotProductAttention(env, node, ins);
    case 'masked_fill':
      return maskedFill(env, x, ins[1]);
    case 'slice':
      return slice(env, node, x);
    case 'pad':
      return pad(env, node, x);
    case 'upsample':
      return upsample(env, node, x);
    case 'expand':
    case 'repeat':
      return repeat(env, node, x, ins[1]);
    case 'pixel_shuffle': {
      const r = num(a.upscale_factor) ?? env.fail('its upscale factor is not a number');
      const [b, c, h, w] = x.shape as number[];
      if (x.rank !== 4 || c! % (r * r) !== 0) env.fail(`it needs a 4-d input whose channels divide by ${r * r}`);
      const y = tf.reshape(x, [b!, c! / (r * r), r, r, h!, w!]);
      return tf.reshape(tf.transpose(y, [0, 1, 4, 2, 5, 3]), [b!, c! / (r * r), h! * r, w! * r]);
    }
    default:
      return undefined;
  }
}

/**
 * `F.scaled_dot_product_attention(q, k, v, is_causal=…)`: softmax(q·kᵀ/√d)·v over the last two axes (heads, if any,
 * before them). An `attn_mask` is a tensor the graph does not carry; the causal flag is applied as written.
 */
function scaledDotProductAttention(env: TensorOpEnv, node: GraphNode, ins: readonly Tensor[]): Tensor {
  const { tf } = env;
  if (ins.length < 3) env.fail('it needs a query, a key and a value');
  const [q, k, v] = ins as [Tensor, Tensor, Tensor];
  if (q.rank < 3 || k.rank !== q.rank || v.rank !== q.rank) env.fail(`it expects (batch, …, time, features) operands of one rank, not ${q.rank}-, ${k.rank}- and ${v.rank}-d`);
  const d = q.shape[q.rank - 1]!;
  if (k.shape[k.rank - 1] !== d) env.fail(`its query width ${d} and key width ${k.shape[k.rank - 1]} differ`);
  const scale = num(node.attrs.scale) ?? 1 / Math.sqrt(d);
  let scores = tf.mul(tf.matMul(q, k, false, true), scale);
  if (node.attrs.causal === true || node.attrs.is_causal === true) scores = tf.add(scores, causalMask(tf, q.shape[q.rank - 2]!, k.shape[k.rank - 2]!));
  return tf.matMul(tf.softmax(scores, -1), v);
}

/**
 * `x.std(-1, keepdim=True)`, `x.var(dim)`: PyTorch's unbiased estimate (divided by n − 1, unless `unbiased=False`
 * or `correction=0`) over the dimensions given, or over each sample when none are.
 */
function spread(env: TensorOpEnv, node: GraphNode, x: Tensor): Tensor {
  const { tf } = env;
  const a = node.attrs;
  const dims = a.dim === undefined || a.dim === null ? x.shape.slice(1).map((_, i) => i + 1) : (Array.isArray(a.dim) ? a.dim : [a.dim]).map((d) => axisOf(env, d as AttrValue, x.rank));
  const n = dims.reduce((p, d) => p * x.shape[d]!, 1);
  const biased = a.unbiased === false || a.correction === 0;
  const { variance } = tf.moments(x, dims, a.keepdim === true);
  const v = biased || n < 2 ? variance : tf.mul(variance, n / (n - 1));
  return node.op === 'var' ? v : tf.sqrt(v);
}

function axisOf(env: TensorOpEnv, d: AttrValue, rank: number): number {
  if (typeof d !== 'number') env.fail(`its dimension \`${String(d)}\` is not a number`);
  const axis = d < 0 ? rank + d : d;
  if (axis < 0 || axis >= rank) env.fail(`dimension ${d} is out of range for a ${rank}-d tensor`);
  return axis;
}

/**
 * `masked_fill(mask, -inf)` on attention scores: the mask is a buffer the graph does not carry, so the probe applies
 * the causal mask (the common use) when the last two axes are square, and leaves other tensors as they are.
 */
function maskedFill(env: TensorOpEnv, x: Tensor, mask: Tensor | undefined): Tensor {
  const { tf } = env;
  if (mask && mask.dtype === 'bool') return tf.where(mask, tf.fill(x.shape, -1e9), x);
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  if (x.rank >= 3 && rows !== undefined && rows === cols) return tf.add(x, causalMask(tf, rows, cols));
  return x;
}

/**
 * One piece of a tensor: `x[:, -1]`, `x[:, :4]` (the index as written, batch first), or the i-th name of an
 * unpacking (`q, k, v = x.split(n, dim=2)`, `out, hidden = self.lstm(x)`). The graph does not keep a split's size
 * and axis, so unpacked pieces are equal chunks of the last axis, which is what split/chunk in model code almost
 * always cut; a recurrent or attention layer's first piece is its output sequence.
 */
function slice(env: TensorOpEnv, node: GraphNode, x: Tensor): Tensor {
  const { tf, graph } = env;
  const index = node.attrs.index;
  const source = node.inputs[0] === undefined ? undefined : ModelGraph.node(graph, node.inputs[0]);
  const position = typeof index === 'number' ? index : typeof index === 'string' && /^-?\d+$/.test(index.trim()) && source && RECURRENT.has(source.op) ? Number(index) : undefined;
  if (position !== undefined && source) {
    if (RECURRENT.has(source.op)) {
      if (position === 0) return x;
      env.fail(`it uses the final hidden state of \`${source.module ?? source.op}\`, which the probe builder does not model (take the output sequence's last step, \`out[:, -1]\`)`);
    }
    if (typeof index === 'number') {
      const pieces = splitPieces(graph).get(source.id) ?? 0;
      const axis = x.rank - 1;
      const size = x.shape[axis]!;
      if (pieces < 1 || size % pieces !== 0) env.fail(`it is piece ${index} of ${pieces} of a ${size}-wide axis, which do not divide it evenly`);
      return tf.split(x, pieces, axis)[index]!;
    }
  }
  if (typeof index !== 'string') env.fail(`its index \`${String(index)}\` is not one the probe builder reads`);
  return subscript(env, x, index);
}

/** `x[:, -1, :]`, `x[..., :4]`, `x[:, None]`: integers, ranges with integer bounds, `...` and None. */
function subscript(env: TensorOpEnv, x: Tensor, text: string): Tensor {
  const { tf } = env;
  const items = text.split(',').map((s) => s.trim()).filter((s, i, all) => s !== '' || i < all.length - 1);
  if (items.length === 0) env.fail(`its index \`${text}\` is empty`);
  const ellipsis = items.indexOf('...');
  const explicit = items.filter((s) => s !== '...' && s !== 'None').length;
  const expanded = ellipsis < 0 ? items : [...items.slice(0, ellipsis), ...Array.from({ length: Math.max(0, x.rank - explicit) }, () => ':'), ...items.slice(ellipsis + 1)];
  let t = x;
  let axis = 0;
  const squeeze: number[] = [];
  for (const item of expanded) {
    if (item === 'None') {
      t = tf.expandDims(t, axis);
      axis++;
      continue;
    }
    if (axis >= t.rank) env.fail(`its index \`${text}\` has more entries than the ${x.rank}-d tensor has axes`);
    const size = t.shape[axis]!;
    const range = /^(-?\d+)?\s*:\s*(-?\d+)?(?:\s*:\s*(\d+))?$/.exec(item);
    if (/^-?\d+$/.test(item)) {
      if (axis === 0) env.fail(`its index \`${text}\` picks samples out of the batch`);
      const i = Number(item) < 0 ? size + Number(item) : Number(item);
      if (i < 0 || i >= size) env.fail(`index ${item} is out of range for an axis of ${size}`);
      t = tf.slice(t, t.shape.map((_, k) => (k === axis ? i : 0)), t.shape.map((s, k) => (k === axis ? 1 : s)));
      squeeze.push(axis);
    } else if (range && item !== ':') {
      if (axis === 0) env.fail(`its index \`${text}\` slices the batch`);
      const bound = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Math.min(size, Math.max(0, Number(v) < 0 ? size + Number(v) : Number(v))));
      const start = bound(range[1], 0);
      const stop = bound(range[2], size);
      const step = range[3] === undefined ? 1 : Number(range[3]);
      if (stop <= start) env.fail(`its index \`${text}\` selects nothing from an axis of ${size}`);
      t = tf.slice(t, t.shape.map((_, k) => (k === axis ? start : 0)), t.shape.map((s, k) => (k === axis ? stop - start : s)));
      if (step > 1) t = tf.gather(t, Array.from({ length: Math.ceil((stop - start) / step) }, (_, i) => i * step), axis);
    } else if (item !== ':') {
      env.fail(`its index \`${text}\` uses \`${item}\`, which is not a number the probe builder can read`);
    }
    axis++;
  }
  return squeeze.length > 0 ? tf.squeeze(t, squeeze) : t;
}

/** `F.pad(x, (left, right, top, bottom))`: pairs from the last axis backwards, zeros (or a constant). */
function pad(env: TensorOpEnv, node: GraphNode, x: Tensor): Tensor {
  // `nn.ReflectionPad2d(3)`, `nn.ZeroPad2d((1, 1, 2, 2))`: a module's padding, one number for every spatial side.
  const spatial = Math.max(1, x.rank - 2);
  const p = Array.isArray(node.attrs.pad) ? node.attrs.pad : typeof node.attrs.padding === 'number' ? Array.from({ length: 2 * spatial }, () => node.attrs.padding as number) : node.attrs.padding;
  if (!Array.isArray(p) || !p.every((v) => typeof v === 'number') || p.length % 2 !== 0) env.fail('its padding is not a list of numbers');
  const pairs: [number, number][] = x.shape.map(() => [0, 0]);
  for (let i = 0; i < p.length / 2; i++) pairs[x.rank - 1 - i] = [p[2 * i] as number, p[2 * i + 1] as number];
  if (pairs.some(([l, r]) => l < 0 || r < 0)) env.fail('negative padding (cropping) is not supported by the probe builder');
  return env.tf.pad(x, pairs, num(node.attrs.value) ?? 0);
}

/** Nearest (or bilinear) upsampling of the spatial axes (channels first, or last when the layout says so). */
function upsample(env: TensorOpEnv, node: GraphNode, x: Tensor): Tensor {
  const { tf } = env;
  const a = node.attrs;
  if (x.rank !== 4) env.fail(`it expects a 4-d input but receives ${x.rank}-d`);
  const last = a.channels_last === true;
  const [h, w] = last ? [x.shape[1]!, x.shape[2]!] : [x.shape[2]!, x.shape[3]!];
  const factor = Array.isArray(a.scale_factor) ? (a.scale_factor as number[]) : num(a.scale_factor) !== undefined ? [num(a.scale_factor)!, num(a.scale_factor)!] : num(a.factor) !== undefined ? [num(a.factor)!, num(a.factor)!] : undefined;
  const size = Array.isArray(a.size) ? (a.size as number[]) : num(a.size) !== undefined ? [num(a.size)!, num(a.size)!] : undefined;
  const target: [number, number] = size && size.every((v) => typeof v === 'number') ? [size[0]!, size[1]!] : factor ? [Math.round(h * factor[0]!), Math.round(w * (factor[1] ?? factor[0]!))] : env.fail('its size or scale factor is not a number');
  const input = (last ? x : tf.transpose(x, [0, 2, 3, 1])) as tfc.Tensor4D;
  const y = a.mode === 'bilinear' ? tf.image.resizeBilinear(input, target) : tf.image.resizeNearestNeighbor(input, target);
  return last ? y : tf.transpose(y, [0, 3, 1, 2]);
}

/** `x.expand(…)` / `expand_as(y)` (broadcast to the other operand) and `x.repeat(…)` with number counts. */
function repeat(env: TensorOpEnv, node: GraphNode, x: Tensor, other: Tensor | undefined): Tensor {
  const { tf } = env;
  if (other) return tf.add(x, tf.zerosLike(other));
  const shape = Array.isArray(node.attrs.shape) ? node.attrs.shape : Array.isArray(node.attrs.sizes) ? node.attrs.sizes : undefined;
  if (!shape) return x;
  const dims = shape.slice(1);
  if (node.op === 'expand') {
    const target = dims.map((d, i) => (typeof d === 'number' && d > 0 ? d : x.shape[i + 1]!));
    return target.length === x.rank - 1 ? tf.broadcastTo(x, [x.shape[0]!, ...target]) : x;
  }
  if (!dims.every((d) => typeof d === 'number') || dims.length !== x.rank - 1) env.fail('its repeat counts are not numbers');
  return tf.tile(x, [1, ...(dims as number[])]);
}
