// The Keras frontend: interprets a Python module abstractly (module-level code, functions that build models,
// subclassed `keras.Model` / `keras.layers.Layer` classes) and turns every Sequential, functional `Model(inputs,
// outputs)` and subclassed model it finds into a model graph. tf.keras, Keras 3 and Keras 2-era spellings
// (`keras.layers.core`, `Convolution2D(32, 3, 3)`, `input_dim=`) are all read. It never throws: what it does not
// understand becomes an opaque op and a hint. Blocks imported from other files of the workspace (`from .blocks
// import conv_block`, a subclassed layer in `models/layers.py`) are followed through the edge's resolver and shown
// at the call in the model's file; names from outside the workspace (keras_cv, tensorflow_hub) are named opaque blocks.

import type { SyntaxNode } from '../syntax';
import type { ActivationInsertion, AttrValue, Dim, FrameworkIdioms, FrontendProblem, LayerDecl, ModelGraph, OpEdit, Range } from '../graph';
import { type ScalarValue, arithmetic, attrOf, pythonLiteral, truthOf } from '../abstractValues';
import { hashText } from '../hash';
import { type ImportContext, KNOWN_LIBRARIES, ModuleLoader } from '../imports';
import { Ops } from '../ops';
import { type Env as EnvOf, type Flow as FlowOf, MAX_UNROLL, PythonInterpreter, classParts, fullLines, rangeOf, referencedOutsideInit } from '../python/interpreter';
import { activationOp, kerasLayer } from './kerasCatalog';
import { type ActivationUse, type CompiledLoss, type ForeignSite, KerasGraph, type KerasLayer, type ModelObject, type RunContext, applyFunctional, clip, functionalModelGraph, layerInputShape, makeLayer, modelIdentity, optionEdit, toModelGraph, withLosses } from './kerasGraph';

/** Nested call depth; recursion stops here. */
const MAX_DEPTH = 24;
/** Statements executed per run; past this the interpretation stops. */
const MAX_STEPS = 20000;

export interface KerasExtraction {
  readonly models: ModelGraph[];
}

interface ClassInfo {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly bases: readonly string[];
  readonly methods: ReadonlyMap<string, SyntaxNode>;
  /** The module the class is written in: its names and base classes are looked up there. */
  readonly scope: FileScope;
}

/** An instance of a subclassed Keras Layer or Model defined in the file. */
interface Instance {
  readonly cls: ClassInfo;
  readonly attrs: Map<string, KV>;
  readonly assignRanges: Map<string, { range: Range; lineRange: Range }>;
}

/** A Sequential or functional model value. */
type ModelObj = ModelObject<KV>;

type KV =
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

const UNKNOWN: KV = { kind: 'unknown' };
const NONE: KV = { kind: 'none' };

/** The value as a graph attribute; a `None` in a shape is an unknown dimension. */
function toAttr(v: KV): AttrValue {
  return attrOf(v, true);
}

/** Tensors, layers, models and subclassed instances are true; scalars and sequences as in Python. */
const OBJECTS: ReadonlySet<string> = new Set(['tensor', 'layer', 'model', 'instance']);

function truthy(v: KV): boolean | undefined {
  return truthOf(v, OBJECTS);
}

const literal: (node: SyntaxNode) => KV = pythonLiteral;

/** `tensorflow.keras.layers.Dense`, `tf_keras.layers.Dense` → `keras.layers.Dense`; `tensorflow.nn.relu` → `nn.relu`. */
function normalizePath(path: string): string {
  return path.replace(/^tensorflow\.(python\.)?/, '').replace(/^tf_keras\./, 'keras.').replace(/^keras\.src\./, 'keras.').replace(/^keras\.api\._v2\.keras\./, 'keras.');
}

const MERGE_FUNCTIONS = new Set(['add', 'concatenate', 'multiply', 'subtract', 'average', 'maximum', 'minimum', 'dot']);

type Env = EnvOf<KV>;
type Flow = FlowOf<KV>;

class StopRun extends Error {}

/** Module-level constants (`HIDDEN = 128`, `SHAPE = (28, 28, 1)`) are read from these literal forms. */
const CONSTANT_TYPES = new Set(['integer', 'float', 'string', 'true', 'false', 'tuple', 'unary_operator', 'binary_operator']);
const CONSTANT_OPERATORS = new Set(['+', '-', '*', '//']);

/** A constant's value, read without running anything: literals, tuples and arithmetic over earlier constants. */
function constantValue(node: SyntaxNode, constants: ReadonlyMap<string, KV>): KV {
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
class FileScope {
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
function isKerasClass(cls: ClassInfo, depth = 0): boolean {
  if (depth > 16) return false;
  return cls.bases.some((base) => {
    const path = normalizePath(cls.scope.resolve(base));
    if (/^keras(\.[A-Za-z_.]+)?\.(Model|Layer|Sequential)$/.test(path)) return true;
    const local = cls.scope.classes.get(base);
    return local !== undefined && local !== cls && isKerasClass(local, depth + 1);
  });
}

/** A method of a class or its base classes, with the module it is written in. */
function findMethod(cls: ClassInfo, name: string, depth = 0): { readonly node: SyntaxNode; readonly scope: FileScope } | undefined {
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

/** One abstract run: module-level code, a model-building function, or a subclassed model's call. */
class Interpreter extends PythonInterpreter<KV> {
  protected readonly unknown = UNKNOWN;
  protected readonly none = NONE;
  readonly problems: FrontendProblem[] = [];
  readonly models: ModelObj[] = [];
  /** Losses given to `compile` on instances, by class name. */
  readonly classLosses = new Map<string, CompiledLoss[]>();
  readonly executed = new Set<number>();
  /** Layer objects applied during this run, for unused-layer findings. */
  readonly applied = new Set<object>();
  private depth = 0;
  private steps = 0;
  private creator?: SyntaxNode;
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
  private weightProduct(g: KerasGraph, input: number, w: { name?: string; shape: readonly AttrValue[] }, range: Range): KV {
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
    const one = (v: KV, n: SyntaxNode | undefined, output?: number | string) => {
      const range = n ? rangeOf(n) : fallback;
      const at = output === undefined ? {} : { output };
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
    const layer = makeLayer(spec, className, { positional, keywords }, { defRange: range, label: clip(node.text), activation, insertActivation, disableBias, inner });
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

interface Arguments {
  readonly args: KV[];
  readonly kwargs: Map<string, KV>;
  readonly kwNodes: Map<string, SyntaxNode>;
  readonly node: SyntaxNode | null;
}

function positionalNode(args: SyntaxNode | null, index: number): SyntaxNode | undefined {
  if (!args) return undefined;
  return args.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'keyword_argument')[index];
}

/** Keras axes count the batch dimension; the graph's `mean` dims do too, so only the form changes. */
function shiftAxis(v: AttrValue): AttrValue {
  return v;
}

function tensorsIn(values: readonly KV[]): { graph: KerasGraph; node: number }[] {
  const out: { graph: KerasGraph; node: number }[] = [];
  for (const v of values) {
    if (v.kind === 'tensor') out.push(v);
    else if (v.kind === 'list' || v.kind === 'tuple') out.push(...tensorsIn(v.items));
  }
  return out;
}

function tensorsDeep(v: KV): { graph: KerasGraph; node: number }[] {
  if (v.kind === 'dict') return tensorsIn([...v.entries.values()]);
  return tensorsIn([v]);
}


/** Names every layer of an instance by its attribute path (`fc1`, `block.conv`), unless it has a `name=`. */
function nameLayers(inst: Instance, prefix: string, seen = new Set<object>()): void {
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
function statementOf(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module') current = current.parent;
  return current;
}

/**
 * Extracts every Keras model in a parsed Python module. With `imports`, blocks imported from other workspace files
 * are followed into those files; without it, they stay named opaque blocks.
 */
export function extractKeras(root: SyntaxNode, imports?: ImportContext): KerasExtraction {
  const loader: ModuleLoader<FileScope> = new ModuleLoader<FileScope>(imports, (moduleRoot, path) => new FileScope(moduleRoot, loader, path));
  try {
    const file = new FileScope(root, loader);
    const idioms = kerasIdioms(file);
    return { models: extractFrom(file).map((m) => ({ ...m, idioms })) };
  } finally {
    loader.dispose();
  }
}

/** How findings about a Keras model name its fixes: after the file's own imports (`layers.Flatten()`). */
function kerasIdioms(file: FileScope): FrameworkIdioms {
  return {
    flatten: file.spellLayer('Flatten'),
    dense: 'a Dense layer',
    noBias: 'use_bias=False',
    axis: 'axis',
    buildSite: '`__init__`',
    applySite: '`call`',
    channelsFirst: "data_format='channels_first'",
  };
}

function extractFrom(file: FileScope): ModelGraph[] {
  const root = file.root;
  const interp = new Interpreter(file);
  const problems: FrontendProblem[] = [];
  const run = (what: () => void, range: Range) => {
    try {
      what();
    } catch (error) {
      const message = error instanceof StopRun ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
      problems.push({ severity: 'hint', message: `Model Audit: ${message}.`, range });
    }
  };
  // 1. The module as a script: module-level models, and the builder functions it calls.
  run(() => interp.execBlock(root, new Map()), Range0);
  // 2. Builder functions nobody calls in this file (a library of models), with their default arguments.
  for (const fn of file.functions.values()) {
    if (interp.executed.has(fn.id) || !/\b(Sequential|Model|Input|Functional)\s*\(/.test(fn.text)) continue;
    run(() => interp.applyFunctionCandidate(fn), rangeOf(fn));
  }
  const models: ModelGraph[] = [];
  // 3. Sequential and functional models, once per construction site.
  const bySite = new Map<string, ModelObj>();
  for (const m of interp.models) {
    const key = `${m.call.startIndex}`;
    const seen = bySite.get(key);
    if (seen) seen.losses.push(...m.losses.filter((l) => !seen.losses.some((x) => x.name === l.name && x.range.start.line === l.range.start.line && x.range.start.character === l.range.start.character)));
    else bySite.set(key, m);
  }
  const perCreator = new Map<number | undefined, number>();
  for (const m of bySite.values()) perCreator.set(m.creator?.id, (perCreator.get(m.creator?.id) ?? 0) + 1);
  for (const m of bySite.values()) {
    run(() => {
      const graph = modelGraphOf(interp, m, perCreator.get(m.creator?.id) === 1);
      if (graph) models.push(graph);
    }, rangeOf(m.call));
  }
  // 4. Subclassed models and layers written in this file (not the ones it imports).
  for (const cls of file.classes.values()) {
    if (cls.scope !== file || !isKerasClass(cls)) continue;
    run(() => {
      const graph = subclassedGraph(file, cls, interp.classLosses.get(cls.name) ?? []);
      if (graph) models.push(graph);
    }, rangeOf(cls.node));
  }
  models.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (problems.length > 0 && models.length > 0) models[0] = { ...models[0], problems: [...models[0].problems, ...problems] };
  return models;
}

const Range0: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function modelGraphOf(interp: Interpreter, m: ModelObj, soleInCreator: boolean): ModelGraph | undefined {
  const fnName = m.creator?.childForFieldName('name');
  const { name, defNode, nameNode } = modelIdentity(m, m.creator && fnName ? { def: m.creator, name: fnName } : undefined, soleInCreator, statementOf);
  const meta = { name, framework: 'keras' as const, range: rangeOf(defNode), nameRange: rangeOf(nameNode), textKey: hashText(defNode.text) };
  if (m.kind === 'functional') return functionalModelGraph(m, meta);
  const g = new KerasGraph(interp.run);
  interp.graph = g;
  const first = m.items[0];
  let inputShape: readonly Dim[] | undefined;
  let inputRange = rangeOf(m.call);
  if (first?.kind === 'tensor') {
    inputShape = first.graph.nodes[first.node]?.shape;
    inputRange = m.itemRanges[0] ?? inputRange;
  } else if (first?.kind === 'layer') {
    inputShape = layerInputShape(first.layer);
  }
  const x = g.input('x', inputShape, inputRange);
  const out = interp.applyModel(m, g, [x], rangeOf(m.call));
  return withLosses(toModelGraph(g, [x], out.kind === 'tensor' ? [out.node] : [], meta), m.losses);
}

function subclassedGraph(file: FileScope, cls: ClassInfo, losses: CompiledLoss[]): ModelGraph | undefined {
  const interp = new Interpreter(file);
  const nameNode = cls.node.childForFieldName('name') ?? cls.node;
  const nameRange = rangeOf(nameNode);
  const created = interp.instantiate(cls, { args: [], kwargs: new Map(), kwNodes: new Map(), node: null }, nameRange);
  const meta = { name: cls.name, framework: 'keras' as const, range: rangeOf(cls.node), nameRange, textKey: hashText(cls.node.text) };
  if (created.kind !== 'instance') return undefined;
  const inst = created.inst;
  nameLayers(inst, '');
  const found = findMethod(cls, 'call');
  if (!found) return undefined;
  const call = found.node;
  const g = interp.graph;
  const inputs: number[] = [];
  // A `call` inherited from a class in another file runs as that file's code, shown at the class name here.
  const inherited = found.scope !== file;
  interp.file = found.scope;
  const out = interp.inForeign(found.scope.origin, nameRange, () => interp.invoke(call, [], new Map(), inst, (name, param) => {
    if (param.childForFieldName('value') || name === 'training' || name === 'mask') return undefined;
    const id = g.input(name, undefined, inherited ? nameRange : rangeOf(param));
    inputs.push(id);
    return { kind: 'tensor', graph: g, node: id };
  }));
  interp.file = file;
  const outputs = tensorsDeep(out).filter((t) => t.graph === g).map((t) => t.node);
  const layers: LayerDecl[] = [];
  for (const [attr, v] of inst.attrs) {
    const where = inst.assignRanges.get(attr);
    if (!where) continue;
    if (v.kind === 'layer') {
      const op = v.layer.spec.op || (typeof v.layer.config.activation === 'string' ? activationOp(v.layer.config.activation) ?? 'activation' : 'activation');
      layers.push({ layerId: v.layer.name ?? attr, module: v.layer.name ?? attr, op, category: v.layer.spec.kind === 'activation' ? 'activation' : v.layer.spec.category ?? Ops.category(op), range: where.range, removal: { range: fullLines(where.lineRange), newText: '' }, referenced: interp.applied.has(v.layer) ? true : referencedOutsideInit(cls, attr) });
    } else if (v.kind === 'instance' || v.kind === 'model') {
      const used = interp.applied.has(v.kind === 'instance' ? v.inst : v.model);
      layers.push({ layerId: attr, module: attr, op: v.kind === 'instance' ? v.inst.cls.name : 'sequential', category: 'other', range: where.range, removal: { range: fullLines(where.lineRange), newText: '' }, referenced: used || referencedOutsideInit(cls, attr) });
    }
  }
  return withLosses(toModelGraph(g, inputs, outputs, { ...meta, layers, problems: interp.problems }), losses);
}
