// The Keras layer runtime shared by the Keras (Python) and TF.js (JavaScript/TypeScript) frontends: layer objects
// built from a constructor's arguments or config, a graph builder that applies them to symbolic tensors (one layer
// with `activation=` yields the affine op and the activation op), and the step that cuts one model's subgraph out
// of everything a script built. The syntax-specific interpreters only evaluate code and call into this module.

import { clip } from '../text';
import { rangeOfSyntax, type SyntaxNode } from '../syntax';
import type { AccuracyMetric, ActivationInsertion, AttrValue, Dim, FrontendProblem, GraphNode, LayerDecl, ModelGraph, LossTask, OpCategory, OpEdit, Range, Framework, WeightInit } from '../graph';
import { type MutableNode, type NodeDraft } from '../mutableNode';
import { Ops } from '../ops';
import { inferShapes, Shapes } from '../shapes';
import { KERAS1_KEYWORDS, KERAS_LOSSES, type KerasLayerSpec, activationOp, lossKey } from './kerasCatalog';

/** An activation given to a layer (`activation='relu'`), with where it is written. */
export interface ActivationUse {
  /** The canonical op; `null` for `linear`, `undefined` when the name is not known. */
  readonly op: string | null | undefined;
  readonly label: string;
  readonly range: Range;
}

/** A Keras layer object: `Dense(64, activation='relu')`, `tf.layers.dense({units: 64})`. */
export interface KerasLayer {
  readonly kind: 'klayer';
  readonly spec: KerasLayerSpec;
  /** The class or factory name as written: Dense, conv2d. */
  readonly className: string;
  /** Configuration in Keras 2 snake_case names. */
  readonly config: Record<string, AttrValue>;
  readonly activation?: ActivationUse;
  readonly defRange: Range;
  /** The edit that gives this layer an activation, when it has none. */
  readonly insertActivation?: ActivationInsertion;
  /** The edit that turns the layer's bias off (`use_bias=False`, `useBias: false`), in its constructor call. */
  readonly disableBias?: OpEdit;
  /** The wrapped layer of Bidirectional / TimeDistributed. */
  readonly inner?: KerasLayer;
  /** A constant kernel initializer, when one is written. */
  readonly init?: WeightInit;
  /** The constructor call as written, for opaque labels. */
  readonly label: string;
  /** The layer's name: its `name=`, the attribute it is stored under, or a Keras-style automatic name. */
  name?: string;
  /** The file the layer is built in, when it is not the model's own (a block imported from the workspace). */
  origin?: string;
}

export interface LayerArguments {
  readonly positional: readonly AttrValue[];
  readonly keywords: Readonly<Record<string, AttrValue>>;
}

/** Builds a layer object from its arguments (positional ones only in Python). */
export function makeLayer(
  spec: KerasLayerSpec,
  className: string,
  args: LayerArguments,
  meta: { defRange: Range; label: string; activation?: ActivationUse; insertActivation?: ActivationInsertion; disableBias?: OpEdit; inner?: KerasLayer; init?: WeightInit },
): KerasLayer {
  const config: Record<string, AttrValue> = { ...(spec.defaults ?? {}) };
  const positional = [...args.positional];
  // Keras 1: Convolution2D(nb_filter, nb_row, nb_col) gives the kernel as two separate numbers.
  if (spec.rank === 2 && positional.length >= 3 && typeof positional[1] === 'number' && typeof positional[2] === 'number' && /^(convolution|deconvolution)/i.test(className)) {
    positional.splice(1, 2, [positional[1], positional[2]]);
  }
  spec.params.forEach((param, i) => {
    if (i < positional.length && param !== 'activation') config[param] = positional[i];
  });
  for (const [key, value] of Object.entries(args.keywords)) config[KERAS1_KEYWORDS[key] ?? key] = value;
  if (typeof config.name === 'string') return { kind: 'klayer', spec, className, config, ...meta, name: config.name };
  return { kind: 'klayer', spec, className, config, ...meta };
}

/**
 * The per-sample input shape a model's first layer declares: its `input_shape` (TF.js `inputShape`), its
 * `batch_input_shape` without the batch, an Embedding's `input_length`, or `input_dim`; a wrapper's is its inner
 * layer's. Read by the Keras and TF.js frontends for a Sequential model's input.
 */
export function layerInputShape(layer: KerasLayer): Dim[] | undefined {
  const c = layer.config;
  const dims = (v: AttrValue | undefined): Dim[] | undefined => (Array.isArray(v) ? (v as Dim[]).map((d) => (d === null ? '?' : d)) : typeof v === 'number' ? [v] : undefined);
  if (c.input_shape !== undefined) return dims(c.input_shape);
  if (c.batch_input_shape !== undefined) return dims(c.batch_input_shape)?.slice(1);
  if (layer.spec.op === 'embedding') return c.input_length !== undefined ? dims(c.input_length) : undefined;
  if (c.input_dim !== undefined) return dims(c.input_dim);
  if (layer.inner) return layerInputShape(layer.inner);
  return undefined;
}

/** A functional model: the inputs and outputs of a subgraph of one builder. */
export interface FunctionalModel {
  readonly graph: KerasGraph;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

/** Code from another file being run: the file, and the call in the model's own file that runs it. */
export interface ForeignSite {
  readonly path: string;
  readonly site: Range;
}

/** What the graphs one interpreter builds share while it runs: whether code from an imported file is running. */
export interface RunContext {
  /**
   * Set while code from an imported file runs: its ops are shown at the call in the model's file that runs them,
   * and edits that would land in the other file are left out.
   */
  foreign?: ForeignSite;
}

/** Whether a `data_format` / `dataFormat` value puts channels first (`channels_first`, TF.js `channelsFirst`). */
export function isChannelsFirst(v: AttrValue | undefined): boolean {
  return typeof v === 'string' && /^channels_?first$/i.test(v);
}

/** The symbolic tensors one script builds, as graph nodes. */
export class KerasGraph {
  readonly nodes: MutableNode[] = [];
  /** The layer object each op applies, by node id: a layer's input width is fixed by its first application. */
  readonly layerOf = new Map<number, KerasLayer>();
  private readonly autoNames = new Map<string, number>();
  /** Set while replaying a nested model, so its ops know the call in the outer model that runs them. */
  site?: { range: Range; module?: string };

  constructor(readonly run: RunContext = {}) {}

  private get foreign(): ForeignSite | undefined {
    return this.run.foreign;
  }

  emit(node: NodeDraft): number {
    const id = this.nodes.length;
    const full: MutableNode = { ...node, id, category: node.category ?? Ops.category(node.op) };
    if (this.site && full.site === undefined) full.site = this.site;
    const foreign = this.foreign;
    if (foreign) {
      full.range = foreign.site;
      if (full.defRange !== undefined) full.defRange = foreign.site;
      delete full.insertActivation;
      delete full.edits;
      full.origin = full.origin ?? foreign.path;
    }
    this.nodes.push(full);
    return id;
  }

  input(name: string, shape: readonly Dim[] | undefined, range: Range): number {
    return this.emit({ op: 'input', category: 'input', inputs: [], attrs: { name }, range, label: name, shape });
  }

  opaque(label: string, inputs: number[], range: Range, reason: string): number {
    return this.emit({ op: 'opaque', category: 'other', inputs, attrs: {}, range, label: clip(label), reason });
  }

  /** The layer's name, assigning a Keras-style one (`dense`, `dense_1`) on first use. */
  nameOf(layer: KerasLayer): string {
    if (layer.name) return layer.name;
    const base = snake(layer.className);
    const n = this.autoNames.get(base) ?? 0;
    this.autoNames.set(base, n + 1);
    layer.name = n === 0 ? base : `${base}_${n}`;
    return layer.name;
  }

  /** Applies a layer to its input tensors at `range`; returns the output node. */
  apply(layer: KerasLayer, inputs: readonly number[], range: Range, extra: { bidirectional?: boolean } = {}): number {
    const spec = layer.spec;
    const name = this.nameOf(layer);
    const c = layer.config;
    // A layer built in an imported file is shown where this file applies it; its constructor is not editable here.
    const imported = layer.origin !== undefined && !this.foreign;
    const defRange = imported ? range : layer.defRange;
    const origin = imported ? { origin: layer.origin } : {};
    switch (spec.kind) {
      case 'input':
        return inputs[0] ?? this.input(name, undefined, range);
      case 'lambda':
        return this.opaque(layer.label, [...inputs], range, 'a Lambda layer runs arbitrary code');
      case 'wrapper': {
        if (!layer.inner) return this.opaque(layer.label, [...inputs], range, 'the wrapped layer is not known');
        if (layer.inner.name === undefined) layer.inner.name = name;
        return this.apply(layer.inner, inputs, range, { bidirectional: extra.bidirectional || /^bidirectional$/i.test(layer.className) });
      }
      case 'merge': {
        const attrs: Record<string, AttrValue> = {};
        if (spec.op === 'concat') attrs.dim = typeof c.axis === 'number' ? c.axis : -1;
        // `Dot(axes=[2, 2])`: which axis of each operand the product contracts (batch counted).
        if (spec.op === 'bmm' && c.axes !== undefined) attrs.axes = c.axes;
        return this.emit({ op: spec.op, category: 'merge', inputs: [...inputs], attrs, module: name, layerId: name, range, defRange, ...origin });
      }
      case 'activation': {
        const named = typeof c.activation === 'string' ? activationOp(c.activation) : undefined;
        const op = spec.op || named || (layer.activation?.op ?? undefined);
        if (!op) {
          if (named === null) return inputs[0] ?? this.opaque(layer.label, [], range, 'no input');
          return this.opaque(layer.label, [...inputs], range, `the activation ${layer.activation?.label ?? String(c.activation)} is not known`);
        }
        const attrs: Record<string, AttrValue> = {};
        if (op === 'softmax' || op === 'log_softmax') attrs.dim = typeof c.axis === 'number' ? c.axis : -1;
        return this.emit({ op, category: 'activation', inputs: inputs.slice(0, 1), attrs, module: name, layerId: name, range, defRange, ...origin });
      }
      case 'op':
        break;
    }
    const attrs = layerAttrs(layer, extra.bidirectional === true);
    const category: OpCategory = spec.category ?? Ops.category(spec.op);
    const takesAll = spec.op === 'multihead_attention';
    const recurrent = category === 'recurrent';
    const hasActivation = !recurrent && layer.activation !== undefined && layer.activation.op !== null;
    const id = this.emit({
      op: spec.op,
      category,
      inputs: takesAll ? [...inputs] : inputs.slice(0, 1),
      attrs,
      module: name,
      layerId: name,
      range,
      defRange,
      insertActivation: category === 'affine' && !hasActivation && !imported ? layer.insertActivation : undefined,
      ...(category === 'affine' && layer.disableBias && attrs.bias === true && !imported ? { edits: { disableBias: layer.disableBias } } : {}),
      ...(category === 'affine' && layer.init && !imported ? { init: layer.init } : {}),
      ...origin,
    });
    this.layerOf.set(id, layer);
    if (!hasActivation || !layer.activation) return id;
    const act = layer.activation;
    if (act.op === undefined || act.op === null) return this.opaque(act.label, [id], imported ? range : act.range, `the activation \`${clip(act.label)}\` is not known`);
    const actAttrs: Record<string, AttrValue> = act.op === 'softmax' || act.op === 'log_softmax' ? { dim: -1 } : {};
    // The activation is applied where the layer is (a subclassed model's call), written where the layer is built.
    const at = !imported && contains(range, act.range) ? act.range : range;
    return this.emit({ op: act.op, category: 'activation', inputs: [id], attrs: actAttrs, module: name, range: at, defRange, ...origin });
  }

  /** Applies a functional model (built in this or another builder) to tensors of this builder. */
  replay(model: FunctionalModel, args: readonly number[], site: { range: Range; module?: string }): number[] {
    const ids = ancestors(model.graph.nodes, model.outputs, model.inputs);
    const map = new Map<number, number>();
    model.inputs.forEach((id, i) => {
      const arg = args[i];
      if (arg !== undefined) map.set(id, arg);
    });
    const saved = this.site;
    this.site = this.site ?? site;
    try {
      for (const id of ids) {
        if (map.has(id)) continue;
        const node = model.graph.nodes[id];
        if (node.category === 'input') {
          map.set(id, this.input(String(node.attrs.name ?? 'x'), node.shape, node.range));
          continue;
        }
        const { id: _old, inputs, site: _site, ...rest } = node;
        void _old;
        void _site;
        const copy = this.emit({ ...rest, inputs: inputs.map((i) => map.get(i) ?? i) });
        map.set(id, copy);
        const layer = model.graph.layerOf.get(id);
        if (layer) this.layerOf.set(copy, layer);
      }
    } finally {
      this.site = saved;
    }
    return model.outputs.map((o) => map.get(o) ?? o);
  }
}

/** Hyperparameters in the framework-neutral keys (`in`, `out`, `kernel`, `stride`, `padding`, `p`, …). */
function layerAttrs(layer: KerasLayer, bidirectional: boolean): Record<string, AttrValue> {
  const c = layer.config;
  const spec = layer.spec;
  const attrs: Record<string, AttrValue> = {};
  const set = (key: string, v: AttrValue | undefined) => {
    if (v !== undefined) attrs[key] = v;
  };
  const category = spec.category ?? Ops.category(spec.op);
  const channelsLast = !isChannelsFirst(c.data_format);
  if (category === 'affine' || category === 'pooling') {
    const rank = spec.rank ?? 0;
    const asList = (v: AttrValue | undefined): AttrValue | undefined => (typeof v === 'number' && rank > 1 ? Array(rank).fill(v) : v);
    if (rank > 0 && c.global === true) {
      attrs.channels_last = channelsLast;
    } else if (rank > 0) {
      attrs.channels_last = channelsLast;
      if (c.padding === 'same') attrs.same_padding = true;
      else attrs.padding = 0;
    }
    if (category === 'affine') {
      set('out', c.units ?? c.filters);
      if (rank > 0) {
        set('kernel', asList(c.kernel_size));
        set('stride', asList(c.strides));
      }
      if (spec.op.startsWith('conv') && c.kernel_size === undefined && spec.params[0] === 'kernel_size') set('kernel', asList(c.kernel_size));
      // A depthwise convolution has no `filters`: each input channel gets its own `depth_multiplier` filters, so its
      // width (and its groups) follow from the input's channels once they are known.
      if (/^depthwise/i.test(layer.className)) attrs.depth_multiplier = typeof c.depth_multiplier === 'number' ? c.depth_multiplier : 1;
      attrs.bias = c.use_bias !== false;
    } else {
      if (c.global === true) attrs.global = true;
      else {
        set('kernel', asList(c.pool_size ?? 2));
        attrs.stride = asList(c.strides) ?? null;
      }
    }
  } else if (category === 'recurrent') {
    set('out', c.units ?? c.filters);
    attrs.return_sequences = c.return_sequences === true;
    if (bidirectional) attrs.bidirectional = true;
    if (typeof c.activation === 'string') attrs.activation = c.activation;
  } else if (spec.op === 'embedding') {
    set('in', c.input_dim);
    // `output_dim` is also Keras 1's name for Dense's `units`, so the keyword arrives renamed.
    set('out', c.output_dim ?? c.units);
  } else if (spec.op === 'dropout' || spec.op === 'alpha_dropout') {
    set('p', c.rate);
  } else if (spec.op === 'reshape') {
    const target = c.target_shape;
    if (Array.isArray(target)) attrs.shape = ['B', ...target];
  } else if (spec.op === 'multihead_attention') {
    set('heads', c.num_heads);
    set('key_dim', c.key_dim);
  } else if (spec.op === 'scale') {
    set('factor', c.scale);
  } else if (spec.op === 'permute') {
    set('dims', c.dims);
  }
  return attrs;
}

/** The ids of every node the outputs depend on, in evaluation order, stopping at the given inputs. */
function ancestors(nodes: readonly MutableNode[], outputs: readonly number[], stopAt: readonly number[]): number[] {
  const stop = new Set(stopAt);
  const seen = new Set<number>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || nodes[id] === undefined) continue;
    seen.add(id);
    if (!stop.has(id)) stack.push(...nodes[id].inputs);
  }
  for (const id of stopAt) if (nodes[id] !== undefined) seen.add(id);
  return [...seen].sort((a, b) => a - b);
}

export interface ModelMeta {
  readonly name: string;
  readonly framework: Framework;
  readonly range: Range;
  readonly nameRange: Range;
  readonly layers?: readonly LayerDecl[];
  readonly problems?: readonly FrontendProblem[];
  readonly losses?: readonly string[];
  readonly textKey?: string;
}

/** Cuts one model out of a builder: the nodes between its inputs and outputs, renumbered in evaluation order. */
export function toModelGraph(builder: KerasGraph, inputs: readonly number[], outputs: readonly number[], meta: ModelMeta): ModelGraph {
  const ids = ancestors(builder.nodes, outputs, inputs);
  const remap = new Map<number, number>();
  ids.forEach((id, i) => remap.set(id, i));
  const nodes: GraphNode[] = ids.map((id, i) => {
    const n = builder.nodes[id];
    const copy: MutableNode = { ...n, id: i, inputs: n.inputs.map((x) => remap.get(x) ?? x).filter((x) => x < i) };
    if (copy.shape === undefined) delete copy.shape;
    return copy as GraphNode;
  });
  const problems: FrontendProblem[] = [...(meta.problems ?? [])];
  for (const n of nodes) {
    if (n.op === 'opaque') problems.push({ severity: 'hint', range: n.range, message: `Model Audit does not understand \`${clip(n.label ?? '')}\`: ${n.reason ?? 'unknown call'}. It is shown as an opaque step.` });
  }
  const graph: ModelGraph = {
    name: meta.name,
    framework: meta.framework,
    range: meta.range,
    nameRange: meta.nameRange,
    nodes,
    inputs: nodes.filter((n) => n.category === 'input').map((n) => n.id),
    outputs: outputs.map((o) => remap.get(o)).filter((o): o is number => o !== undefined),
    layers: meta.layers ?? [],
    problems,
    ...(meta.losses && meta.losses.length > 0 ? { losses: meta.losses } : {}),
    ...(meta.textKey ? { textKey: meta.textKey } : {}),
  };
  return { ...graph, nodes: withInputWidths(graph, ids.map((id) => builder.layerOf.get(id))) };
}

/**
 * Keras infers a layer's input width when it is first called (a Dense layer's features, a convolution's channels on
 * the channel axis of its layout); do the same from the shapes, so `in` is known and renderings and findings read
 * 64→128 rather than ?→128. A layer applied again keeps the width of its first application, as Keras does, so a
 * second call on a different width shows as a mismatch. A depthwise convolution's width follows from its input's.
 */
function withInputWidths(graph: ModelGraph, layers: readonly (KerasLayer | undefined)[]): readonly GraphNode[] {
  let nodes = graph.nodes;
  // Each pass fixes the widths whose input shapes are known; a depthwise width found in one pass gives the shapes
  // after it in the next, so a MobileNet stack takes a few passes.
  for (let pass = 0; pass < 64; pass++) {
    const shaped = inferShapes({ ...graph, nodes }).nodes;
    const first = new Map<KerasLayer, Dim>();
    let changed = false;
    nodes = nodes.map((n, i) => {
      const spatial = Shapes.isSpatial(n.op);
      if (n.category !== 'affine' || n.inputs.length === 0 || (n.op !== 'linear' && !spatial)) return n;
      const layer = layers[i];
      const current = n.attrs.in;
      if (current !== undefined) {
        if (layer && !first.has(layer) && (typeof current === 'number' || typeof current === 'string')) first.set(layer, current);
        return n;
      }
      const s = shaped[n.inputs[0]]?.shape;
      const rank = Number(/([123])d$/.exec(n.op)?.[1] ?? 0);
      let seen: Dim | undefined;
      if (n.op === 'linear') seen = s && s.length > 0 ? s[s.length - 1] : undefined;
      else if (s && s.length === rank + 1) seen = n.attrs.channels_last === true ? s[s.length - 1] : s[0];
      const known = seen === undefined || seen === '?' ? undefined : seen;
      const declared = layer ? first.get(layer) : undefined;
      const width = declared ?? known;
      if (layer && declared === undefined && known !== undefined) first.set(layer, known);
      if (width === undefined) return n;
      changed = true;
      const attrs: Record<string, AttrValue> = { ...n.attrs, in: width };
      const multiplier = n.attrs.depth_multiplier;
      if (typeof multiplier === 'number') {
        attrs.groups = width;
        attrs.out = typeof width === 'number' ? width * multiplier : multiplier === 1 ? width : `${multiplier}${width}`;
      }
      return { ...n, attrs };
    });
    if (!changed) break;
  }
  return nodes;
}

function contains(outer: Range, inner: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}


/** A loss named in `compile(loss=…)`, before it is tied to one of the model's outputs. */
export interface CompiledLoss {
  /** As written: `categorical_crossentropy`, `CategoricalCrossentropy(from_logits=True)`, `softmaxCrossEntropy`. */
  readonly name: string;
  readonly fromLogits: boolean;
  readonly range: Range;
  /** For a list or dict of losses: the output's position or its layer name. */
  readonly output?: number | string;
  /** The same `compile` asks for `accuracy` as a metric (see LossUse.accuracyMetric). */
  readonly accuracyMetric?: AccuracyMetric;
}

/** What a loss expects and applies, as the graph's `lossUses` reads it (MA003, MA005, MA006). */
export interface KerasLossUse {
  readonly name: string;
  readonly expects: 'logits' | 'probabilities' | 'values';
  readonly applies?: 'softmax' | 'sigmoid';
  readonly range: Range;
  readonly output?: number;
  readonly task?: LossTask;
  readonly accuracyMetric?: AccuracyMetric;
}

/** The targets a Keras loss is made for, by its catalog key. */
function taskOf(key: string): LossTask | undefined {
  if (KERAS_LOSSES[key] === 'regression') return 'regression';
  if (key.startsWith('binary') || key === 'sigmoidcrossentropy') return 'binary';
  if (key.includes('categorical') || key === 'softmaxcrossentropy') return 'classes';
  return undefined;
}

/** Ties compiled losses to the model's outputs and says what each expects. */
export function lossUsesOf(graph: ModelGraph, losses: readonly CompiledLoss[]): KerasLossUse[] {
  const uses: KerasLossUse[] = [];
  for (const loss of losses) {
    const key = lossKey(loss.name.replace(/\(.*$/, ''));
    if (!key) continue;
    const kind = KERAS_LOSSES[key];
    const sigmoid = key.startsWith('binary') || key === 'sigmoidcrossentropy';
    let output: number | undefined;
    if (typeof loss.output === 'number') output = loss.output;
    else if (typeof loss.output === 'string') {
      const index = graph.outputs.findIndex((id) => graph.nodes[id]?.module === loss.output);
      if (index < 0) continue;
      output = index;
    }
    const task = taskOf(key);
    const base = { name: loss.name, range: loss.range, ...(output !== undefined ? { output } : {}), ...(task ? { task } : {}), ...(loss.accuracyMetric ? { accuracyMetric: loss.accuracyMetric } : {}) };
    if (kind === 'logits') uses.push({ ...base, expects: 'logits', applies: sigmoid ? 'sigmoid' : 'softmax' });
    else if (kind === 'probabilities') uses.push(loss.fromLogits ? { ...base, expects: 'logits', applies: sigmoid ? 'sigmoid' : 'softmax' } : { ...base, expects: 'probabilities' });
    else uses.push({ ...base, expects: 'values' });
  }
  return uses;
}

/** The graph with its compiled losses: names in `losses`, what each expects in `lossUses`. */
export function withLosses(graph: ModelGraph, losses: readonly CompiledLoss[]): ModelGraph {
  if (losses.length === 0) return graph;
  const uses = lossUsesOf(graph, losses);
  return { ...graph, losses: losses.map((l) => l.name), ...(uses.length > 0 ? { lossUses: uses } : {}) };
}

export { clip };

/** The part of a built Keras or TF.js model that names it and, for the functional API, holds its graph. */
export interface BuiltModel {
  readonly call: SyntaxNode;
  readonly variable?: SyntaxNode;
  readonly nameArg?: string;
  readonly functional?: FunctionalModel;
  readonly losses: readonly CompiledLoss[];
}

/** A model the code builds (`Sequential([...])`, `Model(...)`, `tf.sequential(...)`, `tf.model(...)`), over a frontend's values. */
export interface ModelObject<V> extends BuiltModel {
  readonly kind: 'sequential' | 'functional';
  /** Sequential items: layers, nested models, instances and the inputs written as `Input(...)`. */
  readonly items: V[];
  readonly itemRanges: Range[];
  functional?: FunctionalModel;
  /** The top-level function that built it, if any. */
  readonly creator?: SyntaxNode;
  nameArg?: string;
  variable?: SyntaxNode;
  losses: CompiledLoss[];
  /** The file the model is built in, when it is not the analysed one (a block imported from the workspace). */
  readonly origin?: string;
}

/**
 * What a built model is called and where it is shown: the function that builds it when that function builds only
 * this model, else the variable it is assigned to, else its `name` argument (or the function's name). `creator` is
 * the building function's definition as shown and `creatorName` its name node; `statementOf` finds a node's statement.
 */
export function modelIdentity(
  m: BuiltModel,
  creator: { readonly def: SyntaxNode; readonly name: SyntaxNode } | undefined,
  soleInCreator: boolean,
  statementOf: (node: SyntaxNode) => SyntaxNode,
): { readonly name: string; readonly defNode: SyntaxNode; readonly nameNode: SyntaxNode } {
  if (creator && soleInCreator) return { name: creator.name.text, defNode: creator.def, nameNode: creator.name };
  if (m.variable) return { name: m.variable.text, defNode: statementOf(m.variable), nameNode: m.variable };
  return { name: m.nameArg ?? creator?.name.text ?? 'model', defNode: statementOf(m.call), nameNode: m.call.childForFieldName('function') ?? m.call };
}

/** A functional model's graph (`Model(inputs, outputs)`, `tf.model({inputs, outputs})`), or a hint when its outputs were not found. */
export function functionalModelGraph(m: BuiltModel, meta: ModelMeta): ModelGraph {
  if (!m.functional) return toModelGraph(new KerasGraph(), [], [], { ...meta, problems: [{ severity: 'hint', message: `Model Audit could not find the outputs of \`${meta.name}\`.`, range: rangeOfSyntax(m.call) }] });
  return withLosses(toModelGraph(m.functional.graph, m.functional.inputs, m.functional.outputs, meta), m.losses);
}

/** Applies a built functional model to tensors of `g`: its ops replayed at the call, or one opaque step when its outputs are unknown. */
export function applyFunctional(g: KerasGraph, model: BuiltModel, ids: number[], range: Range): number[] {
  if (!model.functional) return [g.opaque(model.call.text, ids, range, 'the model has unknown inputs or outputs')];
  return g.replay(model.functional, ids, { range, module: model.variable?.text ?? model.nameArg });
}

/**
 * The edit that sets one option of a layer call, in either frontend's syntax: the value written for it is replaced
 * (`existing`), else `key<sep>value` is added after the last item of `list` (an argument list in Keras, a config
 * object in TF.js), or written alone into an empty one when `intoEmpty`. `callText` names the call in the description.
 */
export function optionEdit(
  option: { readonly key: string; readonly sep: string; readonly value: string },
  existing: SyntaxNode | undefined,
  list: SyntaxNode | undefined,
  callText: string,
  intoEmpty = false,
): OpEdit | undefined {
  const written = `${option.key}${option.sep}${option.value}`;
  if (existing) return { description: `set ${written} in ${clip(callText, 40)}`, edits: [{ range: rangeOfSyntax(existing), newText: option.value }] };
  if (!list) return undefined;
  const items = list.namedChildren.filter((c) => c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) {
    const open = list.children[0];
    if (!intoEmpty || !open) return undefined;
    const at = rangeOfSyntax(open).end;
    return { description: `add ${written}`, edits: [{ range: { start: at, end: at }, newText: written }] };
  }
  const at = rangeOfSyntax(last).end;
  return { description: `add ${written} to ${clip(callText, 40)}`, edits: [{ range: { start: at, end: at }, newText: `, ${written}` }] };
}

/**
 * Whether an initializer as written gives every weight the same value: `'zeros'`, `'ones'`, `Zeros()`,
 * `tf.zeros_initializer()`, `initializers.Constant(0.1)`, `tf.initializers.constant({value: 0.1})`, Keras 1's
 * `init='zero'`. Read from the text, so it works for Python and JavaScript alike.
 */
export function constantInitializer(text: string): WeightInit['kind'] | undefined {
  const t = text.trim();
  if (/^(['"`])(zeros?|Zeros)\1$/.test(t) || /(^|\.)(Zeros|zeros|zeros_initializer|Zero)\s*\(\s*\)$/.test(t)) return 'zeros';
  if (/^(['"`])(ones|Ones)\1$/.test(t) || /(^|\.)(Ones|ones|ones_initializer)\s*\(\s*\)$/.test(t)) return 'ones';
  if (/(^|\.)(Constant|constant|constant_initializer)\s*\(/.test(t)) return 'constant';
  return undefined;
}

/**
 * The constant kernel initializer a layer call is given (`valueNode`: the value of its `kernel_initializer`, Keras
 * 1 `init`, contrib's `weights_initializer`, TF.js `kernelInitializer`), with the edit that writes the framework's
 * default in its place.
 */
export function weightInitOf(valueNode: SyntaxNode | undefined, defaultText: string): WeightInit | undefined {
  if (!valueNode) return undefined;
  const kind = constantInitializer(valueNode.text);
  if (!kind) return undefined;
  const range = rangeOfSyntax(valueNode);
  return { kind, text: clip(valueNode.text, 60), range, reset: { description: `use ${defaultText} instead of ${clip(valueNode.text, 40)}`, edits: [{ range, newText: defaultText }] } };
}
