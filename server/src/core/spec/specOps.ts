// The spec language's operation names: how each canonical op (core/ops.ts) is spelled in a `.mspec` file, which
// positional arguments it takes after its input, and the aliases people write (ReLU, F.relu, Dense, BatchNorm2d).
// The spec parser reads names through `lookupSpecOp`; the spec printer writes them through `specSpelling`.

import { OPS } from '../ops';

export interface SpecOpInfo {
  /** The canonical op (core/ops.ts). */
  readonly op: string;
  /** Positional parameters after the input tensor(s), as graph attribute names. */
  readonly params: readonly string[];
  /** Keyword arguments the spec may give, as graph attribute names. */
  readonly keywords: readonly string[];
  /** How many tensors the op reads first: one, or all positional tensor arguments (merges). */
  readonly tensors: 'one' | 'many';
  /** Extra attributes the spelling implies (a Keras global pooling is an adaptive pooling to size 1). */
  readonly implied?: Readonly<Record<string, boolean | number>>;
}

const CONV_KEYWORDS = ['stride', 'padding', 'dilation', 'groups', 'bias'];
const POOL_KEYWORDS = ['stride', 'padding'];

/** Spellings the printer writes, by canonical op; ops not listed are written by their canonical name. */
const SPELLING: Readonly<Record<string, string>> = {
  linear: 'Linear',
  conv1d: 'Conv1d',
  conv2d: 'Conv2d',
  conv3d: 'Conv3d',
  conv_transpose1d: 'ConvTranspose1d',
  conv_transpose2d: 'ConvTranspose2d',
  conv_transpose3d: 'ConvTranspose3d',
  embedding: 'Embedding',
  rnn: 'RNN',
  lstm: 'LSTM',
  gru: 'GRU',
  multihead_attention: 'MultiheadAttention',
  transformer_encoder_layer: 'TransformerEncoderLayer',
  transformer_decoder_layer: 'TransformerDecoderLayer',
  transformer_encoder: 'TransformerEncoder',
  transformer_decoder: 'TransformerDecoder',
  batch_norm: 'batchnorm',
  layer_norm: 'layernorm',
  group_norm: 'groupnorm',
  instance_norm: 'instancenorm',
  max_pool1d: 'maxpool1d',
  max_pool2d: 'maxpool2d',
  max_pool3d: 'maxpool3d',
  avg_pool1d: 'avgpool1d',
  avg_pool2d: 'avgpool2d',
  avg_pool3d: 'avgpool3d',
  adaptive_avg_pool1d: 'adaptive_avgpool1d',
  adaptive_avg_pool2d: 'adaptive_avgpool2d',
  adaptive_avg_pool3d: 'adaptive_avgpool3d',
  adaptive_max_pool1d: 'adaptive_maxpool1d',
  adaptive_max_pool2d: 'adaptive_maxpool2d',
  adaptive_max_pool3d: 'adaptive_maxpool3d',
  bmm: 'matmul',
};

function infoFor(op: string): SpecOpInfo {
  const category = OPS[op]?.category;
  if (op === 'linear' || op === 'matmul') return { op: 'linear', params: ['out'], keywords: ['bias', 'in'], tensors: 'one' };
  if (/^conv(_transpose)?[123]d$/.test(op)) return { op, params: ['out', 'kernel'], keywords: [...CONV_KEYWORDS, 'in'], tensors: 'one' };
  if (op === 'embedding') return { op, params: ['in', 'out'], keywords: [], tensors: 'one' };
  if (category === 'attention') return { op, params: [], keywords: [], tensors: 'many' };
  if (op === 'clamp') return { op, params: [], keywords: ['min', 'max'], tensors: 'one' };
  if (category === 'recurrent') return { op, params: ['out'], keywords: ['bidirectional', 'return_sequences'], tensors: 'one' };
  if (/^(max|avg)_pool[123]d$/.test(op)) return { op, params: ['kernel'], keywords: POOL_KEYWORDS, tensors: 'one' };
  if (/^adaptive_/.test(op)) return { op, params: ['kernel'], keywords: [], tensors: 'one' };
  if (op === 'dropout' || op === 'alpha_dropout') return { op, params: ['p'], keywords: [], tensors: 'one' };
  if (OPS[op]?.normalizesOverDim || op === 'glu') return { op, params: [], keywords: ['dim'], tensors: 'one' };
  if (op === 'group_norm') return { op, params: ['groups'], keywords: [], tensors: 'one' };
  if (op === 'flatten') return { op, params: [], keywords: ['start_dim'], tensors: 'one' };
  if (op === 'view' || op === 'reshape') return { op: 'reshape', params: ['shape'], keywords: [], tensors: 'one' };
  if (op === 'mean' || op === 'sum') return { op, params: [], keywords: ['dim', 'keepdim'], tensors: 'one' };
  if (op === 'concat') return { op, params: [], keywords: ['dim'], tensors: 'many' };
  if (category === 'merge') return { op, params: [], keywords: [], tensors: 'many' };
  return { op, params: [], keywords: [], tensors: 'one' };
}

/** Lower-case, without `_`, `-` or digits-insensitive prefixes: the key every spelling is looked up by. */
function key(name: string): string {
  return name.replace(/^(torch\.nn\.functional|torch\.nn|torch|nn\.functional|nn|F|tf\.keras\.layers|tf\.layers|tf\.nn|tf|keras\.layers|layers|keras)\./, '').toLowerCase().replace(/[_-]/g, '');
}

const ALIASES: Readonly<Record<string, string>> = {
  dense: 'linear',
  fc: 'linear',
  lazylinear: 'linear',
  conv1dtranspose: 'conv_transpose1d',
  conv2dtranspose: 'conv_transpose2d',
  conv3dtranspose: 'conv_transpose3d',
  deconv2d: 'conv_transpose2d',
  batchnorm1d: 'batch_norm',
  batchnorm2d: 'batch_norm',
  batchnorm3d: 'batch_norm',
  batchnormalization: 'batch_norm',
  bn: 'batch_norm',
  ln: 'layer_norm',
  layernormalization: 'layer_norm',
  groupnormalization: 'group_norm',
  instancenorm1d: 'instance_norm',
  instancenorm2d: 'instance_norm',
  instancenorm3d: 'instance_norm',
  maxpooling1d: 'max_pool1d',
  maxpooling2d: 'max_pool2d',
  maxpooling3d: 'max_pool3d',
  averagepooling1d: 'avg_pool1d',
  averagepooling2d: 'avg_pool2d',
  averagepooling3d: 'avg_pool3d',
  σ: 'sigmoid',
  swish: 'silu',
  logsoftmax: 'log_softmax',
  leakyrelu: 'leaky_relu',
  cat: 'concat',
  concatenate: 'concat',
  multiply: 'mul',
  subtract: 'sub',
  mha: 'multihead_attention',
  attention: 'multihead_attention',
  multiheadattention: 'multihead_attention',
  view: 'reshape',
  id: 'identity',
  dropout1d: 'dropout',
  dropout2d: 'dropout',
  dropout3d: 'dropout',
  spatialdropout1d: 'dropout',
  spatialdropout2d: 'dropout',
  matmul: 'bmm',
  simplernn: 'rnn',
};

/** Keras global pooling layers: an adaptive pooling to one value per channel, without the spatial axes. */
const GLOBAL_POOLS: Readonly<Record<string, string>> = {
  globalaveragepooling1d: 'adaptive_avg_pool1d',
  globalaveragepooling2d: 'adaptive_avg_pool2d',
  globalaveragepooling3d: 'adaptive_avg_pool3d',
  globalavgpool1d: 'adaptive_avg_pool1d',
  globalavgpool2d: 'adaptive_avg_pool2d',
  globalavgpool3d: 'adaptive_avg_pool3d',
  globalmaxpooling1d: 'adaptive_max_pool1d',
  globalmaxpooling2d: 'adaptive_max_pool2d',
  globalmaxpooling3d: 'adaptive_max_pool3d',
  globalmaxpool1d: 'adaptive_max_pool1d',
  globalmaxpool2d: 'adaptive_max_pool2d',
  globalmaxpool3d: 'adaptive_max_pool3d',
};

/** Names a spec line may end with that mean a loss, not a layer (`loss = cross_entropy(y, target)`). */
export const SPEC_LOSSES: readonly string[] = [
  'cross_entropy', 'nll_loss', 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'bce', 'bce_with_logits', 'binary_cross_entropy',
  'binary_cross_entropy_with_logits', 'kl_div', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy',
  'mean_squared_error', 'mean_absolute_error', 'ctc_loss', 'cosine_embedding_loss', 'hinge',
];
const LOSS_KEYS = new Map(SPEC_LOSSES.map((l) => [key(l), l]));
LOSS_KEYS.set('crossentropyloss', 'cross_entropy');
LOSS_KEYS.set('nllloss', 'nll_loss');
LOSS_KEYS.set('mse', 'mse_loss');
LOSS_KEYS.set('mseloss', 'mse_loss');
LOSS_KEYS.set('bceloss', 'bce');
LOSS_KEYS.set('bcewithlogitsloss', 'bce_with_logits');

/** Elementwise maps the frontends know that are neither layers nor activations (`torch.exp`, `randn_like`). */
export const ELEMENTWISE_OPS: readonly string[] = ['exp', 'log', 'sqrt', 'abs', 'clamp', 'noise', 'gaussian_noise', 'max'];

const BY_KEY = new Map<string, string>();
for (const op of [...Object.keys(OPS), ...ELEMENTWISE_OPS]) if (op !== 'input') BY_KEY.set(key(op), op);
for (const [op, spelling] of Object.entries(SPELLING)) BY_KEY.set(key(spelling), op);
for (const [alias, op] of Object.entries(ALIASES)) BY_KEY.set(alias, op);

export interface SpecOpLookup extends SpecOpInfo {
  readonly kind: 'op';
}

/** The op a spec name means, or undefined for a name the spec language does not know. */
export function lookupSpecOp(name: string): SpecOpInfo | undefined {
  const k = key(name);
  const global = GLOBAL_POOLS[k];
  if (global) return { ...infoFor(global), params: [], implied: { global: true } };
  const op = BY_KEY.get(k);
  if (!op || op === 'opaque') return undefined;
  return infoFor(op);
}

/** The canonical loss a spec name means (`cross_entropy`, `CrossEntropyLoss`), if it is one. */
export function lookupSpecLoss(name: string): string | undefined {
  return LOSS_KEYS.get(key(name));
}

/** How the printer writes an op. */
export function specSpelling(op: string): string {
  return SPELLING[op] ?? op;
}

/** Every op name the spec language offers for completion, in its printed spelling. */
export function specOpNames(): string[] {
  const names = new Set<string>();
  for (const op of [...Object.keys(OPS), ...ELEMENTWISE_OPS]) if (op !== 'input' && op !== 'opaque' && op !== 'view' && op !== 'identity' && op !== 'contiguous') names.add(specSpelling(op));
  names.add('global_avgpool2d');
  names.add('global_maxpool2d');
  return [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

/** The closest known names to a misspelt one, for a "did you mean" hint (edit distance on the lookup key). */
export function suggestSpecOp(name: string, extra: readonly string[] = []): string | undefined {
  const target = key(name);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...specOpNames(), ...extra]) {
    const d = editDistance(target, key(candidate));
    if (!best || d < best.distance) best = { name: candidate, distance: d };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.name : undefined;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
