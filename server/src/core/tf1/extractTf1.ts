// The TensorFlow 1 graph frontend: reads scripts that build a static graph by hand (`tf.placeholder` inputs,
// `tf.Variable` / `tf.get_variable` weights, `tf.matmul(x, W) + b`, `tf.nn.conv2d`, `tf.nn.relu`, `tf.layers.dense`)
// and finds the models in them. It runs the script's top level with the shared Python interpreter; a call to one of
// the script's functions (`def conv_net(x, weights, biases):`) is run with its arguments, so weights held in dicts
// (`weights['h1']`) keep their shapes and an affine map gets its widths from the variable's shape. A model is the
// graph from the placeholders to a tensor fed to a loss (`tf.nn.softmax_cross_entropy_with_logits(logits=…)`,
// `tf.losses.*`), or, without a loss, to the tensor a model-building function returns; it is named after that
// function, else after the variable the tensor is bound to.

import type { ActivationInsertion, AttrValue, Dim, FrameworkIdioms, LossUse, ModelGraph, Range, TextEdit } from '../graph';
import { arithmetic, attrOf, truthOf } from '../abstractValues';
import { KerasGraph, makeLayer, optionEdit, toModelGraph, weightInitOf, type ActivationUse } from '../keras/kerasGraph';
import { type Env as EnvOf, type Flow as FlowOf, PythonInterpreter, rangeOf } from '../python/interpreter';
import type { SyntaxNode } from '../syntax';
import { clip } from '../text';
import { TF1_ACTIVATIONS, TF1_ELEMENTWISE, TF1_LOSSES, tf1LayerFunction, tf1Path } from './tf1Catalog';

/** The values a TF1 script computes with. */
type TV =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'list'; readonly items: TV[] }
  | { readonly kind: 'tuple'; readonly items: readonly TV[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, TV> }
  /** A module path: `tensorflow.nn.relu`, `numpy`. */
  | { readonly kind: 'path'; readonly path: string }
  /** A graph tensor, by its node in the script's builder. */
  | { readonly kind: 'tensor'; readonly id: number }
  /** A trainable variable (or an initializer's value) with its shape, when written. */
  | { readonly kind: 'var'; readonly shape?: readonly Dim[]; readonly label?: string }
  /** One of the script's own functions. */
  | { readonly kind: 'function'; readonly node: SyntaxNode }
  /** Any other object (a session, an optimizer, a loss value). */
  | { readonly kind: 'object' };

type Env = EnvOf<TV>;
type Flow = FlowOf<TV>;

const UNKNOWN: TV = { kind: 'unknown' };
const NONE: TV = { kind: 'none' };
const OBJECT: TV = { kind: 'object' };
const OBJECTS: ReadonlySet<string> = new Set(['tensor', 'var', 'function', 'object', 'path']);

/** Statements one script may run, and how deep its own functions may call each other. */
const STEP_BUDGET = 50_000;
const MAX_DEPTH = 16;

class StopRun extends Error {}

/** A function body that builds graph layers (not a helper that only reshapes or scales). */
const BUILDS_LAYERS = /\b(?:layers|contrib\.layers|slim)\.(?:dense|conv[123]d|conv2d_transpose|fully_connected|separable_conv2d)\s*\(|\bnn\.conv[123]d\s*\(|\bmatmul\s*\(/;

export const TF1_IDIOMS: FrameworkIdioms = {
  flatten: 'tf.layers.flatten(x) or tf.reshape(x, [-1, n])',
  dense: 'a dense layer (tf.matmul + bias)',
  noBias: 'use_bias=False',
  axis: 'axis',
  buildSite: 'the graph code',
  applySite: 'the graph code',
  channelsFirst: "data_format='channels_first'",
};

/** A loss the script feeds a tensor into. */
interface Tf1Loss {
  readonly tensor: number;
  readonly use: LossUse;
}

/** What a call to one of the script's functions returned: the model-building function a tensor comes from. */
interface Producer {
  readonly def: SyntaxNode;
  readonly name: SyntaxNode;
}

function dims(v: TV): Dim[] | undefined {
  if (v.kind !== 'list' && v.kind !== 'tuple') return typeof (v as { value?: unknown }).value === 'number' ? [(v as { value: number }).value] : undefined;
  return v.items.map((d) => (d.kind === 'num' ? d.value : d.kind === 'sym' ? d.name : '?'));
}

/** The per-sample shape of a placeholder: its shape without the batch axis (`[None, 784]` → `[784]`). */
function perSample(shape: Dim[] | undefined): Dim[] | undefined {
  return shape && shape.length > 0 ? shape.slice(1) : undefined;
}

class Tf1Interpreter extends PythonInterpreter<TV> {
  protected readonly unknown = UNKNOWN;
  protected readonly none = NONE;
  readonly g = new KerasGraph();
  readonly globals: Env = new Map();
  readonly losses: Tf1Loss[] = [];
  /** Tensors returned by the script's functions, by node id, with the function. */
  readonly producers = new Map<number, Producer>();
  /** The first variable each tensor is bound to at the top level, for naming a model without a function. */
  readonly boundTo = new Map<number, SyntaxNode>();
  /** The script's own functions as they were called, in order. */
  readonly called: { def: SyntaxNode; result: TV }[] = [];
  private readonly everCalled = new Set<SyntaxNode>();
  private readonly aliases = new Map<string, string>();
  private steps = 0;
  private depth = 0;
  /** The name the script imports TensorFlow under, for the edits it is offered (`tf.nn.relu(...)`). */
  tfAlias = 'tf';

  constructor(readonly root: SyntaxNode) {
    super();
    for (const stmt of root.namedChildren) this.scanImport(stmt);
  }

  private scanImport(stmt: SyntaxNode): void {
    if (stmt.type === 'import_statement') {
      for (const name of stmt.childrenForFieldName('name')) {
        if (!name) continue;
        const dotted = name.type === 'aliased_import' ? (name.childForFieldName('name')?.text ?? '') : name.text;
        const alias = name.type === 'aliased_import' ? (name.childForFieldName('alias')?.text ?? dotted) : dotted.split('.')[0];
        this.aliases.set(alias, name.type === 'aliased_import' ? dotted : alias);
        if (/^tensorflow(\.compat\.v1)?$/.test(dotted)) this.tfAlias = alias;
      }
    } else if (stmt.type === 'import_from_statement') {
      const moduleName = stmt.childForFieldName('module_name')?.text ?? '';
      for (const name of stmt.childrenForFieldName('name')) {
        if (!name) continue;
        const imported = name.type === 'aliased_import' ? (name.childForFieldName('name')?.text ?? '') : name.text;
        const alias = name.type === 'aliased_import' ? (name.childForFieldName('alias')?.text ?? imported) : imported;
        this.aliases.set(alias, `${moduleName}.${imported}`);
      }
    }
  }

  run(): void {
    try {
      this.execBlock(this.root, this.globals);
      this.runUncalled();
    } catch (e) {
      if (!(e instanceof StopRun)) throw e;
      this.hint('The script is too long to follow to its end; the models found so far are shown.', rangeOf(this.root));
    }
  }

  /**
   * Runs the top-level functions the script never calls itself (an Estimator's `model_fn`, a `build_graph(x)`
   * left to the caller): the first parameter is the input, the others read the global of the same name, else a
   * named size.
   */
  private runUncalled(): void {
    for (const stmt of this.root.namedChildren) {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type !== 'function_definition' || this.everCalled.has(def)) continue;
      const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'identifier' || p.type === 'typed_parameter');
      if (params.length === 0) continue;
      const [first, ...rest] = params.map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')));
      const positional: TV[] = [{ kind: 'tensor', id: this.g.input(first, undefined, rangeOf(params[0])) }];
      for (const name of rest) positional.push(this.globals.get(name) ?? { kind: 'sym', name });
      this.callFunction(def, positional, new Map());
    }
  }

  readonly problems: { message: string; range: Range }[] = [];
  hint(message: string, range: Range): void {
    this.problems.push({ message, range });
  }

  protected tick(): void {
    if (++this.steps > STEP_BUDGET) throw new StopRun();
  }

  protected truth(v: TV): boolean | undefined {
    return truthOf(v, OBJECTS);
  }

  protected iterate(v: TV): TV[] | undefined {
    if (v.kind === 'list' || v.kind === 'tuple') return [...v.items];
    if (v.kind === 'dict') return [...v.entries.keys()].map((k) => ({ kind: 'str', value: k }) as TV);
    return undefined;
  }

  protected functionValue(def: SyntaxNode): TV {
    return { kind: 'function', node: def };
  }

  protected bindAttribute(): void {
    // Attributes of objects are not followed: TF1 graphs live in variables and dicts.
  }

  protected bindName(target: SyntaxNode, value: TV, env: Env): void {
    // A weight is named after the variable it is first bound to (`W1`), so messages can say which layer they mean.
    env.set(target.text, value.kind === 'var' && value.label === undefined ? { ...value, label: target.text } : value);
    if (value.kind !== 'tensor') return;
    const node = this.g.nodes[value.id];
    // A placeholder is named after its variable unless it was given a name.
    if (node?.op === 'input' && node.attrs.name === '') node.attrs.name = target.text;
    if (env === this.globals && !this.boundTo.has(value.id)) this.boundTo.set(value.id, target);
  }

  /** A condition that cannot be decided (`if mode == PREDICT:`) runs both branches and keeps going after a `return` in them, so the graph built after it is still seen. */
  protected execIf(stmt: SyntaxNode, env: Env): Flow {
    const cond = stmt.childForFieldName('condition');
    const truth = cond ? this.truth(this.eval(cond, env)) : undefined;
    const branches: (SyntaxNode | null)[] = [stmt.childForFieldName('consequence')];
    for (const alt of stmt.childrenForFieldName('alternative')) {
      if (alt) branches.push(alt.type === 'else_clause' ? alt.childForFieldName('body') : alt.childForFieldName('consequence'));
    }
    if (truth === true) return this.execBlock(branches[0], env);
    if (truth === false) {
      const alt = stmt.childrenForFieldName('alternative')[0];
      if (alt?.type === 'else_clause') return this.execBlock(alt.childForFieldName('body'), env);
      if (alt) return this.execIf(alt, env);
      return {};
    }
    for (const b of branches) this.execBlock(b, env);
    return {};
  }

  protected execOther(stmt: SyntaxNode, env: Env): Flow {
    if (stmt.type === 'decorated_definition') {
      const def = stmt.childForFieldName('definition');
      if (def) return this.execStatement(def, env);
    }
    if (stmt.type === 'while_statement') return this.execBlock(stmt.childForFieldName('body'), env);
    if (stmt.type === 'elif_clause') {
      const cond = stmt.childForFieldName('condition');
      if (cond && this.truth(this.eval(cond, env)) === false) return {};
      return this.execBlock(stmt.childForFieldName('consequence'), env);
    }
    return {};
  }

  protected binary(op: string, a: TV, b: TV, node: SyntaxNode): TV {
    if (a.kind === 'num' && b.kind === 'num') {
      const v = arithmetic(op, a.value, b.value);
      return v === undefined ? UNKNOWN : { kind: 'num', value: v };
    }
    if (op === '+' && (a.kind === 'list' || a.kind === 'tuple') && (b.kind === 'list' || b.kind === 'tuple')) return { kind: 'list', items: [...a.items, ...b.items] };
    if (op === '+' && a.kind === 'str' && b.kind === 'str') return { kind: 'str', value: a.value + b.value };
    if (a.kind === 'tensor' || b.kind === 'tensor') return this.tensorArithmetic(op, a, b, node);
    return UNKNOWN;
  }

  /** `x + b` adds a bias, `x + y` merges two tensors, `x * 0.5` scales; anything else keeps the tensor. */
  private tensorArithmetic(op: string, a: TV, b: TV, node: SyntaxNode): TV {
    if (op === '+' || op === '-') {
      const bias = a.kind === 'tensor' && b.kind === 'var' ? this.addBias(a.id, node) : b.kind === 'tensor' && a.kind === 'var' ? this.addBias(b.id, node) : undefined;
      if (bias) return bias;
    }
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      const merge = op === '+' ? 'add' : op === '-' ? 'sub' : op === '*' ? 'mul' : undefined;
      if (merge) return this.emitTensor({ op: merge, inputs: [a.id, b.id], attrs: {}, range: rangeOf(node) });
      if (op === '@') return this.emitTensor({ op: 'bmm', inputs: [a.id, b.id], attrs: {}, range: rangeOf(node) });
      return this.opaqueTensor(node, [a.id, b.id], `the operator ${op} on two tensors is not known`);
    }
    if (op === '@') {
      const [x, w] = a.kind === 'tensor' ? [a, b] : [b, a];
      if (x.kind === 'tensor' && w.kind === 'var') return this.matmul(x.id, w, a.kind !== 'tensor', node);
    }
    const t = a.kind === 'tensor' ? a : b;
    // A constant offset or factor (`x * 0.5`, `x - mean`) keeps the map affine and the shape; it is not an op of its own.
    return t;
  }

  /** Marks the affine op a bias is added to as biased; a bias on anything else leaves the tensor as it is. */
  private addBias(id: number, node: SyntaxNode): TV | undefined {
    const n = this.g.nodes[id];
    if (!n) return undefined;
    if (n.category === 'affine' && n.attrs.bias === false) {
      n.attrs.bias = true;
      n.range = rangeOf(node);
      n.insertActivation = this.wrapInsertion(node);
    }
    return { kind: 'tensor', id };
  }

  // ----- expressions -----

  protected evalName(node: SyntaxNode, env: Env): TV {
    return env.get(node.text) ?? this.globals.get(node.text) ?? this.global(node.text);
  }

  /** A dict keyed by strings or numbers; a variable stored in it is labelled with its key (`weights['h1']`). */
  protected evalDictionary(node: SyntaxNode, env: Env): TV {
    const entries = new Map<string, TV>();
    for (const pair of node.namedChildren) {
      if (pair.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      const k = key ? this.eval(key, env) : UNKNOWN;
      if (!(k.kind === 'str' || k.kind === 'num') || !value) continue;
      const v = this.eval(value, env);
      entries.set(String(k.value), v.kind === 'var' && v.label === undefined ? { ...v, label: String(k.value) } : v);
    }
    return { kind: 'dict', entries };
  }

  private global(name: string): TV {
    const path = this.aliases.get(name);
    return path ? { kind: 'path', path } : UNKNOWN;
  }

  protected evalAttribute(node: SyntaxNode, env: Env): TV {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text ?? '';
    if (!object) return UNKNOWN;
    const owner = this.eval(object, env);
    if (owner.kind === 'path') return { kind: 'path', path: `${owner.path}.${attr}` };
    if (owner.kind === 'dict') return owner.entries.get(attr) ?? UNKNOWN;
    // `W.shape`, `x.get_shape` on a variable read its declared shape.
    if (owner.kind === 'var' && attr === 'shape') return this.shapeValue(owner.shape);
    if (owner.kind === 'var' || owner.kind === 'tensor') return { kind: 'path', path: `#method.${attr}` };
    if ((owner.kind === 'list' || owner.kind === 'tuple') && attr === 'as_list') return { kind: 'path', path: '#as_list' };
    return UNKNOWN;
  }

  private shapeValue(shape: readonly Dim[] | undefined): TV {
    if (!shape) return UNKNOWN;
    return { kind: 'list', items: shape.map((d) => (typeof d === 'number' ? { kind: 'num', value: d } : { kind: 'sym', name: d })) };
  }

  protected evalSubscript(node: SyntaxNode, env: Env): TV {
    const object = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    if (!object || !index) return UNKNOWN;
    const owner = this.eval(object, env);
    const key = this.eval(index, env);
    if (owner.kind === 'dict' && (key.kind === 'str' || key.kind === 'num')) return owner.entries.get(String(key.value)) ?? UNKNOWN;
    if ((owner.kind === 'list' || owner.kind === 'tuple') && key.kind === 'num') return owner.items[key.value < 0 ? owner.items.length + key.value : key.value] ?? UNKNOWN;
    // A dict of features (an Estimator's `features['images']`) read as the tensor it holds.
    if (owner.kind === 'tensor' && key.kind === 'str') return owner;
    // Slicing a tensor (`x[:, -1]`) keeps it in the graph as an op of its own.
    if (owner.kind === 'tensor') return this.emitTensor({ op: 'slice', inputs: [owner.id], attrs: {}, range: rangeOf(node) });
    return UNKNOWN;
  }

  private arguments(args: SyntaxNode | null, env: Env): { positional: TV[]; keywords: Map<string, TV>; keywordNodes: Map<string, SyntaxNode> } {
    const positional: TV[] = [];
    const keywords = new Map<string, TV>();
    const keywordNodes = new Map<string, SyntaxNode>();
    for (const arg of args?.namedChildren ?? []) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) {
          keywords.set(name, this.eval(value, env));
          keywordNodes.set(name, value);
        }
      } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
        const inner = arg.namedChildren[0];
        const v = inner ? this.eval(inner, env) : UNKNOWN;
        if (arg.type === 'list_splat' && (v.kind === 'list' || v.kind === 'tuple')) positional.push(...v.items);
        if (arg.type === 'dictionary_splat' && v.kind === 'dict') for (const [k, x] of v.entries) keywords.set(k, x);
      } else if (arg.type !== 'comment') {
        positional.push(this.eval(arg, env));
      }
    }
    return { positional, keywords, keywordNodes };
  }

  protected evalCall(node: SyntaxNode, env: Env): TV {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return UNKNOWN;
    const fn = this.eval(fnNode, env);
    const argsNode = node.childForFieldName('arguments');
    const args = this.arguments(argsNode, env);
    if (fn.kind === 'function') return this.callFunction(fn.node, args.positional, args.keywords);
    if (fn.kind !== 'path') {
      return this.unknownCall(node, args.positional);
    }
    if (fn.path === '#as_list') {
      const owner = fnNode.childForFieldName('object');
      return owner ? this.eval(owner, env) : UNKNOWN;
    }
    if (fn.path.startsWith('#method.')) return this.tensorMethod(fn.path.slice('#method.'.length), fnNode, node, args.positional, env);
    return this.library(tf1Path(fn.path), node, args, argsNode);
  }

  /** `get_shape()` on a variable gives its shape; other methods on tensors are opaque steps. */
  private tensorMethod(method: string, fnNode: SyntaxNode, node: SyntaxNode, positional: TV[], env: Env): TV {
    const ownerNode = fnNode.childForFieldName('object');
    const owner = ownerNode ? this.eval(ownerNode, env) : UNKNOWN;
    if (method === 'get_shape') return owner.kind === 'var' ? this.shapeValue(owner.shape) : UNKNOWN;
    if (owner.kind === 'tensor') return this.opaqueTensor(node, [owner.id, ...this.tensorIds(positional)], `the tensor method .${method}() is not known`);
    return UNKNOWN;
  }

  /** The placeholders a tensor is computed from. */
  inputsOf(id: number): number[] {
    const seen = new Set<number>();
    const stack = [id];
    while (stack.length > 0) {
      const n = this.g.nodes[stack.pop()!];
      if (!n || seen.has(n.id)) continue;
      seen.add(n.id);
      stack.push(...n.inputs);
    }
    return [...seen].filter((i) => this.g.nodes[i].category === 'input').sort((a, b) => a - b);
  }

  tensorIdsOf(value: TV): number[] {
    return this.tensorIds([value]);
  }

  private tensorIds(values: readonly TV[]): number[] {
    const ids: number[] = [];
    for (const v of values) {
      if (v.kind === 'tensor') ids.push(v.id);
      else if (v.kind === 'list' || v.kind === 'tuple') ids.push(...this.tensorIds(v.items));
    }
    return ids;
  }

  /** A call Model Audit does not know: an opaque step when it reads tensors, else an unknown value. */
  private unknownCall(node: SyntaxNode, positional: readonly TV[], reason = 'unknown call'): TV {
    const ids = this.tensorIds(positional);
    if (ids.length === 0) return UNKNOWN;
    return this.opaqueTensor(node, ids, reason);
  }

  private callFunction(def: SyntaxNode, positional: TV[], keywords: Map<string, TV>): TV {
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      positional = this.inputWhereUnknown(def, positional);
      const env = this.bindParameters(def, positional, keywords, undefined);
      const flow = this.execBlock(def.childForFieldName('body'), env);
      const result = flow.returned ?? NONE;
      const name = def.childForFieldName('name');
      this.everCalled.add(def);
      if (this.depth === 1) this.called.push({ def, result });
      // The outermost function that returns a tensor names it: `layer(x, W, b)` inside `neural_net(x)` is a helper.
      if (name) for (const id of this.tensorIds([result])) this.producers.set(id, { def, name });
      return result;
    } finally {
      this.depth--;
    }
  }

  /**
   * A model-building function called with an input the script computes in a way not followed here
   * (`X, y = dataset.next_batch`; `build_model(X)`): its first parameter becomes the model's input, as it does for a
   * function the script never calls, so the layers it builds are still seen. Only for functions that build layers.
   */
  private inputWhereUnknown(def: SyntaxNode, positional: TV[]): TV[] {
    const first = positional[0];
    if (first !== undefined && first.kind !== 'unknown' && first.kind !== 'object') return positional;
    const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'identifier' || p.type === 'typed_parameter' || p.type === 'default_parameter' || p.type === 'typed_default_parameter');
    if (params.length === 0 || !BUILDS_LAYERS.test(def.childForFieldName('body')?.text ?? '')) return positional;
    const param = params[0];
    if (first === undefined && param.type !== 'identifier' && param.type !== 'typed_parameter') return positional;
    const name = param.type === 'identifier' ? param.text : (param.childForFieldName('name')?.text ?? param.namedChildren[0]?.text ?? 'x');
    return [{ kind: 'tensor', id: this.g.input(name, undefined, rangeOf(param)) }, ...positional.slice(1)];
  }

  // ----- TensorFlow -----

  private emitTensor(draft: Parameters<KerasGraph['emit']>[0]): TV {
    return { kind: 'tensor', id: this.g.emit(draft) };
  }

  private opaqueTensor(node: SyntaxNode, inputs: number[], reason: string): TV {
    return { kind: 'tensor', id: this.g.opaque(node.text, inputs, rangeOf(node), reason) };
  }

  private arg(args: { positional: TV[]; keywords: Map<string, TV> }, position: number, ...keywords: string[]): TV | undefined {
    for (const k of keywords) {
      const v = args.keywords.get(k);
      if (v !== undefined) return v;
    }
    return args.positional[position];
  }

  private library(path: string, node: SyntaxNode, args: ReturnType<Tf1Interpreter['arguments']>, argsNode: SyntaxNode | null): TV {
    const range = rangeOf(node);
    const first = this.arg(args, 0, 'x', 'features', 'input', 'inputs', 'a', 'logits', 'value');
    const x = first?.kind === 'tensor' ? first.id : undefined;
    const loss = TF1_LOSSES[path];
    if (loss) return this.lossCall(path, loss, args, node);
    const activation = TF1_ACTIVATIONS[path];
    if (activation) {
      if (x === undefined) return UNKNOWN;
      const attrs: Record<string, AttrValue> = {};
      if (activation === 'softmax' || activation === 'log_softmax') {
        const axis = this.arg(args, 1, 'axis', 'dim');
        attrs.dim = axis?.kind === 'num' ? axis.value : -1;
      }
      return this.emitTensor({ op: activation, inputs: [x], attrs, range });
    }
    const elementwise = TF1_ELEMENTWISE[path];
    if (elementwise) return x === undefined ? UNKNOWN : elementwise === 'identity' ? { kind: 'tensor', id: x } : this.emitTensor({ op: elementwise, inputs: [x], attrs: {}, range });
    switch (path) {
      case 'placeholder': {
        const shape = this.arg(args, 1, 'shape');
        const name = args.keywords.get('name');
        const s = shape ? perSample(dims(shape)) : undefined;
        return { kind: 'tensor', id: this.g.input(name?.kind === 'str' ? name.value : '', s, range) };
      }
      case 'Variable':
      case 'get_variable': {
        const init = path === 'Variable' ? this.arg(args, 0, 'initial_value') : this.arg(args, 1, 'shape');
        const shape = path === 'Variable' ? (init?.kind === 'var' ? init.shape : undefined) : init ? dims(init) : undefined;
        const fromInit = path === 'get_variable' && !shape ? this.arg(args, 99, 'initializer') : undefined;
        return { kind: 'var', shape: shape ?? (fromInit?.kind === 'var' ? fromInit.shape : undefined) };
      }
      case 'random_normal':
      case 'random.normal':
      case 'truncated_normal':
      case 'random.truncated_normal':
      case 'random_uniform':
      case 'random.uniform':
      case 'zeros':
      case 'ones': {
        const shape = this.arg(args, 0, 'shape');
        return { kind: 'var', shape: shape ? dims(shape) : undefined };
      }
      case 'constant': {
        const shape = this.arg(args, 99, 'shape');
        return { kind: 'var', shape: shape ? dims(shape) : undefined };
      }
      case 'matmul': {
        const a = this.arg(args, 0, 'a');
        const b = this.arg(args, 1, 'b');
        if (a?.kind === 'tensor' && b?.kind === 'var') return this.matmul(a.id, b, false, node);
        if (b?.kind === 'tensor' && a?.kind === 'var') return this.matmul(b.id, a, true, node);
        if (a?.kind === 'tensor' && b?.kind === 'tensor') return this.emitTensor({ op: 'bmm', inputs: [a.id, b.id], attrs: {}, range });
        return UNKNOWN;
      }
      case 'add':
      case 'nn.bias_add': {
        const a = this.arg(args, 0, 'x', 'value');
        const b = this.arg(args, 1, 'y', 'bias');
        if (!a || !b) return UNKNOWN;
        return this.binary('+', a, b, node);
      }
      case 'subtract':
      case 'multiply': {
        const a = this.arg(args, 0, 'x');
        const b = this.arg(args, 1, 'y');
        return a && b ? this.binary(path === 'subtract' ? '-' : '*', a, b, node) : UNKNOWN;
      }
      case 'add_n': {
        const ids = this.tensorIds(args.positional);
        return ids.length > 0 ? this.emitTensor({ op: 'add', inputs: ids, attrs: {}, range }) : UNKNOWN;
      }
      case 'nn.xw_plus_b': {
        const w = this.arg(args, 1, 'weights');
        if (x === undefined || w?.kind !== 'var') return this.unknownCall(node, args.positional);
        const out = this.matmul(x, w, false, node);
        return out.kind === 'tensor' ? (this.addBias(out.id, node) ?? out) : out;
      }
      case 'nn.conv2d':
      case 'nn.conv1d':
        return this.conv(path === 'nn.conv2d' ? 2 : 1, x, args, node);
      case 'nn.max_pool':
      case 'nn.max_pool2d':
      case 'nn.avg_pool':
      case 'nn.avg_pool2d':
        return this.pool(path.startsWith('nn.max') ? 'max_pool2d' : 'avg_pool2d', x, args, node);
      case 'nn.dropout': {
        if (x === undefined) return UNKNOWN;
        const keep = this.arg(args, 1, 'keep_prob');
        const rate = args.keywords.get('rate');
        const p = rate?.kind === 'num' ? rate.value : keep?.kind === 'num' && args.keywords.has('rate') === false ? 1 - keep.value : undefined;
        const fed = keep?.kind === 'tensor' || rate?.kind === 'tensor';
        const id = this.g.emit({ op: 'dropout', inputs: [x], attrs: p === undefined ? {} : { p: Math.round(p * 1000) / 1000 }, range });
        // A keep probability fed through a placeholder is set to 1 at evaluation, which is how TF1 switches dropout off.
        (this.g.nodes[id] as { modeSwitch?: string }).modeSwitch = fed ? 'model' : p !== undefined ? 'constant' : 'unknown';
        return { kind: 'tensor', id };
      }
      case 'reshape': {
        const shape = this.arg(args, 1, 'shape');
        if (x === undefined) return UNKNOWN;
        const target = shape ? dims(shape) : undefined;
        const attrs: Record<string, AttrValue> = target && target.length > 0 ? { shape: ['B', ...target.slice(1)] } : {};
        return this.emitTensor({ op: 'reshape', inputs: [x], attrs, range });
      }
      case 'concat': {
        const values = this.arg(args, 0, 'values');
        const axis = this.arg(args, 1, 'axis');
        const ids = values ? this.tensorIds([values]) : [];
        if (ids.length === 0) return UNKNOWN;
        return this.emitTensor({ op: 'concat', inputs: ids, attrs: { dim: axis?.kind === 'num' ? axis.value : -1 }, range });
      }
      case 'squeeze':
      case 'expand_dims':
      case 'transpose':
        return x === undefined ? UNKNOWN : this.emitTensor({ op: path === 'expand_dims' ? 'unsqueeze' : path, inputs: [x], attrs: {}, range });
      case 'reduce_mean':
      case 'reduce_sum':
      case 'reduce_max': {
        if (x === undefined) return UNKNOWN;
        const op = path === 'reduce_mean' ? 'mean' : path === 'reduce_sum' ? 'sum' : 'max';
        const axis = this.arg(args, 1, 'axis');
        return this.emitTensor({ op, inputs: [x], attrs: axis?.kind === 'num' ? { dim: axis.value } : {}, range });
      }
      case 'nn.embedding_lookup': {
        const table = this.arg(args, 0, 'params');
        const ids = this.arg(args, 1, 'ids');
        if (table?.kind !== 'var' || ids?.kind !== 'tensor') return this.unknownCall(node, args.positional);
        const [vocab, width] = table.shape ?? [];
        const attrs: Record<string, AttrValue> = {};
        if (vocab !== undefined) attrs.in = vocab;
        if (width !== undefined) attrs.out = width;
        return this.emitTensor({ op: 'embedding', inputs: [ids.id], attrs, range });
      }
      default:
        break;
    }
    const layerFn = tf1LayerFunction(path);
    if (layerFn && x !== undefined) return this.layerCall(layerFn, x, args, node, argsNode);
    if (/^(train|summary|global_variables_initializer|initialize_all_variables|Session|InteractiveSession|variable_scope|name_scope|set_random_seed|random\.set_seed|reset_default_graph|app|logging|estimator|metrics|equal|argmax|argmin|cast|shape|size|one_hot|GraphKeys|get_collection|trainable_variables)/.test(path)) {
      return OBJECT;
    }
    return this.unknownCall(node, args.positional, `\`${clip(path)}\` is not a TensorFlow op Model Audit knows`);
  }

  /** `x @ W` (`transposed`: `W @ x`) with W's shape `[in, out]`: a linear map without a bias until one is added. */
  private matmul(x: number, w: TV & { kind: 'var' }, transposed: boolean, node: SyntaxNode): TV {
    const [a, b] = w.shape ?? [];
    const [inDim, outDim] = transposed ? [b, a] : [a, b];
    const attrs: Record<string, AttrValue> = { bias: false };
    if (inDim !== undefined) attrs.in = inDim;
    if (outDim !== undefined) attrs.out = outDim;
    return this.emitTensor({ op: 'linear', inputs: [x], attrs, range: rangeOf(node), ...(w.label ? { module: w.label } : {}), insertActivation: this.wrapInsertion(node) });
  }

  /** `tf.nn.conv2d(x, W, strides=[1, s, s, 1], padding='SAME')` with W's shape `[kh, kw, in, out]`. */
  private conv(rank: 1 | 2, x: number | undefined, args: ReturnType<Tf1Interpreter['arguments']>, node: SyntaxNode): TV {
    const w = this.arg(args, 1, 'filters', 'filter');
    if (x === undefined || w?.kind !== 'var') return this.unknownCall(node, args.positional);
    const shape = w.shape ?? [];
    const attrs: Record<string, AttrValue> = { bias: false, channels_last: true };
    if (shape.length === rank + 2) {
      attrs.kernel = rank === 1 ? shape[0] : shape.slice(0, rank);
      attrs.in = shape[rank];
      attrs.out = shape[rank + 1];
    }
    const strides = this.arg(args, 2, 'strides', 'stride');
    const s = strides ? dims(strides) : undefined;
    if (s) attrs.stride = s.length === rank + 2 ? (rank === 1 ? s[1] : s.slice(1, rank + 1)) : rank === 1 ? s[0] : Array(rank).fill(s[0]);
    const padding = this.arg(args, 3, 'padding');
    if (padding?.kind === 'str' && padding.value.toUpperCase() === 'SAME') attrs.same_padding = true;
    else attrs.padding = 0;
    return this.emitTensor({ op: rank === 2 ? 'conv2d' : 'conv1d', inputs: [x], attrs, range: rangeOf(node), ...(w.label ? { module: w.label } : {}), insertActivation: this.wrapInsertion(node) });
  }

  private pool(op: string, x: number | undefined, args: ReturnType<Tf1Interpreter['arguments']>, node: SyntaxNode): TV {
    if (x === undefined) return UNKNOWN;
    const window = (v: TV | undefined): AttrValue | undefined => {
      const d = v ? dims(v) : undefined;
      if (!d) return undefined;
      return d.length === 4 ? d.slice(1, 3) : d.length === 1 ? [d[0], d[0]] : d;
    };
    const attrs: Record<string, AttrValue> = { channels_last: true };
    const kernel = window(this.arg(args, 1, 'ksize'));
    const stride = window(this.arg(args, 2, 'strides'));
    if (kernel !== undefined) attrs.kernel = kernel;
    attrs.stride = stride ?? null;
    const padding = this.arg(args, 3, 'padding');
    if (padding?.kind === 'str' && padding.value.toUpperCase() === 'SAME') attrs.same_padding = true;
    else attrs.padding = 0;
    return this.emitTensor({ op, inputs: [x], attrs, range: rangeOf(node) });
  }

  /** `tf.layers.dense(x, 64, activation=tf.nn.relu)`: the Keras layer built and applied in one call. */
  private layerCall(fn: NonNullable<ReturnType<typeof tf1LayerFunction>>, x: number, args: ReturnType<Tf1Interpreter['arguments']>, node: SyntaxNode, argsNode: SyntaxNode | null): TV {
    const positional = args.positional.slice(1).map((v) => attrOf(v, true));
    const keywords: Record<string, AttrValue> = {};
    for (const [k, v] of args.keywords) {
      if (k === fn.activationKeyword || k === 'inputs' || k === 'input') continue;
      keywords[fn.keywords[k] ?? k] = attrOf(v, true);
    }
    // contrib's keep_prob is the complement of Keras's rate.
    if (typeof keywords.keep_prob === 'number') keywords.rate = 1 - keywords.keep_prob;
    const named: Record<string, AttrValue> = {};
    fn.params.forEach((p, i) => {
      if (i < positional.length) named[p] = positional[i];
    });
    // TF1 spells paddings in capitals; Keras reads them in lower case.
    for (const cfg of [named, keywords]) if (typeof cfg.padding === 'string') cfg.padding = cfg.padding.toLowerCase();
    const actNode = args.keywordNodes.get(fn.activationKeyword);
    const actValue = args.keywords.get(fn.activationKeyword);
    let activation: ActivationUse | undefined;
    if (actNode && actValue) activation = this.activationUse(actValue, actNode);
    else if (fn.defaultRelu) activation = { op: 'relu', label: 'relu (the default activation_fn)', range: rangeOf(node) };
    const existing = actNode;
    const insertActivation = this.optionInsertion(fn.activationKeyword, existing, argsNode, node);
    const init = weightInitOf(args.keywordNodes.get('kernel_initializer') ?? args.keywordNodes.get('weights_initializer'), 'None');
    const layer = makeLayer(fn.spec, fn.className, { positional: [], keywords: { ...named, ...keywords } }, { defRange: rangeOf(node), label: node.text, activation, insertActivation, init });
    const training = args.keywords.get('training');
    const id = this.g.apply(layer, [x], rangeOf(node));
    if (fn.spec.op === 'dropout') {
      const n = this.g.nodes[id] as { modeSwitch?: string };
      // A literal True/False fixes the mode; a flag handed in (`training=training`, a parameter the script passes
      // True for training and False for evaluation) switches it.
      const literal = args.keywordNodes.get('training')?.type === 'true' || args.keywordNodes.get('training')?.type === 'false';
      n.modeSwitch = training === undefined ? 'default' : training.kind === 'bool' && literal ? 'constant' : 'model';
      // tf.layers.dropout is off unless training=True: its default is evaluation mode, never always on.
      if (training === undefined) n.modeSwitch = 'model';
    }
    return { kind: 'tensor', id };
  }

  private activationUse(v: TV, node: SyntaxNode): ActivationUse {
    if (v.kind === 'none') return { op: null, label: 'None', range: rangeOf(node) };
    if (v.kind === 'str') return { op: v.value === 'linear' ? null : (TF1_ACTIVATIONS[`nn.${v.value}`] ?? undefined), label: v.value, range: rangeOf(node) };
    if (v.kind === 'path') return { op: TF1_ACTIVATIONS[tf1Path(v.path)] ?? undefined, label: node.text, range: rangeOf(node) };
    return { op: undefined, label: node.text, range: rangeOf(node) };
  }

  private optionInsertion(keyword: string, existing: SyntaxNode | undefined, argsNode: SyntaxNode | null, node: SyntaxNode): ActivationInsertion | undefined {
    const edit = optionEdit({ key: keyword, sep: '=', value: `${this.tfAlias}.nn.relu` }, existing, argsNode ?? undefined, node.text);
    return edit ? { description: edit.description, edits: edit.edits } : undefined;
  }

  /** Wraps an affine expression in the ReLU: `tf.matmul(x, W) + b` → `tf.nn.relu(tf.matmul(x, W) + b)`. */
  private wrapInsertion(node: SyntaxNode): ActivationInsertion {
    const r = rangeOf(node);
    const edits: TextEdit[] = [
      { range: { start: r.start, end: r.start }, newText: `${this.tfAlias}.nn.relu(` },
      { range: { start: r.end, end: r.end }, newText: ')' },
    ];
    return { description: `wrap \`${clip(node.text)}\` in ${this.tfAlias}.nn.relu(...)`, edits };
  }

  private lossCall(path: string, spec: (typeof TF1_LOSSES)[string], args: ReturnType<Tf1Interpreter['arguments']>, node: SyntaxNode): TV {
    const fed = this.arg(args, spec.position, spec.keyword);
    if (fed?.kind === 'tensor') {
      const name = `tf.${path}`;
      const use: LossUse = { name, expects: spec.expects, ...(spec.applies ? { applies: spec.applies } : {}), range: rangeOf(node) };
      this.losses.push({ tensor: fed.id, use });
    }
    return OBJECT;
  }
}

/** Every TF1 graph model in a parsed Python file, in source order. */
export function extractTf1(root: SyntaxNode): { models: ModelGraph[] } {
  const it = new Tf1Interpreter(root);
  it.run();
  const outputs: { tensor: number; losses: LossUse[] }[] = [];
  for (const loss of it.losses) {
    const known = outputs.find((o) => o.tensor === loss.tensor);
    if (known) known.losses.push(loss.use);
    else outputs.push({ tensor: loss.tensor, losses: [loss.use] });
  }
  // Without a loss, a function that builds a graph from its arguments is a model; its result is the output.
  if (outputs.length === 0) {
    for (const call of it.called) for (const id of it.tensorIdsOf(call.result)) if (!outputs.some((o) => o.tensor === id)) outputs.push({ tensor: id, losses: [] });
  }
  // Without a loss or a function, a script's model ends at the last tensor it binds that nothing else reads.
  if (outputs.length === 0) {
    const read = new Set(it.g.nodes.flatMap((n) => n.inputs));
    const sinks = [...it.boundTo.keys()].filter((id) => !read.has(id) && it.g.nodes[id]?.category !== 'input');
    const last = sinks.sort((a, b) => a - b).pop();
    if (last !== undefined) outputs.push({ tensor: last, losses: [] });
  }
  const models: ModelGraph[] = [];
  const names = new Set<string>();
  for (const out of outputs) {
    const node = it.g.nodes[out.tensor];
    if (!node || node.category === 'input') continue;
    const inputs = it.inputsOf(out.tensor);
    const producer = it.producers.get(out.tensor) ?? producerUpstream(it, out.tensor);
    const variable = it.boundTo.get(out.tensor);
    const nameNode = producer?.name ?? variable;
    const name = nameNode?.text ?? 'model';
    // A function run twice (train and test graphs sharing weights) is one model.
    if (names.has(name)) continue;
    const defNode = producer?.def ?? statementOf(variable) ?? root;
    const graph = toModelGraph(it.g, inputs, [out.tensor], { name, framework: 'tf1', range: rangeOf(defNode), nameRange: rangeOf(nameNode ?? defNode) });
    if (!graph.nodes.some((n) => n.category === 'affine')) continue;
    names.add(name);
    const problems = [...graph.problems, ...it.problems.filter((p) => within(p.range, graph.range)).map((p) => ({ ...p, severity: 'hint' as const }))];
    models.push({
      ...graph,
      problems,
      idioms: TF1_IDIOMS,
      ...(out.losses.length > 0 ? { losses: out.losses.map((l) => l.name), lossUses: out.losses } : {}),
    });
  }
  return { models: models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character) };
}

/** The function whose result the tensor was computed from, when only a step after it (`tf.nn.softmax(logits)`) lies between. */
function producerUpstream(it: Tf1Interpreter, id: number): Producer | undefined {
  let current = it.g.nodes[id];
  for (let i = 0; i < 4 && current && current.inputs.length === 1; i++) {
    const up = it.producers.get(current.inputs[0]);
    if (up) return up;
    current = it.g.nodes[current.inputs[0]];
  }
  return undefined;
}

function statementOf(node: SyntaxNode | undefined): SyntaxNode | undefined {
  let n = node;
  while (n?.parent && n.parent.type !== 'module') n = n.parent;
  return n;
}

function within(inner: Range, outer: Range): boolean {
  return inner.start.line >= outer.start.line && inner.end.line <= outer.end.line;
}

