// The PyTorch interpreter's state and its reading of statements and expressions: the ops one model's run emits,
// its hints and step budget, configuration branches (`if self.use_bn:`) and `self.training`, names, attributes,
// subscripts, arithmetic on tensors and scalars. Calls, layers and the forward pass are in modelInterpreter.ts.

import type { SyntaxNode } from '../syntax';
import type { AttrValue, FrontendProblem, Range } from '../graph';
import { arithmetic } from '../abstractValues';
import { type MutableNode, type NodeDraft } from '../mutableNode';
import { Ops } from '../ops';
import { type Env as EnvOf, type Flow as FlowOf, MAX_UNROLL, PythonInterpreter, rangeOf } from './interpreter';
import { clip } from '../text';
import { isSpread, sliceSpread, WHOLE_SHAPE } from '../sizeSpread';
import { type ClassInfo, type Knob, type ScalarForm, Value } from './values';
import { type FileScope, knobbed } from './torchScope';

/** Nested constructor and call depth; self-referencing modules stop here. */
export const MAX_DEPTH = 24;
/** Ops per model; past this the interpretation stops with a hint. */
const MAX_NODES = 5000;
/** Statements and calls interpreted per model: bounds the work on any input, however it branches. */
const MAX_STEPS = 200_000;


type Env = EnvOf<Value>;
type Flow = FlowOf<Value>;

export class StopInterpretation extends Error {}

/**
 * The state of one model's interpretation (the ops it emits, its hints, its budget, the configuration it runs) and
 * the statements and expressions it reads the PyTorch way; calls and layers are `ModelInterpreter`'s.
 */
export abstract class TorchEvaluator extends PythonInterpreter<Value> {
  protected readonly unknown = Value.unknown;
  protected readonly none = Value.none;
  readonly nodes: MutableNode[] = [];
  readonly problems: FrontendProblem[] = [];
  protected depth = 0;
  /** Set while interpreting a call made directly from the model's own forward. */
  protected site: MutableNode['site'];
  protected forwardDepth = 0;
  /** For a model built by a function (`def make_mlp(…): return nn.Sequential(…)`): that function. */
  rootFunction?: SyntaxNode;
  /** The branches on configuration values met in this run (only recorded in the default run). */
  readonly branches: BranchPoint[] = [];

  constructor(
    readonly file: FileScope,
    /** For an alternative run: the configuration to interpret instead of the default one. */
    readonly overrides?: Overrides,
  ) {
    super();
  }

  /**
   * A boolean default (a parameter's, a config field's, a class attribute's) tagged as a knob, and set where it is
   * written when this run sets that knob, so everything that reads it follows.
   */
  protected knob(v: Value, name: string): Value {
    return this.flipped(knobbed(v, name));
  }

  /** The value with its knob set to this run's value, when this run sets that knob. */
  private flipped(v: Value): Value {
    const set = this.overrides?.knob;
    if (v.kind === 'bool' && v.knob && set && v.knob.name === set.name && v.value !== set.value) return { ...v, value: set.value };
    return v;
  }

  // ----- graph building -----

  emit(node: NodeDraft): number {
    if (this.nodes.length >= MAX_NODES) {
      throw new StopInterpretation(`the model has more than ${MAX_NODES} operations; the rest is not shown`);
    }
    const id = this.nodes.length;
    const full: MutableNode = { ...node, id, category: node.category ?? Ops.category(node.op) };
    if (this.site && this.forwardDepth > 1) full.site = this.site;
    if (this.foreign) {
      // Code from an imported file: its ops are shown at the call in this file that runs them, and edits that
      // would land in the other file are left out.
      full.range = this.foreign.site;
      full.defRange = this.foreign.site;
      delete full.insertActivation;
      full.origin = this.foreign.path;
    }
    this.nodes.push(full);
    if (node.op === 'opaque') {
      this.problems.push({ severity: 'hint', range: full.range, message: `Model Audit does not understand \`${clip(node.label ?? '')}\`: ${node.reason ?? 'unknown call'}. It is shown as an opaque step.` });
    }
    return id;
  }

  /** Set while running code from an imported file: the call in this file that runs it. */
  protected foreign?: { readonly path: string; readonly site: Range };

  /** Runs `body` marking code from another file, so its ranges map to `site` in this one. */
  inOrigin<T>(fn: SyntaxNode, site: Range, body: () => T): T {
    if (this.foreign) return body();
    const path = this.file.originOf(fn);
    if (!path) return body();
    this.foreign = { path, site };
    try {
      return body();
    } finally {
      this.foreign = undefined;
    }
  }

  /** A range in this file for a syntax node, which may come from an imported file. */
  here(node: SyntaxNode): Range {
    return this.foreign ? this.foreign.site : rangeOf(node);
  }

  input(name: string, range: Range): Value {
    return { kind: 'tensor', node: this.emit({ op: 'input', category: 'input', inputs: [], attrs: { name }, range, label: name }) };
  }

  hint(message: string, range: Range): void {
    this.problems.push({ severity: 'hint', message, range: this.foreign ? this.foreign.site : range });
  }

  private steps = 0;
  /** Classes whose constructors are running, to stop a module that builds itself. */
  protected readonly constructing = new Set<ClassInfo>();

  protected tick(): void {
    if (++this.steps > MAX_STEPS) throw new StopInterpretation(`interpreting it took more than ${MAX_STEPS.toLocaleString('en-US')} steps; the rest is not shown`);
  }

  // ----- statements -----

  protected execOther(stmt: SyntaxNode): Flow {
    if (stmt.type === 'while_statement') this.hint('`while` loops are not unrolled; their body is not part of the equation.', rangeOf(stmt));
    return {};
  }

  protected functionValue(def: SyntaxNode): Value {
    return { kind: 'function', node: def };
  }

  protected execIf(stmt: SyntaxNode, env: Env): Flow {
    const condition = stmt.childForFieldName('condition');
    const mode = condition ? trainingTest(condition) : undefined;
    const alternatives = stmt.childrenForFieldName('alternative').filter((a): a is SyntaxNode => a !== null);
    if (mode && alternatives.every((a) => a.type === 'else_clause')) {
      // `if self.training:` shows both branches. The model in eval mode (what the equation describes) takes one;
      // the training-only branch runs on a copy of the variables, so its ops are listed but feed nothing.
      const consequence = stmt.childForFieldName('consequence');
      const otherwise = alternatives[0]?.childForFieldName('body') ?? null;
      const [trainBlock, evalBlock] = mode === 'train' ? [consequence, otherwise] : [otherwise, consequence];
      if (trainBlock) this.execBlock(trainBlock, new Map(env));
      return this.execBlock(evalBlock, env);
    }
    const value = condition ? this.eval(condition, env) : Value.unknown;
    const forced = condition ? this.forcedTruth(condition) : undefined;
    const truth = forced ?? Value.truthiness(value);
    // `if x.dim() == 2: x = x.unsqueeze(1)` adapts inputs of another rank; the model's own path skips it.
    if (truth === undefined && alternatives.length === 0 && condition && /\.(dim|ndim|ndimension|shape|size)\b/.test(condition.text)) return {};
    if (condition) this.recordBranch(condition, value, stmt);
    if (truth !== false) return this.execBlock(stmt.childForFieldName('consequence'), env);
    for (const alt of alternatives) {
      if (alt.type === 'else_clause') return this.execBlock(alt.childForFieldName('body'), env);
      const c = alt.childForFieldName('condition');
      const v = c ? this.eval(c, env) : Value.unknown;
      const t = c ? this.forcedTruth(c) ?? Value.truthiness(v) : undefined;
      if (c) this.recordBranch(c, v, alt);
      if (t !== false) return this.execBlock(alt.childForFieldName('consequence'), env);
    }
    return {};
  }

  /** In an alternative run, the truth this run gives a condition on a value that is not known; else undefined. */
  private forcedTruth(condition: SyntaxNode): boolean | undefined {
    const truths = this.overrides?.truths;
    if (!truths) return undefined;
    const test = configTest(condition);
    const base = test ? truths.get(test.base) : undefined;
    return base === undefined || !test ? undefined : base !== test.negated;
  }

  /**
   * Notes a branch on a configuration value, so the model can be shown in the other configuration too: a boolean
   * default (a knob), or a name whose value is not known (the equation then takes the first branch). `if self.training`
   * and shape checks never get here.
   */
  private recordBranch(condition: SyntaxNode, value: Value, at: SyntaxNode): void {
    if (this.overrides) return;
    if (value.kind === 'bool' && value.knob) {
      const knob = value.knob;
      if (this.branches.some((b) => b.kind === 'knob' && b.knob.name === knob.name)) return;
      const test = configTest(condition);
      const name = test && (test.base === knob.name || test.base.endsWith(`.${knob.name}`)) ? test.base : knob.name;
      this.branches.push({ kind: 'knob', knob, name, condition: clip(condition.text), range: this.here(condition) });
      return;
    }
    if (Value.truthiness(value) !== undefined) return;
    const chain = conditionChain(condition, at);
    if (chain.length === 0) return;
    const range = this.here(condition);
    // The first branch is taken; each other branch is an alternative: an `elif` with the conditions before it false
    // and its own true, the `else` (written or not) with all of them false.
    for (let i = 1; i <= chain.length; i++) {
      if (i < chain.length && chain[i] === undefined) continue;
      const before = chain.slice(0, i);
      if (before.some((t) => t === undefined)) break;
      const truths = new Map<string, boolean>();
      for (const t of before) truths.set(t!.base, t!.negated);
      const own = chain[i];
      if (own) truths.set(own.base, !own.negated);
      const key = [...truths].map(([k, v]) => `${k}=${v}`).join('&');
      if (this.branches.some((b) => b.kind === 'unknown' && b.key === key)) continue;
      const when = own ? own.text : before.length === 1 ? negate(before[0]!.text) : `not (${before.map((t) => t!.text).join(' or ')})`;
      this.branches.push({ kind: 'unknown', key, truths, assumed: chain[0]!.text, when, condition: clip(condition.text), range });
    }
  }

  protected unknownLoop(iterable: SyntaxNode): void {
    this.hint(`The loop over \`${clip(iterable.text)}\` has an unknown length; its body is shown once.`, rangeOf(iterable));
  }

  protected iterate(v: Value, node: SyntaxNode): Value[] | undefined {
    switch (v.kind) {
      case 'list':
      case 'tuple':
        return [...v.items];
      case 'dict':
        return [...v.entries.keys()].map((k) => ({ kind: 'str', value: k }) as Value);
      case 'layer': {
        const layer = v.layer;
        if (layer.kind === 'modulelist' || layer.kind === 'sequential') return layer.items.map((l) => ({ kind: 'layer', layer: l }) as Value);
        if (layer.kind === 'moduledict') return [...layer.entries.keys()].map((k) => ({ kind: 'str', value: k }) as Value);
        return undefined;
      }
      default:
        void node;
        return undefined;
    }
  }

  /** `q, k, v = x.chunk(3, dim=-1)`: each name is one slice of the tensor. */
  protected unpackWhole(targets: readonly SyntaxNode[], value: Value, env: Env): boolean {
    if (value.kind !== 'tensor') return false;
    targets.forEach((t, i) => this.bind(t, { kind: 'tensor', node: this.emit({ op: 'slice', category: 'reshape', inputs: [value.node], attrs: { index: i }, range: rangeOf(t) }) }, env));
    return true;
  }

  /** `B, T, C = x.size()`: unknown sizes are named after the names they are bound to. */
  protected missingItem(target: SyntaxNode, value: Value): Value {
    return (value.kind === 'unknown' || value.kind === 'sym') && target.type === 'identifier' ? { kind: 'sym', name: target.text } : Value.unknown;
  }

  protected bindAttribute(target: SyntaxNode, owner: Value, attr: string, value: Value): void {
    if (owner.kind === 'layer' && owner.layer.kind === 'builtin' && attr === 'weight' && value.kind === 'layer' && value.layer.kind === 'builtin' && value.layer !== owner.layer) {
      // Weight tying (`self.decoder.weight = self.encoder.weight`): the op records whose weight it shares.
      owner.layer.tiedTo = value.layer;
      return;
    }
    if (owner.kind === 'layer' && owner.layer.kind === 'instance') {
      owner.layer.attrs.set(attr, value);
      const statement = target.parent?.parent ?? target;
      owner.layer.assignRanges.set(attr, { range: this.here(target.parent ?? target), lineRange: this.here(statement) });
    }
  }

  // ----- expressions -----

  protected evalName(node: SyntaxNode, env: Env): Value {
    const local = env.get(node.text);
    if (local !== undefined) return local;
    const global = this.file.globals.get(node.text);
    if (global !== undefined) return this.flipped(global);
    if (node.text === 'nn') return { kind: 'module', path: 'torch.nn' };
    if (node.text === 'F') return { kind: 'module', path: 'torch.nn.functional' };
    if (node.text === 'torch') return { kind: 'module', path: 'torch' };
    return { kind: 'module', path: `builtins.${node.text}` };
  }

  /** `not self.use_bn` still depends on the knob `use_bn`. */
  protected negation(v: Value, t: boolean): Value {
    return { kind: 'bool', value: !t, ...(v.kind === 'bool' && v.knob ? { knob: v.knob } : {}) };
  }

  protected conditionTruth(condition: SyntaxNode, value: Value, at: SyntaxNode): boolean | undefined {
    const t = this.forcedTruth(condition) ?? Value.truthiness(value);
    this.recordBranch(condition, value, at);
    return t;
  }

  /** A comprehension over a count that is not known keeps one item for all of them, with a hint. */
  protected evalComprehension(node: SyntaxNode, env: Env): Value {
    const result = this.evalListComprehension(node, env);
    if (!result) return Value.unknown;
    if (result.unknownCount) this.hint(`The count of \`${clip(result.unknownCount.text)}\` is not known; one item stands for all of them.`, rangeOf(result.unknownCount));
    return { kind: 'list', items: result.items };
  }

  /** `lambda _x: self.attention(_x, _x, _x, mask=mask)`, passed to a sublayer that calls it: a closure. */
  protected evalLambda(node: SyntaxNode, env: Env): Value {
    return { kind: 'function', node, closure: new Map(env) };
  }

  /** `[*x.size()[:-1], h, d]`: a whole size spreads into a shape as one entry that stands for its sizes. */
  protected spread(v: Value): readonly Value[] {
    return v.kind === 'sym' && isSpread(v.name) ? [v] : super.spread(v);
  }

  protected truth(v: Value): boolean | undefined {
    return Value.truthiness(v);
  }

  protected evalAttribute(node: SyntaxNode, env: Env): Value {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text ?? '';
    if (!object) return Value.unknown;
    const owner = this.eval(object, env);
    switch (owner.kind) {
      case 'module':
        return { kind: 'module', path: `${owner.path}.${attr}` };
      // `config.hidden_size` of an unknown config reads as a named dimension; of a dataclass, as its value.
      case 'sym':
        return { kind: 'sym', name: `${owner.name}.${attr}` };
      case 'dict':
        return owner.entries.get(attr) ?? Value.unknown;
      case 'layer': {
        const layer = owner.layer;
        if (layer.kind === 'instance') {
          const stored = layer.attrs.get(attr);
          if (stored !== undefined) return stored;
          const method = this.findMethod(layer.cls, attr, 0);
          if (method) return { kind: 'function', node: method, self: layer };
          // `self.expansion` reads the class attribute when the instance has none of its own.
          return this.classAttribute(layer.cls, attr, 0) ?? Value.unknown;
        }
        // `self.encoder.weight` stands for the layer itself, so `self.decoder.weight = self.encoder.weight` can tie them.
        if (layer.kind === 'builtin' && attr === 'weight') return owner;
        if (layer.kind === 'moduledict' && (attr === 'values' || attr === 'items' || attr === 'keys')) {
          return { kind: 'module', path: `moduledict.${attr}` };
        }
        // nanoGPT's `self.transformer.wte`: a ModuleDict's entries read as attributes too.
        const entry = layer.kind === 'moduledict' ? layer.entries.get(attr) : undefined;
        if (entry) return { kind: 'layer', layer: entry };
        return Value.unknown;
      }
      // `Bottleneck.expansion`, or `block.expansion` with `block` bound to a class: a class attribute.
      case 'class':
        return this.classAttribute(owner.cls, attr, 0) ?? Value.unknown;
      case 'tensor':
        if (attr === 'shape') return { kind: 'sym', name: WHOLE_SHAPE };
        if (attr === 'T' || attr === 'mT') {
          return { kind: 'tensor', node: this.emit({ op: 'transpose', inputs: [owner.node], attrs: {}, range: rangeOf(node) }) };
        }
        return this.inputField(owner.node, attr, node) ?? Value.unknown;
      default:
        return Value.unknown;
    }
  }

  /** The inputs read as fields of a forward's input (`batch.premise`), by input and field, so each is one input. */
  private readonly fields = new Map<string, Value>();

  /**
   * `batch.premise` where `batch` is the model's input and `premise` no tensor property: the input is a batch object
   * (torchtext's, a dataclass), and each field it reads is an input of its own.
   */
  private inputField(owner: number, attr: string, node: SyntaxNode): Value | undefined {
    const input = this.nodes[owner];
    if (input?.op !== 'input' || TENSOR_PROPERTIES.has(attr)) return undefined;
    const name = `${String(input.attrs.name ?? input.label ?? 'x')}.${attr}`;
    const known = this.fields.get(name);
    if (known) return known;
    const value = this.input(name, this.here(node));
    this.fields.set(name, value);
    return value;
  }

  /**
   * A class attribute (`expansion = 4` in the class body, or `expansion: int = 4`), looked up through the file's
   * base classes as Python does; undefined when no class in the chain assigns it.
   */
  private classAttribute(cls: ClassInfo, name: string, depth: number): Value | undefined {
    if (depth > 16) return undefined;
    for (const stmt of cls.node.childForFieldName('body')?.namedChildren ?? []) {
      const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
      if (assign?.type !== 'assignment' || assign.childForFieldName('left')?.text !== name) continue;
      const right = assign.childForFieldName('right');
      if (!right) return Value.unknown;
      return this.knob(this.eval(right, new Map()), name);
    }
    for (const base of cls.bases) {
      const local = this.file.classes.get(base);
      if (local && local !== cls) {
        const found = this.classAttribute(local, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  protected findMethod(cls: ClassInfo, name: string, depth: number): SyntaxNode | undefined {
    if (depth > 16) return undefined;
    const own = cls.methods.get(name);
    if (own) return own;
    for (const base of cls.bases) {
      const local = this.file.classes.get(base);
      if (local && local !== cls) {
        const found = this.findMethod(local, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The bounds `a:b:c` of a slice as written (null where omitted), or undefined when one is not a known number. */
  private sliceParts(slice: SyntaxNode, env: Env): [number | null, number | null, number | null] | undefined {
    const parts: (SyntaxNode | undefined)[] = [undefined, undefined, undefined];
    let colons = 0;
    for (const child of slice.children) {
      if (child.type === ':') colons++;
      else if (child.isNamed && colons < 3) parts[colons] = child;
    }
    const num = (n: SyntaxNode | undefined): number | null | undefined => {
      if (!n) return null;
      const v = this.eval(n, env);
      return v.kind === 'num' ? v.value : undefined;
    };
    const [a, b, c] = parts.map(num);
    return a === undefined || b === undefined || c === undefined ? undefined : [a, b, c];
  }

  /** Python slice bounds `a:b:c` over a sequence of `length`, or undefined when one is not a known number. */
  private sliceBounds(slice: SyntaxNode, env: Env, length: number): { start: number; stop: number; step: number } | undefined {
    const parts = this.sliceParts(slice, env);
    if (!parts) return undefined;
    const [a, b, c] = parts;
    const step = c ?? 1;
    if (step === 0) return undefined;
    const clamp = (v: number) => Math.max(step > 0 ? 0 : -1, Math.min(v < 0 ? length + v : v, step > 0 ? length : length - 1));
    const start = a === null ? (step > 0 ? 0 : length - 1) : clamp(a);
    const stop = b === null ? (step > 0 ? length : -1) : clamp(b);
    return { start, stop, step };
  }

  protected evalSubscript(node: SyntaxNode, env: Env): Value {
    const object = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    if (!object || !index) return Value.unknown;
    const owner = this.eval(object, env);
    if (owner.kind === 'tensor') {
      return { kind: 'tensor', node: this.emit({ op: 'slice', category: 'reshape', inputs: [owner.node], attrs: { index: index.text }, range: rangeOf(node) }) };
    }
    // `x.size()[:-1]`, `x.shape[-1]`: a slice of a whole size spreads into a shape; an entry is one named size.
    if (owner.kind === 'sym' && isSpread(owner.name)) {
      if (index.type === 'slice') {
        const parts = this.sliceParts(index, env);
        const name = parts && parts[2] === null ? sliceSpread(owner.name, parts[0], parts[1]) : undefined;
        return name ? { kind: 'sym', name } : Value.unknown;
      }
      const k = this.eval(index, env);
      return owner.name === WHOLE_SHAPE && k.kind === 'num' ? { kind: 'sym', name: `dim${k.value}` } : Value.unknown;
    }
    const key = this.eval(index, env);
    const items =
      owner.kind === 'list' || owner.kind === 'tuple'
        ? owner.items
        : owner.kind === 'layer' && (owner.layer.kind === 'modulelist' || owner.layer.kind === 'sequential')
          ? owner.layer.items.map((l) => ({ kind: 'layer', layer: l }) as Value)
          : undefined;
    if (items && key.kind === 'num') {
      const i = key.value < 0 ? items.length + key.value : key.value;
      return items[i] ?? Value.unknown;
    }
    if (items && index.type === 'slice') {
      // `self.layers[:-1]`, `blocks[1:]`: a list of the items (a ModuleList slice is a ModuleList).
      const bounds = this.sliceBounds(index, env, items.length);
      if (bounds) {
        const picked: Value[] = [];
        for (let i = bounds.start; bounds.step > 0 ? i < bounds.stop : i > bounds.stop; i += bounds.step) if (items[i]) picked.push(items[i]);
        return { kind: 'list', items: picked };
      }
    }
    if (owner.kind === 'dict' && key.kind === 'str') return owner.entries.get(key.value) ?? Value.unknown;
    if (owner.kind === 'layer' && owner.layer.kind === 'moduledict' && key.kind === 'str') {
      const layer = owner.layer.entries.get(key.value);
      return layer ? { kind: 'layer', layer } : Value.unknown;
    }
    return Value.unknown;
  }

  protected binary(op: string, a: Value, b: Value, node: SyntaxNode): Value {
    const powered = this.scalarPower(op, a, b, node);
    if (powered) return powered;
    if (a.kind === 'num' && b.kind === 'num') {
      const value = arithmetic(op, a.value, b.value);
      return value === undefined ? Value.unknown : { kind: 'num', value };
    }
    // `x.size()[:-1] + (h, d)`: the spread and the new sizes, as a shape; no other arithmetic on a whole size is read.
    const spreadA = a.kind === 'sym' && isSpread(a.name);
    const spreadB = b.kind === 'sym' && isSpread(b.name);
    if (spreadA || spreadB) {
      if (op !== '+') return Value.unknown;
      if (spreadA && (b.kind === 'tuple' || b.kind === 'list')) return { kind: 'list', items: [a, ...b.items] };
      if (spreadB && (a.kind === 'tuple' || a.kind === 'list')) return { kind: 'list', items: [...a.items, b] };
      return Value.unknown;
    }
    if ((a.kind === 'num' || a.kind === 'sym') && (b.kind === 'num' || b.kind === 'sym') && (op === '*' || op === '+' || op === '-' || op === '//')) {
      const show = (v: Value) => (v.kind === 'num' ? String(v.value) : v.kind === 'sym' ? v.name : '?');
      return { kind: 'sym', name: `${show(a)}${op === '*' ? '·' : op}${show(b)}` };
    }
    if ((a.kind === 'list' || a.kind === 'tuple') && (b.kind === 'list' || b.kind === 'tuple') && op === '+') {
      return { kind: 'list', items: [...a.items, ...b.items] };
    }
    if ((a.kind === 'list') && b.kind === 'num' && op === '*' && b.value <= MAX_UNROLL) {
      const items: Value[] = [];
      for (let i = 0; i < b.value; i++) items.push(...a.items);
      return { kind: 'list', items };
    }
    const range = rangeOf(node);
    if (op === '@') return this.matmul(a, b, range);
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      const merge = op === '+' ? 'add' : op === '-' ? 'sub' : op === '*' ? 'mul' : op === '/' ? 'div' : undefined;
      if (merge) return { kind: 'tensor', node: this.emit({ op: merge, inputs: [a.node, b.node], attrs: {}, range }) };
      return this.opaque(node.text, [a.node, b.node], range, `the operator \`${op}\` between two tensors is not modelled`);
    }
    const tensor = a.kind === 'tensor' ? a : b.kind === 'tensor' ? b : undefined;
    const other = tensor === a ? b : a;
    if (tensor && (other.kind === 'num' || other.kind === 'sym' || other.kind === 'unknown')) {
      if (op === '+' || op === '-') return tensor;
      if (op === '*' || op === '/') {
        const attrs: Record<string, AttrValue> = { factor: other.kind === 'num' ? (op === '/' ? 1 / other.value : other.value) : '?' };
        // `/ math.sqrt(d_k)`, `* self.scale` with `scale = head_dim ** -0.5`: the renderer prints x/√d_k.
        const form = other.kind === 'num' || other.kind === 'sym' ? other.form : undefined;
        if (form && (op === '*' || other === b)) Object.assign(attrs, { by: form.base, exponent: op === '/' ? -form.exponent : form.exponent });
        return { kind: 'tensor', node: this.emit({ op: 'scale', inputs: [tensor.node], attrs, range }) };
      }
      return this.opaque(node.text, [tensor.node], range, `the operator \`${op}\` is not modelled`);
    }
    if (tensor && other.kind === 'param') {
      // Only `@` multiplies by a matrix. `self.g * x + self.b` (a hand-written LayerNorm's gain and bias, RMSNorm's
      // `output * self.weight`) is elementwise: a learned scale, and an offset that keeps the shape.
      if (op === '+' || op === '-') return tensor;
      if (op === '*' || (op === '/' && other === b)) {
        const attrs: Record<string, AttrValue> = { factor: '?', by: other.name, exponent: op === '/' ? -1 : 1 };
        return { kind: 'tensor', node: this.emit({ op: 'scale', inputs: [tensor.node], attrs, module: other.name, range }) };
      }
      return this.opaque(node.text, [tensor.node], range, `the operator \`${op}\` with a parameter is not modelled`);
    }
    return Value.unknown;
  }

  /**
   * Powers of a named size, kept with their name: `d ** -0.5`, `1 / math.sqrt(d)` (the value, when known, too).
   * Undefined for any other arithmetic, which `binary` does as before.
   */
  private scalarPower(op: string, a: Value, b: Value, node: SyntaxNode): Value | undefined {
    const scalar = (v: Value) => v.kind === 'num' || v.kind === 'sym';
    if (op === '**' && scalar(a) && b.kind === 'num') {
      const base = (a.kind === 'num' || a.kind === 'sym' ? a.form : undefined) ?? { base: scalarName(node.childForFieldName('left'), a) ?? '', exponent: 1 };
      if (!base.base) return undefined;
      return withForm(a.kind === 'num' ? a.value ** b.value : undefined, { base: base.base, exponent: base.exponent * b.value });
    }
    if (op === '/' && a.kind === 'num' && a.value === 1 && (b.kind === 'num' || b.kind === 'sym') && b.form) {
      return withForm(b.kind === 'num' && b.value !== 0 ? 1 / b.value : undefined, { base: b.form.base, exponent: -b.form.exponent });
    }
    return undefined;
  }

  /** `math.sqrt(d_k)`, `np.sqrt(d)`, `torch.sqrt(torch.tensor(d))` of a scalar: √d_k, named as the code names it. */
  protected scalarSqrt(arg: Value, argNode: SyntaxNode | undefined): Value {
    if (arg.kind !== 'num' && arg.kind !== 'sym') return Value.unknown;
    const form = arg.form ?? (scalarName(argNode, arg) !== undefined ? { base: scalarName(argNode, arg)!, exponent: 1 } : undefined);
    const value = arg.kind === 'num' && arg.value >= 0 ? Math.sqrt(arg.value) : undefined;
    if (!form) return value === undefined ? Value.unknown : { kind: 'num', value };
    return withForm(value, { base: form.base, exponent: form.exponent * 0.5 });
  }

  protected matmul(a: Value, b: Value, range: Range): Value {
    if (a.kind === 'tensor' && b.kind === 'param') {
      const [rows, cols] = b.shape;
      return { kind: 'tensor', node: this.emit({ op: 'matmul', inputs: [a.node], attrs: { in: dimAttr(rows), out: dimAttr(cols), bias: false }, module: b.name, layerId: b.name, range }) };
    }
    if (a.kind === 'param' && b.kind === 'tensor') {
      const [rows, cols] = a.shape;
      return { kind: 'tensor', node: this.emit({ op: 'matmul', inputs: [b.node], attrs: { in: dimAttr(cols), out: dimAttr(rows), bias: false }, module: a.name, layerId: a.name, range }) };
    }
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      // A product of two activations (attention scores, gating) is bilinear, hence not an affine map of either.
      return { kind: 'tensor', node: this.emit({ op: 'bmm', category: 'merge', inputs: [a.node, b.node], attrs: {}, range }) };
    }
    const tensor = a.kind === 'tensor' ? a : b.kind === 'tensor' ? b : undefined;
    if (tensor) return this.opaque('@', [tensor.node], range, 'a matrix product with an unknown operand');
    return Value.unknown;
  }

  opaque(label: string, inputs: number[], range: Range, reason: string): Value {
    return { kind: 'tensor', node: this.emit({ op: 'opaque', category: 'other', inputs, attrs: {}, range, label: clip(label), reason }) };
  }
}

/** A branch on a configuration value, met while interpreting the model with its defaults. */
export type BranchPoint =
  | { readonly kind: 'knob'; readonly knob: Knob; readonly name: string; readonly condition: string; readonly range: Range }
  | {
      readonly kind: 'unknown';
      /** The forced truths, as text, so one alternative is run once however many branches test the same names. */
      readonly key: string;
      readonly truths: ReadonlyMap<string, boolean>;
      readonly assumed: string;
      readonly when: string;
      readonly condition: string;
      readonly range: Range;
    };

/** What an alternative run interprets differently from the default one. */
export interface Overrides {
  /** The knob (by name) whose defaults are set to this value where they are written. */
  readonly knob?: { readonly name: string; readonly value: boolean };
  /** Conditions whose value is not known (by their text, `cfg.residual`), given a truth. */
  readonly truths?: ReadonlyMap<string, boolean>;
}

/**
 * A condition that reads a configuration value: a name (`use_bn`, `self.use_bn`, `self.cfg.residual`), maybe
 * negated, or a name compared with a literal (`self.norm == "bn"`, `cfg.head is None`). `base` is the tested text
 * without `self.` (what the user reads and what an alternative run forces), `negated` for `not …`; undefined for
 * calls, arithmetic and anything else, which are not configuration.
 */
function configTest(condition: SyntaxNode): { base: string; negated: boolean; text: string } | undefined {
  let node: SyntaxNode | null = condition;
  let negated = false;
  for (let hops = 0; node && hops < 8; hops++) {
    if (node.type === 'parenthesized_expression') node = node.namedChildren[0] ?? null;
    else if (node.type === 'not_operator') {
      negated = !negated;
      node = node.childForFieldName('argument');
    } else break;
  }
  if (!node) return undefined;
  const dotted = (n: SyntaxNode | undefined) => n !== undefined && (n.type === 'identifier' || (n.type === 'attribute' && /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(n.text)));
  const isLiteral = (n: SyntaxNode | undefined) => n !== undefined && ['string', 'integer', 'float', 'true', 'false', 'none'].includes(n.type);
  let ok = dotted(node);
  if (node.type === 'comparison_operator') {
    const [a, b] = node.namedChildren;
    ok = node.namedChildren.length === 2 && ((dotted(a) && isLiteral(b)) || (isLiteral(a) && dotted(b)));
  }
  if (!ok) return undefined;
  const base = node.text.replace(/\s+/g, ' ').replace(/\bself\./g, '');
  if (base === 'training') return undefined;
  return { base, negated, text: negated ? negate(base) : base };
}

function negate(text: string): string {
  return text.startsWith('not ') ? text.slice(4) : / /.test(text) ? `not (${text})` : `not ${text}`;
}

/** The configuration tests of an `if`/`elif` chain (undefined for a condition that is not one); empty when the first is not. */
function conditionChain(condition: SyntaxNode, at: SyntaxNode): ({ base: string; negated: boolean; text: string } | undefined)[] {
  const first = configTest(condition);
  if (!first) return [];
  if (at.type !== 'if_statement') return [first];
  const chain: ({ base: string; negated: boolean; text: string } | undefined)[] = [first];
  for (const alt of at.childrenForFieldName('alternative')) {
    if (alt?.type !== 'elif_clause') continue;
    const c = alt.childForFieldName('condition');
    chain.push(c ? configTest(c) : undefined);
  }
  return chain;
}

/** Attributes every tensor has, which are never a field of a batch object. */
const TENSOR_PROPERTIES = new Set(['shape', 'dtype', 'device', 'data', 'grad', 'is_cuda', 'ndim', 'requires_grad', 'real', 'imag', 'H', 'mH', 'layout', 'names', 'grad_fn', 'is_leaf', 'itemsize', 'nbytes']);

/** Square roots of a scalar, as the common libraries spell them. */
export const SCALAR_SQRT = new Set(['math.sqrt', 'numpy.sqrt', 'torch.sqrt', 'np.sqrt']);

export function firstArgument(call: SyntaxNode): SyntaxNode | undefined {
  return call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment' && c.type !== 'keyword_argument');
}

/** A scalar with how it was written; a symbol named after it when its value is not known. */
function withForm(value: number | undefined, form: ScalarForm): Value {
  if (value !== undefined && Number.isFinite(value)) return { kind: 'num', value, form };
  return { kind: 'sym', name: `${form.base}^${form.exponent}`, form };
}

/**
 * The name a size goes by in a formula, from how the code writes it: `d_k`, `self.d_k` and `cfg.d_k` are d_k;
 * `k.size(-1)` and `k.shape[-1]` are d_k too (the last axis of k), `x.size(-1)` of a longer name is d; a number is
 * itself. Undefined for anything else (the renderer then falls back to a constant c).
 */
function scalarName(node: SyntaxNode | null | undefined, value: Value): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'attribute':
      return node.childForFieldName('attribute')?.text;
    case 'parenthesized_expression':
      return scalarName(node.namedChildren[0], value);
    case 'integer':
    case 'float':
      return node.text;
    case 'call':
    case 'subscript': {
      // `k.size(-1)`, `k.shape[-1]`: the size of the last axis.
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\.(?:size\(\s*-1\s*\)|shape\[\s*-1\s*\])$/.exec(node.text);
      if (m) return m[1].length === 1 ? `d_${m[1]}` : 'd';
      break;
    }
    default:
      break;
  }
  return value.kind === 'num' ? String(value.value) : undefined;
}

/** `train` for `self.training`, `eval` for `not self.training`; undefined for any other condition. */
function trainingTest(condition: SyntaxNode): 'train' | 'eval' | undefined {
  const text = condition.text.replace(/\s+/g, ' ').replace(/^\((.*)\)$/, '$1').trim();
  if (/^self\.training(?: is True| == True)?$/.test(text)) return 'train';
  if (/^(?:not self\.training|self\.training is False|self\.training == False)$/.test(text)) return 'eval';
  return undefined;
}

export function dimAttr(v: AttrValue | undefined): AttrValue {
  return v === undefined ? '?' : v;
}
