// A light reading of a Python module's names for the training-code readers (losses, training facts): what each
// import refers to, and which expressions each name (or `self.<attr>`) is assigned in each function. It follows
// Python's scoping only as far as a training script needs: the enclosing functions, then the module.

import { rangeOfSyntax, type StatementDelta, statementDelta, type SyntaxNode } from '../syntax';
import type { Position, TextEdit } from '../graph';

/** A node's range in LSP terms. */
export const rangeOfNode = rangeOfSyntax;

/** One assignment of a name: `name = value`, or item `index` of `a, b = value`, or a loop variable over `value`. */
export interface Binding {
  readonly value: SyntaxNode;
  readonly index?: number;
  readonly loop?: boolean;
  /** Where the assigned name is written; read from the tree, so it follows the statement when lines move. */
  readonly at: Position;
}

const SCOPES = new Set(['module', 'function_definition', 'lambda']);
/** The key of module-level names: the module node is new with every parse, its statements need not be. */
const MODULE = -1;

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

type Names = Map<string, Binding[]>;

/** What one top-level statement binds, computed once per mirrored statement and merged into the module's scopes. */
interface StatementNames {
  readonly imports: [string, string][];
  readonly bindings: Map<number, Names>;
  readonly selfAttrs: Map<number, Names>;
  readonly functions: [string, SyntaxNode][];
  readonly classes: [string, SyntaxNode][];
}

/** Statements reused from an earlier mirror keep what they bind. */
const statementNames = new WeakMap<SyntaxNode, StatementNames>();
const moduleScopes = new WeakMap<SyntaxNode, PyScopes>();
const boundNames = new WeakMap<StatementNames, Set<string>>();

function add(map: Map<number, Names>, key: number, name: string, b: Binding): void {
  let names = map.get(key);
  if (!names) map.set(key, (names = new Map()));
  const list = names.get(name);
  if (list) list.push(b);
  else names.set(name, [b]);
}

function binding(target: SyntaxNode, value: SyntaxNode, loop: boolean, index?: number): Binding {
  return {
    value,
    loop,
    ...(index !== undefined ? { index } : {}),
    get at() {
      const p = target.startPosition;
      return { line: p.row, character: p.column };
    },
  };
}

function classAround(node: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== 'class_definition') n = n.parent;
  return n ?? undefined;
}

/** Visits one statement in source order with an explicit stack: generated code nests deeper than the call stack allows. */
function readStatement(statement: SyntaxNode, moduleNode: SyntaxNode): StatementNames {
  const out: StatementNames = { imports: [], bindings: new Map(), selfAttrs: new Map(), functions: [], classes: [] };
  const keyOf = (scope: SyntaxNode) => (scope === moduleNode || scope.type === 'module' ? MODULE : scope.id);
  const bind = (scope: SyntaxNode, target: SyntaxNode, value: SyntaxNode, loop: boolean) => {
    if (target.type === 'identifier') {
      add(out.bindings, keyOf(scope), target.text, binding(target, value, loop));
    } else if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'tuple' || target.type === 'list_pattern') {
      target.namedChildren.forEach((t, index) => {
        if (t.type === 'identifier') add(out.bindings, keyOf(scope), t.text, binding(t, value, loop, index));
      });
    } else if (target.type === 'attribute' && target.childForFieldName('object')?.text === 'self') {
      const cls = classAround(target);
      const attr = target.childForFieldName('attribute')?.text;
      if (cls && attr) add(out.selfAttrs, cls.id, attr, binding(target, value, loop));
    }
  };
  const stack: [SyntaxNode, SyntaxNode][] = [[statement, moduleNode]];
  while (stack.length > 0) {
    const [node, scope] = stack.pop()!;
    const childScope = visit(node, scope);
    if (childScope === undefined) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], childScope]);
  }
  return out;

  /** Records what one node binds; returns the scope its children are in, or undefined to skip them. */
  function visit(node: SyntaxNode, scope: SyntaxNode): SyntaxNode | undefined {
    switch (node.type) {
      case 'import_statement':
        for (const name of node.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const alias = name.childForFieldName('alias')?.text;
            if (alias) out.imports.push([alias, name.childForFieldName('name')?.text ?? '']);
          } else {
            const top = name.text.split('.')[0];
            out.imports.push([top, top]);
          }
        }
        return undefined;
      case 'import_from_statement': {
        const mod = node.childForFieldName('module_name')?.text ?? '';
        for (const name of node.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const alias = name.childForFieldName('alias')?.text;
            if (alias) out.imports.push([alias, `${mod}.${name.childForFieldName('name')?.text ?? ''}`]);
          } else {
            out.imports.push([name.text, `${mod}.${name.text}`]);
          }
        }
        return undefined;
      }
      case 'assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right) bind(scope, left, right.type === 'assignment' ? right.childForFieldName('right') ?? right : right, false);
        return scope;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right) bind(scope, left, right, true);
        return scope;
      }
      case 'with_item': {
        const value = node.childForFieldName('value');
        if (value?.type === 'as_pattern') {
          const target = value.childForFieldName('alias')?.namedChildren[0] ?? value.namedChildren[1];
          const expr = value.namedChildren[0];
          if (target && expr) bind(scope, target, expr, false);
        }
        return scope;
      }
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text;
        if (name) out.functions.push([name, node]);
        return node;
      }
      case 'class_definition': {
        const name = node.childForFieldName('name')?.text;
        if (name) out.classes.push([name, node]);
        return scope;
      }
      default:
        return scope;
    }
  }
}

/**
 * In `map` (name → entries in source order), the entries of `gone` give way to those of `coming` for each name
 * `coming` has, where the first gone one stood (one statement's entries are contiguous). Lists are replaced, never
 * changed. Returns the names whose lists changed.
 */
function swapEntries<T>(map: Map<string, readonly T[]>, gone: readonly (readonly [string, T])[], coming: readonly (readonly [string, T])[]): string[] {
  const goneItems = new Set(gone.map(([, item]) => item));
  const byName = new Map<string, T[]>();
  for (const [name, item] of coming) {
    const list = byName.get(name);
    if (list) list.push(item);
    else byName.set(name, [item]);
  }
  for (const [name, items] of byName) {
    const list = map.get(name) ?? [];
    const at = list.findIndex((x) => goneItems.has(x));
    const rest = list.filter((x) => !goneItems.has(x));
    rest.splice(at < 0 ? rest.length : at, 0, ...items);
    map.set(name, rest);
  }
  return [...byName.keys()];
}

/** The name lookups a reader makes of the scopes, which a reader that caches per statement can watch. */
export type ScopeQueries = Pick<PyScopes, 'lookup' | 'lookupSelf' | 'classOf' | 'scopeOf'>;

export class PyScopes {
  private imports = new Map<string, string>();
  private bindings = new Map<number, Names>();
  private selfAttrs = new Map<number, Names>();
  private functions$ = new Map<string, SyntaxNode[]>();
  private classes$ = new Map<string, SyntaxNode>();
  /** Every definition of each class name in source order; `classes` holds the last. */
  private classDefs = new Map<string, SyntaxNode[]>();
  /** Module-level and nested function definitions by name. */
  get functions(): ReadonlyMap<string, readonly SyntaxNode[]> {
    return this.functions$;
  }

  /** Class definitions by name (the last one, when a name is defined twice). */
  get classes(): ReadonlyMap<string, SyntaxNode> {
    return this.classes$;
  }

  /** resolvePath's answers: training code names the same callees over and over. */
  private paths = new Map<string, string>();

  /** The scopes of a module, built once per mirrored tree and shared by every reader of it. */
  static of(root: SyntaxNode): PyScopes {
    let scopes = moduleScopes.get(root);
    if (!scopes) {
      // After an edit inside one statement, the previous module's scopes with that statement's names swapped.
      const delta = root.type === 'module' ? statementDelta(root) : undefined;
      const before = delta ? moduleScopes.get(delta.previous) : undefined;
      scopes = (before && delta && PyScopes.patched(before, root, delta)) || new PyScopes(root);
      moduleScopes.set(root, scopes);
    }
    return scopes;
  }

  /**
   * `before`'s scopes with the names of the statements `delta` removed replaced by those of the statements it added,
   * when both bind and define the same names at module level and import nothing: what building them afresh gives,
   * without visiting every statement. Undefined when the edit changed what the module's names are.
   */
  private static patched(before: PyScopes, root: SyntaxNode, delta: StatementDelta): PyScopes | undefined {
    if (delta.at === undefined) return undefined;
    const removed: StatementNames[] = [];
    for (const statement of delta.removed) {
      const names = statementNames.get(statement);
      if (!names) return undefined;
      removed.push(names);
    }
    const added = delta.added.map((statement) => {
      let names = statementNames.get(statement);
      if (!names) statementNames.set(statement, (names = readStatement(statement, root)));
      return names;
    });
    const shape = (all: StatementNames[]) => {
      if (all.some((n) => n.imports.length > 0)) return undefined;
      const module = all.flatMap((n) => [...(n.bindings.get(MODULE) ?? new Map<string, Binding[]>())].map(([name, list]) => `${name}*${list.length}`));
      return [module.sort().join(','), all.flatMap((n) => n.functions.map(([name]) => name)).sort().join(','), all.flatMap((n) => n.classes.map(([name]) => name)).sort().join(',')].join('|');
    };
    const was = shape(removed);
    if (was === undefined || was !== shape(added)) return undefined;
    // The previous text's scopes are not read again (its mirror now describes this text): their maps move here and
    // are changed in place; only the lists a swap touches are copied.
    moduleScopes.delete(delta.previous);
    const scopes = new PyScopes(root, true);
    scopes.imports = before.imports;
    scopes.bindings = before.bindings;
    scopes.selfAttrs = before.selfAttrs;
    scopes.functions$ = before.functions$;
    scopes.classes$ = before.classes$;
    scopes.classDefs = before.classDefs;
    scopes.paths = before.paths;
    scopes.imports$ = before.imports$;
    for (const names of removed) {
      for (const key of names.bindings.keys()) if (key !== MODULE) scopes.bindings.delete(key);
      for (const key of names.selfAttrs.keys()) scopes.selfAttrs.delete(key);
    }
    for (const names of added) {
      for (const [key, map] of names.bindings) {
        if (key === MODULE) continue;
        if (scopes.bindings.has(key)) return undefined;
        scopes.bindings.set(key, map);
      }
      for (const [key, map] of names.selfAttrs) {
        if (scopes.selfAttrs.has(key)) return undefined;
        scopes.selfAttrs.set(key, map);
      }
    }
    // Module-level names, functions and classes: the removed statements' entries give way to the added ones' in
    // place (each statement's are contiguous, in source order); lists are copied, never changed, since statements
    // share them.
    const moduleNames = scopes.bindings.get(MODULE) ?? new Map<string, Binding[]>();
    scopes.bindings.set(MODULE, moduleNames);
    const moduleBindings = (n: StatementNames) => [...(n.bindings.get(MODULE) ?? [])].flatMap(([name, list]) => list.map((b) => [name, b] as [string, Binding]));
    swapEntries(moduleNames, removed.flatMap(moduleBindings), added.flatMap(moduleBindings));
    swapEntries(scopes.functions$, removed.flatMap((n) => n.functions), added.flatMap((n) => n.functions));
    for (const name of swapEntries(scopes.classDefs, removed.flatMap((n) => n.classes), added.flatMap((n) => n.classes))) {
      const defs = scopes.classDefs.get(name)!;
      scopes.classes$.set(name, defs[defs.length - 1]);
    }
    return scopes;
  }

  constructor(
    readonly root: SyntaxNode,
    /** Whether these scopes are the previous module's patched after an edit (left empty here, for `patched` to fill). */
    readonly patched = false,
  ) {
    if (patched) return;
    // Each top-level statement is read once per mirrored statement; the module merges them in source order.
    const statements = root.type === 'module' ? root.children : [root];
    const moduleNames = new Map<string, Binding[]>();
    const owned = new Set<Binding[]>();
    this.bindings.set(MODULE, moduleNames);
    for (const statement of statements) {
      let names = root.type === 'module' ? statementNames.get(statement) : undefined;
      if (!names) {
        names = readStatement(statement, root);
        if (root.type === 'module') statementNames.set(statement, names);
      }
      for (const [alias, path] of names.imports) this.imports.set(alias, path);
      for (const [key, map] of names.bindings) {
        if (key !== MODULE) {
          this.bindings.set(key, map);
          continue;
        }
        for (const [name, list] of map) {
          const existing = moduleNames.get(name);
          if (!existing) moduleNames.set(name, list);
          else if (owned.has(existing)) existing.push(...list);
          else {
            // A statement's cached list is never mutated: the first merge makes the module's own copy.
            const merged = [...existing, ...list];
            owned.add(merged);
            moduleNames.set(name, merged);
          }
        }
      }
      for (const [key, map] of names.selfAttrs) {
        const existing = this.selfAttrs.get(key);
        if (!existing) {
          this.selfAttrs.set(key, map);
          continue;
        }
        // Never mutate a statement's cached names: merge into a copy.
        const merged = new Map(existing);
        for (const [name, list] of map) merged.set(name, [...(merged.get(name) ?? []), ...list]);
        this.selfAttrs.set(key, merged);
      }
      for (const [name, fn] of names.functions) {
        const list = this.functions$.get(name);
        if (list) list.push(fn);
        else this.functions$.set(name, [fn]);
      }
      for (const [name, cls] of names.classes) {
        this.classes$.set(name, cls);
        const defs = this.classDefs.get(name);
        if (defs) defs.push(cls);
        else this.classDefs.set(name, [cls]);
      }
    }
  }

  /** The dotted path a name refers to through the imports: `nn.CrossEntropyLoss` → `torch.nn.CrossEntropyLoss`. */
  resolvePath(dotted: string): string {
    let path = this.paths.get(dotted);
    if (path === undefined) {
      const dot = dotted.indexOf('.');
      const head = dot < 0 ? dotted : dotted.slice(0, dot);
      const bound = this.imports.get(head);
      const base = bound ?? (head === 'nn' ? 'torch.nn' : head === 'F' ? 'torch.nn.functional' : head);
      path = dot < 0 ? base : base + dotted.slice(dot);
      this.paths.set(dotted, path);
    }
    return path;
  }

  /** The function or module whose local names `node` sees first. */
  scopeOf(node: SyntaxNode): SyntaxNode {
    let n: SyntaxNode | null = node.parent;
    while (n && !SCOPES.has(n.type)) n = n.parent;
    return n ?? this.root;
  }

  /** The class a method belongs to, when `node` is inside one. */
  classOf(node: SyntaxNode): SyntaxNode | undefined {
    return classAround(node);
  }

  /** The assignments of `name` visible at `at`, the nearest scope first; in a scope, the last one before `at` wins. */
  lookup(name: string, at: SyntaxNode): Binding | undefined {
    let scope: SyntaxNode | undefined = this.scopeOf(at);
    const start = at.startPosition;
    const pos = { line: start.row, character: start.column };
    for (let depth = 0; scope && depth < 16; depth++) {
      const key = scope.type === 'module' || scope === this.root ? MODULE : scope.id;
      const list = this.bindings.get(key)?.get(name);
      if (list && list.length > 0) {
        let found: Binding | undefined;
        for (const b of list) if (before(b.at, pos)) found = b;
        return found ?? list[list.length - 1];
      }
      if (key === MODULE) break;
      scope = this.scopeOf(scope);
    }
    return undefined;
  }

  /** The assignments of `self.<attr>` anywhere in the class that holds `at`. */
  lookupSelf(attr: string, at: SyntaxNode): Binding | undefined {
    const cls = this.classOf(at);
    const list = cls ? this.selfAttrs.get(cls.id)?.get(attr) : undefined;
    return list?.[list.length - 1];
  }

  /**
   * The first assignment in source order (`name = …`, `self.<attr> = …` for `self.<attr>`) anywhere in the module,
   * in any scope, whose value passes `test`, for readers that ask whether a name can hold some kind of value.
   */
  firstBound(name: string, test: (value: SyntaxNode) => boolean): Binding | undefined {
    const self = name.startsWith('self.');
    const key = self ? name.slice('self.'.length) : name;
    let first: Binding | undefined;
    for (const names of (self ? this.selfAttrs : this.bindings).values()) {
      for (const b of names.get(key) ?? []) if ((!first || b.value.startIndex < first.value.startIndex) && test(b.value)) first = b;
    }
    return first;
  }

  /** The first assignment of `self.<attr>` in the class that holds `at` whose value passes `test`. */
  firstBoundSelf(attr: string, at: SyntaxNode, test: (value: SyntaxNode) => boolean): Binding | undefined {
    const cls = this.classOf(at);
    for (const b of (cls ? this.selfAttrs.get(cls.id)?.get(attr) : undefined) ?? []) if (test(b.value)) return b;
    return undefined;
  }

  /** The module's imports as one string, which changes when any alias or path does. */
  get importsKey(): string {
    this.imports$ ??= [...this.imports].map(([alias, path]) => `${alias}=${path}`).join(',');
    return this.imports$;
  }
  private imports$?: string;

  /** The function definitions one top-level statement holds, by name; undefined until its module's scopes were built. */
  static functionsOf(statement: SyntaxNode): readonly (readonly [string, SyntaxNode])[] | undefined {
    return statementNames.get(statement)?.functions;
  }

  /**
   * Every name one top-level statement binds in any scope (`self.<attr>` for attributes) or defines as a function or
   * class: what an edit that adds or removes the statement can change for readers keyed by names. Undefined until
   * the statement's module scopes were built.
   */
  static namesOf(statement: SyntaxNode): ReadonlySet<string> | undefined {
    const names = statementNames.get(statement);
    if (!names) return undefined;
    let all = boundNames.get(names);
    if (!all) {
      all = new Set<string>();
      for (const map of names.bindings.values()) for (const name of map.keys()) all.add(name);
      for (const map of names.selfAttrs.values()) for (const attr of map.keys()) all.add(`self.${attr}`);
      for (const [name] of names.functions) all.add(name);
      for (const [name] of names.classes) all.add(name);
      boundNames.set(names, all);
    }
    return all;
  }

  /** Whether `name` is a parameter of the function that holds `at`. */
  isParameter(name: string, at: SyntaxNode): SyntaxNode | undefined {
    const scope = this.scopeOf(at);
    if (scope.type !== 'function_definition') return undefined;
    const params = scope.childForFieldName('parameters')?.namedChildren ?? [];
    return params.some((p) => (p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'))?.text) === name) ? scope : undefined;
  }
}

/** The callee's dotted text for simple callees (`nn.CrossEntropyLoss`, `criterion`, `self.loss_fn`), else undefined. */
export function calleeText(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(fn.text) ? fn.text : undefined;
}

/** A call's positional arguments and keyword arguments by name. */
export function callArguments(call: SyntaxNode): { args: SyntaxNode[]; kwargs: Map<string, SyntaxNode> } {
  const args: SyntaxNode[] = [];
  const kwargs = new Map<string, SyntaxNode>();
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) kwargs.set(name, value);
    } else {
      args.push(arg);
    }
  }
  return { args, kwargs };
}

/** An edit that adds `text` (e.g. `shuffle=True`) as the last argument of a call. */
export function appendArgument(call: SyntaxNode, text: string): TextEdit | undefined {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const items = list.namedChildren.filter((c) => c.type !== 'comment');
  const close = list.lastChild;
  if (!close || close.text !== ')') return undefined;
  if (items.length === 0) return { range: rangeOfNode(close), newText: `${text})` };
  const last = items[items.length - 1];
  const end = rangeOfNode(last).end;
  return { range: { start: end, end }, newText: `, ${text}` };
}

/** The statement that holds `node` directly in a block, and that block. */
export function enclosingStatement(node: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n ?? undefined;
}

/** An edit that inserts `line` as a new statement before `stmt`, at the same indentation. */
export function insertLineBefore(stmt: SyntaxNode, line: string): TextEdit {
  const col = stmt.startPosition.column;
  const pos = { line: stmt.startPosition.row, character: col };
  return { range: { start: pos, end: pos }, newText: `${line}\n${' '.repeat(col)}` };
}

/** The name a function parameter binds (`x`, `x=1`, `x: int`, `*args`, `**kw`). */
export function paramName(param: SyntaxNode): string | undefined {
  switch (param.type) {
    case 'identifier':
      return param.text;
    case 'default_parameter':
    case 'typed_default_parameter':
      return param.childForFieldName('name')?.text;
    case 'typed_parameter':
      return param.namedChildren.find((c) => c.type === 'identifier')?.text;
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      return param.namedChildren[0]?.text;
    default:
      return undefined;
  }
}
