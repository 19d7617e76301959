// TensorFlow 1's spellings of the canonical ops, for the TF1 graph frontend (`extractTf1.ts`): the `tf.nn.*`
// activations, the `tf.layers.*` / `tf.contrib.layers.*` layer functions (which take the input tensor first and then
// Keras's constructor arguments, so they reuse the Keras layer catalog), and the losses a graph's logits go into.
// Paths are written without the `tensorflow.` prefix and without `compat.v1.`: `nn.relu`, `layers.dense`.

import { kerasLayer, type KerasLayerSpec } from '../keras/kerasCatalog';

/** Whether a Python file is TensorFlow 1 graph code: it builds placeholders, variables or sessions. */
const TF1_GRAPH_CODE = /\b(?:placeholder|get_variable|Session|InteractiveSession|variable_scope)\s*\(|\b(?:layers|contrib\.layers)\.(?:dense|conv2d|fully_connected)\s*\(|\bnn\.(?:conv2d|max_pool|xw_plus_b|bias_add)\s*\(|\bcompat\.v1\b/;
const IMPORTS_TENSORFLOW = /^[ \t]*(?:import|from)[ \t]+tensorflow\b/m;

export function isTf1GraphCode(text: string): boolean {
  return IMPORTS_TENSORFLOW.test(text) && TF1_GRAPH_CODE.test(text);
}

/** `tensorflow.compat.v1.nn.relu` → `nn.relu`; `tensorflow.python.ops.nn.relu` → `nn.relu`; others unchanged. */
export function tf1Path(path: string): string {
  return path
    .replace(/^tensorflow\./, '')
    .replace(/^compat\.v1\./, '')
    .replace(/^python\.ops\./, '')
    .replace(/^math\./, '');
}

/** Element-wise activations by path; `null` for an identity (`tf.identity` is no activation, it keeps the tensor). */
export const TF1_ACTIVATIONS: Readonly<Record<string, string>> = {
  'nn.relu': 'relu',
  'nn.relu6': 'relu6',
  'nn.crelu': 'relu',
  'nn.elu': 'elu',
  'nn.selu': 'selu',
  'nn.gelu': 'gelu',
  'nn.leaky_relu': 'leaky_relu',
  'nn.swish': 'silu',
  'nn.silu': 'silu',
  'nn.softplus': 'softplus',
  'nn.softsign': 'softsign',
  'nn.sigmoid': 'sigmoid',
  sigmoid: 'sigmoid',
  'nn.tanh': 'tanh',
  tanh: 'tanh',
  'nn.softmax': 'softmax',
  softmax: 'softmax',
  'nn.log_softmax': 'log_softmax',
  'nn.log_sigmoid': 'log_sigmoid',
  log_sigmoid: 'log_sigmoid',
  'keras.activations.relu': 'relu',
  'keras.activations.sigmoid': 'sigmoid',
  'keras.activations.tanh': 'tanh',
  'keras.activations.softmax': 'softmax',
};

/** Element-wise math that keeps the shape (`tf.exp`, `tf.log`): known ops, not activations. */
export const TF1_ELEMENTWISE: Readonly<Record<string, string>> = {
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  square: 'pow',
  pow: 'pow',
  clip_by_value: 'clamp',
  identity: 'identity',
  stop_gradient: 'identity',
};

/** What a loss reads from the model and what it applies itself. */
export interface Tf1LossSpec {
  /** The keyword that takes the model's output, and its position when passed positionally. */
  readonly keyword: string;
  readonly position: number;
  readonly expects: 'logits' | 'probabilities' | 'values';
  readonly applies?: 'softmax' | 'sigmoid';
}

export const TF1_LOSSES: Readonly<Record<string, Tf1LossSpec>> = {
  'nn.softmax_cross_entropy_with_logits': { keyword: 'logits', position: 1, expects: 'logits', applies: 'softmax' },
  'nn.softmax_cross_entropy_with_logits_v2': { keyword: 'logits', position: 1, expects: 'logits', applies: 'softmax' },
  'nn.sparse_softmax_cross_entropy_with_logits': { keyword: 'logits', position: 1, expects: 'logits', applies: 'softmax' },
  'nn.sigmoid_cross_entropy_with_logits': { keyword: 'logits', position: 1, expects: 'logits', applies: 'sigmoid' },
  'nn.weighted_cross_entropy_with_logits': { keyword: 'logits', position: 1, expects: 'logits', applies: 'sigmoid' },
  'losses.softmax_cross_entropy': { keyword: 'logits', position: 1, expects: 'logits', applies: 'softmax' },
  'losses.sparse_softmax_cross_entropy': { keyword: 'logits', position: 1, expects: 'logits', applies: 'softmax' },
  'losses.sigmoid_cross_entropy': { keyword: 'logits', position: 1, expects: 'logits', applies: 'sigmoid' },
  'losses.log_loss': { keyword: 'predictions', position: 1, expects: 'probabilities' },
  'losses.mean_squared_error': { keyword: 'predictions', position: 1, expects: 'values' },
  'losses.absolute_difference': { keyword: 'predictions', position: 1, expects: 'values' },
  'losses.huber_loss': { keyword: 'predictions', position: 1, expects: 'values' },
  'nn.l2_loss': { keyword: 't', position: 0, expects: 'values' },
};

/**
 * The Keras layer a `tf.layers.*` / `tf.contrib.layers.*` / `tf.keras.layers.*` function builds and applies, with
 * the keywords TF1 spells differently, and whether its default activation is ReLU (`fully_connected`).
 */
export interface Tf1LayerFunction {
  readonly spec: KerasLayerSpec;
  readonly className: string;
  /** Positional parameters after the input tensor, in Keras's names. */
  readonly params: readonly string[];
  /** TF1 keyword → Keras keyword (`num_outputs` → `units`). */
  readonly keywords: Readonly<Record<string, string>>;
  /** The keyword that names the activation (`activation`, contrib's `activation_fn`). */
  readonly activationKeyword: string;
  /** contrib.layers.fully_connected and conv2d apply ReLU unless told otherwise. */
  readonly defaultRelu: boolean;
}

const CONTRIB_KEYWORDS: Readonly<Record<string, string>> = { num_outputs: 'units', stride: 'strides', keep_prob: 'keep_prob' };

export function tf1LayerFunction(path: string): Tf1LayerFunction | undefined {
  const match = /^(layers|contrib\.layers|keras\.layers|slim)\.([A-Za-z_0-9]+)$/.exec(path);
  if (!match) return undefined;
  const [, family, name] = match;
  const contrib = family !== 'layers' && family !== 'keras.layers';
  const key = name.replace(/_/g, '').toLowerCase();
  const aliases: Record<string, string> = { fullyconnected: 'dense', batchnorm: 'batchnormalization', maxpool2d: 'maxpooling2d', avgpool2d: 'averagepooling2d', convolution2d: 'conv2d' };
  const spec = kerasLayer(aliases[key] ?? key);
  if (!spec) return undefined;
  const className = aliases[key] ?? name;
  const isDense = spec.op === 'linear';
  const isConv = spec.op.startsWith('conv');
  const params = contrib && (isDense || isConv) ? (isDense ? ['units'] : ['filters', 'kernel_size', 'strides', 'padding']) : spec.params.filter((p) => p !== 'activation');
  return {
    spec,
    className,
    params,
    keywords: contrib ? { ...CONTRIB_KEYWORDS, ...(isConv ? { num_outputs: 'filters' } : {}) } : {},
    activationKeyword: contrib ? 'activation_fn' : 'activation',
    defaultRelu: contrib && (isDense || isConv),
  };
}
