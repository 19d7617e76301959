// The TF.js frontend's calls: `tf.layers.*` built from their config objects and applied to symbolic tensors,
// `tf.sequential`/`tf.model` and `model.add`/`apply`/`compile`, tensor functions, imported blocks, and running the
// program's own functions with their parameters bound.

import type { SyntaxNode } from '../syntax';
import type { AttrValue, Dim, Range } from '../graph';
import { activationOp, kerasLayer, snakeCase } from '../keras/kerasCatalog';
import { type ActivationUse, KerasGraph, type KerasLayer, applyFunctional, clip, makeLayer, weightInitOf } from '../keras/kerasGraph';
import {
  MAX_UNROLL,
  TFJS_MODULE,
  isTopLevelFunction,
  type JV,
  MAX_DEPTH,
  type ModelObj,
  NONE,
  type ObjectValue,
  Scope,
  UNKNOWN,
  activationInsertion,
  biasRemoval,
  compiledLosses,
  rangeOf,
  tensorsIn,
  toAttr,
} from './tfjsValues';
import { JsInterpreter } from './jsInterpreter';

/** One abstract run of a program, with TF.js's calls. */
export class Interpreter extends JsInterpreter {
  // ----- calls -----

  protected evalCall(node: SyntaxNode, scope: Scope): JV {
    const fnNode = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    if (!fnNode) return UNKNOWN;
    const argNodes = (argsNode?.namedChildren ?? []).filter((c) => c.type !== 'comment');
    const args = this.evalItems(argNodes, scope);
    if (fnNode.type === 'member_expression') {
      const object = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('property')?.text ?? '';
      const receiver = object ? this.eval(object, scope) : UNKNOWN;
      const handled = this.callMethod(receiver, method, args, argNodes, node);
      if (handled !== undefined) return handled;
      if (receiver.kind === 'path') return this.callPath(`${receiver.path}.${method}`, args, argNodes, node);
      // `blocks.denseBlock(64)` on a namespace import or a CommonJS module object.
      const member = receiver.kind === 'object' ? receiver.entries.get(method) : undefined;
      if (member?.kind === 'function') return this.callFunction(member, args, rangeOf(node));
      if (receiver.kind === 'external') {
        const applies = receiver.built && (method === 'apply' || method === 'call' || method === 'predict' || method === 'execute');
        return this.callExternal(applies ? receiver : { kind: 'external', module: receiver.module, label: `${receiver.label}.${method}` }, args, node);
      }
      return this.unknownCall(args, node);
    }
    // CommonJS: `const tf = require('@tensorflow/tfjs-node')`, `const { denseBlock } = require('./blocks')`.
    if (fnNode.type === 'identifier' && fnNode.text === 'require' && scope.get('require') === undefined) {
      const from = args[0]?.kind === 'str' ? args[0].value : undefined;
      if (from === undefined) return UNKNOWN;
      if (TFJS_MODULE.test(from)) return { kind: 'path', path: 'tf' };
      const mod = this.loadModule(from, rangeOf(node));
      return mod ? this.moduleValue(mod) : { kind: 'external', module: from, label: `require('${from}')` };
    }
    const callee = this.eval(fnNode, scope);
    if (callee.kind === 'path') return this.callPath(callee.path, args, argNodes, node);
    if (callee.kind === 'function') return this.callFunction(callee, args, rangeOf(node));
    if (callee.kind === 'external') return this.callExternal(callee, args, node);
    return this.unknownCall(args, node);
  }

  /**
   * A name from a module Model Audit cannot read: building it (`mobilenet.load()`) names a block, applying it to
   * tensors makes one opaque step with that name.
   */
  private callExternal(callee: JV & { kind: 'external' }, args: JV[], node: SyntaxNode): JV {
    const tensors = tensorsIn(args);
    if (tensors.length === 0) return { kind: 'external', module: callee.module, label: clip(node.text), built: true };
    const g = tensors[0].graph;
    return { kind: 'tensor', graph: g, node: this.externalBlock(g, callee, tensors.filter((t) => t.graph === g).map((t) => t.node), rangeOf(node), node.text) };
  }

  private externalBlock(g: KerasGraph, callee: JV & { kind: 'external' }, ids: number[], range: Range, callText: string): number {
    return g.opaque(callee.built ? callee.label : callText, ids, range, `it comes from \`${callee.module}\`, which Model Audit cannot read (not in the workspace), so it is one opaque block`);
  }

  /** A call Model Audit cannot follow (an imported helper, a custom layer): opaque when tensors go in. */
  private unknownCall(args: JV[], node: SyntaxNode): JV {
    const tensors = tensorsIn(args);
    if (tensors.length === 0) return UNKNOWN;
    const g = tensors[0].graph;
    return { kind: 'tensor', graph: g, node: g.opaque(node.text, tensors.filter((t) => t.graph === g).map((t) => t.node), rangeOf(node), 'Model Audit cannot see what this call computes (an imported or custom function or layer)') };
  }

  private callMethod(receiver: JV, method: string, args: JV[], argNodes: SyntaxNode[], node: SyntaxNode): JV | undefined {
    switch (receiver.kind) {
      case 'list':
        if (method === 'push') {
          receiver.items.push(...args);
          return { kind: 'num', value: receiver.items.length };
        }
        if ((method === 'forEach' || method === 'map') && args[0]?.kind === 'function') {
          const fn = args[0];
          const out = receiver.items.slice(0, MAX_UNROLL).map((item, i) => this.callFunction(fn, [item, { kind: 'num', value: i }], rangeOf(node)));
          return method === 'map' ? { kind: 'list', items: out } : NONE;
        }
        if (method === 'concat') return { kind: 'list', items: [...receiver.items, ...args.flatMap((a) => (a.kind === 'list' ? a.items : [a]))] };
        if (method === 'slice') return { kind: 'list', items: receiver.items.slice(args[0]?.kind === 'num' ? args[0].value : 0, args[1]?.kind === 'num' ? args[1].value : undefined) };
        return UNKNOWN;
      case 'layer':
        if (method === 'apply') return this.applyTo(receiver, args, node);
        return UNKNOWN;
      case 'external':
        return undefined;
      case 'model':
        if (method === 'add' && receiver.model.kind === 'sequential') {
          if (args[0]) {
            receiver.model.items.push(args[0]);
            receiver.model.itemRanges.push(argNodes[0] ? rangeOf(argNodes[0]) : rangeOf(node));
          }
          return NONE;
        }
        if (method === 'compile') {
          const config = args[0];
          if (config?.kind === 'object') receiver.model.losses.push(...compiledLosses(config.entries.get('loss'), config.valueNodes.get('loss'), rangeOf(node)));
          return NONE;
        }
        if (method === 'apply' || method === 'predict' || method === 'call') return method === 'predict' ? UNKNOWN : this.applyTo(receiver, args, node);
        return UNKNOWN;
      case 'tensor':
        return { kind: 'tensor', graph: receiver.graph, node: receiver.graph.opaque(node.text, [receiver.node], rangeOf(node), `the tensor method \`.${method}()\` is not modelled`) };
      default:
        return undefined;
    }
  }

  private applyTo(callee: JV, args: JV[], node: SyntaxNode): JV {
    const tensors = tensorsIn(args);
    if (tensors.length === 0) return UNKNOWN;
    const g = tensors[0].graph;
    const ids = tensors.filter((t) => t.graph === g).map((t) => t.node);
    const range = rangeOf(node);
    if (callee.kind === 'layer') return { kind: 'tensor', graph: g, node: g.apply(callee.layer, ids, range) };
    if (callee.kind === 'model') return this.applyModel(callee.model, g, ids, range);
    return UNKNOWN;
  }

  applyModel(model: ModelObj, g: KerasGraph, ids: number[], range: Range): JV {
    // A model an imported helper built runs as imported code, shown where this file applies it.
    if (model.origin !== undefined && !this.run.foreign) return this.inForeign(model.origin, range, () => this.applyModel(model, g, ids, range));
    if (model.kind === 'functional') {
      const values = applyFunctional(g, model, ids, range).map((o): JV => ({ kind: 'tensor', graph: g, node: o }));
      return values.length === 1 ? values[0] : { kind: 'list', items: values };
    }
    let value: JV = { kind: 'tensor', graph: g, node: ids[0] };
    model.items.forEach((item, i) => {
      if (value.kind !== 'tensor') return;
      const itemRange = model.itemRanges[i] ?? range;
      if (item.kind === 'layer') value = { kind: 'tensor', graph: g, node: g.apply(item.layer, [value.node], itemRange) };
      else if (item.kind === 'model') value = this.applyModel(item.model, g, [value.node], itemRange);
      else if (item.kind === 'external') value = { kind: 'tensor', graph: g, node: this.externalBlock(g, item, [value.node], itemRange, item.label) };
      else value = { kind: 'tensor', graph: g, node: g.opaque('?', [value.node], itemRange, 'this item of the sequential model is not a known layer') };
    });
    return value;
  }

  private callPath(path: string, args: JV[], argNodes: SyntaxNode[], node: SyntaxNode): JV {
    const range = rangeOf(node);
    const config = args[0]?.kind === 'object' ? args[0] : undefined;
    if (path === 'tf.sequential') {
      const layers = config?.entries.get('layers');
      const listNode = config?.valueNodes.get('layers');
      const items = layers?.kind === 'list' ? [...layers.items] : [];
      const itemNodes = listNode?.type === 'array' ? listNode.namedChildren.filter((c) => c.type !== 'comment') : [];
      const direct = itemNodes.length === items.length;
      // An array written here names each item's syntax (a spread for what it spreads); else a layer's own call, when it is in this file.
      const sources = layers?.kind === 'list' && layers.sources?.length === items.length ? layers.sources : undefined;
      const name = config?.entries.get('name');
      const model: ModelObj = {
        kind: 'sequential',
        items,
        itemRanges: items.map((item, i) => (sources ? rangeOf(sources[i]) : direct ? rangeOf(itemNodes[i]) : item.kind === 'layer' && item.layer.origin === undefined ? item.layer.defRange : range)),
        call: node,
        creator: this.creator,
        nameArg: name?.kind === 'str' ? name.value : undefined,
        losses: [],
        ...(this.current !== undefined ? { origin: this.current } : {}),
      };
      // A model an imported file builds is part of the model that uses it, not a model of this file.
      if (this.current === undefined) this.models.push(model);
      return { kind: 'model', model };
    }
    if (path === 'tf.model') {
      const ins = config ? tensorsIn([config.entries.get('inputs') ?? UNKNOWN]) : [];
      const outs = config ? tensorsIn([config.entries.get('outputs') ?? UNKNOWN]) : [];
      const name = config?.entries.get('name');
      const model: ModelObj = { kind: 'functional', items: [], itemRanges: [], call: node, creator: this.creator, nameArg: name?.kind === 'str' ? name.value : undefined, losses: [], ...(this.current !== undefined ? { origin: this.current } : {}) };
      if (outs.length > 0) model.functional = { graph: outs[0].graph, inputs: ins.filter((t) => t.graph === outs[0].graph).map((t) => t.node), outputs: outs.filter((t) => t.graph === outs[0].graph).map((t) => t.node) };
      if (this.current === undefined) this.models.push(model);
      return { kind: 'model', model };
    }
    if (path === 'tf.input' || path === 'tf.layers.input') {
      const shape = config?.entries.get('shape') ?? config?.entries.get('batchShape');
      let dims = shape ? toAttr(shape) : undefined;
      if (Array.isArray(dims) && config?.entries.has('batchShape')) dims = dims.slice(1);
      const name = config?.entries.get('name');
      return { kind: 'tensor', graph: this.graph, node: this.graph.input(name?.kind === 'str' ? name.value : 'x', Array.isArray(dims) ? (dims as Dim[]) : undefined, range) };
    }
    const layerName = /^tf\.layers\.(\w+)$/.exec(path)?.[1];
    if (layerName) {
      const spec = kerasLayer(layerName);
      if (spec) return { kind: 'layer', layer: this.buildLayer(layerName, config, argNodes[0], node) };
    }
    const tensors = tensorsIn(args);
    if (tensors.length > 0) return this.tensorFunction(path, args, node, tensors);
    return UNKNOWN;
  }

  private tensorFunction(path: string, args: JV[], node: SyntaxNode, tensors: { graph: KerasGraph; node: number }[]): JV {
    const range = rangeOf(node);
    const g = tensors[0].graph;
    const ids = tensors.filter((t) => t.graph === g).map((t) => t.node);
    const last = path.split('.').pop() ?? path;
    const act = activationOp(last);
    if (act) return { kind: 'tensor', graph: g, node: g.emit({ op: act, category: 'activation', inputs: ids.slice(0, 1), attrs: act === 'softmax' ? { dim: -1 } : {}, range, label: clip(node.text) }) };
    if (last === 'add' && ids.length === 2) return { kind: 'tensor', graph: g, node: g.emit({ op: 'add', category: 'merge', inputs: ids, attrs: {}, range }) };
    if (last === 'concat') return { kind: 'tensor', graph: g, node: g.emit({ op: 'concat', category: 'merge', inputs: ids, attrs: { dim: args[1] ? toAttr(args[1]) : 0 }, range }) };
    if (last === 'mul') return { kind: 'tensor', graph: g, node: g.emit({ op: 'mul', category: 'merge', inputs: ids, attrs: {}, range }) };
    return { kind: 'tensor', graph: g, node: g.opaque(node.text, ids, range, `\`${clip(path)}\` is not a known TensorFlow.js function`) };
  }

  /** A layer from `tf.layers.<name>(config)`, with its activation and the edit that would add one. */
  private buildLayer(name: string, config: ObjectValue | undefined, configNode: SyntaxNode | undefined, node: SyntaxNode): KerasLayer {
    const spec = kerasLayer(name)!;
    const keywords: Record<string, AttrValue> = {};
    let activation: ActivationUse | undefined;
    let inner: KerasLayer | undefined;
    for (const [key, v] of config?.entries ?? []) {
      if (key === 'activation') {
        const valueNode = config?.valueNodes.get(key);
        const range = valueNode ? rangeOf(valueNode) : rangeOf(node);
        if (v.kind === 'str') {
          activation = { op: activationOp(v.value), label: v.value, range };
          keywords.activation = v.value;
        } else if (v.kind === 'none') activation = { op: null, label: 'null', range };
        else activation = { op: undefined, label: valueNode?.text ?? '?', range };
        continue;
      }
      if (key === 'layer' && v.kind === 'layer') {
        inner = v.layer;
        continue;
      }
      keywords[snakeCase(key)] = toAttr(v);
    }
    if (spec.kind === 'activation') activation = undefined;
    const insertActivation = spec.kind === 'op' ? activationInsertion(config, configNode, node) : undefined;
    const disableBias = spec.defaults?.use_bias === true ? biasRemoval(config, configNode, node) : undefined;
    const init = spec.kind === 'op' ? weightInitOf(config?.valueNodes.get('kernelInitializer') ?? config?.valueNodes.get('depthwiseInitializer'), "'glorotNormal'") : undefined;
    const layer = makeLayer(spec, name, { positional: [], keywords }, { defRange: rangeOf(node), label: clip(node.text), activation, insertActivation, disableBias, inner, init });
    if (this.current !== undefined) layer.origin = this.current;
    return layer;
  }

  /** Calls a function; one written in an imported file runs as that file's code, shown at `range`, its call here. */
  private callFunction(fn: { node: SyntaxNode; closure: Scope; origin?: string }, args: JV[], range: Range): JV {
    if (this.depth >= MAX_DEPTH) {
      this.hint(`Calls nest more than ${MAX_DEPTH} levels deep here; deeper calls are not followed.`, range);
      return UNKNOWN;
    }
    // Model-building code does not recurse; a function that reaches itself (often half-typed code) stops here.
    // Syntax node ids repeat across files, so a function is known by its file and its id.
    const key = `${fn.origin ?? ''}:${fn.node.id}`;
    if (this.running.has(key)) {
      this.hint('This function calls itself; the recursive call is not followed.', range);
      return UNKNOWN;
    }
    this.running.add(key);
    this.depth++;
    const savedCreator = this.creator;
    const topLevel = fn.origin === undefined ? isTopLevelFunction(fn.node, this.root) : undefined;
    if (this.creator === undefined && topLevel) this.creator = topLevel;
    if (topLevel) this.executed.add(topLevel.id);
    try {
      return this.inFile(fn.origin, () => this.inForeign(fn.origin, range, () => {
        const scope = new Scope(fn.closure);
        const params = fn.node.childForFieldName('parameters') ?? fn.node.childForFieldName('parameter');
        const list = params ? (params.type === 'formal_parameters' ? params.namedChildren : [params]) : [];
        list.filter((p) => p.type !== 'comment').forEach((p, i) => this.bindParam(p, args[i], scope));
        const body = fn.node.childForFieldName('body');
        if (!body) return UNKNOWN;
        if (body.type !== 'statement_block') return this.eval(body, scope);
        return this.execBlock(body.namedChildren, scope).returned ?? NONE;
      }));
    } finally {
      this.creator = savedCreator;
      this.depth--;
      this.running.delete(key);
    }
  }

  /** Functions on the call stack, by file and syntax node id. */
  private readonly running = new Set<string>();

  private bindParam(p: SyntaxNode, given: JV | undefined, scope: Scope): void {
    // TypeScript wraps parameters: required_parameter / optional_parameter (pattern, value).
    const pattern = p.type === 'required_parameter' || p.type === 'optional_parameter' ? p.childForFieldName('pattern') : p.type === 'assignment_pattern' ? p.childForFieldName('left') : p;
    const defaultNode = p.type === 'assignment_pattern' ? p.childForFieldName('right') : p.childForFieldName('value');
    if (!pattern) return;
    let v: JV | undefined = given !== undefined && given.kind !== 'none' ? given : undefined;
    if (v === undefined && defaultNode) v = this.eval(defaultNode, scope);
    const value: JV = v ?? (pattern.type === 'identifier' ? { kind: 'sym', name: pattern.text } : UNKNOWN);
    if (pattern.type === 'object_pattern' && value.kind !== 'object') {
      // Destructured options with defaults: `{units = 64, classes = 10} = {}`.
      for (const prop of pattern.namedChildren) {
        if (prop.type === 'object_assignment_pattern') {
          const left = prop.childForFieldName('left');
          const right = prop.childForFieldName('right');
          if (left && right) scope.declare(left.text, this.eval(right, scope));
        } else if (prop.type === 'shorthand_property_identifier_pattern') {
          scope.declare(prop.text, { kind: 'sym', name: prop.text });
        }
      }
      return;
    }
    this.bindPattern(pattern, value, scope, true);
  }

  /** Runs a model-building function nobody calls, with its default arguments, in a fresh graph. */
  runCandidate(fn: JV & { kind: 'function' }): void {
    this.graph = new KerasGraph(this.run);
    this.callFunction(fn, [], rangeOf(fn.node));
  }
}
