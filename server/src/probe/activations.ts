// The probe builder's activations: every activation op the frontends emit, as TensorFlow.js computes it, with
// PyTorch's implicit softmax axis where the code gives none. PReLU's slope is the one parameter here.

import type * as tfc from '@tensorflow/tfjs-core';
import type { GraphNode } from '../core/graph';
import { axisOf, fail, num } from './attrs';

type TF = typeof tfc;
type Tensor = tfc.Tensor;

export type ParamFactory = (suffix: string, shape: number[], init: () => Float32Array) => tfc.Variable;

export function activation(tf: TF, node: GraphNode, x: Tensor, param: ParamFactory): Tensor {
  const a = node.attrs;
  const softmaxAxis = (): number => {
    if (typeof a.dim === 'number') return axisOf(node, a.dim, x.rank);
    // PyTorch's implicit choice for softmax without `dim`: 0 for 0-, 1- and 3-d inputs, else 1.
    if (a.dim === undefined || a.dim === null) return x.rank === 0 || x.rank === 1 || x.rank === 3 ? 0 : 1;
    return x.rank - 1;
  };
  switch (node.op) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, num(a.negative_slope) ?? 0.01);
    case 'prelu': {
      const n = num(a.num_parameters) ?? 1;
      const alpha = param('weight', [n], () => new Float32Array(n).fill(0.25));
      const shaped = n === 1 ? alpha : tf.reshape(alpha, x.shape.map((s, i) => (i === 1 ? s : 1)));
      return tf.add(tf.relu(x), tf.mul(shaped, tf.neg(tf.relu(tf.neg(x)))));
    }
    case 'rrelu':
      return tf.leakyRelu(x, ((num(a.lower) ?? 1 / 8) + (num(a.upper) ?? 1 / 3)) / 2);
    case 'elu':
    case 'celu': {
      const alpha = num(a.alpha) ?? 1;
      return alpha === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(alpha, tf.sub(tf.exp(tf.div(x, alpha)), 1)));
    }
    case 'selu':
      return tf.selu(x);
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'mish':
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hardsigmoid':
      return tf.div(tf.relu6(tf.add(x, 3)), 6);
    case 'hardswish':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'hardtanh':
      return tf.clipByValue(x, num(a.min_val) ?? -1, num(a.max_val) ?? 1);
    case 'softplus': {
      const beta = num(a.beta) ?? 1;
      return beta === 1 ? tf.softplus(x) : tf.div(tf.softplus(tf.mul(x, beta)), beta);
    }
    case 'softsign':
      return tf.div(x, tf.add(1, tf.abs(x)));
    case 'tanhshrink':
      return tf.sub(x, tf.tanh(x));
    case 'softmax':
    case 'log_softmax':
    case 'softmin': {
      const axis = softmaxAxis();
      const z = node.op === 'softmin' ? tf.neg(x) : x;
      const logp = tf.sub(z, tf.logSumExp(z, axis, true));
      return node.op === 'log_softmax' ? logp : tf.exp(logp);
    }
    case 'glu': {
      const axis = typeof a.dim === 'number' ? axisOf(node, a.dim, x.rank) : x.rank - 1;
      if (x.shape[axis]! % 2 !== 0) fail(node, `GLU needs an even size along dimension ${axis}, not ${x.shape[axis]}`);
      const [l, r] = tf.split(x, 2, axis);
      return tf.mul(l!, tf.sigmoid(r!));
    }
    default:
      return fail(node, `the activation \`${node.op}\` is not supported by the probe builder yet`);
  }
}
