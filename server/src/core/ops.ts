// The framework-neutral catalog of operations: each canonical op name with its category and the symbol the renderer
// prints for it. Frontends map their own spellings (nn.ReLU, F.relu, 'relu', tf.layers.dense) onto these names.

import type { OpCategory } from './graph';

export interface OpInfo {
  readonly category: OpCategory;
  /** How the renderer names it: ReLU, σ, softmax, LN, … */
  readonly symbol: string;
  /** For activations: whether it can produce negative values (clipping activations cannot). */
  readonly clipsNegative?: boolean;
  /** For activations: whether it normalizes over a dimension (softmax family). */
  readonly normalizesOverDim?: boolean;
}

const activation = (symbol: string, extra: Partial<OpInfo> = {}): OpInfo => ({ category: 'activation', symbol, ...extra });

export const OPS: Readonly<Record<string, OpInfo>> = {
  input: { category: 'input', symbol: 'x' },
  // Affine maps.
  linear: { category: 'affine', symbol: 'W' },
  bilinear: { category: 'affine', symbol: 'W' },
  matmul: { category: 'affine', symbol: 'W' },
  conv1d: { category: 'affine', symbol: 'W' },
  conv2d: { category: 'affine', symbol: 'W' },
  conv3d: { category: 'affine', symbol: 'W' },
  conv_transpose1d: { category: 'affine', symbol: 'W' },
  conv_transpose2d: { category: 'affine', symbol: 'W' },
  conv_transpose3d: { category: 'affine', symbol: 'W' },
  // Activations.
  relu: activation('ReLU', { clipsNegative: true }),
  relu6: activation('ReLU6', { clipsNegative: true }),
  leaky_relu: activation('LeakyReLU'),
  prelu: activation('PReLU'),
  rrelu: activation('RReLU'),
  elu: activation('ELU'),
  selu: activation('SELU'),
  celu: activation('CELU'),
  gelu: activation('GELU'),
  silu: activation('SiLU'),
  mish: activation('Mish'),
  tanh: activation('tanh'),
  sigmoid: activation('σ', { clipsNegative: true }),
  hardsigmoid: activation('hardσ', { clipsNegative: true }),
  hardswish: activation('hardswish'),
  hardtanh: activation('hardtanh'),
  softplus: activation('softplus', { clipsNegative: true }),
  softsign: activation('softsign'),
  tanhshrink: activation('tanhshrink'),
  softmax: activation('softmax', { clipsNegative: true, normalizesOverDim: true }),
  log_softmax: activation('log_softmax', { normalizesOverDim: true }),
  softmin: activation('softmin', { clipsNegative: true, normalizesOverDim: true }),
  glu: activation('GLU'),
  // Normalization.
  batch_norm: { category: 'normalization', symbol: 'BN' },
  layer_norm: { category: 'normalization', symbol: 'LN' },
  group_norm: { category: 'normalization', symbol: 'GN' },
  instance_norm: { category: 'normalization', symbol: 'IN' },
  local_response_norm: { category: 'normalization', symbol: 'LRN' },
  normalize: { category: 'normalization', symbol: 'normalize' },
  // Regularization.
  dropout: { category: 'regularization', symbol: 'dropout' },
  alpha_dropout: { category: 'regularization', symbol: 'dropout' },
  // Pooling.
  max_pool1d: { category: 'pooling', symbol: 'maxpool' },
  max_pool2d: { category: 'pooling', symbol: 'maxpool' },
  max_pool3d: { category: 'pooling', symbol: 'maxpool' },
  avg_pool1d: { category: 'pooling', symbol: 'avgpool' },
  avg_pool2d: { category: 'pooling', symbol: 'avgpool' },
  avg_pool3d: { category: 'pooling', symbol: 'avgpool' },
  adaptive_avg_pool1d: { category: 'pooling', symbol: 'avgpool' },
  adaptive_avg_pool2d: { category: 'pooling', symbol: 'avgpool' },
  adaptive_avg_pool3d: { category: 'pooling', symbol: 'avgpool' },
  adaptive_max_pool1d: { category: 'pooling', symbol: 'maxpool' },
  adaptive_max_pool2d: { category: 'pooling', symbol: 'maxpool' },
  adaptive_max_pool3d: { category: 'pooling', symbol: 'maxpool' },
  mean: { category: 'pooling', symbol: 'mean' },
  sum: { category: 'pooling', symbol: 'sum' },
  // Reshapes.
  flatten: { category: 'reshape', symbol: 'flatten' },
  unflatten: { category: 'reshape', symbol: 'unflatten' },
  view: { category: 'reshape', symbol: 'reshape' },
  reshape: { category: 'reshape', symbol: 'reshape' },
  permute: { category: 'reshape', symbol: 'permute' },
  transpose: { category: 'reshape', symbol: 'transpose' },
  squeeze: { category: 'reshape', symbol: 'squeeze' },
  unsqueeze: { category: 'reshape', symbol: 'unsqueeze' },
  identity: { category: 'reshape', symbol: 'id' },
  contiguous: { category: 'reshape', symbol: 'id' },
  // Merges.
  add: { category: 'merge', symbol: '+' },
  sub: { category: 'merge', symbol: '−' },
  mul: { category: 'merge', symbol: '⊙' },
  div: { category: 'merge', symbol: '/' },
  concat: { category: 'merge', symbol: 'concat' },
  // A product of two activations (attention scores, gates): bilinear, so not affine in either.
  bmm: { category: 'merge', symbol: '·' },
  slice: { category: 'reshape', symbol: 'slice' },
  // Scaling by a constant keeps a map linear; it is a merge of one tensor with a constant.
  scale: { category: 'other', symbol: '·' },
  // Recurrent and attention blocks.
  rnn: { category: 'recurrent', symbol: 'RNN' },
  lstm: { category: 'recurrent', symbol: 'LSTM' },
  gru: { category: 'recurrent', symbol: 'GRU' },
  multihead_attention: { category: 'attention', symbol: 'MHA' },
  transformer_encoder_layer: { category: 'attention', symbol: 'TransformerEncoderLayer' },
  transformer_decoder_layer: { category: 'attention', symbol: 'TransformerDecoderLayer' },
  transformer_encoder: { category: 'attention', symbol: 'TransformerEncoder' },
  transformer_decoder: { category: 'attention', symbol: 'TransformerDecoder' },
  embedding: { category: 'other', symbol: 'E' },
  // Ops the frontends name beyond the core set (PyTorch, Keras, TF.js), so every consumer knows them.
  log_sigmoid: activation('logσ'),
  softshrink: activation('softshrink'),
  hardshrink: activation('hardshrink'),
  threshold: activation('threshold'),
  scaled_dot_product_attention: { category: 'attention', symbol: 'attention' },
  transformer: { category: 'attention', symbol: 'Transformer' },
  pixel_shuffle: { category: 'reshape', symbol: 'pixel_shuffle' },
  pixel_unshuffle: { category: 'reshape', symbol: 'pixel_unshuffle' },
  repeat: { category: 'reshape', symbol: 'repeat' },
  expand: { category: 'reshape', symbol: 'expand' },
  crop: { category: 'reshape', symbol: 'crop' },
  upsample: { category: 'other', symbol: 'upsample' },
  resize: { category: 'other', symbol: 'resize' },
  pad: { category: 'other', symbol: 'pad' },
  pow: { category: 'other', symbol: 'pow' },
  rsqrt: { category: 'other', symbol: 'rsqrt' },
  std: { category: 'pooling', symbol: 'std' },
  var: { category: 'pooling', symbol: 'var' },
  masked_fill: { category: 'other', symbol: 'masked_fill' },
  max: { category: 'pooling', symbol: 'max' },
  maximum: { category: 'merge', symbol: 'max' },
  minimum: { category: 'merge', symbol: 'min' },
  opaque: { category: 'other', symbol: 'f' },
};

export namespace Ops {
  export function info(op: string): OpInfo {
    return OPS[op] ?? { category: 'other', symbol: op };
  }
  export function category(op: string): OpCategory {
    return info(op).category;
  }
  export function isNonlinear(op: string): boolean {
    const c = category(op);
    return c === 'activation' || c === 'recurrent' || c === 'attention' || op === 'max_pool1d' || op === 'max_pool2d' ||
      op === 'max_pool3d' || op === 'adaptive_max_pool1d' || op === 'adaptive_max_pool2d' || op === 'adaptive_max_pool3d' ||
      op === 'mul' || op === 'div' || op === 'bmm' || op === 'opaque' || op === 'layer_norm' || op === 'group_norm' || op === 'instance_norm' ||
      op === 'normalize' || op === 'local_response_norm';
  }
}
