// The probe builder's convolutions and pools, channels-last as TensorFlow.js computes them: the plain convolution
// (written as patches times the kernel where the backend lacks the filter gradient), the transposed convolution
// (zeros between the input's elements, then a plain convolution, then the crop) and 1-d/2-d pooling.

import type * as tfc from '@tensorflow/tfjs-core';

type TF = typeof tfc;
type Tensor = tfc.Tensor;

/**
 * A channels-last convolution. Backends with the filter-gradient kernel (cpu, tensorflow) use tf.conv1d/conv2d; the
 * WASM backend lacks Conv2DBackpropFilter, so there the convolution is written as patches (one slice per kernel
 * offset, concatenated) times the reshaped kernel, whose gradients WASM has.
 */
export function convolve(tf: TF, input: Tensor, w: Tensor, rank: number, k: number[], s: number[], d: number[], padding: 'same' | 'valid'): Tensor {
  if (!usesPatches(tf, d)) {
    return rank === 1
      ? tf.conv1d(input as tfc.Tensor3D, w as tfc.Tensor3D, s[0]!, padding, 'NWC', d[0]!)
      : tf.conv2d(input as tfc.Tensor4D, w as tfc.Tensor4D, [s[0]!, s[1]!], padding, 'NHWC', [d[0]!, d[1]!]);
  }
  // 1-d runs as 2-d over a height of one.
  let x = rank === 1 ? tf.expandDims(input, 1) : input;
  const kk = rank === 1 ? [1, k[0]!] : [k[0]!, k[1]!];
  const ss = rank === 1 ? [1, s[0]!] : [s[0]!, s[1]!];
  const dd = rank === 1 ? [1, d[0]!] : [d[0]!, d[1]!];
  const [batch, h0, w0, cin] = x.shape as number[];
  if (padding === 'same') {
    const pads = [h0!, w0!].map((size, i) => {
      const out = Math.ceil(size / ss[i]!);
      const total = Math.max(0, (out - 1) * ss[i]! + (kk[i]! - 1) * dd[i]! + 1 - size);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
    });
    x = tf.pad(x, [[0, 0], pads[0]!, pads[1]!, [0, 0]]);
  }
  const [, h, wd] = x.shape as number[];
  const outH = Math.floor((h! - (kk[0]! - 1) * dd[0]! - 1) / ss[0]!) + 1;
  const outW = Math.floor((wd! - (kk[1]! - 1) * dd[1]! - 1) / ss[1]!) + 1;
  const patches: Tensor[] = [];
  for (let i = 0; i < kk[0]!; i++) {
    for (let j = 0; j < kk[1]!; j++) {
      const spanH = (outH - 1) * ss[0]! + 1;
      const spanW = (outW - 1) * ss[1]! + 1;
      let p = tf.slice(x, [0, i * dd[0]!, j * dd[1]!, 0], [batch!, spanH, spanW, cin!]);
      if (ss[0]! > 1 || ss[1]! > 1) {
        // Every s-th row and column: pad to a multiple of the stride, fold the stride into its own axis, keep index 0.
        p = tf.pad(p, [[0, 0], [0, outH * ss[0]! - spanH], [0, outW * ss[1]! - spanW], [0, 0]]);
        p = tf.reshape(p, [batch!, outH, ss[0]!, outW, ss[1]!, cin!]);
        p = tf.reshape(tf.slice(p, [0, 0, 0, 0, 0, 0], [batch!, outH, 1, outW, 1, cin!]), [batch!, outH, outW, cin!]);
      }
      patches.push(p);
    }
  }
  const cols = patches.length === 1 ? patches[0]! : tf.concat(patches, 3);
  const cout = w.shape[w.shape.length - 1]!;
  const y = tf.reshape(tf.matMul(tf.reshape(cols, [-1, kk[0]! * kk[1]! * cin!]), tf.reshape(w, [-1, cout])), [batch!, outH, outW, cout]);
  return rank === 1 ? tf.squeeze(y, [1]) : y;
}

/** Whether a convolution takes the patches path: on WASM, and for dilations above 1, which tfjs has no gradient for. */
export function usesPatches(tf: TF, d: readonly number[]): boolean {
  return tf.getBackend() === 'wasm' || d.some((v) => v !== 1);
}

export function channelsLast(tf: TF, t: Tensor): Tensor {
  return t.rank === 3 ? tf.transpose(t, [0, 2, 1]) : tf.transpose(t, [0, 2, 3, 1]);
}

export function channelsFirst(tf: TF, t: Tensor): Tensor {
  return t.rank === 3 ? tf.transpose(t, [0, 2, 1]) : tf.transpose(t, [0, 3, 1, 2]);
}

export function pool2d(tf: TF, t: Tensor, kind: 'max' | 'avg', k: number[], s: number[], p: number[], last: boolean, same: boolean): Tensor {
  // 1-d pools run as 2-d pools over a height of one.
  const oneD = t.rank === 3;
  let x = last ? t : channelsLast(tf, t);
  if (oneD) x = tf.expandDims(x, 1);
  const kk: [number, number] = oneD ? [1, k[0]!] : [k[0]!, k[1]!];
  const ss: [number, number] = oneD ? [1, s[0]!] : [s[0]!, s[1]!];
  const pp = oneD ? [0, p[0]!] : [p[0]!, p[1]!];
  if (pp.some((v) => v > 0)) x = tf.pad(x, [[0, 0], [pp[0]!, pp[0]!], [pp[1]!, pp[1]!], [0, 0]], kind === 'max' ? -1e9 : 0);
  const padding = same ? 'same' : 'valid';
  let y = kind === 'max' ? tf.maxPool(x as tfc.Tensor4D, kk, ss, padding) : tf.avgPool(x as tfc.Tensor4D, kk, ss, padding);
  if (oneD) y = tf.squeeze(y, [1]) as tfc.Tensor4D;
  return last ? y : channelsFirst(tf, y);
}

/**
 * A channels-last transposed convolution (PyTorch's ConvTranspose, Keras's Conv2DTranspose): s−1 zeros between the
 * input's elements, a full plain convolution over that (so its gradients are the plain convolution's, on every
 * backend), then `crop` taken off each side of each spatial axis ([before, after], negative for extra
 * output_padding). The weights are random, so a flipped kernel is the same model.
 */
export function convTranspose(tf: TF, input: Tensor, w: Tensor, rank: number, k: number[], s: number[], d: number[], crop: [number, number][]): Tensor {
  let x = rank === 1 ? tf.expandDims(input, 1) : input;
  const kk = rank === 1 ? [1, k[0]!] : [k[0]!, k[1]!];
  const ss = rank === 1 ? [1, s[0]!] : [s[0]!, s[1]!];
  const dd = rank === 1 ? [1, d[0]!] : [d[0]!, d[1]!];
  const cc: [number, number][] = rank === 1 ? [[0, 0], crop[0]!] : [crop[0]!, crop[1]!];
  const [batch, h, wd, cin] = x.shape as number[];
  if (ss[0]! > 1 || ss[1]! > 1) {
    x = tf.reshape(x, [batch!, h!, 1, wd!, 1, cin!]);
    x = tf.pad(x, [[0, 0], [0, 0], [0, ss[0]! - 1], [0, 0], [0, ss[1]! - 1], [0, 0]]);
    x = tf.reshape(x, [batch!, h! * ss[0]!, wd! * ss[1]!, cin!]);
    x = tf.slice(x, [0, 0, 0, 0], [batch!, (h! - 1) * ss[0]! + 1, (wd! - 1) * ss[1]! + 1, cin!]);
  }
  // Full padding, then the crop; a negative crop (output_padding beyond the padding) is more zero padding.
  const pads = [0, 1].map((i): [number, number] => {
    const full = dd[i]! * (kk[i]! - 1);
    return [Math.max(0, full - cc[i]![0]), Math.max(0, full - cc[i]![1])];
  });
  x = tf.pad(x, [[0, 0], pads[0]!, pads[1]!, [0, 0]]);
  let y = convolve(tf, x, rank === 1 ? tf.expandDims(w, 0) : w, 2, kk, [1, 1], dd, 'valid');
  const [, oh, ow] = y.shape as number[];
  const over = [0, 1].map((i) => [Math.max(0, cc[i]![0] - dd[i]! * (kk[i]! - 1)), Math.max(0, cc[i]![1] - dd[i]! * (kk[i]! - 1))]);
  if (over.some(([a, b]) => a! > 0 || b! > 0)) {
    y = tf.slice(y, [0, over[0]![0]!, over[1]![0]!, 0], [batch!, oh! - over[0]![0]! - over[0]![1]!, ow! - over[1]![0]! - over[1]![1]!, y.shape[3]!]);
  }
  return rank === 1 ? tf.squeeze(y, [1]) : y;
}
