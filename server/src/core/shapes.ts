// Shape inference over a model graph, framework-neutral: per-sample shapes (batch left out) with concrete numbers
// where the code gives them and symbols (H, W, T, names of constructor arguments) where it does not.

import { type AttrValue, type Dim, type GraphNode, ModelGraph, type Shape } from './graph';
import { Ops } from './ops';
import { expandSpreads, isSpread } from './sizeSpread';

export function inferShapes(graph: ModelGraph): ModelGraph {
  const shapes = new Map<number, Shape | undefined>();
  const consumers = ModelGraph.consumers(graph);
  const nodes = graph.nodes.map((node): GraphNode => {
    const shape = node.category === 'input'
      ? (node.shape ?? guessInputShape(graph, node.id, consumers))
      : outputShape(node, node.inputs.map((i) => shapes.get(i)));
    shapes.set(node.id, shape);
    return shape === undefined ? node : { ...node, shape };
  });
  return { ...graph, nodes };
}

const num = (v: AttrValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const dim = (v: AttrValue | undefined, fallback: Dim): Dim => (typeof v === 'number' || (typeof v === 'string' && v !== '?') ? v : fallback);

function spatialRank(op: string): number {
  const m = /([123])d$/.exec(op);
  return m ? Number(m[1]) : 0;
}

/** The first shape-bearing consumer of an input tells what the input must look like. */
function guessInputShape(graph: ModelGraph, id: number, consumers: Map<number, number[]>): Shape | undefined {
  let current = id;
  for (let hops = 0; hops < 8; hops++) {
    // Training-only ops (`if self.training:` noise) are off the model's main path; look past them.
    const all = consumers.get(current) ?? [];
    const next = all.find((c) => ModelGraph.node(graph, c).onlyIn !== 'train') ?? all[0];
    if (next === undefined) return undefined;
    const node = ModelGraph.node(graph, next);
    const rank = spatialRank(node.op);
    if (node.op === 'linear' || node.op === 'matmul') return [dim(node.attrs.in, 'd')];
    if (node.category === 'affine' && rank > 0) {
      const spatial = ['L', 'H×W', 'D×H×W'][rank - 1].split('×');
      const channels = dim(node.attrs.in, 'C');
      return node.attrs.channels_last === true ? [...spatial, channels] : [channels, ...spatial];
    }
    if (node.op === 'embedding') return ['T'];
    if (node.category === 'recurrent') return node.attrs.batch_first ? ['T', dim(node.attrs.in, 'd')] : ['T', dim(node.attrs.in, 'd')];
    if (node.category === 'attention') return ['T', dim(node.attrs.out ?? node.attrs.d_model, 'd')];
    if (node.category === 'normalization' && node.op === 'batch_norm') return undefined;
    // Padding and upsampling change sizes but keep the rank and the channels: the layer after them tells the layout.
    const keepsShape = node.op === 'scale' || ELEMENTWISE.has(node.op) || node.op === 'add' || node.op === 'sub' || node.op === 'mul' || node.op === 'pad' || node.op === 'upsample';
    if (keepsShape || node.category === 'reshape' || node.category === 'regularization' || node.category === 'activation' || node.category === 'normalization') {
      current = next;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Elementwise broadcasting, aligned on the last axis: a size of 1 stretches to the other side's size. */
function broadcast(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i];
    const y = b[b.length - rank + i];
    out.push(x === undefined ? y : y === undefined ? x : x === 1 ? y : x);
  }
  return out;
}

/** Whether the op keeps its input's last axis: elementwise maps, scaling, and broadcasting arithmetic. */
export function keepsLastAxis(op: string): boolean {
  return op === 'scale' || ELEMENTWISE.has(op) || op === 'add' || op === 'sub' || op === 'mul' || op === 'div';
}

/** Ops that map each element on its own, keeping the shape. */
const ELEMENTWISE = new Set(['exp', 'log', 'sqrt', 'rsqrt', 'abs', 'clamp', 'noise', 'gaussian_noise', 'pow', 'masked_fill', 'log_sigmoid', 'softshrink', 'hardshrink', 'threshold']);

function product(dims: readonly Dim[]): Dim {
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  return dims.map(String).join('·');
}

function convDim(d: Dim, k: number, s: number, p: number, dl: number, transpose: boolean): Dim {
  if (typeof d === 'number') {
    return transpose ? (d - 1) * s - 2 * p + dl * (k - 1) + 1 : Math.floor((d + 2 * p - dl * (k - 1) - 1) / s) + 1;
  }
  if (!transpose && s === 1 && dl * (k - 1) === 2 * p) return d;
  if (transpose) {
    if (s === 1 && dl * (k - 1) === 2 * p) return d;
    // (d − 1)·s − 2p + (k − 1) + 1 = d·s exactly when k − 2p = s (DCGAN's 4/2/1, U-Net's 2/2/0).
    if (dl === 1 && k - 2 * p === s) return multiplied(d, s);
    return `${d}′`;
  }
  if (s > 1 && dl * (k - 1) === 2 * p) return divided(d, s);
  // Pooling-style windows (kernel = stride, no padding) divide the size, rounding down.
  if (!transpose && s > 1 && k === s && p === 0 && dl === 1) return divided(d, s);
  // Stride 1 changes the size by a constant: a 5×5 kernel without padding takes H to H−4.
  if (s === 1) return offset(d, 2 * p - dl * (k - 1));
  return `${d}′`;
}

/** `H` + δ, folding constants: `H−4` − 4 → `H−8`. */
function offset(d: string, delta: number): string {
  const m = /^(.*?)([−+])(\d+)$/.exec(d);
  const base = m && !/[−+]/.test(m[1].replace(/\(.*\)/g, '')) ? m[1] : d;
  const total = (m && base === m[1] ? (m[2] === '−' ? -Number(m[3]) : Number(m[3])) : 0) + delta;
  if (total === 0) return base;
  return `${base}${total < 0 ? '−' : '+'}${Math.abs(total)}`;
}

/** A spatial size after `padding='same'` (Keras, TF.js): the input size divided by the stride, rounded up. */
function sameDim(d: Dim, s: number, transpose: boolean): Dim {
  if (typeof d === 'number') return transpose ? d * s : Math.ceil(d / s);
  if (s === 1) return d;
  return transpose ? `${d}·${s}` : divided(d, s);
}

/** `H/4` · 2 → `H/2`; `H/2` · 2 → `H`; `H` · 2 → `2H`. */
function multiplied(d: string, s: number): string {
  const m = /^(.*)\/(\d+)$/.exec(d);
  if (m && Number(m[2]) % s === 0) return Number(m[2]) === s ? m[1] : `${m[1]}/${Number(m[2]) / s}`;
  const k = /^(\d+)(.*)$/.exec(d);
  if (k && k[2] !== '') return `${Number(k[1]) * s}${k[2]}`;
  return `${s}${d}`;
}

/** `H` / 2 → `H/2`; `H/2` / 2 → `H/4`, so deep strided stacks stay readable. */
function divided(d: string, s: number): string {
  const m = /^(.*)\/(\d+)$/.exec(d);
  if (m && !/[−+]/.test(m[1].replace(/\(.*\)/g, ''))) return `${m[1]}/${Number(m[2]) * s}`;
  // A sum is bracketed before it is divided: (H−4)/2.
  return /[−+]/.test(d.replace(/\(.*\)/g, '')) ? `(${d})/${s}` : `${d}/${s}`;
}

function pair(v: AttrValue | undefined, i: number, fallback: number): number {
  if (Array.isArray(v)) return num(v[i]) ?? fallback;
  return num(v as AttrValue) ?? fallback;
}

function outputShape(node: GraphNode, ins: (Shape | undefined)[]): Shape | undefined {
  const s = ins[0];
  const a = node.attrs;
  const rank = spatialRank(node.op);
  switch (node.category) {
    case 'affine': {
      const out = dim(a.out, '?');
      if (rank === 0 || node.op === 'bilinear') return s && s.length > 0 ? [...s.slice(0, -1), out] : [out];
      const transpose = node.op.startsWith('conv_transpose');
      // Keras and TF.js keep channels last (N×H×W×C); PyTorch keeps them first (N×C×H×W).
      const last = a.channels_last === true;
      const spatialIn = s && s.length === rank + 1 ? (last ? s.slice(0, -1) : s.slice(1)) : ['L', 'H', 'W', 'D×H×W'].slice(0, rank).map((x, i) => (rank === 1 ? 'L' : rank === 2 ? ['H', 'W'][i] : ['D', 'H', 'W'][i]) ?? x);
      const spatialOut = spatialIn.map((d, i) => (a.same_padding === true ? sameDim(d, pair(a.stride, i, 1), transpose) : convDim(d, pair(a.kernel, i, 1), pair(a.stride, i, 1), pair(a.padding, i, 0), pair(a.dilation, i, 1), transpose)));
      return last ? [...spatialOut, out] : [out, ...spatialOut];
    }
    case 'pooling': {
      if (!s) return undefined;
      if (node.op === 'mean' || node.op === 'sum' || node.op === 'max' || node.op === 'std' || node.op === 'var') {
        const dims = Array.isArray(a.dim) ? a.dim : a.dim === undefined ? undefined : [a.dim];
        if (!dims) return [];
        const drop = new Set(dims.map((d) => (typeof d === 'number' ? (d < 0 ? s.length + d : d - 1) : -99)));
        return a.keepdim === true ? s.map((d, i) => (drop.has(i) ? 1 : d)) : s.filter((_, i) => !drop.has(i));
      }
      const r = spatialRank(node.op);
      if (s.length !== r + 1) return undefined;
      const last = a.channels_last === true;
      const channels = last ? s[s.length - 1] : s[0];
      const spatial = last ? s.slice(0, -1) : s.slice(1);
      // Global pooling (Keras GlobalMaxPooling2D) drops the spatial axes altogether.
      if (a.global === true) return [channels];
      const pooled = node.op.startsWith('adaptive')
        ? spatial.map((d, i) => dim(Array.isArray(a.kernel) ? a.kernel[i] : (a.kernel as AttrValue), d))
        : spatial.map((d, i) => {
          const k = pair(a.kernel, i, 2);
          const stride = a.stride === undefined || a.stride === null ? k : pair(a.stride, i, k);
          return a.same_padding === true ? sameDim(d, stride, false) : convDim(d, k, stride, pair(a.padding, i, 0), 1, false);
        });
      return last ? [...pooled, channels] : [channels, ...pooled];
    }
    case 'reshape': {
      if (node.op === 'flatten') {
        if (!s) return undefined;
        const start = num(a.start_dim) ?? 1;
        const keep = Math.max(0, start - 1);
        return [...s.slice(0, keep), product(s.slice(keep))];
      }
      if (node.op === 'view' || node.op === 'reshape') {
        const written = Array.isArray(a.shape) ? (a.shape as Dim[]) : undefined;
        // `x.view(*x.size()[:-1], h, d)`: the spread stands for the input's own sizes, batch axis first.
        const target = written && written.some(isSpread) ? (s ? (expandSpreads(written, ['B', ...s]) as Dim[]) : undefined) : written;
        if (!target || target.length === 0) return undefined;
        const perSample = target.slice(1);
        if (perSample.length === 1 && (perSample[0] === -1 || perSample[0] === '?')) return s ? [product(s)] : undefined;
        return perSample.map((d) => (d === -1 && s ? product(s) : d));
      }
      if (node.op === 'identity' || node.op === 'contiguous') return s;
      if (!s) return undefined;
      // Dims in attrs count the batch axis (PyTorch and Keras alike); per-sample shapes do not.
      const axis = (d: AttrValue | undefined, rank: number): number | undefined => (typeof d === 'number' ? (d < 0 ? rank + d : d - 1) : undefined);
      if (node.op === 'unflatten' && Array.isArray(a.unflattened_size)) {
        const at = axis(a.dim, s.length);
        return at === undefined || at < 0 || at >= s.length ? undefined : [...s.slice(0, at), ...(a.unflattened_size as Dim[]), ...s.slice(at + 1)];
      }
      if (node.op === 'transpose') {
        // Dims count the batch axis; transposing it with another is not a per-sample shape.
        const i = axis(a.dim0, s.length);
        const j = axis(a.dim1, s.length);
        if (a.dim0 === undefined && a.dim1 === undefined) return s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s;
        if (i === undefined || j === undefined || i < 0 || j < 0 || i >= s.length || j >= s.length) return undefined;
        const out = [...s];
        [out[i], out[j]] = [out[j], out[i]];
        return out;
      }
      if (node.op === 'squeeze') {
        const at = axis(a.dim, s.length);
        if (at === undefined) return s.filter((d) => d !== 1);
        return at >= 0 && at < s.length && s[at] === 1 ? [...s.slice(0, at), ...s.slice(at + 1)] : s;
      }
      if (node.op === 'unsqueeze') {
        const at = axis(a.dim, s.length + 1);
        return at === undefined || at < 0 || at > s.length ? undefined : [...s.slice(0, at), 1, ...s.slice(at)];
      }
      return undefined;
    }
    case 'activation':
    case 'normalization':
    case 'regularization':
      return s;
    case 'merge': {
      if (node.op === 'concat') {
        const known = ins.filter((x): x is Shape => x !== undefined);
        if (known.length !== ins.length || known.length === 0) return undefined;
        const r = known[0].length;
        const d = num(a.dim as AttrValue) ?? 1;
        const axis = d < 0 ? r + d : d - 1;
        if (a.stack === true || axis < 0 || axis >= r) return undefined;
        return known[0].map((x, i) => {
          if (i !== axis) return x;
          const parts = known.map((k) => k[i]);
          return parts.every((p) => typeof p === 'number') ? (parts as number[]).reduce((acc, p) => acc + p, 0) : parts.map(String).join('+');
        });
      }
      if (node.op === 'bmm') {
        // A matrix product of two activations: (…, n, k) · (…, k, m) → (…, n, m).
        const [x, y] = ins;
        return x && y && x.length >= 2 && y.length >= 2 ? [...x.slice(0, -1), y[y.length - 1]] : undefined;
      }
      if ((node.op === 'add' || node.op === 'sub' || node.op === 'mul' || node.op === 'div') && ins.length === 2 && ins[0] && ins[1]) return broadcast(ins[0], ins[1]);
      return ins.find((x) => x !== undefined);
    }
    case 'recurrent': {
      const hidden = dim(a.out, 'h');
      const out = a.bidirectional === true && typeof hidden === 'number' ? hidden * 2 : hidden;
      // A Keras recurrent layer without return_sequences yields only its last state.
      if (a.return_sequences === false) return [out];
      return s && s.length > 0 ? [...s.slice(0, -1), out] : ['T', out];
    }
    case 'attention':
      return s;
    default:
      if (node.op === 'embedding') return [...(s ?? ['T']), dim(a.out, 'd')];
      if (node.op === 'scale' || ELEMENTWISE.has(node.op)) return s;
      return undefined;
  }
}

export namespace Shapes {
  export function format(shape: Shape | undefined): string {
    // A size with a sum in it is bracketed, so 6×(H−4)×(W−4) reads unambiguously.
    return shape === undefined ? '?' : shape.length === 0 ? 'scalar' : shape.map((d) => (typeof d === 'string' && /[−+]/.test(d) && !/^\(.*\)$/.test(d) ? `(${d})` : d)).join('×');
  }
  export function isSpatial(op: string): boolean {
    return spatialRank(op) > 0 && Ops.category(op) !== 'activation';
  }
}
