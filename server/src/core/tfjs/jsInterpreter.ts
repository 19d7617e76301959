// The JavaScript interpreter of the TF.js frontend: JavaScript's scopes, truth, operators, imports (ES `import`,
// `require`, `module.exports`) and statements, over the frontend's values; what calls mean is left to its subclass.

import type { SyntaxNode } from '../syntax';
import type { FrontendProblem, Range } from '../graph';
import { arithmetic } from '../abstractValues';
import { ModuleLoader } from '../imports';
import { KerasGraph, type RunContext } from '../keras/kerasGraph';
import {
  type Flow,
  type JsModule,
  type JV,
  MAX_UNROLL,
  MAX_STEPS,
  type ModelObj,
  NONE,
  type ObjectValue,
  RELATIVE,
  Scope,
  StopRun,
  TFJS_MODULE,
  UNKNOWN,
  declaredNames,
  rangeOf,
  stringValue,
  truthy,
} from './tfjsValues';

/**
 * One run of a JavaScript program: its state (ops, models, hints, budget, the file whose code runs), ES and CommonJS
 * imports followed into workspace modules, statements (blocks, `for`, `for…of` unrolled over known arrays, destructuring)
 * and expressions (literals, arrays with spreads, objects, members, operators); calls are the frontend's
 * (`Interpreter` in tfjsInterpreter.ts).
 */
export abstract class JsInterpreter {
  readonly problems: FrontendProblem[] = [];
  readonly models: ModelObj[] = [];
  readonly executed = new Set<number>();
  readonly global = new Scope();
  /** Shared by every graph this run builds: set while code from an imported file runs. */
  readonly run: RunContext = {};
  graph = new KerasGraph(this.run);
  protected depth = 0;
  /** A call: what it means is the frontend's. */
  protected abstract evalCall(node: SyntaxNode, scope: Scope): JV;

  private steps = 0;
  protected creator?: SyntaxNode;
  /** The file whose code runs: undefined for the analysed file, else the imported module's path. */
  protected current?: string;
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
  protected inForeign<T>(path: string | undefined, site: Range, body: () => T): T {
    if (path === undefined || this.run.foreign) return body();
    this.run.foreign = { path, site };
    try {
      return body();
    } finally {
      this.run.foreign = undefined;
    }
  }

  /** Runs `body` with `path` as the file whose code runs (for the imports that code makes). */
  protected inFile<T>(path: string | undefined, body: () => T): T {
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
  protected loadModule(from: string, site: Range): JsModule | undefined {
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
  protected moduleValue(mod: JsModule): JV {
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

  protected bindPattern(target: SyntaxNode, v: JV, scope: Scope, declare: boolean): void {
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
  protected evalItems(nodes: readonly SyntaxNode[], scope: Scope, sources?: SyntaxNode[]): JV[] {
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
}
