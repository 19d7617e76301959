// The Keras frontend's value domain (`KV`: what an expression can be while Keras code is interpreted: numbers,
// strings, containers, classes, instances, layers, symbolic tensors, models) and what a Python file defines at
// module level (`FileScope`: its imports, followed into workspace modules or named as libraries, constants, classes
// and functions, and how its layer names are spelt). The two refer to each other, so they share a file.

import type { SyntaxNode } from '../syntax';
import type { AttrValue, ModelGraph, Range } from '../graph';
import { type ScalarValue, arithmetic, attrOf, pythonLiteral, truthOf } from '../abstractValues';
import { KNOWN_LIBRARIES, ModuleLoader } from '../imports';
import { type Env as EnvOf, type Flow as FlowOf, classParts } from '../python/interpreter';
import { kerasLayer } from './kerasCatalog';
import { KerasGraph, type KerasLayer, type ModelObject } from './kerasGraph';
/** Nested call depth; recursion stops here. */
export const MAX_DEPTH = 24;
/** Statements executed per run; past this the interpretation stops. */
export const MAX_STEPS = 20000;

export interface KerasExtraction {
  readonly models: ModelGraph[];
}

export interface ClassInfo {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly bases: readonly string[];
  readonly methods: ReadonlyMap<string, SyntaxNode>;
  /** The module the class is written in: its names and base classes are looked up there. */
  readonly scope: FileScope;
}

/** An instance of a subclassed Keras Layer or Model defined in the file. */
export interface Instance {
  readonly cls: ClassInfo;
  readonly attrs: Map<string, KV>;
  readonly assignRanges: Map<string, { range: Range; lineRange: Range }>;
}

/** A Sequential or functional model value. */
export type ModelObj = ModelObject<KV>;

export type KV =
  | ScalarValue
  /** `sources`: for a list literal in the analysed file, the syntax each item comes from (a splat for all it spreads). */
  | { readonly kind: 'list'; readonly items: KV[]; readonly sources?: readonly SyntaxNode[] }
  | { readonly kind: 'tuple'; readonly items: readonly KV[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, KV> }
  | { readonly kind: 'tensor'; readonly graph: KerasGraph; readonly node: number }
  | { readonly kind: 'layer'; readonly layer: KerasLayer }
  | { readonly kind: 'model'; readonly model: ModelObj }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'function'; readonly node: SyntaxNode; readonly self?: Instance; readonly scope: FileScope }
  | { readonly kind: 'class'; readonly cls: ClassInfo }
  | { readonly kind: 'instance'; readonly inst: Instance }
  | { readonly kind: 'loss'; readonly text: string; readonly fromLogits: boolean }
  /** A workspace module imported as a whole (`import models.blocks as blocks`). */
  | { readonly kind: 'module'; readonly scope: FileScope }
  /**
   * A name imported from a module Model Audit cannot read (keras_cv, tensorflow_hub, a file outside the workspace),
   * or what calling it built: applied to tensors it is one named opaque block.
   */
  | { readonly kind: 'external'; readonly module: string; readonly label: string; readonly built?: boolean }
  /** A weight made with `self.add_weight(shape=…)`, named after the attribute it is stored under. */
  | { readonly kind: 'weight'; readonly weight: { name?: string; readonly shape: readonly AttrValue[] } };

export const UNKNOWN: KV = { kind: 'unknown' };
export const NONE: KV = { kind: 'none' };

/** The value as a graph attribute; a `None` in a shape is an unknown dimension. */
export function toAttr(v: KV): AttrValue {
  return attrOf(v, true);
}

/** Tensors, layers, models and subclassed instances are true; scalars and sequences as in Python. */
export const OBJECTS: ReadonlySet<string> = new Set(['tensor', 'layer', 'model', 'instance']);

export function truthy(v: KV): boolean | undefined {
  return truthOf(v, OBJECTS);
}

export const literal: (node: SyntaxNode) => KV = pythonLiteral;

/** `tensorflow.keras.layers.Dense`, `tf_keras.layers.Dense` → `keras.layers.Dense`; `tensorflow.nn.relu` → `nn.relu`. */
export function normalizePath(path: string): string {
  return path.replace(/^tensorflow\.(python\.)?/, '').replace(/^tf_keras\./, 'keras.').replace(/^keras\.src\./, 'keras.').replace(/^keras\.api\._v2\.keras\./, 'keras.');
}

export const MERGE_FUNCTIONS = new Set(['add', 'concatenate', 'multiply', 'subtract', 'average', 'maximum', 'minimum', 'dot']);

export type Env = EnvOf<KV>;
export type Flow = FlowOf<KV>;

export class StopRun extends Error {}


export interface Arguments {
  readonly args: KV[];
  readonly kwargs: Map<string, KV>;
  readonly kwNodes: Map<string, SyntaxNode>;
  readonly node: SyntaxNode | null;
}

export function positionalNode(args: SyntaxNode | null, index: number): SyntaxNode | undefined {
  if (!args) return undefined;
  return args.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'keyword_argument')[index];
}

/** Keras axes count the batch dimension; the graph's `mean` dims do too, so only the form changes. */
export function shiftAxis(v: AttrValue): AttrValue {
  return v;
}

export function tensorsIn(values: readonly KV[]): { graph: KerasGraph; node: number }[] {
  const out: { graph: KerasGraph; node: number }[] = [];
  for (const v of values) {
    if (v.kind === 'tensor') out.push(v);
    else if (v.kind === 'list' || v.kind === 'tuple') out.push(...tensorsIn(v.items));
  }
  return out;
}

export function tensorsDeep(v: KV): { graph: KerasGraph; node: number }[] {
  if (v.kind === 'dict') return tensorsIn([...v.entries.values()]);
  return tensorsIn([v]);
}


/** Names every layer of an instance by its attribute path (`fc1`, `block.conv`), unless it has a `name=`. */
export function nameLayers(inst: Instance, prefix: string, seen = new Set<object>()): void {
  if (seen.has(inst)) return;
  seen.add(inst);
  const visit = (v: KV, path: string) => {
    if (v.kind === 'layer' && v.layer.name === undefined) v.layer.name = path;
    else if (v.kind === 'weight' && v.weight.name === undefined) v.weight.name = path;
    else if (v.kind === 'instance') nameLayers(v.inst, `${path}.`, seen);
    else if (v.kind === 'list' || v.kind === 'tuple') v.items.forEach((item, i) => visit(item, `${path}.${i}`));
  };
  for (const [name, v] of inst.attrs) visit(v, `${prefix}${name}`);
}

/** The statement that holds a node (for a model's range when it is named after a variable). */
export function statementOf(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module') current = current.parent;
  return current;
}

export const Range0: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Module-level constants (`HIDDEN = 128`, `SHAPE = (28, 28, 1)`) are read from these literal forms. */
const CONSTANT_TYPES = new Set(['integer', 'float', 'string', 'true', 'false', 'tuple', 'unary_operator', 'binary_operator']);
const CONSTANT_OPERATORS = new Set(['+', '-', '*', '//']);

/** A constant's value, read without running anything: literals, tuples and arithmetic over earlier constants. */
export function constantValue(node: SyntaxNode, constants: ReadonlyMap<string, KV>): KV {
  switch (node.type) {
    case 'identifier':
      return constants.get(node.text) ?? UNKNOWN;
    case 'parenthesized_expression':
      return node.namedChildren[0] ? constantValue(node.namedChildren[0], constants) : UNKNOWN;
    case 'tuple':
    case 'list':
      return { kind: node.type === 'tuple' ? 'tuple' : 'list', items: node.namedChildren.filter((c) => c.type !== 'comment').map((c) => constantValue(c, constants)) } as KV;
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      const v = arg ? constantValue(arg, constants) : UNKNOWN;
      return v.kind === 'num' && node.childForFieldName('operator')?.text === '-' ? { kind: 'num', value: -v.value } : v;
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const a = left ? constantValue(left, constants) : UNKNOWN;
      const b = right ? constantValue(right, constants) : UNKNOWN;
      const op = node.childForFieldName('operator')?.text ?? '';
      // Constants are read with the four operators sizes are written with; anything else is left to the interpreter.
      const value = a.kind === 'num' && b.kind === 'num' && CONSTANT_OPERATORS.has(op) ? arithmetic(op, a.value, b.value) : undefined;
      return value === undefined ? UNKNOWN : { kind: 'num', value };
    }
    default:
      return literal(node);
  }
}

let nextScopeSerial = 0;

/** The module's imports, classes, functions and constants; one per file, the analysed one and each it imports. */
export class FileScope {
  readonly imports = new Map<string, string>();
  readonly wildcards: string[] = [];
  /** Classes by the name this module knows them by: its own, and those it imports from the workspace. */
  readonly classes = new Map<string, ClassInfo>();
  readonly functions = new Map<string, SyntaxNode>();
  readonly constants = new Map<string, KV>();
  /** Functions and modules imported from other workspace files, by the name this module binds them to. */
  readonly imported = new Map<string, KV>();
  /** Names imported from modules Model Audit cannot read, with the module each comes from. */
  readonly external = new Map<string, string>();
  /** Distinguishes the functions of different files, whose syntax node ids may repeat. */
  readonly serial = nextScopeSerial++;
  /**
   * The file switches Keras to channels-first images for every layer (`keras.backend.set_image_data_format(
   * 'channels_first')`, Keras 1's `set_image_dim_ordering('th')`).
   */
  readonly channelsFirst: boolean;

  constructor(
    readonly root: SyntaxNode,
    readonly modules: ModuleLoader<FileScope> = new ModuleLoader<FileScope>(undefined, (r, path) => new FileScope(r, undefined, path)),
    /** The file's path when it is an imported module, not the analysed file. */
    readonly origin?: string,
  ) {
    for (const stmt of root.namedChildren) this.scan(stmt);
    this.channelsFirst = /\bset_image_data_format\(\s*['"]channels_first['"]|\bset_image_dim_ordering\(\s*['"]th['"]/.test(root.text);
  }

  private scan(stmt: SyntaxNode): void {
    switch (stmt.type) {
      case 'import_statement':
        for (const name of stmt.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const alias = name.childForFieldName('alias')?.text;
            const dotted = name.childForFieldName('name')?.text ?? '';
            if (alias) {
              this.imports.set(alias, dotted);
              this.importModule(dotted, alias);
            }
          } else {
            const top = name.text.split('.')[0];
            this.imports.set(top, top);
            if (!name.text.includes('.')) this.importModule(top, top);
            else if (!KNOWN_LIBRARIES.test(name.text)) this.external.set(top, top);
          }
        }
        break;
      case 'import_from_statement': {
        const moduleName = stmt.childForFieldName('module_name')?.text ?? '';
        const names: { imported: string; alias: string }[] = [];
        for (const name of stmt.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const alias = name.childForFieldName('alias')?.text;
            const imported = name.childForFieldName('name')?.text ?? '';
            if (alias) {
              this.imports.set(alias, `${moduleName}.${imported}`);
              names.push({ imported, alias });
            }
          } else {
            this.imports.set(name.text, `${moduleName}.${name.text}`);
            names.push({ imported: name.text, alias: name.text });
          }
        }
        const wildcard = stmt.namedChildren.some((c) => c.type === 'wildcard_import');
        if (wildcard) this.wildcards.push(moduleName);
        this.importFrom(moduleName, names, wildcard);
        break;
      }
      case 'class_definition': {
        const parts = classParts(stmt);
        if (parts) this.classes.set(parts.name, { name: parts.name, node: stmt, bases: parts.bases, methods: parts.methods, scope: this });
        break;
      }
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        if (def) this.scan(def);
        break;
      }
      case 'function_definition': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) this.functions.set(name, stmt);
        break;
      }
      case 'expression_statement': {
        const assign = stmt.namedChildren[0];
        const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : null;
        const right = assign?.childForFieldName('right');
        if (left?.type === 'identifier' && right && CONSTANT_TYPES.has(right.type)) {
          const value = constantValue(right, this.constants);
          if (value.kind !== 'unknown') this.constants.set(left.text, value);
        }
        break;
      }
      default:
        break;
    }
  }

  /** Whether a module is modelled by name (Keras, TensorFlow, the standard library), never looked up in the workspace. */
  private static isLibrary(moduleName: string): boolean {
    return KNOWN_LIBRARIES.test(moduleName);
  }

  /** `import blocks` / `import tensorflow_hub as hub`: a workspace module, or a library Model Audit cannot read. */
  private importModule(dotted: string, alias: string): void {
    if (FileScope.isLibrary(dotted)) return;
    const loaded = this.modules.load(dotted, this.origin);
    if (loaded) this.imported.set(alias, { kind: 'module', scope: loaded.scope });
    else this.external.set(alias, dotted);
  }

  /** Makes the names an import brings in visible here, from a workspace module when the resolver finds one. */
  private importFrom(moduleName: string, names: readonly { imported: string; alias: string }[], wildcard: boolean): void {
    if (FileScope.isLibrary(moduleName)) return;
    const loaded = this.modules.load(moduleName, this.origin);
    if (!loaded) {
      for (const { alias } of names) this.external.set(alias, moduleName);
      return;
    }
    const scope = loaded.scope;
    const bring = (imported: string, alias: string): boolean => {
      const value = scope.lookup(imported);
      if (value.kind === 'class') this.classes.set(alias, value.cls);
      else if (value.kind === 'function' || value.kind === 'module' || value.kind === 'external') this.imported.set(alias, value);
      else if (value.kind !== 'unknown') this.constants.set(alias, value);
      else return false;
      // The name now means the workspace value, not a dotted path into an unknown module.
      this.imports.delete(alias);
      return true;
    };
    if (wildcard) {
      const exported = [...scope.classes.keys(), ...scope.functions.keys(), ...scope.imported.keys(), ...scope.constants.keys()];
      for (const name of exported) if (!name.startsWith('_')) bring(name, name);
      return;
    }
    for (const { imported, alias } of names) {
      // `from models import layers` may name a submodule rather than a value of the package.
      if (!bring(imported, alias)) {
        const sub = this.modules.load(`${moduleName}${moduleName.endsWith('.') ? '' : '.'}${imported}`, this.origin);
        if (sub) {
          this.imported.set(alias, { kind: 'module', scope: sub.scope });
          this.imports.delete(alias);
        } else {
          this.external.set(alias, moduleName);
        }
      }
    }
  }

  /** What a module-level name of this file is, as another module importing it sees it. */
  lookup(name: string): KV {
    const cls = this.classes.get(name);
    if (cls) return { kind: 'class', cls };
    const fn = this.functions.get(name);
    if (fn) return { kind: 'function', node: fn, scope: this };
    const imported = this.imported.get(name);
    if (imported) return imported;
    const external = this.external.get(name);
    if (external !== undefined) return { kind: 'external', module: external, label: name };
    return this.constants.get(name) ?? UNKNOWN;
  }

  /** The dotted path a name refers to through the imports (`layers.Dense` → `tensorflow.keras.layers.Dense`). */
  resolve(dotted: string): string {
    const [head, ...rest] = dotted.split('.');
    const bound = this.imports.get(head);
    if (bound !== undefined) return [bound, ...rest].join('.');
    if (rest.length === 0 && kerasLayer(head) && this.wildcards.some((w) => /keras/.test(w))) return `keras.layers.${head}`;
    return dotted;
  }

  /** How this file spells a Keras layer constructor, after its imports: `Flatten()`, `layers.Flatten()`, `keras.layers.Flatten()`. */
  spellLayer(className: string): string {
    let direct: string | undefined;
    let layersModule: string | undefined;
    let kerasModule: string | undefined;
    let tf: string | undefined;
    for (const [alias, target] of this.imports) {
      const path = normalizePath(target);
      if (/^keras\.(legacy\.)?layers(\.[a-z_]+)*\.\w+$/.test(path) && path.split('.').pop() === className) direct ??= alias;
      else if (path === 'keras.layers') layersModule ??= alias;
      else if (path === 'keras') kerasModule ??= alias;
      else if (target === 'tensorflow') tf ??= alias;
    }
    if (direct) return `${direct}()`;
    if (layersModule) return `${layersModule}.${className}()`;
    if (this.wildcards.some((w) => /^(tensorflow\.)?keras\.layers/.test(w))) return `${className}()`;
    if (kerasModule) return `${kerasModule}.layers.${className}()`;
    if (tf) return `${tf}.keras.layers.${className}()`;
    return `layers.${className}()`;
  }
}

/** Whether a class derives from Keras's Model or Layer, through base classes in its own module and those it imports. */
export function isKerasClass(cls: ClassInfo, depth = 0): boolean {
  if (depth > 16) return false;
  return cls.bases.some((base) => {
    const path = normalizePath(cls.scope.resolve(base));
    if (/^keras(\.[A-Za-z_.]+)?\.(Model|Layer|Sequential)$/.test(path)) return true;
    const local = cls.scope.classes.get(base);
    return local !== undefined && local !== cls && isKerasClass(local, depth + 1);
  });
}

/** A method of a class or its base classes, with the module it is written in. */
export function findMethod(cls: ClassInfo, name: string, depth = 0): { readonly node: SyntaxNode; readonly scope: FileScope } | undefined {
  if (depth > 16) return undefined;
  const own = cls.methods.get(name);
  if (own) return { node: own, scope: cls.scope };
  for (const base of cls.bases) {
    const local = cls.scope.classes.get(base);
    if (local && local !== cls) {
      const found = findMethod(local, name, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
