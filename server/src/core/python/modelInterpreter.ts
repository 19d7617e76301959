// The PyTorch interpreter's calls: library functions and layers (torch.nn, F.*, tensor methods), instantiating
// modules and running their constructors, applying layers and functions to tensors, and running a model's forward.

import type { SyntaxNode } from '../syntax';
import type { ActivationInsertion, AttrValue, Range, TextEdit } from '../graph';
import { Ops } from '../ops';
import { type Env as EnvOf, MAX_UNROLL, rangeOf } from './interpreter';
import { clip } from '../text';
import { WHOLE_SHAPE } from '../sizeSpread';
import {
  NON_TENSOR_METHODS,
  PASS_THROUGH_METHODS,
  TENSOR_METHODS,
  TORCH_FUNCTIONAL,
  TORCH_FUNCTIONS,
  TORCH_LAYERS,
  type TorchFunctionSpec,
} from './torchCatalog';
import {
  type BuiltinLayer,
  type ClassInfo,
  type InstanceLayer,
  type Layer,
  type SequentialLayer,
  Value,
} from './values';
import { MAX_DEPTH, SCALAR_SQRT, TorchEvaluator, dimAttr, firstArgument } from './torchEvaluator';

type Env = EnvOf<Value>;

/** Tensor methods that are an arithmetic operator spelt as a call (`a.mul(b)` is `a * b`), by their operator. */
const ARITHMETIC_METHODS: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/' };

/** Interprets one model: its constructor, then its forward pass. */
export class ModelInterpreter extends TorchEvaluator {
  // ----- calls -----

  protected evalCall(node: SyntaxNode, env: Env): Value {
    this.tick();
    const fnNode = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    if (!fnNode) return Value.unknown;
    const { args, kwargs } = this.evalArguments(argsNode, env);
    const range = rangeOf(node);

    // Tensor and list methods are looked up on the receiver.
    if (fnNode.type === 'attribute') {
      const object = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      if (object) {
        const receiver = this.eval(object, env);
        if (receiver.kind === 'tensor') return this.tensorMethod(receiver.node, method, args, kwargs, node);
        if (receiver.kind === 'list') {
          if (method === 'append') receiver.items.push(args[0] ?? Value.unknown);
          else if (method === 'extend' && args[0] && (args[0].kind === 'list' || args[0].kind === 'tuple')) receiver.items.push(...args[0].items);
          else if (method === 'insert' && args[0]?.kind === 'num') receiver.items.splice(args[0].value, 0, args[1] ?? Value.unknown);
          return Value.none;
        }
        if (receiver.kind === 'dict') {
          if (method === 'items') return { kind: 'list', items: [...receiver.entries].map(([k, v]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, v] }) as Value) };
          if (method === 'values') return { kind: 'list', items: [...receiver.entries.values()] };
          if (method === 'keys') return { kind: 'list', items: [...receiver.entries.keys()].map((k) => ({ kind: 'str', value: k }) as Value) };
          if (method === 'get' && args[0]?.kind === 'str') return receiver.entries.get(args[0].value) ?? args[1] ?? Value.none;
        }
        if (receiver.kind === 'layer') {
          const layer = receiver.layer;
          if (layer.kind === 'moduledict') {
            if (method === 'values') return { kind: 'list', items: [...layer.entries.values()].map((l) => ({ kind: 'layer', layer: l }) as Value) };
            if (method === 'keys') return { kind: 'list', items: [...layer.entries.keys()].map((k) => ({ kind: 'str', value: k }) as Value) };
            if (method === 'items') return { kind: 'list', items: [...layer.entries].map(([k, l]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, { kind: 'layer', layer: l }] }) as Value) };
          }
          if ((layer.kind === 'modulelist' || layer.kind === 'sequential') && method === 'append' && args[0]?.kind === 'layer') {
            layer.items.push(args[0].layer);
            return Value.none;
          }
          if ((layer.kind === 'modulelist' || layer.kind === 'sequential') && method === 'extend' && (args[0]?.kind === 'list' || args[0]?.kind === 'tuple')) {
            layer.items.push(...layersIn(args[0].items));
            return Value.none;
          }
          if (layer.kind === 'moduledict' && method === 'update' && args[0]?.kind === 'dict') {
            for (const [k, v] of args[0].entries) if (v.kind === 'layer') layer.entries.set(k, v.layer);
            return Value.none;
          }
          if (layer.kind === 'sequential' && method === 'add_module' && args[0]?.kind === 'str' && args[1]?.kind === 'layer') {
            layer.items.push(args[1].layer);
            layer.itemRanges.push(undefined);
            layer.keys.push(args[0].value);
            return Value.none;
          }
          if (layer.kind === 'instance' && method === 'add_module' && args[0]?.kind === 'str' && args[1]) {
            layer.attrs.set(args[0].value, args[1]);
            layer.assignRanges.set(args[0].value, { range, lineRange: rangeOf(node.parent ?? node) });
            return Value.none;
          }
          if (layer.kind === 'instance' && method === 'register_buffer') return Value.none;
        }
        if (receiver.kind === 'module' && receiver.path === 'builtins.super') {
          // super().__init__(...) inside a constructor: run the local base class's constructor on the same self.
          return Value.none;
        }
        if (receiver.kind === 'module' && receiver.path.startsWith('super:')) return Value.none;
      }
    }

    const callee = this.eval(fnNode, env);
    return this.call(callee, args, kwargs, node, env, range, fnNode.text);
  }

  private evalArguments(argsNode: SyntaxNode | null, env: Env): { args: Value[]; kwargs: Map<string, Value> } {
    const args: Value[] = [];
    const kwargs = new Map<string, Value>();
    if (!argsNode) return { args, kwargs };
    if (argsNode.type === 'generator_expression') return { args: [this.eval(argsNode, env)], kwargs };
    for (const arg of argsNode.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) kwargs.set(name, this.eval(value, env));
      } else if (arg.type === 'list_splat') {
        const inner = arg.namedChildren[0];
        const v = inner ? this.eval(inner, env) : Value.unknown;
        args.push(...this.spread(v));
      } else if (arg.type === 'dictionary_splat') {
        const inner = arg.namedChildren[0];
        const v = inner ? this.eval(inner, env) : Value.unknown;
        if (v.kind === 'dict') for (const [k, val] of v.entries) kwargs.set(k, val);
      } else if (arg.type !== 'comment') {
        args.push(this.eval(arg, env));
      }
    }
    return { args, kwargs };
  }

  call(callee: Value, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, env: Env, range: Range, text: string): Value {
    switch (callee.kind) {
      case 'module':
        return this.callPath(callee.path, args, kwargs, node, env, range, text);
      case 'class': {
        // `class Linear(Bottle, nn.Linear): pass` (pytorch/examples' snli): a subclass of a built-in layer that
        // constructs nothing of its own is that layer; a forward it overrides only reshapes around it.
        const builtin = this.findMethod(callee.cls, '__init__', 0) ? undefined : this.file.builtinLayerBase(callee.cls, 0);
        if (builtin) return this.callPath(builtin, args, kwargs, node, env, range, text);
        return this.instantiate(callee.cls, args, kwargs, range);
      }
      case 'function':
        if (callee.node.type === 'lambda') return this.callLambda(callee.node, callee.closure, args, kwargs, range);
        return this.callFunction(callee.node, args, kwargs, callee.self, range);
      case 'layer':
        return this.applyLayer(callee.layer, args, kwargs, node, range);
      default: {
        const tensors = tensorsIn(args);
        if (tensors.length > 0) return this.opaque(node.text, tensors, range, `\`${clip(text)}\` is not a known PyTorch module or function`);
        return Value.unknown;
      }
    }
  }

  private callPath(path: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode, env: Env, range: Range, text: string): Value {
    const tensors = tensorsIn(args);
    // A name imported from outside the workspace (torchvision, timm, an unresolved module): a named opaque block.
    const external = path.startsWith('external:') ? (JSON.parse(path.slice('external:'.length)) as { module: string; label: string }) : undefined;
    const head = text.split(/[.(]/)[0];
    const importedFrom = external?.module ?? (env.has(head) ? undefined : this.file.external.get(head));
    if (importedFrom !== undefined) {
      const label = external?.label ?? clip(node.text);
      const reason = `it comes from \`${importedFrom}\`, which Model Audit cannot read (not in the workspace), so it is one opaque block`;
      if (tensors.length > 0) return this.opaque(label, tensors, range, reason);
      return { kind: 'module', path: `external:${JSON.stringify({ module: importedFrom, label })}` };
    }
    const last = path.split('.').pop() ?? path;
    // `nn.parallel.data_parallel(self.main, input, range(ngpu))` (pytorch/examples' dcgan) and
    // `checkpoint(block, x)` run a module or function on inputs: the same as calling it.
    if ((path === 'torch.nn.parallel.data_parallel' || path === 'torch.utils.checkpoint.checkpoint') && args[0] && args[0].kind !== 'unknown') {
      const [fn, ...rest] = args;
      return this.call(fn, path.endsWith('data_parallel') ? rest.slice(0, 1) : rest, new Map(), node, env, range, text);
    }
    if (path.startsWith('torch.nn.') && !path.startsWith('torch.nn.functional.')) {
      const name = path.slice('torch.nn.'.length);
      const spec = TORCH_LAYERS[name];
      if (spec) return { kind: 'layer', layer: this.builtinLayer(name, spec.op, spec.params, spec.defaults ?? {}, args, kwargs, node) };
      if (name === 'Sequential') return { kind: 'layer', layer: this.sequential(args, node) };
      if (name === 'ModuleList') {
        const list = args[0];
        const items = list && (list.kind === 'list' || list.kind === 'tuple') ? layersIn(list.items) : [];
        return { kind: 'layer', layer: { kind: 'modulelist', items, defRange: range } };
      }
      if (name === 'ModuleDict') {
        const dict = args[0];
        const entries = new Map<string, Layer>();
        if (dict?.kind === 'dict') for (const [k, v] of dict.entries) if (v.kind === 'layer') entries.set(k, v.layer);
        return { kind: 'layer', layer: { kind: 'moduledict', entries, defRange: range } };
      }
      if (name === 'Parameter' || name === 'parameter.Parameter') {
        const init = node.childForFieldName('arguments')?.namedChildren[0];
        return { kind: 'param', name: '', shape: this.shapeOfInit(init, env) };
      }
    }
    if (path.startsWith('torch.nn.functional.')) {
      const name = path.slice('torch.nn.functional.'.length);
      if (name === 'linear') {
        const weight = args[1];
        const w = weight?.kind === 'param' ? weight : undefined;
        if (tensors[0] === undefined) return Value.unknown;
        return { kind: 'tensor', node: this.emit({ op: 'linear', inputs: [tensors[0]], attrs: { in: dimAttr(w?.shape[1]), out: dimAttr(w?.shape[0]), bias: args[2] !== undefined && args[2].kind !== 'none' }, module: w?.name, layerId: w?.name || undefined, range }) };
      }
      // Fused attention (nanoGPT, torch ≥ 2.0): one op over query, key and value.
      if (name === 'scaled_dot_product_attention' && tensors.length >= 3) {
        const causal = kwargs.get('is_causal');
        return { kind: 'tensor', node: this.emit({ op: 'scaled_dot_product_attention', inputs: tensors.slice(0, 3), attrs: { causal: causal?.kind === 'bool' ? causal.value : false }, range, label: clip(node.text) }) };
      }
      const spec = TORCH_FUNCTIONAL[name];
      if (spec && tensors.length > 0) return this.applyFunction(spec, args, kwargs, range, node, tensors[0]);
    }
    if (tensors.length === 0 && SCALAR_SQRT.has(path)) return this.scalarSqrt(args[0] ?? Value.unknown, firstArgument(node));
    // `torch.tensor(d_k)` of a scalar is that scalar, so `torch.sqrt(torch.tensor(d_k))` is still √d_k.
    if (tensors.length === 0 && (path === 'torch.tensor' || path === 'torch.as_tensor') && (args[0]?.kind === 'num' || args[0]?.kind === 'sym')) return args[0];
    if (path.startsWith('torch.') && !path.startsWith('torch.nn.')) {
      const name = path.slice('torch.'.length);
      if (name === 'cat' || name === 'concat' || name === 'concatenate' || name === 'stack' || name === 'hstack') {
        const list = args[0];
        const inputs = list && (list.kind === 'list' || list.kind === 'tuple') ? tensorsIn(list.items) : tensors;
        const dim = kwargs.get('dim') ?? args[1];
        return { kind: 'tensor', node: this.emit({ op: 'concat', inputs, attrs: { dim: dim ? Value.toAttr(dim) : 0, stack: name === 'stack' }, range }) };
      }
      if (name === 'add' && tensors.length === 2) return { kind: 'tensor', node: this.emit({ op: 'add', inputs: tensors, attrs: {}, range }) };
      if (name === 'mul' && tensors.length === 2) return { kind: 'tensor', node: this.emit({ op: 'mul', inputs: tensors, attrs: {}, range }) };
      if (name === 'matmul' || name === 'mm' || name === 'bmm') return this.matmul(args[0] ?? Value.unknown, args[1] ?? Value.unknown, range);
      // `torch.addmm(self.b, x, self.w)`: x·W + b, a layer written with its own parameters (GPT's Conv1D).
      const [bias, mat1, mat2] = args;
      if (name === 'addmm' && bias?.kind === 'param' && mat1?.kind === 'tensor' && mat2?.kind === 'param') {
        return { kind: 'tensor', node: this.emit({ op: 'matmul', inputs: [mat1.node], attrs: { in: dimAttr(mat2.shape[0]), out: dimAttr(mat2.shape[1]), bias: true }, module: mat2.name, layerId: mat2.name, range }) };
      }
      if (name === 'einsum') {
        const eq = args[0]?.kind === 'str' ? args[0].value : '?';
        return { kind: 'tensor', node: this.emit({ op: 'opaque', category: 'other', inputs: tensors, attrs: { equation: eq }, range, label: `einsum("${eq}")`, reason: 'einsum is shown by its subscripts, not expanded' }) };
      }
      const spec = TORCH_FUNCTIONS[name];
      if (spec && tensors.length > 0) return this.applyFunction(spec, args, kwargs, range, node, tensors[0]);
    }
    if (path.startsWith('builtins.') || !path.includes('.')) {
      const builtin = path.startsWith('builtins.') ? path.slice('builtins.'.length) : path;
      switch (builtin) {
        case 'range': {
          const nums = args.map((a) => (a.kind === 'num' ? a.value : undefined));
          if (nums.some((n) => n === undefined) || nums.length === 0) return Value.unknown;
          const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
          if (step === 0) return Value.unknown;
          const items: Value[] = [];
          for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
            items.push({ kind: 'num', value: i });
            if (items.length > MAX_UNROLL * 4) break;
          }
          return { kind: 'list', items };
        }
        case 'len': {
          const v = args[0];
          if (v?.kind === 'list' || v?.kind === 'tuple') return { kind: 'num', value: v.items.length };
          if (v?.kind === 'layer' && (v.layer.kind === 'modulelist' || v.layer.kind === 'sequential')) return { kind: 'num', value: v.layer.items.length };
          return Value.unknown;
        }
        case 'int':
          return args[0]?.kind === 'num' ? { kind: 'num', value: Math.trunc(args[0].value) } : args[0] ?? Value.unknown;
        case 'float':
          return args[0] ?? Value.unknown;
        case 'max':
        case 'min': {
          const nums = args.map((a) => (a.kind === 'num' ? a.value : undefined));
          if (nums.length > 0 && nums.every((n) => n !== undefined)) return { kind: 'num', value: builtin === 'max' ? Math.max(...(nums as number[])) : Math.min(...(nums as number[])) };
          return Value.unknown;
        }
        case 'list':
        case 'tuple': {
          const v = args[0];
          if (v && (v.kind === 'list' || v.kind === 'tuple')) return { kind: builtin, items: [...v.items] } as Value;
          if (v?.kind === 'layer' && (v.layer.kind === 'modulelist' || v.layer.kind === 'sequential')) return { kind: 'list', items: v.layer.items.map((l) => ({ kind: 'layer', layer: l }) as Value) };
          return args.length === 0 ? { kind: 'list', items: [] } : Value.unknown;
        }
        case 'dict':
          return { kind: 'dict', entries: new Map(kwargs) };
        case 'enumerate': {
          const v = args[0];
          const items = v ? this.iterate(v, node) : undefined;
          return items ? { kind: 'list', items: items.map((item, i) => ({ kind: 'tuple', items: [{ kind: 'num', value: i }, item] }) as Value) } : Value.unknown;
        }
        case 'zip': {
          const lists = args.map((a) => this.iterate(a, node));
          if (lists.some((l) => l === undefined) || lists.length === 0) return Value.unknown;
          const n = Math.min(...lists.map((l) => l!.length));
          const items: Value[] = [];
          for (let i = 0; i < n; i++) items.push({ kind: 'tuple', items: lists.map((l) => l![i]) });
          return { kind: 'list', items };
        }
        case 'reversed': {
          const items = args[0] ? this.iterate(args[0], node) : undefined;
          return items ? { kind: 'list', items: items.reverse() } : Value.unknown;
        }
        case 'getattr': {
          const owner = args[0];
          const name = args[1];
          if (owner?.kind === 'layer' && owner.layer.kind === 'instance' && name?.kind === 'str') return owner.layer.attrs.get(name.value) ?? args[2] ?? Value.unknown;
          return Value.unknown;
        }
        case 'setattr': {
          const owner = args[0];
          const name = args[1];
          if (owner?.kind === 'layer' && owner.layer.kind === 'instance' && name?.kind === 'str' && args[2]) {
            owner.layer.attrs.set(name.value, args[2]);
            owner.layer.assignRanges.set(name.value, { range, lineRange: rangeOf(node.parent ?? node) });
          }
          return Value.none;
        }
        case 'isinstance':
        case 'hasattr':
        case 'print':
          return Value.unknown;
        case 'super':
          return { kind: 'module', path: 'builtins.super' };
        default:
          break;
      }
    }
    if (path === 'collections.OrderedDict' || path.endsWith('.OrderedDict') || path === 'OrderedDict') {
      const entries = new Map<string, Value>();
      const list = args[0];
      if (list && (list.kind === 'list' || list.kind === 'tuple')) {
        for (const pair of list.items) {
          if (pair.kind === 'tuple' && pair.items[0]?.kind === 'str') entries.set(pair.items[0].value, pair.items[1] ?? Value.unknown);
        }
      }
      return { kind: 'dict', entries };
    }
    if (tensors.length > 0) return this.opaque(node.text, tensors, range, `\`${clip(text)}\` is not a known PyTorch module or function`);
    if (last === '__init__') return Value.none;
    return Value.unknown;
  }

  private shapeOfInit(init: SyntaxNode | undefined, env: Env): AttrValue[] {
    // `w = torch.empty(nx, nf); nn.init.normal_(w); self.w = Parameter(w)`: the shape of the call `w` was made by.
    if (init?.type === 'identifier') init = lastAssignedValue(init);
    // `torch.randn(d, d) / math.sqrt(d)` and `0.02 * torch.randn(d, d)`: the shape is the call's.
    if (init?.type === 'binary_operator') {
      const left = init.childForFieldName('left');
      const right = init.childForFieldName('right');
      init = left?.type === 'call' ? left : right?.type === 'call' ? right : undefined;
    }
    if (!init || init.type !== 'call') return [];
    const { args } = this.evalArguments(init.childForFieldName('arguments'), env);
    const dims = args.length === 1 && (args[0].kind === 'tuple' || args[0].kind === 'list') ? args[0].items : args;
    return dims.map(Value.toAttr);
  }

  private builtinLayer(name: string, op: string, params: readonly string[], defaults: Readonly<Record<string, AttrValue>>, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode): BuiltinLayer {
    const attrs: Record<string, AttrValue> = { ...defaults };
    params.forEach((param, i) => {
      const v = kwargs.get(param) ?? args[i];
      if (v !== undefined) attrs[param] = Value.toAttr(v);
    });
    for (const [k, v] of kwargs) if (!(k in attrs)) attrs[k] = Value.toAttr(v);
    normalizeAttrs(op, attrs);
    // nn.TransformerEncoder(layer, num_layers) repeats a layer built beforehand.
    if (op === 'transformer_encoder' || op === 'transformer_decoder') {
      const inner = args[0] ?? kwargs.get(op === 'transformer_encoder' ? 'encoder_layer' : 'decoder_layer');
      if (inner?.kind === 'layer' && inner.layer.kind === 'builtin') Object.assign(attrs, { d_model: inner.layer.attrs.d_model ?? null, nhead: inner.layer.attrs.nhead ?? null });
    }
    void name;
    return { kind: 'builtin', op, attrs, defRange: this.here(node), text: clip(node.text) };
  }

  private sequential(args: Value[], node: SyntaxNode): SequentialLayer {
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c) => c.type !== 'comment' && c.type !== 'keyword_argument');
    const items: Layer[] = [];
    const itemRanges: (Range | undefined)[] = [];
    const keys: (string | undefined)[] = [];
    if (args.length === 1 && args[0].kind === 'dict') {
      for (const [key, v] of args[0].entries) {
        if (v.kind === 'layer') {
          items.push(v.layer);
          itemRanges.push(v.layer.defRange);
          keys.push(key);
        }
      }
    } else {
      const direct = argNodes.length === args.length && argNodes.every((n) => n.type !== 'list_splat');
      args.forEach((arg, i) => {
        if (arg.kind === 'layer') {
          items.push(arg.layer);
          itemRanges.push(direct && !this.foreign ? rangeOf(argNodes[i]) : undefined);
          keys.push(undefined);
        }
      });
    }
    return { kind: 'sequential', items, itemRanges, keys, defRange: this.here(node) };
  }

  instantiate(cls: ClassInfo, args: Value[], kwargs: Map<string, Value>, range: Range): Value {
    const instance: InstanceLayer = { kind: 'instance', cls, attrs: new Map(), assignRanges: new Map(), defRange: range };
    if (!this.file.isModuleClass(cls, 0)) return this.configObject(cls, args, kwargs);
    if (this.depth >= MAX_DEPTH) {
      this.hint(`\`${cls.name}\` nests itself more than ${MAX_DEPTH} levels deep; deeper levels are not shown.`, range);
      return { kind: 'layer', layer: instance };
    }
    if (this.constructing.has(cls)) {
      this.hint(`\`${cls.name}\` builds an instance of itself in its own constructor; the inner one is not expanded.`, range);
      return { kind: 'layer', layer: instance };
    }
    const init = this.findMethod(cls, '__init__', 0);
    const builtin = init && !this.findMethod(cls, 'forward', 0) ? this.builtinFromSuper(cls, init, instance, args, kwargs, range) : undefined;
    if (builtin) return builtin;
    if (init) {
      this.depth++;
      this.constructing.add(cls);
      try {
        this.inOrigin(init, range, () => this.invoke(init, args, kwargs, instance));
      } finally {
        this.depth--;
        this.constructing.delete(cls);
      }
    }
    return { kind: 'layer', layer: instance };
  }

  /**
   * A plain class used as a configuration (a dataclass, a NamedTuple, a class with defaults): its fields with their
   * defaults, overridden by the call's arguments, so `config.hidden` is a number where the code says so.
   */
  private configObject(cls: ClassInfo, args: Value[], kwargs: Map<string, Value>): Value {
    const entries = new Map<string, Value>();
    const order: string[] = [];
    for (const stmt of cls.node.childForFieldName('body')?.namedChildren ?? []) {
      const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (assign?.type !== 'assignment') continue;
      const left = assign.childForFieldName('left');
      if (left?.type !== 'identifier') continue;
      const right = assign.childForFieldName('right');
      order.push(left.text);
      entries.set(left.text, right ? this.knob(this.eval(right, new Map()), left.text) : Value.unknown);
    }
    if (order.length === 0) return Value.unknown;
    args.forEach((v, i) => order[i] !== undefined && entries.set(order[i], v));
    for (const [k, v] of kwargs) entries.set(k, v);
    return { kind: 'dict', entries };
  }

  private callFunction(fn: SyntaxNode, args: Value[], kwargs: Map<string, Value>, self: InstanceLayer | undefined, range: Range): Value {
    if (this.depth >= MAX_DEPTH) {
      this.hint(`Calls nest more than ${MAX_DEPTH} levels deep here; deeper calls are not followed.`, range);
      return Value.unknown;
    }
    this.depth++;
    try {
      return this.inOrigin(fn, range, () => this.invoke(fn, args, kwargs, self));
    } finally {
      this.depth--;
    }
  }

  /** A lambda's body with its parameters bound over the variables it closes over. */
  private callLambda(fn: SyntaxNode, closure: ReadonlyMap<string, Value> | undefined, args: Value[], kwargs: Map<string, Value>, range: Range): Value {
    const body = fn.childForFieldName('body');
    if (!body || this.depth >= MAX_DEPTH) return Value.unknown;
    const env: Env = new Map([...(closure ?? []), ...this.bindParameters(fn, args, kwargs, undefined)]);
    this.depth++;
    try {
      return this.inOrigin(fn, range, () => this.eval(body, env));
    } finally {
      this.depth--;
    }
  }

  /** Binds parameters (self first when given) and runs a function body. */
  /** `self` is the first parameter when it is named so or is a plain name (not `*args`). */
  protected isSelfParam(param: SyntaxNode, name: string): boolean {
    return name === 'self' || param.type === 'identifier';
  }

  /**
   * A boolean default of a module's method (`use_bn=True` in `__init__`, `return_features=False` in forward) or of
   * the function that builds the model is a configuration knob; a helper's (`def block(…, normalize=True)` called
   * with explicit values where it matters) is an implementation detail, so it is not.
   */
  protected parameterDefault(fn: SyntaxNode, name: string, value: Value, hasSelf: boolean): Value {
    return hasSelf || fn === this.rootFunction ? this.knob(value, name) : value;
  }

  invoke(fn: SyntaxNode, args: Value[], kwargs: Map<string, Value>, self: InstanceLayer | undefined, onParam?: (name: string, node: SyntaxNode) => Value | undefined): Value {
    const env = this.bindParameters(fn, args, kwargs, self ? { kind: 'layer', layer: self } : undefined, onParam);
    // Inside a constructor, `super().__init__(...)` of a local base class runs that constructor on the same instance.
    if (self && fn.childForFieldName('name')?.text === '__init__') {
      this.runLocalSuperInit(fn, self, env);
    }
    const flow = this.execBlock(fn.childForFieldName('body'), env);
    return flow.returned ?? Value.none;
  }

  private runLocalSuperInit(fn: SyntaxNode, self: InstanceLayer, env: Env): void {
    const body = fn.childForFieldName('body');
    const first = body?.namedChildren.find((s) => s.type === 'expression_statement' && s.text.startsWith('super('));
    if (!first) return;
    const cls = this.file.classes.get(fnOwner(fn) ?? '');
    const base = cls?.bases.map((b) => this.file.classes.get(b)).find((c) => c !== undefined && c !== cls);
    const baseInit = base ? this.findMethod(base, '__init__', 0) : undefined;
    const call = first.namedChildren[0];
    if (!baseInit && cls && call) {
      this.builtinSuperInit(cls, call, self, env);
      return;
    }
    if (!baseInit || this.depth >= MAX_DEPTH) return;
    const { args, kwargs } = this.evalArguments(call?.childForFieldName('arguments') ?? null, env);
    this.depth++;
    try {
      this.invoke(baseInit, args, kwargs, self);
    } finally {
      this.depth--;
    }
  }

  /**
   * A subclass of a built-in layer that keeps its forward (BERT-pytorch's `class TokenEmbedding(nn.Embedding)`, whose
   * constructor only calls `super().__init__(vocab_size, embed_size, padding_idx=0)`): the built-in layer, built with
   * the arguments its constructor hands to `super().__init__`.
   */
  private builtinFromSuper(cls: ClassInfo, init: SyntaxNode, instance: InstanceLayer, args: Value[], kwargs: Map<string, Value>, range: Range): Value | undefined {
    const path = this.file.builtinLayerBase(cls, 0);
    const body = init.childForFieldName('body');
    const first = body?.namedChildren.find((s) => s.type === 'expression_statement' && s.text.startsWith('super('));
    const call = first?.namedChildren[0];
    if (!path || !call || call.type !== 'call' || this.file.classes.get(cls.bases[0] ?? '') !== undefined) return undefined;
    const env = this.bindParameters(init, args, kwargs, { kind: 'layer', layer: instance });
    const given = this.evalArguments(call.childForFieldName('arguments'), env);
    const built = this.callPath(path, given.args, given.kwargs, call, env, range, call.text);
    if (built.kind !== 'layer' || built.layer.kind !== 'builtin') return undefined;
    return { kind: 'layer', layer: { ...built.layer, defRange: range } };
  }

  /**
   * `super().__init__(d_model=…, nhead=…)` in a subclass of nn.Transformer: the submodules its constructor builds,
   * `self.encoder` and `self.decoder` (stacks of encoder and decoder layers), as the instance's attributes, so a
   * forward that calls `self.encoder(src, mask=…)` applies them. Assignments after it (`self.decoder = nn.Linear`)
   * replace them as in Python.
   */
  private builtinSuperInit(cls: ClassInfo, call: SyntaxNode, self: InstanceLayer, env: Env): void {
    if (this.file.builtinLayerBase(cls, 0) !== 'torch.nn.Transformer') return;
    const { args, kwargs } = this.evalArguments(call.childForFieldName('arguments'), env);
    const given = (name: string, i: number, fallback: number): Value => kwargs.get(name) ?? args[i] ?? { kind: 'num', value: fallback };
    const stack = (op: string, layers: Value): Layer => {
      const attrs: Record<string, AttrValue> = {
        d_model: Value.toAttr(given('d_model', 0, 512)),
        nhead: Value.toAttr(given('nhead', 1, 8)),
        num_layers: Value.toAttr(layers),
        dim_feedforward: Value.toAttr(given('dim_feedforward', 4, 2048)),
      };
      normalizeAttrs(op, attrs);
      return { kind: 'builtin', op, attrs, defRange: this.here(call), text: clip(call.text) };
    };
    self.attrs.set('encoder', { kind: 'layer', layer: stack('transformer_encoder', given('num_encoder_layers', 2, 6)) });
    self.attrs.set('decoder', { kind: 'layer', layer: stack('transformer_decoder', given('num_decoder_layers', 3, 6)) });
  }

  // ----- applying layers and functions to tensors -----

  applyLayer(layer: Layer, args: Value[], kwargs: Map<string, Value>, callNode: SyntaxNode | undefined, range: Range, itemRange?: Range, insertion?: ActivationInsertion): Value {
    const tensors = tensorsIn(args);
    const insert = insertion ?? (callNode ? this.wrapInsertion(callNode) : undefined);
    const enterSite = this.forwardDepth === 1 && callNode !== undefined && layer.kind !== 'builtin';
    const savedSite = this.site;
    if (enterSite) this.site = { range, module: layer.path, insertActivation: insert };
    try {
      switch (layer.kind) {
        case 'builtin':
          return this.applyBuiltin(layer, tensors, args, kwargs, itemRange ?? range, insert);
        case 'sequential': {
          let value: Value = args[0] ?? Value.unknown;
          layer.items.forEach((item, i) => {
            const ir = layer.itemRanges[i];
            const itemInsert = ir ? this.afterItemInsertion(ir) : i === layer.items.length - 1 ? insert : undefined;
            value = this.applyLayer(item, [value], new Map(), undefined, ir ?? range, ir, itemInsert);
          });
          return value;
        }
        case 'modulelist':
        case 'moduledict':
          if (tensors.length > 0) return this.opaque(layer.path ?? 'ModuleList', tensors, range, 'a ModuleList or ModuleDict is not callable; index it or loop over it');
          return Value.unknown;
        case 'instance': {
          const forward = this.findMethod(layer.cls, 'forward', 0) ?? this.findMethod(layer.cls, '__call__', 0);
          if (!forward) {
            if (tensors.length > 0) return this.opaque(layer.cls.name, tensors, range, `\`${layer.cls.name}\` has no forward method`);
            return Value.unknown;
          }
          if (this.depth >= MAX_DEPTH) {
            return tensors.length > 0 ? this.opaque(layer.cls.name, tensors, range, `calls nest more than ${MAX_DEPTH} levels deep`) : Value.unknown;
          }
          this.depth++;
          this.forwardDepth++;
          try {
            return this.inOrigin(forward, range, () => this.invoke(forward, args, kwargs, layer));
          } finally {
            this.depth--;
            this.forwardDepth--;
          }
        }
      }
    } finally {
      this.site = savedSite;
    }
  }

  private applyBuiltin(layer: BuiltinLayer, tensors: number[], args: Value[], kwargs: Map<string, Value>, range: Range, insert: ActivationInsertion | undefined): Value {
    if (tensors.length === 0) return Value.unknown;
    // nn.Identity() is kept as a node (transparent to rendering, shapes and specs) so that a rule can say that the
    // layer sitting where an activation would be applies none.
    const inputs = layer.op === 'bilinear' || layer.op === 'multihead_attention' || layer.op === 'transformer_decoder_layer' || layer.op === 'transformer_decoder' ? tensors : [tensors[0]];
    const attrs = { ...layer.attrs };
    if (layer.tiedTo?.path) Object.assign(attrs, { tied_to: layer.tiedTo.path, tied_op: layer.tiedTo.op });
    if (layer.op === 'multihead_attention' || Ops.category(layer.op) === 'recurrent') void kwargs;
    void args;
    const id = this.emit({
      op: layer.op,
      inputs,
      attrs,
      module: layer.path,
      layerId: layer.path,
      range,
      defRange: layer.defRange,
      insertActivation: Ops.category(layer.op) === 'affine' ? insert : undefined,
    });
    const out: Value = { kind: 'tensor', node: id };
    if (Ops.category(layer.op) === 'recurrent' || layer.op === 'multihead_attention') return { kind: 'tuple', items: [out, Value.unknown] };
    return out;
  }

  private applyFunction(spec: TorchFunctionSpec, args: Value[], kwargs: Map<string, Value>, range: Range, node: SyntaxNode, input: number): Value {
    const attrs: Record<string, AttrValue> = {};
    spec.params.forEach((param, i) => {
      const v = kwargs.get(param) ?? args[i + 1];
      if (v !== undefined) attrs[param] = Value.toAttr(v);
    });
    for (const [k, v] of kwargs) if (!(k in attrs)) attrs[k] = Value.toAttr(v);
    if (spec.op === 'view' || spec.op === 'reshape' || spec.op === 'permute') attrs.shape = args.slice(1).map(Value.toAttr).map((d) => (Array.isArray(d) ? '?' : (d as AttrValue))) as AttrValue as never;
    normalizeAttrs(spec.op, attrs);
    return { kind: 'tensor', node: this.emit({ op: spec.op, inputs: [input], attrs, range, label: clip(node.text) }) };
  }

  private tensorMethod(input: number, method: string, args: Value[], kwargs: Map<string, Value>, node: SyntaxNode): Value {
    const range = rangeOf(node);
    if (NON_TENSOR_METHODS.has(method)) {
      if (method === 'size' && args.length === 0) return { kind: 'sym', name: WHOLE_SHAPE };
      return args[0]?.kind === 'num' ? { kind: 'sym', name: `dim${args[0].value}` } : Value.unknown;
    }
    if (PASS_THROUGH_METHODS.has(method) || method === 'detach') return { kind: 'tensor', node: input };
    if (method === 'split' || method === 'chunk' || method === 'unbind' || method === 'tensor_split') {
      // The pieces become slices where they are unpacked (`q, k, v = …`) or indexed (`parts[0]`).
      void kwargs;
      return { kind: 'tensor', node: input };
    }
    // `out.mul(self.res_scale)`, `x.add(y)`: the method spellings of the operators.
    const operator = ARITHMETIC_METHODS[method.replace(/_$/, '')];
    if (operator && args.length === 1) return this.binary(operator, { kind: 'tensor', node: input }, args[0]!, node);
    const spec = TENSOR_METHODS[method];
    if (spec) {
      const attrs: Record<string, AttrValue> = {};
      spec.params.forEach((param, i) => {
        const v = kwargs.get(param) ?? args[i];
        if (v !== undefined) attrs[param] = Value.toAttr(v);
      });
      for (const [k, v] of kwargs) if (!(k in attrs)) attrs[k] = Value.toAttr(v);
      if (spec.op === 'view' || spec.op === 'reshape' || spec.op === 'permute') {
        const dims = args.length === 1 && (args[0].kind === 'tuple' || args[0].kind === 'list') ? args[0].items : args;
        attrs.shape = dims.map((d) => Value.toAttr(d)).map((d) => (Array.isArray(d) ? '?' : d)) as never;
      }
      // x.view(x.size(0), -1) and x.reshape(B, -1) flatten each sample.
      const shape = attrs.shape as AttrValue;
      const op = (spec.op === 'view' || spec.op === 'reshape') && Array.isArray(shape) && shape.length === 2 && shape[1] === -1 ? 'flatten' : spec.op;
      if (op === 'flatten' && spec.op !== 'flatten') attrs.start_dim = 1;
      normalizeAttrs(op, attrs);
      return { kind: 'tensor', node: this.emit({ op, inputs: [input], attrs, range, label: clip(node.text) }) };
    }
    const others = tensorsIn(args);
    return this.opaque(node.text, [input, ...others], range, `the tensor method \`.${method}()\` is not modelled`);
  }

  /** Wraps a call in the functional ReLU: `self.fc2(x)` → `F.relu(self.fc2(x))`. */
  wrapInsertion(callNode: SyntaxNode): ActivationInsertion {
    const alias = this.file.functionalAlias();
    const r = rangeOf(callNode);
    const edits: TextEdit[] = [
      { range: { start: r.start, end: r.start }, newText: `${alias}.relu(` },
      { range: { start: r.end, end: r.end }, newText: ')' },
    ];
    return { description: `wrap \`${clip(callNode.text)}\` in ${alias}.relu(...)`, edits };
  }

  /** Inserts a ReLU module after an item of an nn.Sequential. */
  afterItemInsertion(item: Range): ActivationInsertion {
    const nn = this.file.nnAlias();
    return { description: `insert ${nn}.ReLU() after this layer`, edits: [{ range: { start: item.end, end: item.end }, newText: `, ${nn}.ReLU()` }] };
  }

  // ----- entry points -----

  runForward(root: Layer, forwardOwner: InstanceLayer | undefined, rangeForInputs: Range): Value {
    if (forwardOwner) {
      const forward = this.findMethod(forwardOwner.cls, 'forward', 0);
      if (!forward) {
        this.hint(`\`${forwardOwner.cls.name}\` has no forward method, so its equation cannot be built.`, rangeForInputs);
        return Value.unknown;
      }
      this.forwardDepth = 1;
      return this.invoke(forward, [], new Map(), forwardOwner, (name, param) => {
        const defaultNode = param.childForFieldName('value');
        if (defaultNode) return undefined;
        return this.input(name, rangeOf(param));
      });
    }
    this.forwardDepth = 1;
    const x = this.input('x', rangeForInputs);
    this.forwardDepth = 2;
    return this.applyLayer(root, [x], new Map(), undefined, rangeForInputs);
  }
}

function fnOwner(fn: SyntaxNode): string | undefined {
  let node: SyntaxNode | null = fn.parent;
  while (node && node.type !== 'class_definition') node = node.parent;
  return node?.childForFieldName('name')?.text;
}

/** Adds the framework-neutral `in` / `out` / `kernel` keys the renderer, rules and shapes read. */
function normalizeAttrs(op: string, attrs: Record<string, AttrValue>): void {
  const pick = (...keys: string[]) => keys.map((k) => attrs[k]).find((v) => v !== undefined);
  const set = (key: string, v: AttrValue | undefined) => {
    if (v !== undefined && attrs[key] === undefined) attrs[key] = v;
  };
  switch (Ops.category(op)) {
    case 'affine':
      set('in', pick('in_features', 'in_channels', 'in1_features'));
      set('out', pick('out_features', 'out_channels'));
      set('kernel', pick('kernel_size'));
      break;
    case 'normalization':
      set('features', pick('num_features', 'normalized_shape', 'num_channels'));
      break;
    case 'recurrent':
      set('in', pick('input_size'));
      set('out', pick('hidden_size'));
      break;
    case 'pooling':
      set('kernel', pick('kernel_size', 'output_size'));
      break;
    default:
      break;
  }
  if (op === 'embedding') {
    set('in', pick('num_embeddings'));
    set('out', pick('embedding_dim'));
  }
  if (op === 'multihead_attention') set('out', pick('embed_dim'));
}

function tensorsIn(values: readonly Value[]): number[] {
  const out: number[] = [];
  for (const v of values) if (v.kind === 'tensor') out.push(v.node);
  return out;
}

function layersIn(values: readonly Value[]): Layer[] {
  const out: Layer[] = [];
  for (const v of values) if (v.kind === 'layer') out.push(v.layer);
  return out;
}

/** The value last assigned to the name `use` reads, earlier in the same function; undefined when there is none. */
function lastAssignedValue(use: SyntaxNode): SyntaxNode | undefined {
  let fn: SyntaxNode | null = use.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return undefined;
  let found: SyntaxNode | undefined;
  const visit = (node: SyntaxNode) => {
    if (node.startIndex >= use.startIndex) return;
    if (node.type === 'assignment' && node.childForFieldName('left')?.text === use.text) found = node.childForFieldName('right') ?? undefined;
    for (const child of node.namedChildren) visit(child);
  };
  visit(fn);
  return found;
}
