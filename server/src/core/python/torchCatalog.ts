// PyTorch's spellings of the canonical ops: nn.* layer constructors with their positional parameters, F.* and
// torch.* functions and tensor methods. Only the PyTorch frontend reads this.

import type { AttrValue } from '../graph';

export interface TorchLayerSpec {
  readonly op: string;
  /** Positional parameter names, in the constructor's order. */
  readonly params: readonly string[];
  readonly defaults?: Readonly<Record<string, AttrValue>>;
}

const conv = (op: string): TorchLayerSpec => ({
  op,
  params: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias'],
  defaults: { stride: 1, padding: 0, dilation: 1, groups: 1, bias: true },
});
const act = (op: string, params: string[] = ['inplace']): TorchLayerSpec => ({ op, params });
const pool = (op: string): TorchLayerSpec => ({ op, params: ['kernel_size', 'stride', 'padding'] });
const norm = (op: string): TorchLayerSpec => ({ op, params: ['num_features', 'eps', 'momentum', 'affine'] });
const rnn = (op: string): TorchLayerSpec => ({
  op,
  params: ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional'],
  defaults: { num_layers: 1, batch_first: false, bidirectional: false },
});

/** `nn.<Name>` constructors. */
export const TORCH_LAYERS: Readonly<Record<string, TorchLayerSpec>> = {
  Linear: { op: 'linear', params: ['in_features', 'out_features', 'bias'], defaults: { bias: true } },
  LazyLinear: { op: 'linear', params: ['out_features', 'bias'], defaults: { bias: true } },
  Bilinear: { op: 'bilinear', params: ['in1_features', 'in2_features', 'out_features', 'bias'], defaults: { bias: true } },
  Conv1d: conv('conv1d'),
  Conv2d: conv('conv2d'),
  Conv3d: conv('conv3d'),
  ConvTranspose1d: conv('conv_transpose1d'),
  ConvTranspose2d: conv('conv_transpose2d'),
  ConvTranspose3d: conv('conv_transpose3d'),
  ReLU: act('relu'),
  ReLU6: act('relu6'),
  LeakyReLU: act('leaky_relu', ['negative_slope', 'inplace']),
  PReLU: act('prelu', ['num_parameters']),
  RReLU: act('rrelu', ['lower', 'upper', 'inplace']),
  ELU: act('elu', ['alpha', 'inplace']),
  SELU: act('selu'),
  CELU: act('celu', ['alpha', 'inplace']),
  GELU: act('gelu', ['approximate']),
  SiLU: act('silu'),
  Mish: act('mish'),
  Tanh: act('tanh', []),
  Sigmoid: act('sigmoid', []),
  Hardsigmoid: act('hardsigmoid'),
  Hardswish: act('hardswish'),
  Hardtanh: act('hardtanh', ['min_val', 'max_val', 'inplace']),
  Softplus: act('softplus', ['beta', 'threshold']),
  Softsign: act('softsign', []),
  Tanhshrink: act('tanhshrink', []),
  Softmax: act('softmax', ['dim']),
  LogSoftmax: act('log_softmax', ['dim']),
  Softmin: act('softmin', ['dim']),
  GLU: act('glu', ['dim']),
  BatchNorm1d: norm('batch_norm'),
  BatchNorm2d: norm('batch_norm'),
  BatchNorm3d: norm('batch_norm'),
  LayerNorm: { op: 'layer_norm', params: ['normalized_shape', 'eps', 'elementwise_affine'] },
  GroupNorm: { op: 'group_norm', params: ['num_groups', 'num_channels', 'eps', 'affine'] },
  InstanceNorm1d: norm('instance_norm'),
  InstanceNorm2d: norm('instance_norm'),
  InstanceNorm3d: norm('instance_norm'),
  LocalResponseNorm: { op: 'local_response_norm', params: ['size'] },
  Dropout: { op: 'dropout', params: ['p', 'inplace'], defaults: { p: 0.5 } },
  Dropout1d: { op: 'dropout', params: ['p', 'inplace'], defaults: { p: 0.5 } },
  Dropout2d: { op: 'dropout', params: ['p', 'inplace'], defaults: { p: 0.5 } },
  Dropout3d: { op: 'dropout', params: ['p', 'inplace'], defaults: { p: 0.5 } },
  AlphaDropout: { op: 'alpha_dropout', params: ['p', 'inplace'], defaults: { p: 0.5 } },
  MaxPool1d: pool('max_pool1d'),
  MaxPool2d: pool('max_pool2d'),
  MaxPool3d: pool('max_pool3d'),
  AvgPool1d: pool('avg_pool1d'),
  AvgPool2d: pool('avg_pool2d'),
  AvgPool3d: pool('avg_pool3d'),
  AdaptiveAvgPool1d: { op: 'adaptive_avg_pool1d', params: ['output_size'] },
  AdaptiveAvgPool2d: { op: 'adaptive_avg_pool2d', params: ['output_size'] },
  AdaptiveAvgPool3d: { op: 'adaptive_avg_pool3d', params: ['output_size'] },
  AdaptiveMaxPool1d: { op: 'adaptive_max_pool1d', params: ['output_size'] },
  AdaptiveMaxPool2d: { op: 'adaptive_max_pool2d', params: ['output_size'] },
  AdaptiveMaxPool3d: { op: 'adaptive_max_pool3d', params: ['output_size'] },
  Flatten: { op: 'flatten', params: ['start_dim', 'end_dim'], defaults: { start_dim: 1, end_dim: -1 } },
  Unflatten: { op: 'unflatten', params: ['dim', 'unflattened_size'] },
  Identity: { op: 'identity', params: [] },
  Embedding: { op: 'embedding', params: ['num_embeddings', 'embedding_dim', 'padding_idx'] },
  RNN: rnn('rnn'),
  LSTM: rnn('lstm'),
  GRU: rnn('gru'),
  MultiheadAttention: { op: 'multihead_attention', params: ['embed_dim', 'num_heads', 'dropout'] },
  TransformerEncoderLayer: { op: 'transformer_encoder_layer', params: ['d_model', 'nhead', 'dim_feedforward', 'dropout'] },
  TransformerDecoderLayer: { op: 'transformer_decoder_layer', params: ['d_model', 'nhead', 'dim_feedforward', 'dropout'] },
  TransformerEncoder: { op: 'transformer_encoder', params: ['encoder_layer', 'num_layers'] },
  TransformerDecoder: { op: 'transformer_decoder', params: ['decoder_layer', 'num_layers'] },
};

/** Containers the frontend expands itself. */
export const TORCH_CONTAINERS = new Set(['Sequential', 'ModuleList', 'ModuleDict']);

export interface TorchFunctionSpec {
  readonly op: string;
  /** Positional parameter names after the input tensor. */
  readonly params: readonly string[];
}

const fn = (op: string, params: string[] = []): TorchFunctionSpec => ({ op, params });

/** `F.<name>` (torch.nn.functional) applied to a tensor as the first argument. */
export const TORCH_FUNCTIONAL: Readonly<Record<string, TorchFunctionSpec>> = {
  relu: fn('relu', ['inplace']),
  relu_: fn('relu'),
  relu6: fn('relu6'),
  leaky_relu: fn('leaky_relu', ['negative_slope', 'inplace']),
  elu: fn('elu', ['alpha']),
  selu: fn('selu'),
  celu: fn('celu'),
  gelu: fn('gelu'),
  silu: fn('silu'),
  mish: fn('mish'),
  tanh: fn('tanh'),
  sigmoid: fn('sigmoid'),
  hardsigmoid: fn('hardsigmoid'),
  hardswish: fn('hardswish'),
  hardtanh: fn('hardtanh', ['min_val', 'max_val']),
  softplus: fn('softplus', ['beta', 'threshold']),
  softsign: fn('softsign'),
  softmax: fn('softmax', ['dim']),
  log_softmax: fn('log_softmax', ['dim']),
  softmin: fn('softmin', ['dim']),
  glu: fn('glu', ['dim']),
  dropout: fn('dropout', ['p', 'training', 'inplace']),
  dropout1d: fn('dropout', ['p', 'training', 'inplace']),
  dropout2d: fn('dropout', ['p', 'training', 'inplace']),
  dropout3d: fn('dropout', ['p', 'training', 'inplace']),
  alpha_dropout: fn('alpha_dropout', ['p', 'training', 'inplace']),
  max_pool1d: fn('max_pool1d', ['kernel_size', 'stride', 'padding']),
  max_pool2d: fn('max_pool2d', ['kernel_size', 'stride', 'padding']),
  max_pool3d: fn('max_pool3d', ['kernel_size', 'stride', 'padding']),
  avg_pool1d: fn('avg_pool1d', ['kernel_size', 'stride', 'padding']),
  avg_pool2d: fn('avg_pool2d', ['kernel_size', 'stride', 'padding']),
  avg_pool3d: fn('avg_pool3d', ['kernel_size', 'stride', 'padding']),
  adaptive_avg_pool1d: fn('adaptive_avg_pool1d', ['output_size']),
  adaptive_avg_pool2d: fn('adaptive_avg_pool2d', ['output_size']),
  adaptive_max_pool2d: fn('adaptive_max_pool2d', ['output_size']),
  layer_norm: fn('layer_norm', ['normalized_shape']),
  batch_norm: fn('batch_norm'),
  group_norm: fn('group_norm', ['num_groups']),
  instance_norm: fn('instance_norm'),
  normalize: fn('normalize', ['p', 'dim']),
  flatten: fn('flatten', ['start_dim', 'end_dim']),
};

/** `torch.<name>` functions whose first argument is a tensor. */
export const TORCH_FUNCTIONS: Readonly<Record<string, TorchFunctionSpec>> = {
  relu: fn('relu'),
  sigmoid: fn('sigmoid'),
  tanh: fn('tanh'),
  softmax: fn('softmax', ['dim']),
  log_softmax: fn('log_softmax', ['dim']),
  flatten: fn('flatten', ['start_dim', 'end_dim']),
  reshape: fn('reshape', ['shape']),
  transpose: fn('transpose', ['dim0', 'dim1']),
  permute: fn('permute', ['dims']),
  squeeze: fn('squeeze', ['dim']),
  unsqueeze: fn('unsqueeze', ['dim']),
  mean: fn('mean', ['dim', 'keepdim']),
  sum: fn('sum', ['dim', 'keepdim']),
  dropout: fn('dropout', ['p', 'train']),
  // Elementwise maps that are neither affine nor activations in the usual sense; known, so not opaque.
  exp: fn('exp'),
  log: fn('log'),
  sqrt: fn('sqrt'),
  abs: fn('abs'),
  clamp: fn('clamp', ['min', 'max']),
  clip: fn('clamp', ['min', 'max']),
  randn_like: fn('noise'),
  rand_like: fn('noise'),
  amax: fn('max', ['dim', 'keepdim']),
};

/** Tensor methods: `x.relu()`, `x.view(B, -1)`. */
export const TENSOR_METHODS: Readonly<Record<string, TorchFunctionSpec>> = {
  relu: fn('relu'),
  relu_: fn('relu'),
  sigmoid: fn('sigmoid'),
  tanh: fn('tanh'),
  softmax: fn('softmax', ['dim']),
  log_softmax: fn('log_softmax', ['dim']),
  view: fn('view'),
  reshape: fn('reshape'),
  flatten: fn('flatten', ['start_dim', 'end_dim']),
  permute: fn('permute'),
  transpose: fn('transpose', ['dim0', 'dim1']),
  squeeze: fn('squeeze', ['dim']),
  unsqueeze: fn('unsqueeze', ['dim']),
  contiguous: fn('contiguous'),
  mean: fn('mean', ['dim', 'keepdim']),
  sum: fn('sum', ['dim', 'keepdim']),
  exp: fn('exp'),
  log: fn('log'),
  sqrt: fn('sqrt'),
  abs: fn('abs'),
  clamp: fn('clamp', ['min', 'max']),
  clip: fn('clamp', ['min', 'max']),
  max: fn('max', ['dim', 'keepdim']),
  amax: fn('max', ['dim', 'keepdim']),
  unflatten: fn('unflatten', ['dim', 'unflattened_size']),
};

/** Tensor methods and torch functions that return a non-tensor (sizes, shapes) or do not change the value. */
export const NON_TENSOR_METHODS = new Set(['size', 'dim', 'numel', 'item', 'tolist', 'shape', 'ndim']);
export const PASS_THROUGH_METHODS = new Set(['float', 'double', 'half', 'to', 'cuda', 'cpu', 'clone', 'detach_', 'type_as', 'requires_grad_']);

/** Losses that apply softmax or sigmoid themselves, or expect probabilities; read for the loss rules. */
export const TORCH_LOSSES = new Set([
  'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'MSELoss', 'L1Loss', 'SmoothL1Loss', 'HuberLoss',
  'KLDivLoss', 'CTCLoss', 'MarginRankingLoss', 'MultiLabelSoftMarginLoss',
]);
