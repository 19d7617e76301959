// Builds a trainable TensorFlow.js program from a model graph: one variable per parameter of each layer instance
// (shared layers share variables), initialised as the source framework does, and a forward function that runs the
// graph's nodes in evaluation order. Tensors keep the source framework's layout (PyTorch: channels first) and are
// transposed only around the convolutions and pools that TensorFlow.js computes channels-last.
//
// The TensorFlow.js namespace is handed in, so the same builder runs on the pure-JS, WASM and native backends
// (tfjs-node brings its own copy of tfjs-core).

import type * as tfc from '@tensorflow/tfjs-core';
import { type AttrValue, type GraphNode, type LayerDecl, ModelGraph } from '../core/graph';
import { type ConcreteInput, resolveInputShapes } from './inputShapes';
import { SeededRandom } from './rng';
import { multiheadAttention, recurrent, type SequenceEnv, transformerEncoderLayer } from './sequenceOps';
import { activation } from './activations';
import { axisOf, fail, num, ProbeBuildError, tuple } from './attrs';
import { channelsFirst, channelsLast, convolve, convTranspose, pool2d, usesPatches } from './convolution';
import { tensorOp } from './tensorOps';
import { expandSpreads } from '../core/sizeSpread';

export { ProbeBuildError } from './attrs';

export type TF = typeof tfc;
type Tensor = tfc.Tensor;

export interface ProbeParam {
  /** A readable name: `fc1.weight`. */
  readonly name: string;
  /** The layer this parameter belongs to (its module path, or `#id` for an anonymous one). */
  readonly layer: string;
  /** 1-based line where the layer is applied. */
  readonly line: number;
  readonly variable: tfc.Variable;
}

export interface ForwardOptions {
  /** Training mode: batch norm uses the batch's statistics. */
  readonly training: boolean;
  /** Whether dropout drops; probes that measure capacity switch it off and say so. */
  readonly dropout: boolean;
  /** Varies the dropout mask from step to step, deterministically. */
  readonly step?: number;
  /** Collects each computed node's per-sample output shape. */
  readonly shapes?: Map<number, readonly number[]>;
}

export interface ProbeModel {
  readonly graph: ModelGraph;
  readonly inputs: readonly ConcreteInput[];
  readonly notes: readonly string[];
  readonly params: readonly ProbeParam[];
  /** Parameterised layers declared in the constructor but never applied: they have variables and get no gradient. */
  readonly unapplied: readonly { readonly decl: LayerDecl; readonly variable: tfc.Variable }[];
  /** Per-sample output shape. */
  readonly outputShape: readonly number[];
  readonly outputNode: GraphNode;
  /** Per-sample output shape of every node the output depends on. */
  readonly nodeShapes: ReadonlyMap<number, readonly number[]>;
  /** Values one sample's forward pass holds (the sum of every node's output size), for sizing batches. */
  readonly activationsPerSample: number;
  readonly parameterCount: number;
  readonly hasDropout: boolean;
  forward(inputs: readonly Tensor[], options: ForwardOptions): Tensor;
  dispose(): void;
}

export interface BuildOptions {
  readonly seed: number;
  /** Concrete per-sample input shapes, when the caller knows them (a spec's or a segment's). */
  readonly inputShapes?: readonly (readonly number[])[];
  /** Multiplies hidden widths (affine outputs not feeding the model's output) by this factor, for speed. */
  readonly widthScale?: number;
}

const PARAMETERISED = new Set(['affine', 'normalization']);

/** TensorFlow.js variable names are global to the engine; each build gets its own prefix. */
let builds = 0;

export function buildProbeModel(tf: TF, graph: ModelGraph, options: BuildOptions): ProbeModel {
  const resolution = resolveInputShapes(graph, options.inputShapes);
  const rng = new SeededRandom(options.seed).fork(`init:${graph.name}`);
  const variables = new Map<string, tfc.Variable>();
  const prefix = `probe${++builds}/`;
  const params: ProbeParam[] = [];
  const outputId = graph.outputs[0];
  if (outputId === undefined) throw new ProbeBuildError('output', graph.range.start.line + 1, 'the model has no output the extractor could follow');
  const needed = ModelGraph.ancestors(graph, outputId);
  const outputNode = ModelGraph.node(graph, outputId);
  const scaled = scaledWidths(graph, needed, outputId, options.widthScale);
  const pytorchInit = graph.framework === 'pytorch' || graph.framework === 'spec';
  const hasDropout = graph.nodes.some((n) => needed.has(n.id) && n.category === 'regularization');

  const layerKey = (node: GraphNode) => node.layerId ?? node.module ?? `#${node.id}`;
  const param = (node: GraphNode, suffix: string, shape: number[], init: () => Float32Array): tfc.Variable => {
    const key = `${layerKey(node)}.${suffix}`;
    const existing = variables.get(key);
    if (existing) {
      if (existing.shape.join() !== shape.join()) fail(node, `a shared layer is applied to inputs of different sizes (${existing.shape.join('×')} vs ${shape.join('×')})`);
      return existing;
    }
    const v = tf.variable(tf.tensor(init(), shape), true, prefix + sanitize(key));
    variables.set(key, v);
    params.push({ name: key, layer: layerKey(node), line: node.range.start.line + 1, variable: v });
    return v;
  };
  // Weights are stored [fanIn, fanOut]; PyTorch draws U(±1/√fanIn) for weight and bias (kaiming_uniform with a=√5),
  // Keras and TF.js draw Glorot-uniform weights and zero biases.
  const weightInit = (fanIn: number, fanOut: number, size: number) => () => {
    const bound = pytorchInit ? 1 / Math.sqrt(fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    return rng.fillUniform(size, -bound, bound);
  };
  const biasInit = (fanIn: number, size: number) => () => (pytorchInit ? rng.fillUniform(size, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)) : new Float32Array(size));
  const constant = (value: number, size: number) => () => new Float32Array(size).fill(value);

  const evalNode = (node: GraphNode, ins: Tensor[], opts: ForwardOptions): Tensor => {
    const x = ins[0];
    const a = node.attrs;
    const need = (t: Tensor | undefined): Tensor => t ?? fail(node, 'its input is missing from the graph');
    switch (node.op) {
      case 'linear':
      case 'matmul': {
        const t = need(x);
        const fanIn = t.shape[t.shape.length - 1]!;
        const out = scaled.get(node.id) ?? num(a.out) ?? fail(node, 'its output width is not a number the extractor could read');
        if (num(a.in) !== undefined && num(a.in) !== fanIn && !scaled.size && !assumed(node, 'in')) fail(node, `it expects ${num(a.in)} input features but receives ${fanIn} (shape ${t.shape.slice(1).join('×')})`);
        const w = param(node, 'weight', [fanIn, out], weightInit(fanIn, out, fanIn * out));
        const flat = tf.reshape(t, [-1, fanIn]);
        let y = tf.matMul(flat, w);
        if (a.bias !== false) y = tf.add(y, param(node, 'bias', [out], biasInit(fanIn, out)));
        return tf.reshape(y, [...t.shape.slice(0, -1), out]);
      }
      case 'conv1d':
      case 'conv2d': {
        const t = need(x);
        const rank = node.op === 'conv1d' ? 1 : 2;
        const last = a.channels_last === true;
        if (t.rank !== rank + 2) fail(node, `it expects a ${rank + 2}-d input (batch, channels, ${rank === 1 ? 'length' : 'height, width'}) but receives ${t.rank}-d`);
        if ((num(a.groups) ?? 1) !== 1) fail(node, 'grouped convolutions are not supported by the probe builder');
        const cin = last ? t.shape[t.rank - 1]! : t.shape[1]!;
        if (num(a.in) !== undefined && num(a.in) !== cin && !scaled.size && !assumed(node, 'in')) fail(node, `it expects ${num(a.in)} input channels but receives ${cin}`);
        const cout = scaled.get(node.id) ?? num(a.out) ?? fail(node, 'its output channel count is not a number');
        const k = tuple(a.kernel, rank, 1);
        const s = tuple(a.stride, rank, 1);
        const d = tuple(a.dilation, rank, 1);
        const fanIn = cin * k.reduce((p, q) => p * q, 1);
        const w = param(node, 'weight', [...k, cin, cout], weightInit(fanIn, cout * k.reduce((p, q) => p * q, 1), fanIn * cout));
        let input = last ? t : channelsLast(tf, t);
        let padding: 'same' | 'valid' = 'valid';
        if (a.padding === 'same' || a.same_padding === true) padding = 'same';
        else {
          const p = tuple(a.padding, rank, 0);
          if (p.some((v) => v > 0)) input = tf.pad(input, [[0, 0], ...p.map((v): [number, number] => [v, v]), [0, 0]]);
        }
        let y = convolve(tf, input, w, rank, k, s, d, padding);
        if (opts.shapes) patchWorkspace += patchFloats(tf, y, k, d, cin);
        if (a.bias !== false) y = tf.add(y, param(node, 'bias', [cout], biasInit(fanIn, cout)));
        return last ? y : channelsFirst(tf, y);
      }
      case 'conv_transpose1d':
      case 'conv_transpose2d': {
        const t = need(x);
        const rank = node.op === 'conv_transpose1d' ? 1 : 2;
        const last = a.channels_last === true;
        if (t.rank !== rank + 2) fail(node, `it expects a ${rank + 2}-d input (batch, channels, ${rank === 1 ? 'length' : 'height, width'}) but receives ${t.rank}-d`);
        if ((num(a.groups) ?? 1) !== 1) fail(node, 'grouped transposed convolutions are not supported by the probe builder');
        const cin = last ? t.shape[t.rank - 1]! : t.shape[1]!;
        if (num(a.in) !== undefined && num(a.in) !== cin && !scaled.size && !assumed(node, 'in')) fail(node, `it expects ${num(a.in)} input channels but receives ${cin}`);
        const cout = scaled.get(node.id) ?? num(a.out) ?? fail(node, 'its output channel count is not a number');
        const k = tuple(a.kernel, rank, 1);
        const s = tuple(a.stride, rank, 1);
        const d = tuple(a.dilation, rank, 1);
        const spatial = last ? t.shape.slice(1, -1) : t.shape.slice(2);
        // PyTorch crops `padding` from both ends and gives back `output_padding` at the end; Keras's 'same' makes the
        // output the input times the stride, cropping the excess as TensorFlow does (the smaller half first).
        const p = tuple(a.padding, rank, 0);
        const extra = tuple(a.output_padding, rank, 0);
        const crop = k.map((kk, i): [number, number] => {
          if (a.padding === 'same' || a.same_padding === true) {
            const total = Math.max(0, (spatial[i]! - 1) * s[i]! + d[i]! * (kk - 1) + 1 - spatial[i]! * s[i]!);
            return [Math.floor(total / 2), total - Math.floor(total / 2)];
          }
          return [p[i]!, p[i]! - extra[i]!];
        });
        // PyTorch's fan-in for a transposed convolution's init is its output channels times the kernel.
        const area = k.reduce((q, r) => q * r, 1);
        const w = param(node, 'weight', [...k, cin, cout], weightInit(cout * area, cin * area, cin * cout * area));
        let y = convTranspose(tf, last ? t : channelsLast(tf, t), w, rank, k, s, d, crop);
        if (opts.shapes) patchWorkspace += patchFloats(tf, y, k, d, cin);
        if (a.bias !== false) y = tf.add(y, param(node, 'bias', [cout], biasInit(cout * area, cout)));
        return last ? y : channelsFirst(tf, y);
      }
      case 'max_pool1d':
      case 'max_pool2d':
      case 'avg_pool1d':
      case 'avg_pool2d': {
        const t = need(x);
        const rank = node.op.endsWith('1d') ? 1 : 2;
        if (t.rank !== rank + 2) fail(node, `it expects a ${rank + 2}-d input but receives ${t.rank}-d`);
        const k = tuple(a.kernel, rank, 2);
        const s = a.stride === undefined || a.stride === null ? k : tuple(a.stride, rank, 1);
        const p = tuple(a.padding, rank, 0);
        return pool2d(tf, t, node.op.startsWith('max') ? 'max' : 'avg', k, s, p, a.channels_last === true, a.same_padding === true);
      }
      case 'adaptive_avg_pool1d':
      case 'adaptive_avg_pool2d':
      case 'adaptive_max_pool1d':
      case 'adaptive_max_pool2d': {
        const t = need(x);
        const rank = node.op.endsWith('1d') ? 1 : 2;
        const last = a.channels_last === true;
        if (t.rank !== rank + 2) fail(node, `it expects a ${rank + 2}-d input but receives ${t.rank}-d`);
        const spatialAxes = last ? t.shape.map((_, i) => i).slice(1, -1) : t.shape.map((_, i) => i).slice(2);
        if (a.global === true) return node.op.includes('max') ? tf.max(t, spatialAxes) : tf.mean(t, spatialAxes);
        const target = tuple(a.kernel, rank, 1);
        const spatial = spatialAxes.map((i) => t.shape[i]!);
        if (spatial.some((size, i) => size % target[i]! !== 0)) fail(node, `output size ${target.join('×')} does not divide the input ${spatial.join('×')}`);
        const k = spatial.map((size, i) => size / target[i]!);
        return pool2d(tf, t, node.op.includes('max') ? 'max' : 'avg', k, k, k.map(() => 0), last, false);
      }
      case 'mean':
      case 'sum': {
        const t = need(x);
        const dims = a.dim === undefined || a.dim === null ? undefined : (Array.isArray(a.dim) ? a.dim : [a.dim]).map((d) => axisOf(node, d as AttrValue, t.rank));
        const keep = a.keepdim === true;
        if (dims === undefined) return node.op === 'mean' ? tf.mean(t, t.shape.slice(1).map((_, i) => i + 1), false) : tf.sum(t, t.shape.slice(1).map((_, i) => i + 1), false);
        return node.op === 'mean' ? tf.mean(t, dims, keep) : tf.sum(t, dims, keep);
      }
      case 'flatten': {
        const t = need(x);
        const start = axisOf(node, a.start_dim ?? 1, t.rank);
        const end = axisOf(node, a.end_dim ?? -1, t.rank);
        const shape = t.shape as number[];
        return tf.reshape(t, [...shape.slice(0, start), shape.slice(start, end + 1).reduce((p, q) => p * q, 1), ...shape.slice(end + 1)]);
      }
      case 'view':
      case 'reshape': {
        const t = need(x);
        // `x.view(*x.size()[:-1], h, d)`: the spread is the live tensor's own sizes, batch axis first.
        const written = Array.isArray(a.shape) ? (a.shape as AttrValue[]) : undefined;
        const target = written && ((expandSpreads(written, t.shape) as AttrValue[] | undefined) ?? written).slice(1);
        // `x.view(-1, x.size(-1))` on a sequence: rows of every position, which a per-sample graph keeps as they are.
        if (target && target.length === 1 && t.rank > 2 && written?.[0] === -1 && target[0] === `dim-1`) return t;
        if (!target || target.length <= 1) return tf.reshape(t, [t.shape[0]!, -1]);
        return tf.reshape(t, [t.shape[0]!, ...viewTarget(node, t, target, options.widthScale)]);
      }
      case 'unflatten': {
        const t = need(x);
        const sizes = Array.isArray(a.unflattened_size) ? (a.unflattened_size as AttrValue[]) : undefined;
        if (!sizes || !sizes.every((d) => typeof d === 'number')) fail(node, 'its sizes are not numbers');
        const axis = axisOf(node, a.dim ?? 1, t.rank);
        const shape = t.shape as number[];
        return tf.reshape(t, [...shape.slice(0, axis), ...(sizes as number[]), ...shape.slice(axis + 1)]);
      }
      case 'permute': {
        const t = need(x);
        const dims = Array.isArray(a.dims) ? a.dims : Array.isArray(a.shape) ? a.shape : undefined;
        if (!dims || !dims.every((d) => typeof d === 'number')) fail(node, 'its dimensions are not numbers');
        return tf.transpose(t, (dims as number[]).map((d) => (d < 0 ? t.rank + d : d)));
      }
      case 'transpose': {
        const t = need(x);
        const perm = t.shape.map((_, i) => i);
        const d0 = a.dim0 === undefined ? t.rank - 2 : axisOf(node, a.dim0, t.rank);
        const d1 = a.dim1 === undefined ? t.rank - 1 : axisOf(node, a.dim1, t.rank);
        [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
        return tf.transpose(t, perm);
      }
      case 'squeeze': {
        const t = need(x);
        return a.dim === undefined ? tf.squeeze(t, t.shape.map((s, i) => (i > 0 && s === 1 ? i : -1)).filter((i) => i > 0)) : tf.squeeze(t, [axisOf(node, a.dim, t.rank)]);
      }
      case 'unsqueeze': {
        const t = need(x);
        return tf.expandDims(t, axisOf(node, a.dim ?? -1, t.rank + 1));
      }
      case 'identity':
      case 'contiguous':
        return need(x);
      case 'scale': {
        if (typeof a.factor === 'number') return tf.mul(need(x), a.factor);
        // `scores / math.sqrt(d_k)`: the size is read from the tensor the scores came from (the keys' width).
        if (typeof a.exponent === 'number') return tf.mul(need(x), Math.pow(scaleBase(graph, node, values), a.exponent));
        return need(x);
      }
      case 'dropout':
      case 'alpha_dropout': {
        const t = need(x);
        const p = num(a.p) ?? 0.5;
        if (!opts.dropout || p <= 0) return t;
        return tf.dropout(t, p, undefined, (options.seed * 7919 + (opts.step ?? 0) * 104729 + node.id) % 2147483647);
      }
      case 'batch_norm': {
        const t = need(x);
        // Keras and TF.js normalise the last axis, PyTorch the channel axis 1.
        const channelAxis = pytorchInit || t.rank === 2 ? 1 : t.rank - 1;
        const c = t.shape[channelAxis]!;
        const axes = t.shape.map((_, i) => i).filter((i) => i !== channelAxis);
        const bshape = t.shape.map((s, i) => (i === channelAxis ? s : 1));
        let y: Tensor;
        if (opts.training) {
          const { mean, variance } = tf.moments(t, axes, true);
          y = tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5)));
        } else {
          // Running statistics start at mean 0, variance 1 and the probes never update them.
          y = tf.div(t, Math.sqrt(1 + 1e-5));
        }
        if (a.affine === false) return y;
        const gamma = tf.reshape(param(node, 'weight', [c], constant(1, c)), bshape);
        const beta = tf.reshape(param(node, 'bias', [c], constant(0, c)), bshape);
        return tf.add(tf.mul(y, gamma), beta);
      }
      case 'layer_norm':
      case 'instance_norm':
      case 'group_norm': {
        const t = need(x);
        let axes: number[];
        let paramShape: number[];
        let grouped = t;
        if (node.op === 'layer_norm') {
          const count = Array.isArray(a.features) ? a.features.length : 1;
          axes = t.shape.map((_, i) => i).slice(t.rank - count);
          paramShape = t.shape.slice(t.rank - count) as number[];
        } else if (node.op === 'instance_norm') {
          axes = t.shape.map((_, i) => i).slice(2);
          paramShape = [t.shape[1]!, ...t.shape.slice(2).map(() => 1)];
        } else {
          const groups = num(a.num_groups) ?? 1;
          const c = t.shape[1]!;
          if (c % groups !== 0) fail(node, `${groups} groups do not divide ${c} channels`);
          grouped = tf.reshape(t, [t.shape[0]!, groups, -1]);
          axes = [2];
          paramShape = [c, ...t.shape.slice(2).map(() => 1)];
        }
        const { mean, variance } = tf.moments(grouped, axes, true);
        let y = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), t.shape);
        const affine = node.op === 'layer_norm' ? a.elementwise_affine !== false : node.op === 'group_norm' ? a.affine !== false : a.affine === true;
        if (!affine) return y;
        const size = paramShape.reduce((p, q) => p * q, 1);
        y = tf.mul(y, param(node, 'weight', paramShape, constant(1, size)));
        return tf.add(y, param(node, 'bias', paramShape, constant(0, size)));
      }
      case 'embedding': {
        const t = need(x);
        const vocab = num(a.in) ?? fail(node, 'its vocabulary size is not a number');
        const dim = scaled.get(node.id) ?? num(a.out) ?? fail(node, 'its embedding size is not a number');
        const table = param(node, 'weight', [vocab, dim], () => (pytorchInit ? rng.fillNormal(vocab * dim) : rng.fillUniform(vocab * dim, -0.05, 0.05)));
        const ids = tf.cast(t, 'int32');
        // WASM has no kernel for gather's gradient (UnsortedSegmentSum): there the lookup is one-hot rows times the table.
        if (tf.getBackend() !== 'wasm') return tf.gather(table, ids);
        return tf.reshape(tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), vocab), table), [...t.shape, dim]);
      }
      case 'add':
      case 'sub':
      case 'mul':
      case 'div': {
        if (ins.length < 2) return need(x);
        let [l, r] = [ins[0]!, ins[1]!];
        // Keras merge layers (Multiply, Add) broadcast per sample: the lower-rank operand gets axes after the batch.
        if (!pytorchInit) {
          while (l.rank < r.rank) l = tf.expandDims(l, 1);
          while (r.rank < l.rank) r = tf.expandDims(r, 1);
        }
        if (!broadcastable(l.shape, r.shape)) fail(node, `its operands have shapes ${l.shape.slice(1).join('×')} and ${r.shape.slice(1).join('×')}`);
        return node.op === 'add' ? tf.add(l, r) : node.op === 'sub' ? tf.sub(l, r) : node.op === 'mul' ? tf.mul(l, r) : tf.div(l, r);
      }
      case 'concat': {
        const t = need(x);
        const axis = axisOf(node, a.dim ?? 0, a.stack === true ? t.rank + 1 : t.rank);
        if (axis === 0) fail(node, 'it concatenates along the batch dimension');
        return a.stack === true ? tf.stack(ins, axis) : tf.concat(ins, axis);
      }
      case 'bmm': {
        if (ins.length < 2) fail(node, 'it needs two operands');
        const [l, r] = [ins[0]!, ins[1]!];
        // Keras's Dot(axes=[i, j]) contracts axis i of the first with axis j of the second; a product contracts the
        // first's last axis with the second's next-to-last.
        const axes = Array.isArray(a.axes) ? a.axes : typeof a.axes === 'number' ? [a.axes, a.axes] : undefined;
        if (!axes) return tf.matMul(l, r);
        const [i, j] = [axisOf(node, axes[0] ?? -1, l.rank), axisOf(node, axes[1] ?? -1, r.rank)];
        if (l.rank !== 3 || r.rank !== 3 || i === 0 || j === 0) fail(node, `it contracts axes ${i} and ${j} of ${l.rank}-d and ${r.rank}-d operands, which the probe builder does not compute`);
        return tf.matMul(l, r, i === 1, j === 2);
      }
      case 'lstm':
      case 'gru':
      case 'rnn':
        return recurrent(sequenceEnv(node), node, need(x));
      case 'multihead_attention':
        return multiheadAttention(sequenceEnv(node), node, ins);
      case 'transformer_encoder_layer':
        return transformerEncoderLayer(sequenceEnv(node), node, need(x));
      default: {
        const computed = tensorOp({ tf, graph, stochastic: opts.dropout, seed: (options.seed * 7919 + (opts.step ?? 0) * 104729 + node.id) % 2147483647, fail: (detail) => fail(node, detail) }, node, ins);
        if (computed) return computed;
        if (node.category === 'activation') return activation(tf, node, need(x), (suffix, shape, init) => param(node, suffix, shape, init));
        fail(node, node.op === 'opaque'
          ? `the extractor did not understand \`${node.label ?? 'this call'}\`${node.reason ? ` (${node.reason})` : ''}`
          : `\`${node.op}\` is not supported by the probe builder yet`);
      }
    }
  };
  const sequenceEnv = (node: GraphNode): SequenceEnv => ({
    tf,
    param: (suffix, shape, init) => param(node, suffix, shape, init),
    uniform: (size, bound) => () => rng.fillUniform(size, -bound, bound),
    fail: (detail) => fail(node, detail),
    scaledWidth: (width) => (options.widthScale !== undefined && options.widthScale !== 1 ? Math.max(2, Math.round(width * options.widthScale)) : width),
  });
  let values = new Map<number, Tensor>();

  // Per sample, the values the patches path of the convolutions keeps (counted while building; see patchFloats).
  let patchWorkspace = 0;
  const forward = (inputs: readonly Tensor[], opts: ForwardOptions): Tensor => {
    values = new Map<number, Tensor>();
    graph.inputs.forEach((id, i) => {
      const t = inputs[i];
      if (t) values.set(id, t);
      if (t) opts.shapes?.set(id, t.shape.slice(1));
    });
    for (const node of graph.nodes) {
      if (node.category === 'input' || !needed.has(node.id)) continue;
      const ins = node.inputs.map((id) => values.get(id)).filter((t): t is Tensor => t !== undefined);
      if (ins.length < node.inputs.length) fail(node, 'one of its inputs could not be computed');
      let value: Tensor;
      try {
        value = evalNode(node, ins, opts);
      } catch (e) {
        // A TensorFlow.js error (a rank or size the op cannot take) names no line: it gets the node's, with the shapes.
        if (e instanceof ProbeBuildError || !(e instanceof Error)) throw e;
        fail(node, `${e.message.replace(/\.$/, '')} (input shape ${ins.map((t) => t.shape.slice(1).join('×') || 'scalar').join(', ')} per sample)`);
      }
      values.set(node.id, value);
      opts.shapes?.set(node.id, value.shape.slice(1));
    }
    return values.get(outputId) ?? fail(outputNode, 'the output could not be computed');
  };

  // Building runs the graph once on a batch of two, which creates the variables with their real sizes.
  const inputs = resolution.inputs;
  const nodeShapes = new Map<number, readonly number[]>();
  let outputShape: number[];
  try {
    outputShape = tf.tidy(() => {
      const dummy = inputs.map((input) => (input.vocabulary !== undefined ? tf.zeros([2, ...input.shape], 'int32') : tf.zeros([2, ...input.shape])));
      return forward(dummy, { training: true, dropout: false, shapes: nodeShapes }).shape.slice(1) as number[];
    });
  } catch (error) {
    for (const v of variables.values()) v.dispose();
    throw error;
  }

  const unapplied = graph.layers
    .filter((decl) => PARAMETERISED.has(decl.category) && !graph.nodes.some((n) => (n.layerId ?? n.module) === decl.layerId || n.module === decl.module))
    .map((decl) => ({ decl, variable: tf.variable(tf.tensor(rng.fillUniform(4, -0.5, 0.5), [4]), true, prefix + sanitize(`${decl.module}.unapplied`)) }));

  const parameterCount = params.reduce((n, p) => n + p.variable.size, 0);
  return {
    graph,
    inputs,
    notes: [...resolution.notes, ...(scaled.size > 0 ? [`hidden widths scaled by ${options.widthScale}`] : [])],
    params,
    unapplied,
    outputShape,
    outputNode,
    nodeShapes,
    activationsPerSample: [...nodeShapes.values()].reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0) + patchWorkspace,
    parameterCount,
    hasDropout,
    forward,
    dispose() {
      for (const p of params) p.variable.dispose();
      for (const u of unapplied) u.variable.dispose();
    },
  };
}

/** Values a batch may hold across its forward pass (about 8 MB of floats; the backward pass keeps a few times that). */
const ACTIVATION_BUDGET = 2_000_000;

/**
 * The batch size for a probe: its preferred size, smaller for models whose samples are large (feature maps), so the
 * run stays within memory and time; never below `minimum`.
 */
export function batchSize(model: ProbeModel, preferred: number, minimum: number): number {
  const fits = Math.floor(ACTIVATION_BUDGET / Math.max(1, model.activationsPerSample));
  return Math.max(minimum, Math.min(preferred, fits));
}

/**
 * Values per sample a convolution's patches path keeps for the backward pass (one slice of the input per kernel
 * offset, WASM's and dilated convolutions' way): on a transposed convolution's zero-filled input this is what
 * fills memory (pytorch/examples' dcgan Generator: 4.5 M per sample in its last layer). Zero for tf.conv2d.
 */
function patchFloats(tf: TF, y: Tensor, k: readonly number[], d: readonly number[], cin: number): number {
  if (!usesPatches(tf, d)) return 0;
  const spatial = y.shape.slice(1, -1).reduce((p, q) => p * q, 1);
  return 2 * spatial * cin * k.reduce((p, q) => p * q, 1);
}

/** Whether the node's attribute was a name or an expression the probe gave a value (see sizes.ts). */
function assumed(node: GraphNode, key: string): boolean {
  const list = node.attrs.assumed_sizes;
  return Array.isArray(list) && list.includes(key);
}

/**
 * The per-sample target of a view/reshape. Sizes the probe assumed may disagree with the tensor (`C` read from
 * `x.size()` against a `config.n_embd` given another value), so when the product does not match, the entry that
 * makes it match as -1 is taken; one entry the graph could not read at all is -1 too.
 */
function viewTarget(node: GraphNode, t: Tensor, target: readonly AttrValue[], widthScale?: number): number[] {
  const total = t.shape.slice(1).reduce((p, q) => p * q, 1);
  // `x.view(sz_b, len_q, -1)` with `len_q = q.size(1)`: a size read from a tensor is most often the same axis of the
  // tensor being reshaped; the live size is taken when it makes the product match.
  const live = target.map((d) => {
    const m = typeof d === 'string' ? /^dim(-?\d+)$/.exec(d) : null;
    const axis = m ? (Number(m[1]) < 0 ? t.rank + Number(m[1]) : Number(m[1])) : -1;
    return axis >= 1 && axis < t.rank ? t.shape[axis]! : d;
  });
  if (live.some((d, i) => d !== target[i]) && live.every((d) => typeof d === 'number')) {
    const known = (live as number[]).filter((d) => d !== -1).reduce((p, q) => p * q, 1);
    const free = live.filter((d) => d === -1).length;
    if (free === 0 ? known === total : free === 1 && known > 0 && total % known === 0) return live as number[];
  }
  const unknown = target.map((d, i) => (typeof d === 'number' ? -1 : i)).filter((i) => i >= 0);
  if (unknown.length > 1) {
    // `x.view(b, 128, self.init_size, self.init_size)` with the size unread: equal sides, as image generators write.
    const sides = (entries: readonly AttrValue[]): number[] | undefined => {
      const known = entries.reduce<number>((p, d) => (typeof d === 'number' && d > 0 ? p * d : p), 1);
      const side = Math.round(Math.pow(total / known, 1 / unknown.length));
      return known > 0 && side > 0 && Math.pow(side, unknown.length) * known === total ? entries.map((d) => (typeof d === 'number' ? d : side)) : undefined;
    };
    // With widths scaled, the layer before holds the scaled width: its channels (the written numbers) scale too.
    const scaled = widthScale !== undefined && widthScale !== 1 ? target.map((d) => (typeof d === 'number' && d > 1 ? Math.max(1, Math.round(d * widthScale)) : d)) : undefined;
    const found = (scaled && sides(scaled)) ?? sides(target);
    if (found) return found;
    fail(node, `the target shape (${target.join(', ')}) has more than one size the probe cannot read`);
  }
  const dims = target.map((d) => (typeof d === 'number' ? d : -1));
  const fits = (ds: number[]) => {
    const known = ds.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
    const free = ds.filter((d) => d === -1).length;
    return free === 0 ? known === total : free === 1 && known > 0 && total % known === 0;
  };
  if (fits(dims)) return dims;
  if (unknown.length === 0 && (assumed(node, 'shape') || dims.includes(-1))) {
    for (let i = dims.length - 1; i >= 0; i--) {
      const trial = dims.map((d, k) => (k === i ? -1 : d === -1 ? -2 : d));
      if (trial.includes(-2)) continue;
      if (fits(trial)) return trial;
    }
  }
  return fail(node, `it reshapes ${t.shape.slice(1).join('×')} (${total} values per sample) to ${target.join('×')}`);
}

/** The size a `scale` by a power of a tensor size refers to: the width of the keys of the product it scales. */
function scaleBase(graph: ModelGraph, node: GraphNode, values: ReadonlyMap<number, Tensor>): number {
  const id = node.inputs[0];
  if (id === undefined) return 1;
  const producer = ModelGraph.node(graph, id);
  const source = producer.op === 'bmm' || producer.op === 'matmul' ? values.get(producer.inputs[0] ?? -1) : values.get(id);
  return source?.shape[source.shape.length - 1] ?? 1;
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.\-/]/g, '_');
}

function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i]!;
    const y = b[b.length - i]!;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

/** New output widths for hidden affine layers when scaling; the layers that fix the output width keep theirs. */
function scaledWidths(graph: ModelGraph, needed: Set<number>, outputId: number, factor: number | undefined): Map<number, number> {
  const result = new Map<number, number>();
  if (factor === undefined || factor === 1) return result;
  // The affine layers whose output reaches the model's output through width-preserving ops keep their width.
  const keep = new Set<number>();
  const stack = [outputId];
  while (stack.length > 0) {
    const node = ModelGraph.node(graph, stack.pop()!);
    if (node.category === 'affine' || node.op === 'embedding') {
      keep.add(node.id);
      continue;
    }
    stack.push(...node.inputs);
  }
  for (const node of graph.nodes) {
    if (!needed.has(node.id) || keep.has(node.id) || !(node.category === 'affine' || node.op === 'embedding')) continue;
    const out = num(node.attrs.out);
    if (out !== undefined) result.set(node.id, Math.max(2, Math.round(out * factor)));
  }
  return result;
}
