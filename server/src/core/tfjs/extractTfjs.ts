// The TensorFlow.js frontend: interprets a JavaScript or TypeScript program abstractly and turns every
// `tf.sequential(...)` (with its `layers` list and `.add(...)` calls) and `tf.model({inputs, outputs})` (with
// `layer.apply(...)`) into a model graph. Layers share the Keras catalog and runtime (`tf.layers.dense({units,
// activation})` is Keras's `Dense`); `model.compile({loss})` is read for the loss rules. Helpers imported from
// other files of the workspace (`import { denseBlock } from './blocks.js'`, `require('./blocks')`) are followed
// through the edge's resolver and shown at the call in the model's file; anything from outside the workspace (an
// npm package of pretrained models) is a named opaque block. It never throws: what it does not understand becomes
// an opaque op and a hint.

import { rangeOfSyntax, type SyntaxNode } from '../syntax';
import type { ActivationInsertion, AttrValue, Dim, FrameworkIdioms, FrontendProblem, ModelGraph, OpEdit, Range } from '../graph';
import { type ScalarValue, arithmetic, attrOf, truthOf } from '../abstractValues';
import { hashText } from '../hash';
import { type ImportContext, ModuleLoader } from '../imports';
import { activationOp, kerasLayer, snakeCase } from '../keras/kerasCatalog';
import { type ActivationUse, type CompiledLoss, KerasGraph, type KerasLayer, type ModelObject, type RunContext, applyFunctional, clip, functionalModelGraph, layerInputShape, makeLayer, modelIdentity, optionEdit, toModelGraph, withLosses } from '../keras/kerasGraph';

const MAX_UNROLL = 64;
const MAX_DEPTH = 24;
const MAX_STEPS = 20000;

const rangeOf = rangeOfSyntax;

type ModelObj = ModelObject<JV>;

interface ObjectValue {
  readonly kind: 'object';
  readonly entries: Map<string, JV>;
  /** The value node of each key as written, for activation ranges and edits. */
  readonly valueNodes: Map<string, SyntaxNode>;
  readonly node?: SyntaxNode;
}

type JV =
  | ScalarValue
  /** `sources`: for an array literal in the analysed file, the syntax each item comes from (a spread for all it spreads). */
  | { readonly kind: 'list'; readonly items: JV[]; readonly sources?: readonly SyntaxNode[] }
  | ObjectValue
  | { readonly kind: 'tensor'; readonly graph: KerasGraph; readonly node: number }
  | { readonly kind: 'layer'; readonly layer: KerasLayer }
  | { readonly kind: 'model'; readonly model: ModelObj }
  | { readonly kind: 'path'; readonly path: string }
  /** `origin`: the file the function is written in, when it is not the analysed one. */
  | { readonly kind: 'function'; readonly node: SyntaxNode; readonly closure: Scope; readonly origin?: string }
  /**
   * A name imported from a module Model Audit cannot read (an npm package, a file outside the workspace), or what
   * calling it built: applied to tensors it is one named opaque block.
   */
  | { readonly kind: 'external'; readonly module: string; readonly label: string; readonly built?: boolean };

const UNKNOWN: JV = { kind: 'unknown' };
const NONE: JV = { kind: 'none' };

/** The value as a graph attribute; a `null` in a shape is an unknown dimension. */
function toAttr(v: JV): AttrValue {
  return attrOf(v, true);
}

/** Objects, tensors, layers, models and functions are true; so is every array, empty or not (JavaScript's truth). */
const OBJECTS: ReadonlySet<string> = new Set(['object', 'tensor', 'layer', 'model', 'function']);

function truthy(v: JV): boolean | undefined {
  return v.kind === 'list' ? true : truthOf(v, OBJECTS);
}

/** A lexical scope: `const`/`let` bindings with a parent. */
class Scope {
  private readonly vars = new Map<string, JV>();
  constructor(readonly parent?: Scope) {}
  get(name: string): JV | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  declare(name: string, v: JV): void {
    this.vars.set(name, v);
  }
  assign(name: string, v: JV): void {
    let s: Scope | undefined = this;
    while (s) {
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
      s = s.parent;
    }
    this.vars.set(name, v);
  }
}

interface Flow {
  returned?: JV;
  broke?: boolean;
}

class StopRun extends Error {}

const TFJS_MODULE = /^@tensorflow\/tfjs(-node(-gpu)?|-layers|-core)?$/;

/** What a workspace module exports, after running its top level: ES `export`s and CommonJS `module.exports`. */
interface JsModule {
  readonly named: Map<string, JV>;
  readonly defaultExport?: JV;
  /** `module.exports` when the module assigned it (CommonJS). */
  readonly commonJs?: JV;
}

/** A module specifier that names a file (`./blocks.js`, `../layers`), not a package. */
const RELATIVE = /^\.{1,2}(\/|$)|^\//;

class Interpreter {
  readonly problems: FrontendProblem[] = [];
  readonly models: ModelObj[] = [];
  readonly executed = new Set<number>();
  readonly global = new Scope();
  /** Shared by every graph this run builds: set while code from an imported file runs. */
  readonly run: RunContext = {};
  graph = new KerasGraph(this.run);
  private depth = 0;
  private steps = 0;
  private creator?: SyntaxNode;
  /** The file whose code runs: undefined for the analysed file, else the imported module's path. */
  private current?: string;
  /** Workspace modules reached through imports; set by `extractTfjs` when the edge hands in a resolver. */
  modules?: ModuleLoader<JsModule>;

  constructor(readonly root: SyntaxNode) {
    this.global.declare('tf', { kind: 'path', path: 'tf' });
  }

  /** How the file names TF.js's layers namespace: `tf.layers` after `import * as tf`, `layers` after `import { layers }`. */
  layersSpelling(): string {
    const [first] = this.libraryNames;
    if (first === undefined) return 'tf.layers';
    return first.endsWith('.layers') ? first.slice(0, -'.layers'.length) : `${first}.layers`;
  }

  /** The names the analysed file binds TF.js (`tf`) or its layers (`layers.layers`) to, in order. */
  private readonly libraryNames: string[] = [];

  private noteLibraryName(name: string, v: JV, scope: Scope): void {
    if (scope !== this.global || v.kind !== 'path') return;
    if (v.path === 'tf') this.libraryNames.push(name);
    else if (v.path === 'tf.layers') this.libraryNames.push(`${name}.layers`);
  }

  /** A hint about code that runs here; one about imported code sits at the call in the analysed file that runs it. */
  hint(message: string, range: Range): void {
    this.problems.push({ severity: 'hint', message, range: this.run.foreign?.site ?? range });
  }

  /** Runs `body` as code from the imported file `path`, its ops shown at `site` (unless imported code already runs). */
  private inForeign<T>(path: string | undefined, site: Range, body: () => T): T {
    if (path === undefined || this.run.foreign) return body();
    this.run.foreign = { path, site };
    try {
      return body();
    } finally {
      this.run.foreign = undefined;
    }
  }

  /** Runs `body` with `path` as the file whose code runs (for the imports that code makes). */
  private inFile<T>(path: string | undefined, body: () => T): T {
    const saved = this.current;
    this.current = path;
    try {
      return body();
    } finally {
      this.current = saved;
    }
  }

  // ----- imports -----

  /** Where the import being followed is written in the analysed file: imported code runs there. */
  private importSite?: Range;

  /** A workspace module's exports, running its top level once; undefined when it is not in the workspace. */
  private loadModule(from: string, site: Range): JsModule | undefined {
    if (!RELATIVE.test(from) || !this.modules) return undefined;
    const saved = this.importSite;
    this.importSite = this.run.foreign?.site ?? site;
    try {
      return this.modules.load(from, this.current)?.scope;
    } finally {
      this.importSite = saved;
    }
  }

  /** A function value, knowing the file it is written in. */
  private fn(node: SyntaxNode, closure: Scope): JV {
    return this.current === undefined ? { kind: 'function', node, closure } : { kind: 'function', node, closure, origin: this.current };
  }

  /** Runs an imported module's top level in its own scope and collects what it exports. */
  runModule(root: SyntaxNode, path: string): JsModule {
    const scope = new Scope();
    scope.declare('tf', { kind: 'path', path: 'tf' });
    const exportsObject: ObjectValue = { kind: 'object', entries: new Map(), valueNodes: new Map() };
    const moduleObject: ObjectValue = { kind: 'object', entries: new Map([['exports', exportsObject]]), valueNodes: new Map() };
    scope.declare('module', moduleObject);
    scope.declare('exports', exportsObject);
    const named = new Map<string, JV>();
    let defaultExport: JV | undefined;
    const site = this.importSite ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    this.inFile(path, () => this.inForeign(path, site, () => {
      for (const stmt of root.namedChildren) {
        try {
          this.exec(stmt, scope);
        } catch (error) {
          if (error instanceof StopRun) throw error;
          continue;
        }
        if (stmt.type !== 'export_statement') continue;
        const decl = stmt.childForFieldName('declaration');
        const value = stmt.childForFieldName('value');
        const isDefault = stmt.children.some((c) => c.type === 'default');
        if (decl) {
          for (const name of declaredNames(decl)) {
            const v = scope.get(name) ?? UNKNOWN;
            if (isDefault) defaultExport = v;
            else named.set(name, v);
          }
        } else if (value && isDefault) {
          defaultExport = this.eval(value, scope);
        }
        for (const clause of stmt.namedChildren.filter((c) => c.type === 'export_clause')) {
          for (const spec of clause.namedChildren) {
            if (spec.type !== 'export_specifier') continue;
            const local = spec.childForFieldName('name')?.text;
            const alias = spec.childForFieldName('alias')?.text ?? local;
            if (local && alias) named.set(alias, scope.get(local) ?? UNKNOWN);
          }
        }
      }
    }));
    const assigned = moduleObject.entries.get('exports');
    const commonJs = assigned !== exportsObject || exportsObject.entries.size > 0 ? assigned : undefined;
    return { named, ...(defaultExport ? { defaultExport } : {}), ...(commonJs ? { commonJs } : {}) };
  }

  /** A module's value as `require` or `import * as` sees it: `module.exports`, else an object of its exports. */
  private moduleValue(mod: JsModule): JV {
    if (mod.commonJs) return mod.commonJs;
    return { kind: 'object', entries: new Map(mod.named), valueNodes: new Map() };
  }

  /** One name a module exports (`import { name }`), reading `module.exports` of a CommonJS module too. */
  private exported(mod: JsModule, name: string): JV | undefined {
    const named = mod.named.get(name);
    if (named) return named;
    if (mod.commonJs?.kind === 'object') return mod.commonJs.entries.get(name);
    return undefined;
  }

  private importStatement(stmt: SyntaxNode, scope: Scope): void {
    const source = stmt.childForFieldName('source');
    const from = source ? stringValue(source) : undefined;
    if (from === undefined) return;
    const clause = stmt.namedChildren.find((c) => c.type === 'import_clause');
    if (!clause) return;
    if (!TFJS_MODULE.test(from)) {
      this.importOther(from, clause, rangeOf(stmt), scope);
      return;
    }
    for (const part of clause.namedChildren) {
      if (part.type === 'namespace_import' || part.type === 'identifier') {
        const name = part.type === 'identifier' ? part.text : part.namedChildren.find((c) => c.type === 'identifier')?.text;
        if (name) {
          scope.declare(name, { kind: 'path', path: 'tf' });
          this.noteLibraryName(name, { kind: 'path', path: 'tf' }, scope);
        }
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec.type !== 'import_specifier') continue;
          const imported = spec.childForFieldName('name')?.text;
          const alias = spec.childForFieldName('alias')?.text ?? imported;
          if (imported && alias) {
            scope.declare(alias, { kind: 'path', path: `tf.${imported}` });
            this.noteLibraryName(alias, { kind: 'path', path: `tf.${imported}` }, scope);
          }
        }
      }
    }
  }

  /** `import { denseBlock } from './blocks.js'`: the workspace module's values, else named opaque blocks. */
  private importOther(from: string, clause: SyntaxNode, range: Range, scope: Scope): void {
    const mod = this.loadModule(from, range);
    const external = (label: string): JV => ({ kind: 'external', module: from, label });
    for (const part of clause.namedChildren) {
      if (part.type === 'identifier') {
        scope.declare(part.text, mod ? mod.defaultExport ?? this.moduleValue(mod) : external(part.text));
      } else if (part.type === 'namespace_import') {
        const name = part.namedChildren.find((c) => c.type === 'identifier')?.text;
        if (name) scope.declare(name, mod ? this.moduleValue(mod) : external(name));
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec.type !== 'import_specifier') continue;
          const imported = spec.childForFieldName('name')?.text;
          const alias = spec.childForFieldName('alias')?.text ?? imported;
          if (imported && alias) scope.declare(alias, (mod ? this.exported(mod, imported) : undefined) ?? external(alias));
        }
      }
    }
  }

  // ----- statements -----

  execBlock(nodes: readonly SyntaxNode[], scope: Scope): Flow {
    for (const stmt of nodes) {
      const flow = this.exec(stmt, scope);
      if (flow.returned !== undefined || flow.broke) return flow;
    }
    return {};
  }

  exec(stmt: SyntaxNode, scope: Scope): Flow {
    if (++this.steps > MAX_STEPS) throw new StopRun('the code runs too many steps to follow');
    switch (stmt.type) {
      case 'import_statement':
        this.importStatement(stmt, scope);
        return {};
      case 'export_statement': {
        const decl = stmt.childForFieldName('declaration') ?? stmt.namedChildren.find((c) => c.type.endsWith('declaration'));
        return decl ? this.exec(decl, scope) : {};
      }
      case 'lexical_declaration':
      case 'variable_declaration':
        for (const decl of stmt.namedChildren) {
          if (decl.type !== 'variable_declarator') continue;
          const name = decl.childForFieldName('name');
          const value = decl.childForFieldName('value');
          const v = value ? this.eval(value, scope) : NONE;
          if (name) this.bindPattern(name, v, scope, true);
        }
        return {};
      case 'expression_statement': {
        const expr = stmt.namedChildren[0];
        if (expr) this.eval(expr, scope);
        return {};
      }
      case 'function_declaration':
      case 'generator_function_declaration': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) scope.declare(name, this.fn(stmt, scope));
        return {};
      }
      case 'return_statement': {
        const value = stmt.namedChildren[0];
        return { returned: value ? this.eval(value, scope) : NONE };
      }
      case 'statement_block':
        return this.execBlock(stmt.namedChildren, new Scope(scope));
      case 'if_statement': {
        const condition = stmt.childForFieldName('condition');
        const truth = condition ? truthy(this.eval(condition, scope)) : undefined;
        const consequence = stmt.childForFieldName('consequence');
        const alternative = stmt.childForFieldName('alternative');
        if (truth !== false) return consequence ? this.exec(consequence, scope) : {};
        const elseBody = alternative?.namedChildren[0];
        return elseBody ? this.exec(elseBody, scope) : {};
      }
      case 'for_statement':
        return this.execFor(stmt, scope);
      case 'for_in_statement':
        return this.execForOf(stmt, scope);
      case 'try_statement': {
        const body = stmt.childForFieldName('body');
        return body ? this.exec(body, scope) : {};
      }
      case 'break_statement':
        return { broke: true };
      default:
        return {};
    }
  }

  private execFor(stmt: SyntaxNode, scope: Scope): Flow {
    const inner = new Scope(scope);
    const init = stmt.childForFieldName('initializer');
    const condition = stmt.childForFieldName('condition');
    const increment = stmt.childForFieldName('increment');
    const body = stmt.childForFieldName('body');
    if (init) this.exec(init, inner);
    for (let i = 0; i < MAX_UNROLL; i++) {
      const c = condition ? this.eval(condition.type === 'expression_statement' ? condition.namedChildren[0] ?? condition : condition, inner) : UNKNOWN;
      const t = truthy(c);
      if (t === false) return {};
      const flow = body ? this.exec(body, inner) : {};
      if (flow.returned !== undefined) return flow;
      if (flow.broke || t === undefined) return {};
      if (increment) this.eval(increment, inner);
    }
    return {};
  }

  private execForOf(stmt: SyntaxNode, scope: Scope): Flow {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    const body = stmt.childForFieldName('body');
    if (!left || !right || !body) return {};
    const iterable = this.eval(right, scope);
    const isOf = stmt.children.some((c) => c.type === 'of');
    const items = iterable.kind === 'list' ? (isOf ? iterable.items : iterable.items.map((_, i): JV => ({ kind: 'num', value: i }))) : undefined;
    if (!items) {
      const inner = new Scope(scope);
      this.bindPattern(left, UNKNOWN, inner, true);
      return this.exec(body, inner);
    }
    for (const item of items.slice(0, MAX_UNROLL)) {
      const inner = new Scope(scope);
      this.bindPattern(left, item, inner, true);
      const flow = this.exec(body, inner);
      if (flow.returned !== undefined) return flow;
      if (flow.broke) return {};
    }
    return {};
  }

  private bindPattern(target: SyntaxNode, v: JV, scope: Scope, declare: boolean): void {
    switch (target.type) {
      case 'identifier':
      case 'shorthand_property_identifier_pattern':
        if (declare) scope.declare(target.text, v);
        else scope.assign(target.text, v);
        if (declare) this.noteLibraryName(target.text, v, scope);
        if (v.kind === 'model' && v.model.variable === undefined) v.model.variable = target;
        return;
      case 'array_pattern':
        target.namedChildren.forEach((t, i) => this.bindPattern(t, v.kind === 'list' ? v.items[i] ?? UNKNOWN : UNKNOWN, scope, declare));
        return;
      case 'object_pattern': {
        // `const { denseBlock } = require('./blocks')`: a name of a module Model Audit cannot read stays named.
        const prop = (key: string): JV => (v.kind === 'object' ? v.entries.get(key) ?? UNKNOWN : v.kind === 'external' ? { kind: 'external', module: v.module, label: key } : v.kind === 'path' ? { kind: 'path', path: `${v.path}.${key}` } : UNKNOWN);
        for (const p of target.namedChildren) {
          if (p.type === 'shorthand_property_identifier_pattern') this.bindPattern(p, prop(p.text), scope, declare);
          else if (p.type === 'pair_pattern') {
            const key = p.childForFieldName('key')?.text;
            const value = p.childForFieldName('value');
            if (key && value) this.bindPattern(value, prop(key), scope, declare);
          }
        }
        return;
      }
      case 'member_expression': {
        const object = target.childForFieldName('object');
        const prop = target.childForFieldName('property')?.text;
        const owner = object ? this.eval(object, scope) : UNKNOWN;
        if (owner.kind === 'object' && prop) owner.entries.set(prop, v);
        return;
      }
      case 'subscript_expression': {
        const object = target.childForFieldName('object');
        const index = target.childForFieldName('index');
        const owner = object ? this.eval(object, scope) : UNKNOWN;
        const key = index ? this.eval(index, scope) : UNKNOWN;
        if (owner.kind === 'list' && key.kind === 'num') owner.items[key.value] = v;
        else if (owner.kind === 'object' && key.kind === 'str') owner.entries.set(key.value, v);
        return;
      }
      default:
        return;
    }
  }

  // ----- expressions -----

  eval(node: SyntaxNode, scope: Scope): JV {
    switch (node.type) {
      case 'number': {
        const v = Number(node.text.replace(/_/g, ''));
        return Number.isFinite(v) ? { kind: 'num', value: v } : UNKNOWN;
      }
      case 'string': {
        const s = stringValue(node);
        return s === undefined ? UNKNOWN : { kind: 'str', value: s };
      }
      case 'template_string':
        return node.namedChildren.some((c) => c.type === 'template_substitution') ? UNKNOWN : { kind: 'str', value: node.text.slice(1, -1) };
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'null':
      case 'undefined':
        return NONE;
      case 'identifier':
        return scope.get(node.text) ?? UNKNOWN;
      case 'parenthesized_expression':
      case 'await_expression':
      case 'non_null_expression':
      case 'as_expression':
      case 'satisfies_expression':
      case 'type_assertion': {
        // `<T>x` puts the type first; every other wrapper puts the expression first.
        const inner = node.type === 'type_assertion' ? node.namedChildren[node.namedChildren.length - 1] : node.namedChildren[0];
        return inner ? this.eval(inner, scope) : UNKNOWN;
      }
      case 'array': {
        // Item ranges only mean something in the analysed file; an array built by imported code has none.
        const sources: SyntaxNode[] | undefined = this.current === undefined ? [] : undefined;
        const items = this.evalItems(node.namedChildren, scope, sources);
        return sources ? { kind: 'list', items, sources } : { kind: 'list', items };
      }
      case 'object':
        return this.evalObject(node, scope);
      case 'member_expression':
        return this.evalMember(node, scope);
      case 'subscript_expression': {
        const object = node.childForFieldName('object');
        const index = node.childForFieldName('index');
        const owner = object ? this.eval(object, scope) : UNKNOWN;
        const key = index ? this.eval(index, scope) : UNKNOWN;
        if (owner.kind === 'list' && key.kind === 'num') return owner.items[key.value < 0 ? owner.items.length + key.value : key.value] ?? UNKNOWN;
        if (owner.kind === 'object' && key.kind === 'str') return owner.entries.get(key.value) ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'call_expression':
        return this.evalCall(node, scope);
      case 'new_expression':
        return UNKNOWN;
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const v = right ? this.eval(right, scope) : UNKNOWN;
        if (left) this.bindPattern(left, v, scope, false);
        return v;
      }
      case 'augmented_assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const op = (node.childForFieldName('operator')?.text ?? '').replace('=', '');
        if (!left || !right) return UNKNOWN;
        const v = this.binary(op, this.eval(left, scope), this.eval(right, scope), node);
        this.bindPattern(left, v, scope, false);
        return v;
      }
      case 'update_expression': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator')?.text ?? node.children.find((c) => c.text === '++' || c.text === '--')?.text;
        if (!arg) return UNKNOWN;
        const v = this.eval(arg, scope);
        if (v.kind === 'num') this.bindPattern(arg, { kind: 'num', value: v.value + (op === '--' ? -1 : 1) }, scope, false);
        return v;
      }
      case 'binary_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? '';
        if (!left || !right) return UNKNOWN;
        return this.binary(op, this.eval(left, scope), this.eval(right, scope), node);
      }
      case 'unary_expression': {
        const arg = node.childForFieldName('argument');
        const op = node.childForFieldName('operator')?.text;
        const v = arg ? this.eval(arg, scope) : UNKNOWN;
        if (op === '-' && v.kind === 'num') return { kind: 'num', value: -v.value };
        if (op === '!') {
          const t = truthy(v);
          return t === undefined ? UNKNOWN : { kind: 'bool', value: !t };
        }
        return v;
      }
      case 'ternary_expression': {
        const condition = node.childForFieldName('condition');
        const t = condition ? truthy(this.eval(condition, scope)) : undefined;
        const branch = t === false ? node.childForFieldName('alternative') : node.childForFieldName('consequence');
        return branch ? this.eval(branch, scope) : UNKNOWN;
      }
      case 'arrow_function':
      case 'function_expression':
      case 'function':
        return this.fn(node, scope);
      default:
        return UNKNOWN;
    }
  }

  /** `sources`, when given, gets the syntax each item comes from (a spread once for each item it spreads). */
  private evalItems(nodes: readonly SyntaxNode[], scope: Scope, sources?: SyntaxNode[]): JV[] {
    const out: JV[] = [];
    for (const n of nodes) {
      if (n.type === 'comment') continue;
      if (n.type === 'spread_element') {
        const v = n.namedChildren[0] ? this.eval(n.namedChildren[0], scope) : UNKNOWN;
        // A spread of a name Model Audit cannot read (`...denseBlock(64)` from a package) stays one named item.
        const spread = v.kind === 'list' ? v.items : [v.kind === 'external' ? v : UNKNOWN];
        out.push(...spread);
        for (let i = 0; i < spread.length; i++) sources?.push(n);
      } else {
        out.push(this.eval(n, scope));
        sources?.push(n);
      }
    }
    return out;
  }

  private evalObject(node: SyntaxNode, scope: Scope): JV {
    const entries = new Map<string, JV>();
    const valueNodes = new Map<string, SyntaxNode>();
    for (const p of node.namedChildren) {
      if (p.type === 'pair') {
        const keyNode = p.childForFieldName('key');
        const value = p.childForFieldName('value');
        const key = keyNode ? (keyNode.type === 'string' ? stringValue(keyNode) : keyNode.text) : undefined;
        if (key !== undefined && value) {
          entries.set(key, this.eval(value, scope));
          valueNodes.set(key, value);
        }
      } else if (p.type === 'shorthand_property_identifier') {
        entries.set(p.text, scope.get(p.text) ?? UNKNOWN);
        valueNodes.set(p.text, p);
      } else if (p.type === 'spread_element') {
        const v = p.namedChildren[0] ? this.eval(p.namedChildren[0], scope) : UNKNOWN;
        if (v.kind === 'object') for (const [k, x] of v.entries) entries.set(k, x);
      }
    }
    return { kind: 'object', entries, valueNodes, node };
  }

  private evalMember(node: SyntaxNode, scope: Scope): JV {
    const object = node.childForFieldName('object');
    const prop = node.childForFieldName('property')?.text ?? '';
    const owner = object ? this.eval(object, scope) : UNKNOWN;
    if (owner.kind === 'path') return { kind: 'path', path: `${owner.path}.${prop}` };
    if (owner.kind === 'object') return owner.entries.get(prop) ?? UNKNOWN;
    if (owner.kind === 'list' && prop === 'length') return { kind: 'num', value: owner.items.length };
    if (owner.kind === 'external') return { kind: 'external', module: owner.module, label: `${owner.label}.${prop}`, ...(owner.built ? { built: true } : {}) };
    return UNKNOWN;
  }

  private binary(op: string, a: JV, b: JV, node: SyntaxNode): JV {
    if (a.kind === 'num' && b.kind === 'num') {
      const value = arithmetic(op, a.value, b.value);
      if (value !== undefined) return { kind: 'num', value };
      switch (op) {
        case '<':
          return { kind: 'bool', value: a.value < b.value };
        case '<=':
          return { kind: 'bool', value: a.value <= b.value };
        case '>':
          return { kind: 'bool', value: a.value > b.value };
        case '>=':
          return { kind: 'bool', value: a.value >= b.value };
        case '===':
        case '==':
          return { kind: 'bool', value: a.value === b.value };
        case '!==':
        case '!=':
          return { kind: 'bool', value: a.value !== b.value };
        default:
          return UNKNOWN;
      }
    }
    if ((a.kind === 'str' || a.kind === 'bool') && a.kind === b.kind) {
      if (op === '===' || op === '==') return { kind: 'bool', value: a.value === b.value };
      if (op === '!==' || op === '!=') return { kind: 'bool', value: a.value !== b.value };
      if (op === '+' && a.kind === 'str' && b.kind === 'str') return { kind: 'str', value: a.value + b.value };
    }
    if (op === '&&') return truthy(a) === false ? a : truthy(a) === true ? b : UNKNOWN;
    if (op === '||') return truthy(a) === true ? a : truthy(a) === false ? b : UNKNOWN;
    if (op === '??') return a.kind === 'none' ? b : a.kind === 'unknown' ? UNKNOWN : a;
    void node;
    return UNKNOWN;
  }

  // ----- calls -----

  private evalCall(node: SyntaxNode, scope: Scope): JV {
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
    const layer = makeLayer(spec, name, { positional: [], keywords }, { defRange: rangeOf(node), label: clip(node.text), activation, insertActivation, disableBias, inner });
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

/** The top-level function (declaration, or arrow function bound by a top-level const) that contains a node. */
function isTopLevelFunction(fn: SyntaxNode, root: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null = fn;
  let top: SyntaxNode | undefined;
  // Tree-sitter hands out a fresh object per access, so nodes are compared by id.
  while (node && node.id !== root.id) {
    if (node.type === 'function_declaration' || node.type === 'arrow_function' || node.type === 'function_expression') top = node;
    node = node.parent;
  }
  return top;
}

/** The names a declaration binds: `function f`, `class C`, `const a = …, b = …`. */
function declaredNames(decl: SyntaxNode): string[] {
  if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
    return decl.namedChildren.filter((d) => d.type === 'variable_declarator').map((d) => d.childForFieldName('name')).filter((n) => n?.type === 'identifier').map((n) => n!.text);
  }
  const name = decl.childForFieldName('name')?.text;
  return name ? [name] : [];
}

function stringValue(node: SyntaxNode): string | undefined {
  if (node.type !== 'string') return undefined;
  return node.namedChildren.filter((c) => c.type === 'string_fragment' || c.type === 'escape_sequence').map((c) => c.text).join('');
}

function tensorsIn(values: readonly JV[]): { graph: KerasGraph; node: number }[] {
  const out: { graph: KerasGraph; node: number }[] = [];
  for (const v of values) {
    if (v.kind === 'tensor') out.push(v);
    else if (v.kind === 'list') out.push(...tensorsIn(v.items));
  }
  return out;
}

/** The losses given to `compile({loss})`, with where each is named and which output it is for. */
function compiledLosses(v: JV | undefined, node: SyntaxNode | undefined, fallback: Range): CompiledLoss[] {
  const out: CompiledLoss[] = [];
  const one = (x: JV, n: SyntaxNode | undefined, output?: number | string) => {
    const range = n ? rangeOf(n) : fallback;
    const at = output === undefined ? {} : { output };
    if (x.kind === 'str') out.push({ name: x.value, fromLogits: false, range, ...at });
    else if (x.kind === 'path') out.push({ name: x.path.split('.').pop() ?? x.path, fromLogits: false, range, ...at });
  };
  if (!v) return out;
  if (v.kind === 'list') {
    const itemNodes = node?.type === 'array' ? node.namedChildren.filter((c) => c.type !== 'comment') : [];
    v.items.forEach((x, i) => one(x, itemNodes[i], i));
  } else if (v.kind === 'object') {
    for (const [k, x] of v.entries) one(x, v.valueNodes.get(k), k);
  } else {
    one(v, node);
  }
  return out;
}

/** `activation: 'relu'`: replaces `activation: 'linear'`, or adds the key after the config's last property. */
function activationInsertion(config: ObjectValue | undefined, configNode: SyntaxNode | undefined, node: SyntaxNode): ActivationInsertion | undefined {
  const object = configNode?.type === 'object' ? configNode : undefined;
  return optionEdit({ key: 'activation', sep: ': ', value: "'relu'" }, config?.valueNodes.get('activation'), object, node.text, true);
}

/** `useBias: false`: replaces `useBias: true`, or adds the key after the config's last property. */
function biasRemoval(config: ObjectValue | undefined, configNode: SyntaxNode | undefined, node: SyntaxNode): OpEdit | undefined {
  const existing = config?.valueNodes.get('useBias');
  // `{ useBias }` names a variable: there is no value here to replace.
  if (existing?.type === 'shorthand_property_identifier') return undefined;
  const object = configNode?.type === 'object' ? configNode : undefined;
  return optionEdit({ key: 'useBias', sep: ': ', value: 'false' }, existing, object, node.text);
}

function statementOf(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode = node;
  while (current.parent && current.parent.type !== 'statement_block' && current.parent.type !== 'program') current = current.parent;
  return current;
}

function functionName(fn: SyntaxNode): SyntaxNode | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own;
  // `const buildModel = () => …`
  const parent = fn.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name') ?? undefined;
  return undefined;
}

/**
 * Extracts every TensorFlow.js model in a parsed JavaScript or TypeScript program. With `imports`, helpers imported
 * from other workspace files are followed into those files; without it, they stay named opaque blocks.
 */
export function extractTfjs(root: SyntaxNode, imports?: ImportContext): { models: ModelGraph[] } {
  const interp = new Interpreter(root);
  const loader = new ModuleLoader<JsModule>(imports, (moduleRoot, path) => interp.runModule(moduleRoot, path));
  interp.modules = loader;
  try {
    const models = extractFrom(interp, root);
    const idioms = tfjsIdioms(interp);
    return { models: models.map((m) => ({ ...m, idioms })) };
  } finally {
    loader.dispose();
  }
}

/** How findings about a TF.js model name its fixes, after the name the file gives the library (`tf.layers.flatten()`). */
function tfjsIdioms(interp: Interpreter): FrameworkIdioms {
  const layers = interp.layersSpelling();
  return {
    flatten: `${layers}.flatten()`,
    dense: 'a dense layer',
    noBias: 'useBias: false',
    axis: 'axis',
    channelsFirst: "dataFormat: 'channelsFirst'",
  };
}

function extractFrom(interp: Interpreter, root: SyntaxNode): ModelGraph[] {
  const problems: FrontendProblem[] = [];
  const run = (what: () => void, range: Range) => {
    try {
      what();
    } catch (error) {
      const message = error instanceof StopRun ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
      problems.push({ severity: 'hint', message: `Model Audit: ${message}.`, range });
    }
  };
  run(() => interp.execBlock(root.namedChildren, interp.global), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  // Builder functions nobody calls in this file, run with their default arguments.
  const candidates: SyntaxNode[] = [];
  const collect = (n: SyntaxNode, depth: number) => {
    if (depth > 3) return;
    for (const c of n.namedChildren) {
      if (c.type === 'function_declaration' || c.type === 'arrow_function' || c.type === 'function_expression') candidates.push(c);
      else if (c.type === 'export_statement' || c.type === 'lexical_declaration' || c.type === 'variable_declaration' || c.type === 'variable_declarator') collect(c, depth + 1);
    }
  };
  collect(root, 0);
  for (const fn of candidates) {
    if (interp.executed.has(fn.id) || !/\b(sequential|model)\s*\(/.test(fn.text)) continue;
    run(() => interp.runCandidate({ kind: 'function', node: fn, closure: interp.global }), rangeOf(fn));
  }
  const bySite = new Map<number, ModelObj>();
  for (const m of interp.models) {
    const seen = bySite.get(m.call.startIndex);
    if (seen) seen.losses.push(...m.losses.filter((l) => !seen.losses.some((x) => x.name === l.name && x.range.start.line === l.range.start.line)));
    else bySite.set(m.call.startIndex, m);
  }
  const perCreator = new Map<number | undefined, number>();
  for (const m of bySite.values()) perCreator.set(m.creator?.id, (perCreator.get(m.creator?.id) ?? 0) + 1);
  const models: ModelGraph[] = [];
  for (const m of bySite.values()) {
    run(() => models.push(modelGraphOf(interp, m, perCreator.get(m.creator?.id) === 1)), rangeOf(m.call));
  }
  models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const all = [...interp.problems, ...problems];
  if (all.length > 0 && models.length > 0) models[0] = { ...models[0], problems: [...models[0].problems, ...all] };
  return models;
}

function modelGraphOf(interp: Interpreter, m: ModelObj, soleInCreator: boolean): ModelGraph {
  const fnName = m.creator ? functionName(m.creator) : undefined;
  // A function declaration is shown with its `export`; a function expression by the statement that holds it.
  const creatorDef = m.creator && (m.creator.type === 'function_declaration' ? (m.creator.parent?.type === 'export_statement' ? m.creator.parent : m.creator) : statementOf(m.creator));
  const { name, defNode, nameNode } = modelIdentity(m, creatorDef && fnName ? { def: creatorDef, name: fnName } : undefined, soleInCreator, statementOf);
  const meta = { name, framework: 'tfjs' as const, range: rangeOf(defNode), nameRange: rangeOf(nameNode), textKey: hashText(defNode.text) };
  if (m.kind === 'functional') return functionalModelGraph(m, meta);
  const g = new KerasGraph(interp.run);
  interp.graph = g;
  const first = m.items[0];
  const shape = first?.kind === 'layer' ? layerInputShape(first.layer) : undefined;
  const x = g.input('x', shape, m.itemRanges[0] ?? rangeOf(m.call));
  const out = interp.applyModel(m, g, [x], rangeOf(m.call));
  return withLosses(toModelGraph(g, [x], out.kind === 'tensor' ? [out.node] : [], meta), m.losses);
}

