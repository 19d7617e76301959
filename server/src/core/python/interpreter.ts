// The Python statement interpreter the PyTorch and Keras frontends share: blocks, `for` loops unrolled over known
// sequences, assignment (plain, chained, augmented) and binding to names, tuples, attributes and subscripts,
// comparisons, and the expressions every frontend reads alike (literals, f-strings, containers, comprehensions,
// operators, conditional expressions). It is generic over the frontend's value domain (PyTorch's `Value`, Keras's
// `KV`, TF1's `TV`); names, calls, attributes, subscripts and what an `if` means are the frontend's, through the
// abstract methods below.

import { type AnyValue, comparePython, pythonLiteral } from '../abstractValues';
import type { Range } from '../graph';
import { rangeOfSyntax, type SyntaxNode } from '../syntax';
import { paramName } from './pyScope';
import { clip } from '../text';

/** Loops are unrolled up to this many iterations; longer ones are summarised. */
export const MAX_UNROLL = 64;

/** Local variables of one function run. */
export type Env<V> = Map<string, V>;

/** How a block ended: with the value of a `return`, or by running off its end. */
export interface Flow<V> {
  returned?: V;
}

/** A node's range in LSP terms. */
export const rangeOf = rangeOfSyntax;

/**
 * A method's text without its comments, once per method node (a mirrored node keeps its text), not once per layer
 * the class declares.
 */
const codeWithoutComments = new WeakMap<SyntaxNode, string>();

/** Whether `self.<name>` (or a dynamic `getattr(self, …)`) appears in a method of the class other than the constructor. */
export function referencedOutsideInit(cls: { readonly methods: ReadonlyMap<string, SyntaxNode> }, name: string): boolean {
  const pattern = new RegExp(`\\bself\\.${name.replace(/[^A-Za-z0-9_]/g, '')}\\b|getattr\\(\\s*self\\b`);
  for (const [method, node] of cls.methods) {
    if (method === '__init__') continue;
    // A commented-out call (`# x = self.act(x)`) is exactly the bug, so comments do not count.
    let code = codeWithoutComments.get(node);
    if (code === undefined) {
      code = node.text.replace(/#[^\n]*/g, '');
      codeWithoutComments.set(node, code);
    }
    if (pattern.test(code)) return true;
  }
  return false;
}

/** Read once per class node: a mirrored statement keeps its nodes while its text is unchanged. */
const classPartsOf = new WeakMap<SyntaxNode, ClassParts | null>();
type ClassParts = { readonly name: string; readonly bases: readonly string[]; readonly methods: ReadonlyMap<string, SyntaxNode> };

/** A class definition's name, its bases as written (without keyword arguments such as `metaclass=`) and its methods. */
export function classParts(node: SyntaxNode): ClassParts | undefined {
  const known = classPartsOf.get(node);
  if (known !== undefined) return known ?? undefined;
  const parts = readClassParts(node);
  classPartsOf.set(node, parts ?? null);
  return parts;
}

function readClassParts(node: SyntaxNode): ClassParts | undefined {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  if (!name || !body) return undefined;
  const bases = (node.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type !== 'keyword_argument').map((b) => b.text);
  const methods = new Map<string, SyntaxNode>();
  for (const stmt of body.namedChildren) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    const methodName = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
    if (def && methodName) methods.set(methodName, def);
  }
  return { name, bases, methods };
}

/** The whole lines a range touches, for an edit that deletes a statement with its line break. */
export function fullLines(r: Range): Range {
  return { start: { line: r.start.line, character: 0 }, end: { line: r.end.line + 1, character: 0 } };
}

/** The shared kinds the interpreter reads and builds; every frontend's value type spells them this way. */
type Core<V> =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'list'; readonly items: V[] }
  | { readonly kind: 'tuple'; readonly items: readonly V[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, V> };

export abstract class PythonInterpreter<V extends AnyValue> {
  /** The value of an expression the interpreter cannot know. */
  protected abstract readonly unknown: V;
  /** Python's None, what a function without `return` gives. */
  protected abstract readonly none: V;

  /** Counts one statement against the run's budget; throws when the budget is spent. */
  protected abstract tick(): void;
  /** A hint about the code at `range`. */
  abstract hint(message: string, range: Range): void;
  /** A name's value: a local, else what the frontend knows of the file's globals and the libraries. */
  protected abstract evalName(node: SyntaxNode, env: Env<V>): V;
  protected abstract evalAttribute(node: SyntaxNode, env: Env<V>): V;
  protected abstract evalSubscript(node: SyntaxNode, env: Env<V>): V;
  protected abstract evalCall(node: SyntaxNode, env: Env<V>): V;
  protected abstract binary(op: string, a: V, b: V, node: SyntaxNode): V;
  /** The items a `for` loop or a comprehension runs over, or undefined when their count is not known. */
  protected abstract iterate(v: V, node: SyntaxNode): V[] | undefined;
  /** The value a nested `def` binds its name to. */
  protected abstract functionValue(def: SyntaxNode): V;
  /** `owner.attr = value`, with `target` the attribute as written. */
  protected abstract bindAttribute(target: SyntaxNode, owner: V, attr: string, value: V): void;
  protected abstract execIf(stmt: SyntaxNode, env: Env<V>): Flow<V>;
  /** A value's truth in Python, or undefined when it is not known (each frontend names which kinds are objects). */
  protected abstract truth(v: V): boolean | undefined;

  /** A statement only one frontend runs (`while`, a decorated `def`); the others do nothing. */
  protected execOther(stmt: SyntaxNode, env: Env<V>): Flow<V> {
    void stmt;
    void env;
    return {};
  }

  /** A loop over something whose length is not known; its body runs once. */
  protected unknownLoop(iterable: SyntaxNode): void {
    void iterable;
  }

  /** `name = value`. */
  protected bindName(target: SyntaxNode, value: V, env: Env<V>): void {
    env.set(target.text, value);
  }

  /** Unpacks a value that is not a sequence into several targets; false leaves it to the item-by-item binding. */
  protected unpackWhole(targets: readonly SyntaxNode[], value: V, env: Env<V>): boolean {
    void targets;
    void value;
    void env;
    return false;
  }

  /** What a target of an unpacking gets when the value has no item for it. */
  protected missingItem(target: SyntaxNode, value: V): V {
    void target;
    void value;
    return this.unknown;
  }

  /** Whether a method's first parameter takes the instance it is called on. */
  protected isSelfParam(param: SyntaxNode, name: string): boolean {
    void param;
    void name;
    return true;
  }

  /** The value a parameter that no argument fills gets from its default as written. */
  protected parameterDefault(fn: SyntaxNode, name: string, value: V, hasSelf: boolean): V {
    void fn;
    void name;
    void hasSelf;
    return value;
  }

  protected core(v: V): Core<V> {
    return v as unknown as Core<V>;
  }

  protected make(v: Core<V>): V {
    return v as unknown as V;
  }

  // ----- statements -----

  execBlock(block: SyntaxNode | null, env: Env<V>): Flow<V> {
    if (!block) return {};
    for (const stmt of block.namedChildren) {
      const flow = this.execStatement(stmt, env);
      if (flow.returned !== undefined) return flow;
    }
    return {};
  }

  execStatement(stmt: SyntaxNode, env: Env<V>): Flow<V> {
    this.tick();
    switch (stmt.type) {
      case 'expression_statement':
        for (const expr of stmt.namedChildren) {
          if (expr.type === 'assignment') this.execAssignment(expr, env);
          else if (expr.type === 'augmented_assignment') this.execAugmented(expr, env);
          else this.eval(expr, env);
        }
        return {};
      case 'return_statement': {
        const value = stmt.namedChildren[0];
        return { returned: value ? this.eval(value, env) : this.none };
      }
      case 'if_statement':
        return this.execIf(stmt, env);
      case 'for_statement':
        return this.execFor(stmt, env);
      case 'with_statement':
      case 'try_statement':
        return this.execBlock(stmt.childForFieldName('body'), env);
      case 'function_definition': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) env.set(name, this.functionValue(stmt));
        return {};
      }
      default:
        return this.execOther(stmt, env);
    }
  }

  protected execFor(stmt: SyntaxNode, env: Env<V>): Flow<V> {
    const target = stmt.childForFieldName('left');
    const iterable = stmt.childForFieldName('right');
    const body = stmt.childForFieldName('body');
    if (!target || !iterable) return {};
    const items = this.iterate(this.eval(iterable, env), iterable);
    if (items === undefined) {
      // A loop over data (epochs, batches) or an unknown count: its body is read once.
      this.unknownLoop(iterable);
      this.bind(target, this.unknown, env);
      return this.execBlock(body, env);
    }
    if (items.length > MAX_UNROLL) {
      this.hint(`The loop over \`${clip(iterable.text)}\` runs ${items.length} times; the first ${MAX_UNROLL} iterations are shown.`, rangeOf(iterable));
    }
    for (const item of items.slice(0, MAX_UNROLL)) {
      this.bind(target, item, env);
      const flow = this.execBlock(body, env);
      if (flow.returned !== undefined) return flow;
    }
    return {};
  }

  bind(target: SyntaxNode, value: V, env: Env<V>): void {
    switch (target.type) {
      case 'identifier':
        this.bindName(target, value, env);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets = target.namedChildren;
        if (this.unpackWhole(targets, value, env)) return;
        const v = this.core(value);
        const items = v.kind === 'tuple' || v.kind === 'list' ? v.items : undefined;
        targets.forEach((t, i) => this.bind(t, items?.[i] ?? (items ? this.unknown : this.missingItem(t, value)), env));
        return;
      }
      case 'parenthesized_expression': {
        const inner = target.namedChildren[0];
        if (inner) this.bind(inner, value, env);
        return;
      }
      case 'attribute': {
        const object = target.childForFieldName('object');
        const attr = target.childForFieldName('attribute')?.text;
        if (!object || !attr) return;
        this.bindAttribute(target, this.eval(object, env), attr, value);
        return;
      }
      case 'subscript': {
        const object = target.childForFieldName('value');
        const index = target.childForFieldName('subscript');
        if (!object || !index) return;
        const owner = this.core(this.eval(object, env));
        const key = this.core(this.eval(index, env));
        if (owner.kind === 'dict' && key.kind === 'str') owner.entries.set(key.value, value);
        else if (owner.kind === 'list' && key.kind === 'num') owner.items[key.value] = value;
        return;
      }
      default:
        return;
    }
  }

  protected execAssignment(assign: SyntaxNode, env: Env<V>): void {
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (!left || !right) return;
    let value: V;
    if (right.type === 'assignment') {
      this.execAssignment(right, env);
      value = this.eval(right.childForFieldName('left') ?? right, env);
    } else {
      value = this.eval(right, env);
    }
    this.bind(left, value, env);
  }

  protected execAugmented(assign: SyntaxNode, env: Env<V>): void {
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    const op = assign.childForFieldName('operator')?.text ?? '';
    if (!left || !right) return;
    const a = this.eval(left, env);
    const b = this.eval(right, env);
    this.bind(left, this.binary(op.replace('=', ''), a, b, assign), env);
  }

  /**
   * A function's local variables on entry: `self` (when given) bound to the first parameter, then the call's
   * positional and keyword arguments, `*args` and `**kwargs`, what `onParam` gives a parameter the call leaves out
   * (a model's inputs), else its default; a parameter with none of these is a named size.
   */
  protected bindParameters(fn: SyntaxNode, args: readonly V[], kwargs: ReadonlyMap<string, V>, self: V | undefined, onParam?: (name: string, param: SyntaxNode) => V | undefined): Env<V> {
    const env: Env<V> = new Map();
    const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
    let positional = [...args];
    let first = true;
    for (const param of params) {
      const name = paramName(param);
      if (!name) continue;
      if (first && self !== undefined && this.isSelfParam(param, name)) {
        env.set(name, self);
        first = false;
        continue;
      }
      first = false;
      if (param.type === 'list_splat_pattern') {
        env.set(name, this.make({ kind: 'tuple', items: positional }));
        positional = [];
        continue;
      }
      if (param.type === 'dictionary_splat_pattern') {
        env.set(name, this.make({ kind: 'dict', entries: new Map(kwargs) }));
        continue;
      }
      const given = kwargs.get(name) ?? positional.shift();
      if (given !== undefined) {
        env.set(name, given);
        continue;
      }
      const fromCaller = onParam?.(name, param);
      if (fromCaller !== undefined) {
        env.set(name, fromCaller);
        continue;
      }
      const defaultNode = param.childForFieldName('value');
      const value = defaultNode ? this.eval(defaultNode, env) : undefined;
      env.set(name, value === undefined ? this.make({ kind: 'sym', name }) : this.parameterDefault(fn, name, value, self !== undefined));
    }
    return env;
  }

  // ----- expressions both frontends read alike -----

  /**
   * The local scopes of a comprehension's items, in order: each `for` clause binds its target over its iterable
   * (nested clauses nest), and an item an `if` clause finds false is dropped (`[Dense(w) for w in widths if w > 0]`
   * leaves the zeros out). At most MAX_UNROLL items. `unknownCount` is the first iterable whose length is not
   * known; that clause binds its target to the unknown value once, so its one scope stands for all its items.
   */
  protected comprehensionScopes(node: SyntaxNode, env: Env<V>): { scopes: Env<V>[]; unknownCount?: SyntaxNode } {
    const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const scopes: Env<V>[] = [];
    let unknownCount: SyntaxNode | undefined;
    const walk = (i: number, local: Env<V>): void => {
      if (scopes.length >= MAX_UNROLL) return;
      const clause = clauses[i];
      if (!clause) {
        scopes.push(new Map(local));
        return;
      }
      if (clause.type === 'if_clause') {
        const cond = clause.namedChildren[0];
        // A condition that cannot be decided keeps the item: dropping a layer that runs would hide it.
        if (!cond || this.truth(this.eval(cond, local)) !== false) walk(i + 1, local);
        return;
      }
      const target = clause.childForFieldName('left');
      const iterable = clause.childForFieldName('right');
      if (!target || !iterable) return;
      const items = this.iterate(this.eval(iterable, local), iterable);
      if (items === undefined) {
        unknownCount ??= iterable;
        this.bind(target, this.unknown, local);
        walk(i + 1, local);
        return;
      }
      for (const item of items) {
        if (scopes.length >= MAX_UNROLL) return;
        this.bind(target, item, local);
        walk(i + 1, local);
      }
    };
    walk(0, new Map(env));
    return unknownCount ? { scopes, unknownCount } : { scopes };
  }

  /** `[body for … in … if …]` (and a generator expression) as a list of the kept items' values. */
  protected evalListComprehension(node: SyntaxNode, env: Env<V>): { items: V[]; unknownCount?: SyntaxNode } | undefined {
    const body = node.childForFieldName('body');
    if (!body) return undefined;
    const { scopes, unknownCount } = this.comprehensionScopes(node, env);
    const items = scopes.map((local) => this.eval(body, local));
    return unknownCount ? { items, unknownCount } : { items };
  }

  /** `{key: value for … in … if …}` as a dict keyed by the string (or number) keys; undefined when a count is unknown. */
  protected evalDictComprehension(node: SyntaxNode, env: Env<V>): V {
    const body = node.childForFieldName('body');
    const keyNode = body?.childForFieldName('key');
    const valueNode = body?.childForFieldName('value');
    if (!keyNode || !valueNode) return this.unknown;
    const { scopes, unknownCount } = this.comprehensionScopes(node, env);
    if (unknownCount) return this.unknown;
    const entries = new Map<string, V>();
    for (const local of scopes) {
      const key = this.core(this.eval(keyNode, local));
      if (key.kind === 'str') entries.set(key.value, this.eval(valueNode, local));
      else if (key.kind === 'num') entries.set(String(key.value), this.eval(valueNode, local));
    }
    return this.make({ kind: 'dict', entries });
  }

  protected evalComparison(node: SyntaxNode, env: Env<V>): V {
    const operands = node.namedChildren;
    if (operands.length !== 2) return this.unknown;
    const ops = node.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
    const truth = comparePython(ops, this.eval(operands[0], env), this.eval(operands[1], env));
    return truth === undefined ? this.unknown : this.make({ kind: 'bool', value: truth });
  }

  // ----- expressions -----

  /** The value of an expression: the shapes all frontends read alike here, the rest through their hooks. */
  eval(node: SyntaxNode, env: Env<V>): V {
    switch (node.type) {
      case 'string':
        return node.namedChildren.some((c) => c.type === 'interpolation') ? this.evalFString(node, env) : this.literal(node);
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return this.literal(node);
      case 'identifier':
        return this.evalName(node, env);
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.eval(inner, env) : this.unknown;
      }
      case 'attribute':
        return this.evalAttribute(node, env);
      case 'subscript':
        return this.evalSubscript(node, env);
      case 'call':
        return this.evalCall(node, env);
      case 'list':
        return this.evalList(node, env);
      case 'tuple':
      case 'expression_list':
        return this.make({ kind: 'tuple', items: this.evalItems(node.namedChildren, env) });
      case 'dictionary':
        return this.evalDictionary(node, env);
      case 'dictionary_comprehension':
        return this.evalDictComprehension(node, env);
      case 'list_comprehension':
      case 'generator_expression':
        return this.evalComprehension(node, env);
      case 'binary_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return this.unknown;
        return this.binary(node.childForFieldName('operator')?.text ?? '', this.eval(left, env), this.eval(right, env), node);
      }
      case 'unary_operator': {
        const arg = node.childForFieldName('argument');
        const v = arg ? this.eval(arg, env) : this.unknown;
        const c = this.core(v);
        if (c.kind === 'num') return this.make({ kind: 'num', value: node.childForFieldName('operator')?.text === '-' ? -c.value : c.value });
        return v;
      }
      case 'not_operator': {
        const arg = node.childForFieldName('argument');
        const v = arg ? this.eval(arg, env) : this.unknown;
        const t = this.truth(v);
        return t === undefined ? this.unknown : this.negation(v, t);
      }
      case 'boolean_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const a = left ? this.eval(left, env) : this.unknown;
        const ta = this.truth(a);
        if (node.childForFieldName('operator')?.text === 'and') return ta === false ? a : ta === true && right ? this.eval(right, env) : this.unknown;
        return ta === true ? a : ta === false && right ? this.eval(right, env) : this.unknown;
      }
      case 'comparison_operator':
        return this.evalComparison(node, env);
      case 'lambda':
        return this.evalLambda(node, env);
      case 'conditional_expression': {
        const [whenTrue, condition, whenFalse] = node.namedChildren;
        const t = condition ? this.conditionTruth(condition, this.eval(condition, env), node) : undefined;
        if (t === false) return whenFalse ? this.eval(whenFalse, env) : this.unknown;
        return whenTrue ? this.eval(whenTrue, env) : this.unknown;
      }
      default:
        return this.unknown;
    }
  }

  /** `lambda _x: f(_x, mask)`: a frontend that calls functions gives it a value; by default it is not known. */
  protected evalLambda(node: SyntaxNode, env: Env<V>): V {
    void node;
    void env;
    return this.unknown;
  }

  protected literal(node: SyntaxNode): V {
    return pythonLiteral(node) as unknown as V;
  }

  /** `not v` where v's truth is `t`. */
  protected negation(v: V, t: boolean): V {
    void v;
    return this.make({ kind: 'bool', value: !t });
  }

  /** Which branch of `a if condition else b` runs (undefined: not known, the first is taken). */
  protected conditionTruth(condition: SyntaxNode, value: V, at: SyntaxNode): boolean | undefined {
    void condition;
    void at;
    return this.truth(value);
  }

  protected evalList(node: SyntaxNode, env: Env<V>): V {
    return this.make({ kind: 'list', items: this.evalItems(node.namedChildren, env) });
  }

  /** What `*v` spreads into a list or a call. */
  protected spread(v: V): readonly V[] {
    const c = this.core(v);
    return c.kind === 'list' || c.kind === 'tuple' ? c.items : [this.unknown];
  }

  /** A list's or tuple's items; `sources`, when given, gets the syntax each item comes from (a splat once per item). */
  protected evalItems(nodes: readonly SyntaxNode[], env: Env<V>, sources?: SyntaxNode[]): V[] {
    const items: V[] = [];
    for (const item of nodes) {
      if (item.type === 'list_splat' || item.type === 'list_splat_pattern') {
        const inner = item.namedChildren[0];
        const spread = this.spread(inner ? this.eval(inner, env) : this.unknown);
        items.push(...spread);
        for (let i = 0; i < spread.length; i++) sources?.push(item);
      } else if (item.type !== 'comment') {
        items.push(this.eval(item, env));
        sources?.push(item);
      }
    }
    return items;
  }

  /** `{'a': 1, …}` with the entries whose keys are known strings. */
  protected evalDictionary(node: SyntaxNode, env: Env<V>): V {
    const entries = new Map<string, V>();
    for (const pair of node.namedChildren) {
      if (pair.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      const k = this.core(key ? this.eval(key, env) : this.unknown);
      if (k.kind === 'str' && value) entries.set(k.value, this.eval(value, env));
    }
    return this.make({ kind: 'dict', entries });
  }

  /** A list comprehension's list; unknown when the count of some loop is not known. */
  protected evalComprehension(node: SyntaxNode, env: Env<V>): V {
    const result = this.evalListComprehension(node, env);
    return result && !result.unknownCount ? this.make({ kind: 'list', items: result.items }) : this.unknown;
  }

  /** `f"layer{i}"` with known values, so `getattr(self, f"fc{i}")` finds the layer. */
  protected evalFString(node: SyntaxNode, env: Env<V>): V {
    let out = '';
    for (const part of node.namedChildren) {
      if (part.type === 'string_content' || part.type === 'escape_sequence') out += part.text;
      else if (part.type === 'interpolation') {
        const expr = part.childForFieldName('expression') ?? part.namedChildren[0];
        const v = this.core(expr ? this.eval(expr, env) : this.unknown);
        if (v.kind === 'num' || v.kind === 'str') out += String(v.value);
        else return this.unknown;
      }
    }
    return this.make({ kind: 'str', value: out });
  }
}
