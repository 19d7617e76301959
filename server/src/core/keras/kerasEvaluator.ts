// The Keras interpreter's state and its reading of statements and expressions: names looked up in the file that
// runs, attributes of instances, layers and tensors, subscripts, and arithmetic on symbolic tensors.

import type { SyntaxNode } from '../syntax';
import type { AttrValue, FrontendProblem, Range } from '../graph';
import { arithmetic } from '../abstractValues';
import { MAX_UNROLL, PythonInterpreter, rangeOf } from '../python/interpreter';
import { type CompiledLoss, type ForeignSite, KerasGraph, type RunContext } from './kerasGraph';
import {
  type Env,
  type Flow,
  type KV,
  MAX_STEPS,
  type ModelObj,
  NONE,
  StopRun,
  UNKNOWN,
  truthy,
  FileScope,
  findMethod,
} from './kerasScope';

/**
 * One abstract run's state (ops, models, hints, budget, the file whose code runs) and its reading of statements and
 * expressions the Keras way; calls, layers and models are `Interpreter`'s (kerasInterpreter.ts).
 */
export abstract class KerasEvaluator extends PythonInterpreter<KV> {
  protected readonly unknown = UNKNOWN;
  protected readonly none = NONE;
  readonly problems: FrontendProblem[] = [];
  readonly models: ModelObj[] = [];
  /** Losses given to `compile` on instances, by class name. */
  readonly classLosses = new Map<string, CompiledLoss[]>();
  readonly executed = new Set<number>();
  /** Layer objects applied during this run, for unused-layer findings. */
  readonly applied = new Set<object>();
  protected depth = 0;
  private steps = 0;
  protected creator?: SyntaxNode;
  /** Shared by every graph this run builds: set while code from an imported file runs. */
  readonly run: RunContext = {};
  graph = new KerasGraph(this.run);
  /** The module whose code is running: the analysed file, or one it imports while that module's code runs. */
  file: FileScope;

  constructor(readonly home: FileScope) {
    super();
    this.file = home;
  }

  protected tick(): void {
    if (++this.steps > MAX_STEPS) throw new StopRun('the code runs too many steps to follow');
  }

  /** A hint about code that runs here; one about imported code sits at the call in the analysed file that runs it. */
  hint(message: string, range: Range): void {
    this.problems.push({ severity: 'hint', message, range: this.run.foreign?.site ?? range });
  }

  /** Runs `body` as code from the imported file `path`, its ops shown at `site` (unless imported code already runs). */
  inForeign<T>(path: string | undefined, site: Range, body: () => T): T {
    if (path === undefined || this.run.foreign) return body();
    const saved: ForeignSite | undefined = this.run.foreign;
    this.run.foreign = { path, site };
    try {
      return body();
    } finally {
      this.run.foreign = saved;
    }
  }

  // ----- statements -----

  protected execOther(stmt: SyntaxNode, env: Env): Flow {
    if (stmt.type !== 'decorated_definition') return {};
    const def = stmt.childForFieldName('definition');
    return def ? this.execStatement(def, env) : {};
  }

  protected functionValue(def: SyntaxNode): KV {
    return { kind: 'function', node: def, scope: this.file };
  }

  protected execIf(stmt: SyntaxNode, env: Env): Flow {
    const condition = stmt.childForFieldName('condition');
    const truth = condition ? truthy(this.eval(condition, env)) : undefined;
    if (truth !== false) return this.execBlock(stmt.childForFieldName('consequence'), env);
    for (const alt of stmt.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'else_clause') return this.execBlock(alt.childForFieldName('body'), env);
      const c = alt.childForFieldName('condition');
      const t = c ? truthy(this.eval(c, env)) : undefined;
      if (t !== false) return this.execBlock(alt.childForFieldName('consequence'), env);
    }
    return {};
  }

  protected iterate(v: KV): KV[] | undefined {
    if (v.kind === 'list' || v.kind === 'tuple') return [...v.items];
    if (v.kind === 'dict') return [...v.entries.keys()].map((k) => ({ kind: 'str', value: k }) as KV);
    return undefined;
  }

  /** A model bound to a name is named after the first name it is bound to. */
  protected bindName(target: SyntaxNode, value: KV, env: Env): void {
    env.set(target.text, value);
    if (value.kind === 'model' && value.model.variable === undefined) value.model.variable = target;
  }

  protected bindAttribute(target: SyntaxNode, owner: KV, attr: string, value: KV): void {
    if (owner.kind !== 'instance') return;
    owner.inst.attrs.set(attr, value);
    const statement = target.parent?.parent ?? target;
    if (!owner.inst.assignRanges.has(attr)) owner.inst.assignRanges.set(attr, { range: rangeOf(target.parent ?? target), lineRange: rangeOf(statement) });
  }

  // ----- expressions -----

  protected evalName(node: SyntaxNode, env: Env): KV {
    return env.get(node.text) ?? this.global(node.text);
  }

  protected evalList(node: SyntaxNode, env: Env): KV {
    // Item ranges only mean something in the analysed file; a list built by imported code has none.
    const sources: SyntaxNode[] | undefined = this.run.foreign ? undefined : [];
    const items = this.evalItems(node.namedChildren, env, sources);
    return sources ? { kind: 'list', items, sources } : { kind: 'list', items };
  }

  /** A splat of a name Model Audit cannot read (`*dense_stack(64, 2)` from outside the workspace) stays one named item. */
  protected spread(v: KV): readonly KV[] {
    return v.kind === 'list' || v.kind === 'tuple' ? v.items : [v.kind === 'external' ? v : UNKNOWN];
  }

  private global(name: string): KV {
    const file = this.file;
    const cls = file.classes.get(name);
    if (cls) return { kind: 'class', cls };
    const fn = file.functions.get(name);
    if (fn) return { kind: 'function', node: fn, scope: file };
    const imported = file.imported.get(name);
    if (imported) return imported;
    const external = file.external.get(name);
    if (external !== undefined) return { kind: 'external', module: external, label: name };
    const bound = file.imports.get(name);
    if (bound !== undefined) return { kind: 'path', path: bound };
    const resolved = file.resolve(name);
    if (resolved !== name) return { kind: 'path', path: resolved };
    const constant = file.constants.get(name);
    if (constant) return constant;
    return { kind: 'path', path: name === 'tf' ? 'tensorflow' : `builtins.${name}` };
  }

  protected truth(v: KV): boolean | undefined {
    return truthy(v);
  }

  protected evalAttribute(node: SyntaxNode, env: Env): KV {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text ?? '';
    if (!object) return UNKNOWN;
    const owner = this.eval(object, env);
    switch (owner.kind) {
      case 'path':
        return { kind: 'path', path: `${owner.path}.${attr}` };
      case 'module':
        return owner.scope.lookup(attr);
      case 'external':
        return { kind: 'external', module: owner.module, label: `${owner.label}.${attr}`, ...(owner.built ? { built: true } : {}) };
      case 'instance': {
        const stored = owner.inst.attrs.get(attr);
        if (stored !== undefined) return stored;
        const method = findMethod(owner.inst.cls, attr);
        if (method) return { kind: 'function', node: method.node, self: owner.inst, scope: method.scope };
        return UNKNOWN;
      }
      case 'tensor':
        if (attr === 'shape') return UNKNOWN;
        if (attr === 'T') return this.tensorOp(owner, 'transpose', {}, rangeOf(node));
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  protected evalSubscript(node: SyntaxNode, env: Env): KV {
    const object = node.childForFieldName('value');
    const index = node.childForFieldName('subscript');
    if (!object || !index) return UNKNOWN;
    const owner = this.eval(object, env);
    if (owner.kind === 'tensor') return this.tensorOp(owner, 'slice', { index: index.text }, rangeOf(node), 'reshape');
    const key = this.eval(index, env);
    if ((owner.kind === 'list' || owner.kind === 'tuple') && key.kind === 'num') {
      const i = key.value < 0 ? owner.items.length + key.value : key.value;
      return owner.items[i] ?? UNKNOWN;
    }
    if (owner.kind === 'dict' && key.kind === 'str') return owner.entries.get(key.value) ?? UNKNOWN;
    return UNKNOWN;
  }

  private tensorOp(t: { graph: KerasGraph; node: number }, op: string, attrs: Record<string, AttrValue>, range: Range, category?: 'reshape'): KV {
    return { kind: 'tensor', graph: t.graph, node: t.graph.emit({ op, category, inputs: [t.node], attrs, range }) };
  }

  /** `x @ W` with a weight of the layer: an affine map without bias. */
  protected weightProduct(g: KerasGraph, input: number, w: { name?: string; shape: readonly AttrValue[] }, range: Range): KV {
    const [rows, cols] = w.shape;
    const dim = (v: AttrValue | undefined): AttrValue => (typeof v === 'number' || (typeof v === 'string' && v !== '?') ? v : '?');
    return { kind: 'tensor', graph: g, node: g.emit({ op: 'matmul', category: 'affine', inputs: [input], attrs: { in: dim(rows), out: dim(cols), bias: false }, module: w.name, layerId: w.name, range }) };
  }

  protected binary(op: string, a: KV, b: KV, node: SyntaxNode): KV {
    if (a.kind === 'num' && b.kind === 'num') {
      // `%` is left unknown in Keras code, as it always has been, so that sharing the arithmetic changes no output.
      const value = op === '%' ? undefined : arithmetic(op, a.value, b.value);
      return value === undefined ? UNKNOWN : { kind: 'num', value };
    }
    if ((a.kind === 'num' || a.kind === 'sym') && (b.kind === 'num' || b.kind === 'sym') && (op === '*' || op === '+' || op === '-' || op === '//')) {
      const show = (v: KV) => (v.kind === 'num' ? String(v.value) : v.kind === 'sym' ? v.name : '?');
      return { kind: 'sym', name: `${show(a)}${op === '*' ? '·' : op}${show(b)}` };
    }
    if ((a.kind === 'list' || a.kind === 'tuple') && (b.kind === 'list' || b.kind === 'tuple') && op === '+') return { kind: 'list', items: [...a.items, ...b.items] };
    if (a.kind === 'list' && b.kind === 'num' && op === '*' && b.value <= MAX_UNROLL) {
      const items: KV[] = [];
      for (let i = 0; i < b.value; i++) items.push(...a.items);
      return { kind: 'list', items };
    }
    const range = rangeOf(node);
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      const merge = op === '+' ? 'add' : op === '-' ? 'sub' : op === '*' ? 'mul' : op === '@' ? 'bmm' : undefined;
      if (merge) return { kind: 'tensor', graph: a.graph, node: a.graph.emit({ op: merge, category: 'merge', inputs: [a.node, b.node], attrs: {}, range }) };
      return { kind: 'tensor', graph: a.graph, node: a.graph.opaque(node.text, [a.node, b.node], range, `the operator \`${op}\` between two tensors is not modelled`) };
    }
    if (op === '@' && a.kind === 'tensor' && b.kind === 'weight') return this.weightProduct(a.graph, a.node, b.weight, rangeOf(node));
    const tensor = a.kind === 'tensor' ? a : b.kind === 'tensor' ? b : undefined;
    if (tensor) {
      if (op === '+' || op === '-') return tensor;
      if (op === '*' || op === '/') {
        const other = tensor === a ? b : a;
        return this.tensorOp(tensor, 'scale', { factor: other.kind === 'num' ? (op === '/' ? 1 / other.value : other.value) : '?' }, range);
      }
      return { kind: 'tensor', graph: tensor.graph, node: tensor.graph.opaque(node.text, [tensor.node], range, `the operator \`${op}\` is not modelled`) };
    }
    return UNKNOWN;
  }
}
