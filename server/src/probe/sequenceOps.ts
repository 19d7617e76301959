// The probe builder's sequence layers: RNN, LSTM and GRU (unrolled over the sequence, stacked and bidirectional as
// configured), multi-head attention and the Transformer encoder layer, written with TensorFlow.js ops so that their
// gradients come for free. Tensors are batch first ([batch, time, features]) whatever the source's `batch_first`:
// a probe feeds its own data, so only the per-sample computation has to match. Initialisation is PyTorch's:
// U(±1/√hidden) for recurrent weights, Xavier-uniform for attention projections.

import type * as tfc from '@tensorflow/tfjs-core';
import type { GraphNode } from '../core/graph';
import { num } from './attrs';

type TF = typeof tfc;
type Tensor = tfc.Tensor;

/** Creates (or returns the shared) variable `suffix` of the node's layer. */
export type ParamFactory = (suffix: string, shape: number[], init: () => Float32Array) => tfc.Variable;

export interface SequenceEnv {
  readonly tf: TF;
  readonly param: ParamFactory;
  uniform(size: number, bound: number): () => Float32Array;
  /** Reports an op the builder cannot compute, naming it and its line. */
  fail(detail: string): never;
  /** The width a hidden layer gets after width scaling (itself when unscaled). */
  scaledWidth(width: number): number;
}


/** `nn.RNN`, `nn.LSTM`, `nn.GRU` (and Keras's SimpleRNN/LSTM/GRU): the output sequence, [batch, time, hidden·dirs]. */
export function recurrent(env: SequenceEnv, node: GraphNode, input: Tensor): Tensor {
  const { tf } = env;
  const a = node.attrs;
  let x = input.rank === 2 ? tf.expandDims(input, 1) : input;
  if (x.rank !== 3) env.fail(`it expects a (batch, time, features) input but receives ${x.rank}-d`);
  const hidden = env.scaledWidth(num(a.hidden_size) ?? num(a.out) ?? env.fail('its hidden size is not a number'));
  const layers = num(a.num_layers) ?? 1;
  const dirs = a.bidirectional === true ? 2 : 1;
  const gates = node.op === 'lstm' ? 4 : node.op === 'gru' ? 3 : 1;
  const bound = 1 / Math.sqrt(hidden);
  const steps = x.shape[1]!;
  for (let layer = 0; layer < layers; layer++) {
    const fanIn = x.shape[2]!;
    const outputs: Tensor[] = [];
    for (let dir = 0; dir < dirs; dir++) {
      const tag = `l${layer}${dir === 1 ? '_reverse' : ''}`;
      const wIh = env.param(`weight_ih_${tag}`, [fanIn, gates * hidden], env.uniform(fanIn * gates * hidden, bound));
      const wHh = env.param(`weight_hh_${tag}`, [hidden, gates * hidden], env.uniform(hidden * gates * hidden, bound));
      const bIh = env.param(`bias_ih_${tag}`, [gates * hidden], env.uniform(gates * hidden, bound));
      const bHh = env.param(`bias_hh_${tag}`, [gates * hidden], env.uniform(gates * hidden, bound));
      const batch = x.shape[0]!;
      // The input projection of every step at once; only the recurrence runs step by step.
      const projected = tf.add(tf.reshape(tf.matMul(tf.reshape(x, [-1, fanIn]), wIh), [batch, steps, gates * hidden]), bIh);
      let h: Tensor = tf.zeros([batch, hidden]);
      let c: Tensor = tf.zeros([batch, hidden]);
      const seq: Tensor[] = new Array(steps);
      for (let s = 0; s < steps; s++) {
        const t = dir === 0 ? s : steps - 1 - s;
        const xi = tf.reshape(tf.slice(projected, [0, t, 0], [batch, 1, gates * hidden]), [batch, gates * hidden]);
        const hh = tf.add(tf.matMul(h, wHh), bHh);
        if (node.op === 'lstm') {
          const [i, f, g, o] = tf.split(tf.add(xi, hh), 4, 1) as Tensor[];
          c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
          h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
        } else if (node.op === 'gru') {
          const [xr, xz, xn] = tf.split(xi, 3, 1) as Tensor[];
          const [hr, hz, hn] = tf.split(hh, 3, 1) as Tensor[];
          const r = tf.sigmoid(tf.add(xr!, hr!));
          const z = tf.sigmoid(tf.add(xz!, hz!));
          const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
          h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
        } else {
          h = a.nonlinearity === 'relu' ? tf.relu(tf.add(xi, hh)) : tf.tanh(tf.add(xi, hh));
        }
        seq[t] = h;
      }
      outputs.push(tf.stack(seq, 1));
    }
    x = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 2);
  }
  return input.rank === 2 && a.return_sequences !== true ? tf.squeeze(x, [1]) : x;
}

/** Scaled dot-product attention over heads: q [b, tq, e], k and v [b, tk, e]; causal masks the future when set. */
export function attend(tf: TF, q: Tensor, k: Tensor, v: Tensor, heads: number, causal: boolean): Tensor {
  const [b, tq, e] = q.shape as number[];
  const tk = k.shape[1]!;
  const d = e! / heads;
  const split = (t: Tensor, len: number) => tf.transpose(tf.reshape(t, [b!, len, heads, d]), [0, 2, 1, 3]);
  let scores = tf.mul(tf.matMul(split(q, tq!), split(k, tk), false, true), 1 / Math.sqrt(d));
  if (causal) scores = tf.add(scores, causalMask(tf, tq!, tk));
  const weights = tf.softmax(scores, -1);
  return tf.reshape(tf.transpose(tf.matMul(weights, split(v, tk)), [0, 2, 1, 3]), [b!, tq!, e!]);
}

/** An additive mask that hides the future: 0 on and below the diagonal, −1e9 above it. */
export function causalMask(tf: TF, rows: number, cols: number): Tensor {
  const mask = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = i + 1; j < cols; j++) mask[i * cols + j] = -1e9;
  return tf.tensor(mask, [rows, cols]);
}

/** `nn.MultiheadAttention(embed_dim, num_heads)` applied to (query, key, value): input and output projections. */
export function multiheadAttention(env: SequenceEnv, node: GraphNode, ins: readonly Tensor[], prefix = ''): Tensor {
  const { tf } = env;
  const q = ins[0] ?? env.fail('its query is missing');
  const k = ins[1] ?? q;
  const v = ins[2] ?? k;
  const threeD = (t: Tensor) => (t.rank === 2 ? tf.expandDims(t, 1) : t);
  const [q3, k3, v3] = [threeD(q), threeD(k), threeD(v)];
  if (q3.rank !== 3) env.fail(`it expects (batch, time, features) inputs but receives ${q.rank}-d`);
  const e = q3.shape[2]!;
  const heads = num(node.attrs.num_heads) ?? num(node.attrs.nhead) ?? 1;
  if (e % heads !== 0) env.fail(`${heads} heads do not divide the embedding size ${e}`);
  const bound = Math.sqrt(6 / (e + e));
  const project = (t: Tensor, name: string) => {
    const w = env.param(`${prefix}${name}.weight`, [e, e], env.uniform(e * e, bound));
    const b = env.param(`${prefix}${name}.bias`, [e], () => new Float32Array(e));
    return tf.add(tf.reshape(tf.matMul(tf.reshape(t, [-1, e]), w), [t.shape[0]!, t.shape[1]!, e]), b);
  };
  const y = project(attend(tf, project(q3, 'q_proj'), project(k3, 'k_proj'), project(v3, 'v_proj'), heads, node.attrs.is_causal === true), 'out_proj');
  return q.rank === 2 ? tf.squeeze(y, [1]) : y;
}

/** `nn.TransformerEncoderLayer`: self-attention and a feed-forward block, each with a residual and a layer norm. */
export function transformerEncoderLayer(env: SequenceEnv, node: GraphNode, input: Tensor): Tensor {
  const { tf } = env;
  const a = node.attrs;
  const e = input.shape[input.rank - 1]!;
  const ff = env.scaledWidth(num(a.dim_feedforward) ?? 2048);
  const normFirst = a.norm_first === true;
  const norm = (t: Tensor, name: string) => {
    const { mean, variance } = tf.moments(t, [t.rank - 1], true);
    const g = env.param(`${name}.weight`, [e], () => new Float32Array(e).fill(1));
    const b = env.param(`${name}.bias`, [e], () => new Float32Array(e));
    return tf.add(tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const linear = (t: Tensor, name: string, fanIn: number, fanOut: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const w = env.param(`${name}.weight`, [fanIn, fanOut], env.uniform(fanIn * fanOut, bound));
    const b = env.param(`${name}.bias`, [fanOut], env.uniform(fanOut, bound));
    return tf.add(tf.reshape(tf.matMul(tf.reshape(t, [-1, fanIn]), w), [...t.shape.slice(0, -1), fanOut]), b);
  };
  const act = (t: Tensor) => (a.activation === 'gelu' ? tf.mul(t, tf.sigmoid(tf.mul(t, 1.702))) : tf.relu(t));
  const attention = (t: Tensor) => multiheadAttention(env, node, [t, t, t], 'self_attn.');
  const feedForward = (t: Tensor) => linear(act(linear(t, 'linear1', e, ff)), 'linear2', ff, e);
  let x = input;
  if (normFirst) {
    x = tf.add(x, attention(norm(x, 'norm1')));
    x = tf.add(x, feedForward(norm(x, 'norm2')));
  } else {
    x = norm(tf.add(x, attention(x)), 'norm1');
    x = norm(tf.add(x, feedForward(x)), 'norm2');
  }
  return x;
}
