// The Keras interpreter's calls: library functions (keras.layers, keras.ops, tf.*), building layers and applying
// them to symbolic tensors, models (Sequential, functional, subclassed), `compile` and its losses, and running
// functions and methods of the file and of the modules it imports.

import type { SyntaxNode } from '../syntax';
import type { AccuracyMetric, ActivationInsertion, AttrValue, Dim, OpEdit, Range } from '../graph';
import { MAX_UNROLL, rangeOf } from '../python/interpreter';
import {
  Range0,
  type Arguments,
  type ClassInfo,
  type Env,
  type Instance,
  type KV,
  MAX_DEPTH,
  MERGE_FUNCTIONS,
  type ModelObj,
  NONE,
  UNKNOWN,
  literal,
  normalizePath,
  positionalNode,
  shiftAxis,
  tensorsDeep,
  tensorsIn,
  toAttr,
  truthy,
  FileScope,
  findMethod,
  isKerasClass,
} from './kerasScope';
import { activationOp, kerasLayer } from './kerasCatalog';
import {
  type ActivationUse,
  type CompiledLoss,
  KerasGraph,
  type KerasLayer,
  applyFunctional,
  clip,
  makeLayer,
  optionEdit,
  weightInitOf,
} from './kerasGraph';
import { KerasEvaluator } from './kerasEvaluator';

/** One abstract run: module-level code, a model-building function, or a subclassed model's call. */
export class Interpreter extends KerasEvaluator {
  // ----- calls -----

  private evalArguments(argsNode: SyntaxNode | null, env: Env): Arguments {
    const args: KV[] = [];
    const kwargs = new Map<string, KV>();
    const kwNodes = new Map<string, SyntaxNode>();
    if (!argsNode) return { args, kwargs, kwNodes, node: argsNode };
    if (argsNode.type === 'generator_expression') return { args: [this.eval(argsNode, env)], kwargs, kwNodes, node: argsNode };
    for (const arg of argsNode.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) {
          kwargs.set(name, this.eval(value, env));
          kwNodes.set(name, value);
        }
      } else if (arg.type === 'list_splat') {
        const inner = arg.namedChildren[0];
        const v = inner ? this.eval(inner, env) : UNKNOWN;
        if (v.kind === 'list' || v.kind === 'tuple') args.push(...v.items);
        else args.push(UNKNOWN);
      } else if (arg.type === 'dictionary_splat') {
        const inner = arg.namedChildren[0];
        const v = inner ? this.eval(inner, env) : UNKNOWN;
        if (v.kind === 'dict') for (const [k, val] of v.entries) kwargs.set(k, val);
      } else if (arg.type !== 'comment') {
        args.push(this.eval(arg, env));
      }
    }
    return { args, kwargs, kwNodes, node: argsNode };
  }

  protected evalCall(node: SyntaxNode, env: Env): KV {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return UNKNOWN;
    const a = this.evalArguments(node.childForFieldName('arguments'), env);
    if (fnNode.type === 'attribute') {
      const object = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      // `K.image_data_format()` is Keras' default, channels_last, unless the program sets another one: reading it
      // picks the branch of the usual `if K.image_data_format() == 'channels_first':` the program really runs.
      if (method === 'image_data_format' && a.args.length === 0 && !/set_image_data_format|set_image_dim_ordering/.test(this.file.root.text)) {
        return { kind: 'str', value: 'channels_last' };
      }
      if (object) {
        const receiver = this.eval(object, env);
        const handled = this.callMethod(receiver, method, a, node);
        if (handled !== undefined) return handled;
      }
    }
    return this.call(this.eval(fnNode, env), a, node);
  }

  /** Methods of values the interpreter models itself (lists, models, tensors); undefined when not one of them. */
  private callMethod(receiver: KV, method: string, a: Arguments, node: SyntaxNode): KV | undefined {
    switch (receiver.kind) {
      case 'list':
        if (method === 'append') receiver.items.push(a.args[0] ?? UNKNOWN);
        else if (method === 'extend' && a.args[0] && (a.args[0].kind === 'list' || a.args[0].kind === 'tuple')) receiver.items.push(...a.args[0].items);
        return NONE;
      case 'dict':
        if (method === 'items') return { kind: 'list', items: [...receiver.entries].map(([k, v]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, v] }) as KV) };
        if (method === 'values') return { kind: 'list', items: [...receiver.entries.values()] };
        if (method === 'get' && a.args[0]?.kind === 'str') return receiver.entries.get(a.args[0].value) ?? a.args[1] ?? NONE;
        return UNKNOWN;
      case 'model':
        if (method === 'add' && receiver.model.kind === 'sequential') {
          const arg = a.node?.namedChildren.find((c) => c.type !== 'comment' && c.type !== 'keyword_argument');
          if (a.args[0]) {
            receiver.model.items.push(a.args[0]);
            receiver.model.itemRanges.push(arg ? rangeOf(arg) : rangeOf(node));
          }
          return NONE;
        }
        if (method === 'compile') {
          receiver.model.losses.push(...this.losses(a));
          return NONE;
        }
        if (method === 'pop' && receiver.model.kind === 'sequential') {
          receiver.model.items.pop();
          receiver.model.itemRanges.pop();
          return NONE;
        }
        return UNKNOWN;
      case 'instance':
        if (method === 'add_weight' || method === 'add_variable') {
          const shape = a.kwargs.get('shape') ?? a.args[1];
          const dims = shape && (shape.kind === 'tuple' || shape.kind === 'list') ? shape.items.map(toAttr) : [];
          return { kind: 'weight', weight: { shape: dims } };
        }
        if (method === 'compile') {
          const list = this.classLosses.get(receiver.inst.cls.name) ?? [];
          list.push(...this.losses(a));
          this.classLosses.set(receiver.inst.cls.name, list);
          return NONE;
        }
        return undefined;
      case 'tensor':
        return this.tensorMethod(receiver, method, a, node);
      default:
        return undefined;
    }
  }

  private tensorMethod(t: { graph: KerasGraph; node: number }, method: string, a: Arguments, node: SyntaxNode): KV {
    const range = rangeOf(node);
    if (method === 'numpy' || method === 'get_shape') return UNKNOWN;
    return { kind: 'tensor', graph: t.graph, node: t.graph.opaque(node.text, [t.node], range, `the tensor method \`.${method}()\` is not modelled`) };
  }

  /** The losses given to `compile(loss=…)`, as written, with where each is named and which output it is for. */
  private losses(a: Arguments): CompiledLoss[] {
    const loss = a.kwargs.get('loss') ?? a.args[1];
    const node = a.kwNodes.get('loss') ?? positionalNode(a.node, 1);
    const out: CompiledLoss[] = [];
    const fallback = node ? rangeOf(node) : a.node ? rangeOf(a.node) : Range0;
    const accuracy = this.accuracyMetric(a);
    const one = (v: KV, n: SyntaxNode | undefined, output?: number | string) => {
      const range = n ? rangeOf(n) : fallback;
      const at = { ...(output === undefined ? {} : { output }), ...(accuracy ? { accuracyMetric: accuracy } : {}) };
      if (v.kind === 'str') out.push({ name: v.value, fromLogits: false, range, ...at });
      else if (v.kind === 'loss') out.push({ name: v.text, fromLogits: v.fromLogits, range, ...at });
      else if (v.kind === 'path') out.push({ name: v.path.split('.').pop() ?? v.path, fromLogits: false, range, ...at });
    };
    if (!loss) return out;
    if (loss.kind === 'list' || loss.kind === 'tuple') {
      const itemNodes = node?.type === 'list' || node?.type === 'tuple' ? node.namedChildren.filter((c) => c.type !== 'comment') : [];
      loss.items.forEach((v, i) => one(v, itemNodes[i], i));
    } else if (loss.kind === 'dict') {
      const valueNodes = new Map<string, SyntaxNode>();
      for (const pair of node?.type === 'dictionary' ? node.namedChildren : []) {
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        const k = key ? literal(key) : UNKNOWN;
        if (k.kind === 'str' && value) valueNodes.set(k.value, value);
      }
      for (const [k, v] of loss.entries) one(v, valueNodes.get(k), k);
    } else {
      one(loss, node);
    }
    return out;
  }

  /** Where `compile(metrics=[…])` names plain accuracy (`'accuracy'`, `'acc'`), and that literal as `'mae'`. */
  private accuracyMetric(a: Arguments): AccuracyMetric | undefined {
    const node = a.kwNodes.get('metrics') ?? positionalNode(a.node, 2);
    if (node?.type !== 'list' && node?.type !== 'tuple') return undefined;
    for (const item of node.namedChildren) {
      if (item.type !== 'string') continue;
      const value = literal(item);
      if (value.kind !== 'str' || !/^(acc|accuracy)$/i.test(value.value)) continue;
      const quote = item.text.startsWith("'") ? "'" : '"';
      return { range: rangeOf(item), asMae: `${quote}mae${quote}` };
    }
    return undefined;
  }

  call(callee: KV, a: Arguments, node: SyntaxNode): KV {
    const range = rangeOf(node);
    switch (callee.kind) {
      case 'path':
        return this.callPath(callee.path, a, node);
      case 'class':
        return this.instantiate(callee.cls, a, range);
      case 'function':
        return this.callFunction(callee.node, a, callee.self, range, callee.scope);
      case 'external':
        // Building it (`hub.KerasLayer(url)`) names the block; applying it to tensors makes the opaque step.
        if (tensorsIn([...a.args, ...a.kwargs.values()]).length === 0) return { kind: 'external', module: callee.module, label: clip(node.text), built: true };
        return this.applyCallable(callee, a, node);
      case 'layer':
      case 'model':
      case 'instance':
        return this.applyCallable(callee, a, node);
      default: {
        const tensors = tensorsIn([...a.args, ...a.kwargs.values()]);
        if (tensors.length > 0) return this.opaqueCall(node, tensors, 'the callee is not known');
        return UNKNOWN;
      }
    }
  }

  private opaqueCall(node: SyntaxNode, tensors: { graph: KerasGraph; node: number }[], reason: string): KV {
    const g = tensors[0].graph;
    return { kind: 'tensor', graph: g, node: g.opaque(node.text, tensors.filter((t) => t.graph === g).map((t) => t.node), rangeOf(node), reason) };
  }

  /** Calls a layer, model or subclassed instance on tensors. */
  applyCallable(callee: KV, a: Arguments, node: SyntaxNode): KV {
    const range = rangeOf(node);
    const inputs = tensorsIn([...a.args, ...[...a.kwargs].filter(([k]) => k !== 'training' && k !== 'mask').map(([, v]) => v)]);
    if (inputs.length === 0) return UNKNOWN;
    const g = inputs[0].graph;
    const ids = inputs.filter((t) => t.graph === g).map((t) => t.node);
    if (callee.kind === 'layer') {
      this.applied.add(callee.layer);
      if (callee.layer.inner) this.applied.add(callee.layer.inner);
      return { kind: 'tensor', graph: g, node: g.apply(callee.layer, ids, range) };
    }
    if (callee.kind === 'model') {
      this.applied.add(callee.model);
      return this.applyModel(callee.model, g, ids, range);
    }
    if (callee.kind === 'instance') {
      this.applied.add(callee.inst);
      const method = findMethod(callee.inst.cls, 'call') ?? findMethod(callee.inst.cls, '__call__');
      if (!method) return { kind: 'tensor', graph: g, node: g.opaque(node.text, ids, range, `\`${callee.inst.cls.name}\` has no call method`) };
      return this.callFunction(method.node, a, callee.inst, range, method.scope);
    }
    if (callee.kind === 'external') return { kind: 'tensor', graph: g, node: this.externalBlock(g, callee, ids, range, node.text) };
    return UNKNOWN;
  }

  /** A name from a module Model Audit cannot read, applied to tensors: one opaque block named as it was built. */
  private externalBlock(g: KerasGraph, callee: KV & { kind: 'external' }, ids: number[], range: Range, callText: string): number {
    const label = callee.built ? callee.label : callText;
    return g.opaque(label, ids, range, `it comes from \`${callee.module}\`, which Model Audit cannot read (not in the workspace), so it is one opaque block`);
  }

  applyModel(model: ModelObj, g: KerasGraph, ids: number[], range: Range): KV {
    // A model an imported function built runs as imported code, shown where this file applies it.
    if (model.origin !== undefined && !this.run.foreign) return this.inForeign(model.origin, range, () => this.applyModel(model, g, ids, range));
    if (model.kind === 'functional') {
      const values = applyFunctional(g, model, ids, range).map((o): KV => ({ kind: 'tensor', graph: g, node: o }));
      return values.length === 1 ? values[0] : { kind: 'tuple', items: values };
    }
    let value: KV = { kind: 'tensor', graph: g, node: ids[0] };
    model.items.forEach((item, i) => {
      if (item.kind === 'tensor' || value.kind !== 'tensor') return;
      const itemRange = model.itemRanges[i] ?? range;
      if (item.kind === 'layer') {
        this.applied.add(item.layer);
        value = { kind: 'tensor', graph: g, node: g.apply(item.layer, [value.node], itemRange) };
      } else if (item.kind === 'model' || item.kind === 'instance') {
        value = this.applyCallable(item, { args: [value], kwargs: new Map(), kwNodes: new Map(), node: null }, model.call);
      } else if (item.kind === 'external') {
        value = { kind: 'tensor', graph: g, node: this.externalBlock(g, item, [value.node], itemRange, item.label) };
      } else {
        value = { kind: 'tensor', graph: g, node: g.opaque('?', [value.node], itemRange, 'this Sequential item is not a known layer') };
      }
    });
    return value;
  }

  private callPath(rawPath: string, a: Arguments, node: SyntaxNode): KV {
    const path = normalizePath(rawPath);
    const range = rangeOf(node);
    const last = path.split('.').pop() ?? path;
    const tensors = tensorsIn([...a.args, ...a.kwargs.values()]);
    const isKeras = path.startsWith('keras.');
    // `if K.image_data_format() == 'channels_first':` picks the input shape for the configured layout: channels
    // last unless the file switches it, so the branch that matches the layers' layout is the one read.
    if (last === 'image_data_format' && /^keras\.(backend|config)\./.test(path)) return { kind: 'str', value: this.file.channelsFirst ? 'channels_first' : 'channels_last' };
    if (last === 'image_dim_ordering' && path.startsWith('keras.backend.')) return { kind: 'str', value: this.file.channelsFirst ? 'th' : 'tf' };
    if (isKeras && (last === 'Sequential' || last === 'Model' || last === 'Functional')) return this.construct(last, a, node);
    if (isKeras && (last === 'Input' || last === 'InputLayer')) {
      const shape = a.kwargs.get('shape') ?? a.kwargs.get('input_shape') ?? a.kwargs.get('batch_shape') ?? a.args[0];
      const batch = a.kwargs.has('batch_shape');
      const name = a.kwargs.get('name');
      let dims = shape ? toAttr(shape) : undefined;
      if (Array.isArray(dims) && batch) dims = dims.slice(1);
      const label = name?.kind === 'str' ? name.value : 'x';
      return { kind: 'tensor', graph: this.graph, node: this.graph.input(label, Array.isArray(dims) ? (dims as Dim[]) : undefined, range) };
    }
    if (isKeras && /^keras\.(layers\.|legacy\.layers\.)/.test(path)) {
      // The functional merges: add([a, b]), concatenate([a, b], axis=-1).
      if (MERGE_FUNCTIONS.has(last) && tensors.length > 0) {
        const spec = kerasLayer(last)!;
        const layer = makeLayer(spec, last, { positional: [], keywords: this.keywordAttrs(a) }, { defRange: range, label: clip(node.text) });
        const g = tensors[0].graph;
        return { kind: 'tensor', graph: g, node: g.apply(layer, tensors.filter((t) => t.graph === g).map((t) => t.node), range) };
      }
      const spec = kerasLayer(last);
      if (spec) return { kind: 'layer', layer: this.buildLayer(last, a, node) };
    }
    if (isKeras && path.startsWith('keras.losses.')) {
      const fromLogits = a.kwargs.get('from_logits');
      const logits = fromLogits !== undefined && truthy(fromLogits) === true;
      return { kind: 'loss', text: logits ? `${last}(from_logits=True)` : last, fromLogits: logits };
    }
    if (tensors.length > 0) return this.tensorFunction(path, last, a, node, tensors);
    if (path.startsWith('builtins.')) return this.builtin(path.slice('builtins.'.length), a, node);
    void range;
    return UNKNOWN;
  }

  /** tf.* / keras.ops.* / keras.activations.* functions applied to tensors. */
  private tensorFunction(path: string, last: string, a: Arguments, node: SyntaxNode, tensors: { graph: KerasGraph; node: number }[]): KV {
    const range = rangeOf(node);
    const g = tensors[0].graph;
    const ids = tensors.filter((t) => t.graph === g).map((t) => t.node);
    const emit = (op: string, attrs: Record<string, AttrValue> = {}, inputs = ids.slice(0, 1), category?: 'merge' | 'reshape' | 'pooling'): KV => ({ kind: 'tensor', graph: g, node: g.emit({ op, category, inputs, attrs, range, label: clip(node.text) }) });
    const family = /^(nn|math|keras\.activations|keras\.ops|keras\.backend|keras\.ops\.nn|activations)\./.test(path) || !path.includes('.');
    const axis = a.kwargs.get('axis') ?? a.kwargs.get('dim');
    if (family) {
      const act = activationOp(last);
      if (act) return emit(act, act === 'softmax' || act === 'log_softmax' ? { dim: axis ? toAttr(axis) : -1 } : {}, ids.slice(0, 1));
    }
    switch (last) {
      case 'concat':
      case 'concatenate': {
        const list = a.args[0];
        const inputs = list && (list.kind === 'list' || list.kind === 'tuple') ? tensorsIn(list.items).map((t) => t.node) : ids;
        return emit('concat', { dim: axis ? toAttr(axis) : (a.args[1] ? toAttr(a.args[1]) : last === 'concat' ? 0 : -1) }, inputs, 'merge');
      }
      case 'add':
        return ids.length === 2 ? emit('add', {}, ids, 'merge') : emit('add', {}, tensorsIn(a.args[0]?.kind === 'list' ? a.args[0].items : []).map((t) => t.node), 'merge');
      case 'add_n':
        return emit('add', {}, tensorsIn(a.args[0]?.kind === 'list' ? a.args[0].items : []).map((t) => t.node), 'merge');
      case 'multiply':
        return emit('mul', {}, ids, 'merge');
      case 'subtract':
        return emit('sub', {}, ids, 'merge');
      case 'matmul': {
        const w = [...a.args].find((x) => x.kind === 'weight');
        if (w?.kind === 'weight' && ids.length === 1) return this.weightProduct(g, ids[0], w.weight, range);
        return emit('bmm', {}, ids, 'merge');
      }
      case 'reshape':
        return emit('reshape', { shape: a.args[1] ? toAttr(a.args[1]) : '?' });
      case 'transpose':
        return emit('transpose');
      case 'squeeze':
        return emit('squeeze');
      case 'expand_dims':
        return emit('unsqueeze');
      case 'reduce_mean':
      case 'mean':
        return emit('mean', axis ? { dim: shiftAxis(toAttr(axis)) } : {}, ids.slice(0, 1), 'pooling');
      case 'reduce_sum':
      case 'sum':
        return emit('sum', axis ? { dim: shiftAxis(toAttr(axis)) } : {}, ids.slice(0, 1), 'pooling');
      case 'dropout':
        return emit('dropout', { p: a.kwargs.get('rate') ? toAttr(a.kwargs.get('rate')!) : a.args[1] ? toAttr(a.args[1]) : '?' });
      case 'identity':
      case 'cast':
      case 'stop_gradient':
        return { kind: 'tensor', graph: g, node: ids[0] };
      case 'flatten':
        return emit('flatten');
      case 'einsum': {
        const eq = a.args[0]?.kind === 'str' ? a.args[0].value : '?';
        return { kind: 'tensor', graph: g, node: g.emit({ op: 'opaque', category: 'other', inputs: ids, attrs: { equation: eq }, range, label: `einsum("${eq}")`, reason: 'einsum is shown by its subscripts, not expanded' }) };
      }
      default:
        return { kind: 'tensor', graph: g, node: g.opaque(node.text, ids, range, `\`${clip(path)}\` is not a known Keras or TensorFlow function`) };
    }
  }

  private builtin(name: string, a: Arguments, node: SyntaxNode): KV {
    switch (name) {
      case 'range': {
        const nums = a.args.map((x) => (x.kind === 'num' ? x.value : undefined));
        if (nums.length === 0 || nums.some((n) => n === undefined)) return UNKNOWN;
        const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
        if (step === 0) return UNKNOWN;
        const items: KV[] = [];
        for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
          items.push({ kind: 'num', value: i });
          if (items.length > MAX_UNROLL * 4) break;
        }
        return { kind: 'list', items };
      }
      case 'len': {
        const v = a.args[0];
        return v && (v.kind === 'list' || v.kind === 'tuple') ? { kind: 'num', value: v.items.length } : UNKNOWN;
      }
      case 'int':
        return a.args[0]?.kind === 'num' ? { kind: 'num', value: Math.trunc(a.args[0].value) } : a.args[0] ?? UNKNOWN;
      case 'float':
        return a.args[0] ?? UNKNOWN;
      case 'list':
      case 'tuple': {
        const v = a.args[0];
        if (v && (v.kind === 'list' || v.kind === 'tuple')) return { kind: name, items: [...v.items] } as KV;
        return a.args.length === 0 ? { kind: 'list', items: [] } : UNKNOWN;
      }
      case 'dict':
        return { kind: 'dict', entries: new Map(a.kwargs) };
      case 'enumerate': {
        const items = a.args[0] ? this.iterate(a.args[0]) : undefined;
        return items ? { kind: 'list', items: items.map((item, i) => ({ kind: 'tuple', items: [{ kind: 'num', value: i }, item] }) as KV) } : UNKNOWN;
      }
      case 'zip': {
        const lists = a.args.map((x) => this.iterate(x));
        if (lists.length === 0 || lists.some((l) => l === undefined)) return UNKNOWN;
        const n = Math.min(...lists.map((l) => l!.length));
        const items: KV[] = [];
        for (let i = 0; i < n; i++) items.push({ kind: 'tuple', items: lists.map((l) => l![i]) });
        return { kind: 'list', items };
      }
      case 'reversed': {
        const items = a.args[0] ? this.iterate(a.args[0]) : undefined;
        return items ? { kind: 'list', items: items.reverse() } : UNKNOWN;
      }
      case 'getattr': {
        const owner = a.args[0];
        const attr = a.args[1];
        if (owner?.kind === 'instance' && attr?.kind === 'str') return owner.inst.attrs.get(attr.value) ?? a.args[2] ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'setattr': {
        const owner = a.args[0];
        const attr = a.args[1];
        if (owner?.kind === 'instance' && attr?.kind === 'str' && a.args[2]) {
          owner.inst.attrs.set(attr.value, a.args[2]);
          owner.inst.assignRanges.set(attr.value, { range: rangeOf(node), lineRange: rangeOf(node.parent ?? node) });
        }
        return NONE;
      }
      case 'super':
        return { kind: 'path', path: 'builtins.super' };
      default:
        return UNKNOWN;
    }
  }

  private keywordAttrs(a: Arguments): Record<string, AttrValue> {
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of a.kwargs) if (k !== 'activation') out[k] = toAttr(v);
    return out;
  }

  /** A layer object from its constructor call, with its activation and the edit that would add one. */
  private buildLayer(className: string, a: Arguments, node: SyntaxNode): KerasLayer {
    const spec = kerasLayer(className)!;
    const range = rangeOf(node);
    const activationIndex = spec.params.indexOf('activation');
    const actValue = a.kwargs.get('activation') ?? (activationIndex >= 0 ? a.args[activationIndex] : undefined);
    const actNode = a.kwNodes.get('activation') ?? (activationIndex >= 0 ? positionalNode(a.node, activationIndex) : undefined);
    let activation: ActivationUse | undefined;
    if (actValue !== undefined && actNode) activation = this.activationUse(actValue, actNode);
    const inner = spec.kind === 'wrapper' && a.args[0]?.kind === 'layer' ? a.args[0].layer : spec.kind === 'wrapper' && a.kwargs.get('layer')?.kind === 'layer' ? (a.kwargs.get('layer') as { layer: KerasLayer }).layer : undefined;
    const positional = a.args.map(toAttr);
    if (spec.kind === 'activation' && actValue?.kind === 'str') positional[0] = actValue.value;
    const keywords = this.keywordAttrs(a);
    if (spec.kind === 'activation' && actValue?.kind === 'str') keywords.activation = actValue.value;
    if (spec.kind === 'activation' && actValue && actValue.kind === 'path') keywords.activation = actValue.path.split('.').pop() ?? '';
    const insertActivation = spec.kind === 'op' ? this.activationInsertion(a, node) : undefined;
    const disableBias = spec.defaults?.use_bias === true ? this.biasRemoval(a, node) : undefined;
    if (spec.rank !== undefined && keywords.data_format === undefined && (this.home.channelsFirst || this.file.channelsFirst)) keywords.data_format = 'channels_first';
    const init = spec.kind === 'op' ? weightInitOf(a.kwNodes.get('kernel_initializer') ?? a.kwNodes.get('init') ?? a.kwNodes.get('depthwise_initializer'), "'glorot_uniform'") : undefined;
    const layer = makeLayer(spec, className, { positional, keywords }, { defRange: range, label: clip(node.text), activation, insertActivation, disableBias, inner, init });
    if (this.run.foreign) layer.origin = this.run.foreign.path;
    return layer;
  }

  private activationUse(v: KV, node: SyntaxNode): ActivationUse {
    const range = rangeOf(node);
    if (v.kind === 'none') return { op: null, label: 'None', range };
    if (v.kind === 'str') return { op: activationOp(v.value), label: v.value, range };
    if (v.kind === 'path') return { op: activationOp(v.path), label: v.path, range };
    // `activation=tfa.activations.gelu` from a library Model Audit does not read: known by its name.
    if (v.kind === 'external') return { op: activationOp(v.label), label: v.label, range };
    if (v.kind === 'layer') {
      const op = v.layer.spec.kind === 'activation' ? v.layer.spec.op || (typeof v.layer.config.activation === 'string' ? activationOp(v.layer.config.activation) : undefined) : undefined;
      return { op, label: v.layer.label, range };
    }
    return { op: undefined, label: node.text, range };
  }

  /** `activation='relu'`: replaces `activation=None` / `'linear'`, or adds the keyword after the last argument. */
  private activationInsertion(a: Arguments, node: SyntaxNode): ActivationInsertion | undefined {
    const list = a.node?.type === 'argument_list' ? a.node : undefined;
    return optionEdit({ key: 'activation', sep: '=', value: "'relu'" }, a.kwNodes.get('activation'), list, node.text, true);
  }

  /** `use_bias=False`: replaces `use_bias=True` (Keras 1: `bias=True`), or adds the keyword after the last argument. */
  private biasRemoval(a: Arguments, node: SyntaxNode): OpEdit | undefined {
    const list = a.node?.type === 'argument_list' ? a.node : undefined;
    return optionEdit({ key: 'use_bias', sep: '=', value: 'False' }, a.kwNodes.get('use_bias') ?? a.kwNodes.get('bias'), list, node.text);
  }

  /** Sequential(...) and Model(inputs, outputs). */
  private construct(kind: string, a: Arguments, node: SyntaxNode): KV {
    const nameArg = a.kwargs.get('name');
    if (kind === 'Sequential') {
      const list = a.kwargs.get('layers') ?? a.args[0];
      const listNode = a.kwNodes.get('layers') ?? positionalNode(a.node, 0);
      const items: KV[] = list && (list.kind === 'list' || list.kind === 'tuple') ? [...list.items] : [];
      const itemNodes = listNode && listNode.type === 'list' ? listNode.namedChildren.filter((c) => c.type !== 'comment') : [];
      const direct = itemNodes.length === items.length;
      // A list written here names each item's syntax (a splat for what it spreads); else a layer's own call, when it is in this file.
      const sources = list?.kind === 'list' && list.sources?.length === items.length ? list.sources : undefined;
      const model: ModelObj = {
        kind: 'sequential',
        items,
        itemRanges: items.map((item, i) => (sources ? rangeOf(sources[i]) : direct ? rangeOf(itemNodes[i]) : item.kind === 'layer' && item.layer.origin === undefined ? item.layer.defRange : rangeOf(node))),
        call: node,
        creator: this.creator,
        nameArg: nameArg?.kind === 'str' ? nameArg.value : undefined,
        losses: [],
        ...(this.run.foreign ? { origin: this.run.foreign.path } : {}),
      };
      // A model an imported file builds is part of the model that uses it, not a model of this file.
      if (this.methodDepth === 0 && !this.run.foreign) this.models.push(model);
      return { kind: 'model', model };
    }
    const inputs = a.kwargs.get('inputs') ?? a.kwargs.get('input') ?? a.args[0];
    const outputs = a.kwargs.get('outputs') ?? a.kwargs.get('output') ?? a.args[1];
    const ins = inputs ? tensorsDeep(inputs) : [];
    const outs = outputs ? tensorsDeep(outputs) : [];
    const model: ModelObj = {
      kind: 'functional',
      items: [],
      itemRanges: [],
      call: node,
      creator: this.creator,
      nameArg: nameArg?.kind === 'str' ? nameArg.value : undefined,
      losses: [],
      ...(this.run.foreign ? { origin: this.run.foreign.path } : {}),
    };
    if (outs.length > 0) model.functional = { graph: outs[0].graph, inputs: ins.filter((t) => t.graph === outs[0].graph).map((t) => t.node), outputs: outs.filter((t) => t.graph === outs[0].graph).map((t) => t.node) };
    if (!this.run.foreign) this.models.push(model);
    return { kind: 'model', model };
  }

  instantiate(cls: ClassInfo, a: Arguments, range: Range): KV {
    if (!isKerasClass(cls)) return UNKNOWN;
    const inst: Instance = { cls, attrs: new Map(), assignRanges: new Map() };
    const init = findMethod(cls, '__init__');
    if (init && this.depth < MAX_DEPTH) this.callFunction(init.node, a, inst, range, init.scope);
    // Custom layers often create their sublayers and weights in build(input_shape), which Keras calls first.
    const build = findMethod(cls, 'build');
    if (build && this.depth < MAX_DEPTH) this.callFunction(build.node, { args: [UNKNOWN], kwargs: new Map(), kwNodes: new Map(), node: null }, inst, range, build.scope);
    return { kind: 'instance', inst };
  }

  /** Runs a model-building function nobody calls, with its default arguments, in a fresh graph. */
  applyFunctionCandidate(fn: SyntaxNode): void {
    this.graph = new KerasGraph(this.run);
    this.callFunction(fn, { args: [], kwargs: new Map(), kwNodes: new Map(), node: null }, undefined, rangeOf(fn), this.home);
  }

  /** Calls a function written in module `scope`; code from an imported module is shown at `range`, its call here. */
  callFunction(fn: SyntaxNode, a: Arguments, self: Instance | undefined, range: Range, scope: FileScope): KV {
    if (this.depth >= MAX_DEPTH) {
      this.hint(`Calls nest more than ${MAX_DEPTH} levels deep here; deeper calls are not followed.`, range);
      return UNKNOWN;
    }
    // Model-building code does not recurse; a function that reaches itself (often half-typed code) stops here.
    // Syntax node ids repeat across files, so a function is known by its module and its id.
    const key = `${scope.serial}:${fn.id}`;
    if (this.running.has(key)) {
      this.hint(`\`${fn.childForFieldName('name')?.text ?? 'this function'}\` calls itself; the recursive call is not followed.`, range);
      return UNKNOWN;
    }
    this.running.add(key);
    if (self) this.methodDepth++;
    this.depth++;
    const savedCreator = this.creator;
    const savedFile = this.file;
    this.file = scope;
    // Tree-sitter hands out a fresh object per access, so nodes are compared by id.
    const rootId = scope.root.id;
    const topLevel = scope === this.home && (fn.parent?.id === rootId || (fn.parent?.type === 'decorated_definition' && fn.parent.parent?.id === rootId));
    if (this.creator === undefined && topLevel) this.creator = fn;
    if (topLevel) this.executed.add(fn.id);
    try {
      return this.inForeign(scope.origin, range, () => this.invoke(fn, a.args, a.kwargs, self));
    } finally {
      this.file = savedFile;
      this.creator = savedCreator;
      this.depth--;
      if (self) this.methodDepth--;
      this.running.delete(key);
    }
  }

  /** Above zero while a subclassed layer's method runs: a Sequential built there is a sublayer, not a model. */
  private methodDepth = 0;

  /** Functions on the call stack, by module and syntax node id. */
  private readonly running = new Set<string>();

  /** Binds parameters (self first when given) and runs a function body. */
  invoke(fn: SyntaxNode, args: KV[], kwargs: Map<string, KV>, self: Instance | undefined, onParam?: (name: string, param: SyntaxNode) => KV | undefined): KV {
    const env = this.bindParameters(fn, args, kwargs, self ? { kind: 'instance', inst: self } : undefined, onParam);
    if (self && fn.childForFieldName('name')?.text === '__init__') this.runLocalSuperInit(fn, self, env);
    return this.execBlock(fn.childForFieldName('body'), env).returned ?? NONE;
  }

  private runLocalSuperInit(fn: SyntaxNode, self: Instance, env: Env): void {
    const body = fn.childForFieldName('body');
    const first = body?.namedChildren.find((s) => s.type === 'expression_statement' && s.text.startsWith('super('));
    if (!first) return;
    const base = self.cls.bases.map((b) => self.cls.scope.classes.get(b)).find((c) => c !== undefined && c !== self.cls);
    const baseInit = base ? findMethod(base, '__init__') : undefined;
    if (!baseInit || baseInit.node === fn || this.depth >= MAX_DEPTH) return;
    const call = first.namedChildren[0];
    const a = this.evalArguments(call?.childForFieldName('arguments') ?? null, env);
    this.depth++;
    const savedFile = this.file;
    this.file = baseInit.scope;
    try {
      const site = this.run.foreign?.site ?? rangeOf(call ?? first);
      this.inForeign(baseInit.scope.origin, site, () => this.invoke(baseInit.node, a.args, a.kwargs, self));
    } finally {
      this.file = savedFile;
      this.depth--;
    }
  }
}
