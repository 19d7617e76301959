// Keras's and TensorFlow.js's spellings of the canonical ops. Both frameworks share one layer vocabulary (TF.js
// mirrors Keras in camelCase), so one catalog serves the Keras frontend (Python) and the TF.js frontend
// (JavaScript, TypeScript): layers are keyed by their lower-case name without underscores (`Conv2D`, `conv2d` and
// `tf.layers.conv2d` all read `conv2d`), and configuration keys are read in snake_case (`kernelSize` → `kernel_size`).

import type { AttrValue, OpCategory } from '../graph';

export type KerasLayerKind =
  /** A layer with weights or a fixed op: Dense, Conv2D, Flatten, Dropout, … */
  | 'op'
  /** A layer that is an activation itself: Activation('relu'), ReLU(), Softmax(). */
  | 'activation'
  /** A layer that merges a list of tensors: Add, Concatenate, Multiply. */
  | 'merge'
  /** A layer that wraps another: Bidirectional, TimeDistributed. */
  | 'wrapper'
  /** Input / InputLayer. */
  | 'input'
  /** Lambda: arbitrary code, shown as an opaque step. */
  | 'lambda';

export interface KerasLayerSpec {
  readonly kind: KerasLayerKind;
  /** The canonical op (for activation layers, the op when no name is given). */
  readonly op: string;
  /** Positional parameter names, in the constructor's order (Python only; TF.js takes one config object). */
  readonly params: readonly string[];
  readonly defaults?: Readonly<Record<string, AttrValue>>;
  /** A category other than the op's own (GaussianNoise is regularization though its op is not dropout). */
  readonly category?: OpCategory;
  /** Spatial rank for convolutions and pooling, so shapes know the layout is channels-last. */
  readonly rank?: 1 | 2 | 3;
}

const conv = (op: string, rank: 1 | 2 | 3): KerasLayerSpec => ({
  kind: 'op',
  op,
  rank,
  params: ['filters', 'kernel_size', 'strides', 'padding'],
  defaults: { strides: 1, padding: 'valid', use_bias: true },
});
const pool = (op: string, rank: 1 | 2 | 3): KerasLayerSpec => ({ kind: 'op', op, rank, params: ['pool_size', 'strides', 'padding'], defaults: { padding: 'valid' } });
const globalPool = (op: string, rank: 1 | 2 | 3): KerasLayerSpec => ({ kind: 'op', op, rank, params: [], defaults: { global: true } });
const rnn = (op: string): KerasLayerSpec => ({ kind: 'op', op, params: ['units', 'activation'], defaults: { return_sequences: false } });
const merge = (op: string, params: string[] = []): KerasLayerSpec => ({ kind: 'merge', op, params });
const actLayer = (op: string, params: string[] = []): KerasLayerSpec => ({ kind: 'activation', op, params });
const dropout = (op = 'dropout'): KerasLayerSpec => ({ kind: 'op', op, params: ['rate'] });
const shaping = (op: string, params: string[] = []): KerasLayerSpec => ({ kind: 'op', op, params, category: 'reshape' });

/** Layers by lower-case name without underscores. */
export const KERAS_LAYERS: Readonly<Record<string, KerasLayerSpec>> = {
  dense: { kind: 'op', op: 'linear', params: ['units', 'activation'], defaults: { use_bias: true } },
  einsumdense: { kind: 'op', op: 'linear', params: ['equation', 'output_shape', 'activation'], defaults: { use_bias: true } },
  conv1d: conv('conv1d', 1),
  conv2d: conv('conv2d', 2),
  conv3d: conv('conv3d', 3),
  convolution1d: conv('conv1d', 1),
  convolution2d: conv('conv2d', 2),
  convolution3d: conv('conv3d', 3),
  separableconv1d: conv('conv1d', 1),
  separableconv2d: conv('conv2d', 2),
  separableconvolution2d: conv('conv2d', 2),
  depthwiseconv2d: { ...conv('conv2d', 2), params: ['kernel_size', 'strides', 'padding'] },
  conv1dtranspose: conv('conv_transpose1d', 1),
  conv2dtranspose: conv('conv_transpose2d', 2),
  conv3dtranspose: conv('conv_transpose3d', 3),
  convolution2dtranspose: conv('conv_transpose2d', 2),
  deconvolution2d: conv('conv_transpose2d', 2),
  maxpooling1d: pool('max_pool1d', 1),
  maxpooling2d: pool('max_pool2d', 2),
  maxpooling3d: pool('max_pool3d', 3),
  maxpool1d: pool('max_pool1d', 1),
  maxpool2d: pool('max_pool2d', 2),
  maxpool3d: pool('max_pool3d', 3),
  averagepooling1d: pool('avg_pool1d', 1),
  averagepooling2d: pool('avg_pool2d', 2),
  averagepooling3d: pool('avg_pool3d', 3),
  avgpool1d: pool('avg_pool1d', 1),
  avgpool2d: pool('avg_pool2d', 2),
  avgpool3d: pool('avg_pool3d', 3),
  globalaveragepooling1d: globalPool('adaptive_avg_pool1d', 1),
  globalaveragepooling2d: globalPool('adaptive_avg_pool2d', 2),
  globalaveragepooling3d: globalPool('adaptive_avg_pool3d', 3),
  globalavgpool1d: globalPool('adaptive_avg_pool1d', 1),
  globalavgpool2d: globalPool('adaptive_avg_pool2d', 2),
  globalmaxpooling1d: globalPool('adaptive_max_pool1d', 1),
  globalmaxpooling2d: globalPool('adaptive_max_pool2d', 2),
  globalmaxpooling3d: globalPool('adaptive_max_pool3d', 3),
  globalmaxpool1d: globalPool('adaptive_max_pool1d', 1),
  globalmaxpool2d: globalPool('adaptive_max_pool2d', 2),
  flatten: { kind: 'op', op: 'flatten', params: [] },
  reshape: { kind: 'op', op: 'reshape', params: ['target_shape'] },
  permute: { kind: 'op', op: 'permute', params: ['dims'] },
  repeatvector: shaping('repeat', ['n']),
  upsampling1d: shaping('upsample', ['size']),
  upsampling2d: shaping('upsample', ['size']),
  upsampling3d: shaping('upsample', ['size']),
  zeropadding1d: shaping('pad', ['padding']),
  zeropadding2d: shaping('pad', ['padding']),
  zeropadding3d: shaping('pad', ['padding']),
  cropping1d: shaping('crop', ['cropping']),
  cropping2d: shaping('crop', ['cropping']),
  cropping3d: shaping('crop', ['cropping']),
  resizing: shaping('resize', ['height', 'width']),
  rescaling: { kind: 'op', op: 'scale', params: ['scale', 'offset'] },
  dropout: dropout(),
  spatialdropout1d: dropout(),
  spatialdropout2d: dropout(),
  spatialdropout3d: dropout(),
  alphadropout: dropout('alpha_dropout'),
  gaussiandropout: dropout(),
  gaussiannoise: { kind: 'op', op: 'gaussian_noise', params: ['stddev'], category: 'regularization' },
  activityregularization: { kind: 'op', op: 'identity', params: [] },
  batchnormalization: { kind: 'op', op: 'batch_norm', params: ['axis'] },
  layernormalization: { kind: 'op', op: 'layer_norm', params: ['axis'] },
  groupnormalization: { kind: 'op', op: 'group_norm', params: ['groups'] },
  unitnormalization: { kind: 'op', op: 'normalize', params: ['axis'] },
  embedding: { kind: 'op', op: 'embedding', params: ['input_dim', 'output_dim'] },
  lstm: rnn('lstm'),
  gru: rnn('gru'),
  simplernn: rnn('rnn'),
  cudnnlstm: rnn('lstm'),
  cudnngru: rnn('gru'),
  convlstm2d: { kind: 'op', op: 'lstm', params: ['filters', 'kernel_size'], defaults: { return_sequences: false } },
  multiheadattention: { kind: 'op', op: 'multihead_attention', params: ['num_heads', 'key_dim'] },
  attention: { kind: 'op', op: 'multihead_attention', params: [] },
  additiveattention: { kind: 'op', op: 'multihead_attention', params: [] },
  activation: actLayer('', ['activation']),
  relu: actLayer('relu', ['max_value', 'negative_slope', 'threshold']),
  leakyrelu: actLayer('leaky_relu', ['alpha']),
  prelu: actLayer('prelu'),
  elu: actLayer('elu', ['alpha']),
  thresholdedrelu: actLayer('relu', ['theta']),
  softmax: actLayer('softmax', ['axis']),
  add: merge('add'),
  subtract: merge('sub'),
  multiply: merge('mul'),
  average: merge('add'),
  maximum: merge('maximum'),
  minimum: merge('minimum'),
  concatenate: merge('concat', ['axis']),
  dot: merge('bmm', ['axes']),
  bidirectional: { kind: 'wrapper', op: '', params: ['layer', 'merge_mode'] },
  timedistributed: { kind: 'wrapper', op: '', params: ['layer'] },
  input: { kind: 'input', op: 'input', params: ['shape', 'batch_size', 'name'] },
  inputlayer: { kind: 'input', op: 'input', params: ['input_shape', 'batch_size'] },
  lambda: { kind: 'lambda', op: 'opaque', params: ['function'] },
};

/** Canonical activation ops by Keras / TF.js name (lower case, no underscores); `linear` is the identity. */
export const KERAS_ACTIVATIONS: Readonly<Record<string, string | null>> = {
  linear: null,
  none: null,
  relu: 'relu',
  relu6: 'relu6',
  leakyrelu: 'leaky_relu',
  elu: 'elu',
  selu: 'selu',
  gelu: 'gelu',
  gelunew: 'gelu',
  swish: 'silu',
  silu: 'silu',
  mish: 'mish',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  hardsigmoid: 'hardsigmoid',
  hardswish: 'hardswish',
  hardsilu: 'hardswish',
  softplus: 'softplus',
  softsign: 'softsign',
  softmax: 'softmax',
  logsoftmax: 'log_softmax',
  exponential: 'exp',
};

/** Reads an activation name as written (`'relu'`, `'leaky_relu'`, `'hardSigmoid'`, `tf.nn.relu`). */
export function activationOp(name: string): string | null | undefined {
  const last = name.split('.').pop() ?? name;
  return KERAS_ACTIVATIONS[last.toLowerCase().replace(/_/g, '')];
}

/** A layer's catalog entry by the name as written (`Conv2D`, `conv2d`, `MaxPooling2D`, `maxPooling2d`). */
export function kerasLayer(name: string): KerasLayerSpec | undefined {
  return KERAS_LAYERS[name.toLowerCase().replace(/_/g, '')];
}

/** `kernelSize` → `kernel_size`, so TF.js configs read like Keras arguments. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Keras 1 spellings still common in the wild, renamed to their Keras 2 names: `Dense(output_dim=…)`,
 * `Convolution2D(nb_filter, nb_row, nb_col, border_mode=…, subsample=…)`.
 */
export const KERAS1_KEYWORDS: Readonly<Record<string, string>> = {
  output_dim: 'units',
  nb_filter: 'filters',
  border_mode: 'padding',
  subsample: 'strides',
  subsample_length: 'strides',
  filter_length: 'kernel_size',
  pool_length: 'pool_size',
  p: 'rate',
  bias: 'use_bias',
};

/**
 * Losses by name as written; the value says what the loss expects of the model's output. Keras and TF.js losses
 * take probabilities unless `from_logits=True` (Keras) or the loss says softmax/sigmoid itself (TF.js
 * `tf.losses.softmaxCrossEntropy`).
 */
export const KERAS_LOSSES: Readonly<Record<string, 'probabilities' | 'logits' | 'regression' | 'other'>> = {
  categoricalcrossentropy: 'probabilities',
  sparsecategoricalcrossentropy: 'probabilities',
  binarycrossentropy: 'probabilities',
  binaryfocalcrossentropy: 'probabilities',
  categoricalfocalcrossentropy: 'probabilities',
  kldivergence: 'probabilities',
  kld: 'probabilities',
  kullbackleiblerdivergence: 'probabilities',
  softmaxcrossentropy: 'logits',
  sigmoidcrossentropy: 'logits',
  meansquarederror: 'regression',
  mse: 'regression',
  meanabsoluteerror: 'regression',
  mae: 'regression',
  huber: 'regression',
  huberloss: 'regression',
  logcosh: 'regression',
  meansquaredlogarithmicerror: 'regression',
  msle: 'regression',
  cosinesimilarity: 'other',
  hinge: 'other',
  squaredhinge: 'other',
  categoricalhinge: 'other',
  poisson: 'other',
  ctc: 'other',
};

/** The loss's catalog key (`CategoricalCrossentropy`, `categorical_crossentropy`, `tf.losses.softmaxCrossEntropy`). */
export function lossKey(name: string): string | undefined {
  const key = (name.split('.').pop() ?? name).toLowerCase().replace(/_/g, '');
  return key in KERAS_LOSSES ? key : undefined;
}
