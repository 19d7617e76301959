// What a Python file defines at module level for the PyTorch frontend: its imports (followed into workspace
// modules), constants, classes and functions, and which of them are models (nn.Module subclasses, module-level
// nn.Sequential values and functions that return one).

import { type StatementDelta, statementDelta, type SyntaxNode } from '../syntax';
import { pythonLiteral } from '../abstractValues';
import { type ImportContext, KNOWN_LIBRARIES, MODEL_LIBRARIES, ModuleLoader } from '../imports';
import { classParts } from './interpreter';
import { TORCH_LAYERS } from './torchCatalog';
import { type ClassInfo, Value } from './values';

export const literal: (node: SyntaxNode) => Value = pythonLiteral;

export type Candidate =
  | { kind: 'class'; cls: ClassInfo }
  | { kind: 'value'; name: string; node: SyntaxNode; valueNode: SyntaxNode }
  | { kind: 'function'; name: string; node: SyntaxNode };

const TORCH_MODULE_BASES = new Set(['torch.nn.Module', 'torch.nn.modules.module.Module', 'pytorch_lightning.LightningModule', 'lightning.LightningModule', 'lightning.pytorch.LightningModule']);

/**
 * The workspace modules one extraction follows through imports, loaded by the loader Keras and TF.js use too, and
 * which file each of their roots is, so ops written there can be shown at the call that runs them.
 */
export class ImportedModules {
  private readonly loader: ModuleLoader<FileScope>;
  /** Imported roots by identity (syntax mirrors, whose ids restart per tree) and by id (tree-sitter nodes). */
  private readonly rootNodes = new Map<SyntaxNode, string>();
  private readonly roots = new Map<number, string>();
  /** Whether any import was looked up in the workspace (found or not). */
  consulted = false;

  constructor(context: ImportContext | undefined) {
    this.loader = new ModuleLoader<FileScope>(context, (root, path) => {
      this.roots.set(root.id, path);
      this.rootNodes.set(root, path);
      return new FileScope(root, this, path);
    });
  }

  /** The scope of an imported module, or undefined when it is not in the workspace (or imports itself back). */
  scopeFor(moduleName: string, from: FileScope): FileScope | undefined {
    if (!this.loader.context) return undefined;
    this.consulted = true;
    return this.loader.load(moduleName, from.origin)?.scope;
  }

  /** The imported file a root node belongs to: by identity (plain syntax mirrors), else by id (tree-sitter nodes). */
  pathOfRoot(root: SyntaxNode): string | undefined {
    return this.rootNodes.get(root) ?? this.roots.get(root.id);
  }

  /** Whether a root node is one of the imported modules' (by identity, for syntax mirrors whose ids repeat). */
  isImportedRoot(root: SyntaxNode): boolean {
    return this.rootNodes.has(root);
  }

  dispose(): void {
    this.loader.dispose();
  }
}

/** What the file defines at module level: imports, constants, classes and functions. */
export class FileScope {
  readonly globals = new Map<string, Value>();
  readonly classes = new Map<string, ClassInfo>();
  readonly functions = new Map<string, SyntaxNode>();
  private readonly order: Candidate[] = [];

  /** Whether an import gives Sequential another name; read the first time a function is looked at. */
  private renamesSequential?: boolean;

  /** Whether this is the previous text's scope patched after an edit (see `forFile`). */
  readonly patched: boolean;

  /** Names imported from modules Model Audit cannot see, with the module they come from. */
  readonly external = new Map<string, string>();

  constructor(
    readonly root: SyntaxNode,
    readonly modules: ImportedModules = new ImportedModules(undefined),
    /** The file's path when it is an imported module, not the file being analysed. */
    readonly origin?: string,
    /** A scope to take the place of, instead of reading the statements (for `patched`). */
    copy?: FileScope,
  ) {
    this.patched = copy !== undefined;
    if (copy) {
      // The copied scope is not read again (its mirror now describes this text): its maps move here.
      this.globals = copy.globals;
      this.classes = copy.classes;
      this.functions = copy.functions;
      this.external = copy.external;
      this.order = copy.order;
      this.renamesSequential = copy.renamesSequential;
      return;
    }
    for (const stmt of root.namedChildren) this.scan(stmt);
  }

  /**
   * The scope of the file being analysed. After an edit that replaced classes or functions by ones of the same
   * names (and bases), or statements that define nothing by others, it is the previous text's scope with those
   * definitions swapped: the same maps and candidates a fresh reading gives, without reading every statement.
   */
  static forFile(root: SyntaxNode, modules: ImportedModules): FileScope {
    const delta = root.type === 'module' ? statementDelta(root) : undefined;
    const before = delta ? fileScopes.get(delta.previous) : undefined;
    const scope = (before && delta && FileScope.patched(before, root, modules, delta)) || new FileScope(root, modules);
    if (root.type === 'module') fileScopes.set(root, scope);
    return scope;
  }

  private static patched(before: FileScope, root: SyntaxNode, modules: ImportedModules, delta: StatementDelta): FileScope | undefined {
    // Imports may have been followed into the workspace, whose files can change: those scopes are read afresh.
    if (delta.at === undefined || before.modules.consulted || delta.removed.length !== delta.added.length) return undefined;
    const pairs = delta.removed.map((gone, i) => [definitionOf(gone, before), definitionOf(delta.added[i], before)] as const);
    if (pairs.some(([gone, coming]) => !gone || !coming || gone.key !== coming.key)) return undefined;
    fileScopes.delete(delta.previous);
    const scope = new FileScope(root, modules, undefined, before);
    for (const [gone, coming] of pairs as [Definition, Definition][]) {
      if (gone.kind === 'inert') continue;
      const { name } = gone;
      const candidate = scope.order.findIndex((c) => (c.kind === 'class' ? c.cls.node : c.node) === gone.node);
      if (gone.kind === 'class') {
        const old = scope.classes.get(name);
        const cls = scope.classInfo(coming.node);
        // Defined twice: which one wins is the full reading's business.
        if (old?.node !== gone.node || !cls) return undefined;
        scope.classes.set(name, cls);
        const value = scope.globals.get(name);
        if (value?.kind === 'class' && value.cls === old) scope.globals.set(name, { kind: 'class', cls });
        // Whether it is a model depends on its bases and the classes before it, all as they were.
        if (candidate >= 0) scope.order[candidate] = { kind: 'class', cls };
      } else {
        if (scope.functions.get(name) !== gone.node) return undefined;
        scope.functions.set(name, coming.node);
        const value = scope.globals.get(name);
        if (value?.kind === 'function' && value.node === gone.node) scope.globals.set(name, { kind: 'function', node: coming.node });
        const builds = scope.returnsSequential(coming.node);
        if (builds !== candidate >= 0) return undefined;
        if (builds) scope.order[candidate] = { kind: 'function', name, node: coming.node };
      }
    }
    return scope;
  }

  /** The path of the imported file a syntax node comes from; undefined for this file's own code. */
  originOf(node: SyntaxNode): string | undefined {
    let top: SyntaxNode = node;
    for (let hops = 0; top.parent && hops < 512; hops++) top = top.parent;
    // Mirror nodes are shared objects whose ids restart per tree; tree-sitter nodes are fresh objects with unique ids.
    if (top === this.root) return this.origin;
    if (this.modules.isImportedRoot(top)) return this.modules.pathOfRoot(top);
    return top.id === this.root.id ? this.origin : this.modules.pathOfRoot(top);
  }

  /** Makes the names an import brings in visible here, from a workspace module when the resolver finds one. */
  private importFrom(moduleName: string, names: readonly { imported: string; alias: string }[], wildcard: boolean): void {
    if (KNOWN_LIBRARIES.test(moduleName)) {
      if (MODEL_LIBRARIES.test(moduleName)) for (const { alias } of names) this.external.set(alias, moduleName);
      return;
    }
    const scope = this.modules.scopeFor(moduleName, this);
    if (!scope) {
      for (const { alias } of names) this.external.set(alias, moduleName);
      return;
    }
    const bring = (imported: string, alias: string) => {
      const cls = scope.classes.get(imported);
      if (cls) {
        this.classes.set(alias, cls);
        this.globals.set(alias, { kind: 'class', cls });
        return;
      }
      const value = scope.globals.get(imported);
      if (value) this.globals.set(alias, value);
      else this.external.set(alias, moduleName);
    };
    if (wildcard) {
      for (const name of scope.classes.keys()) if (!this.classes.has(name)) bring(name, name);
      for (const name of scope.globals.keys()) if (!this.globals.has(name) && !name.startsWith('_')) bring(name, name);
    } else {
      for (const { imported, alias } of names) bring(imported, alias);
    }
    // The module's own classes and aliases, so its code can name its base classes and `nn` as it does at home, and
    // the classes it imports in turn (attention-is-all-you-need's Models.py → Layers.py → SubLayers.py: EncoderLayer
    // builds a MultiHeadAttention that only Layers.py imports).
    for (const [name, cls] of scope.classes) if (!this.classes.has(name)) this.classes.set(name, cls);
    for (const [name, value] of scope.globals) if (!this.globals.has(name) && (value.kind === 'module' || value.kind === 'class')) this.globals.set(name, value);
  }

  private scan(stmt: SyntaxNode): void {
    switch (stmt.type) {
      case 'import_statement':
        for (const name of stmt.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const dotted = name.childForFieldName('name')?.text ?? '';
            const alias = name.childForFieldName('alias')?.text;
            if (alias) this.globals.set(alias, { kind: 'module', path: dotted });
            if (alias && MODEL_LIBRARIES.test(dotted)) this.external.set(alias, dotted);
          } else {
            const top = name.text.split('.')[0];
            this.globals.set(top, { kind: 'module', path: top });
            if (MODEL_LIBRARIES.test(top)) this.external.set(top, top);
          }
        }
        break;
      case 'import_from_statement': {
        const moduleName = stmt.childForFieldName('module_name')?.text ?? '';
        const base = moduleName;
        const names: { imported: string; alias: string }[] = [];
        for (const name of stmt.childrenForFieldName('name')) {
          if (!name) continue;
          if (name.type === 'aliased_import') {
            const imported = name.childForFieldName('name')?.text ?? '';
            const alias = name.childForFieldName('alias')?.text;
            if (alias) {
              this.globals.set(alias, { kind: 'module', path: `${base}.${imported}` });
              names.push({ imported, alias });
            }
          } else {
            this.globals.set(name.text, { kind: 'module', path: `${base}.${name.text}` });
            names.push({ imported: name.text, alias: name.text });
          }
        }
        const wildcard = stmt.namedChildren.some((c) => c.type === 'wildcard_import');
        if (wildcard && moduleName === 'torch.nn') {
          for (const layer of Object.keys(TORCH_LAYERS)) this.globals.set(layer, { kind: 'module', path: `torch.nn.${layer}` });
        }
        this.importFrom(moduleName, names, wildcard);
        break;
      }
      case 'class_definition':
        this.addClass(stmt);
        break;
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        if (def) this.scan(def);
        break;
      }
      case 'function_definition': {
        const name = stmt.childForFieldName('name')?.text;
        if (name) {
          this.functions.set(name, stmt);
          this.globals.set(name, { kind: 'function', node: stmt });
          if (this.returnsSequential(stmt)) this.order.push({ kind: 'function', name, node: stmt });
        }
        break;
      }
      case 'expression_statement': {
        const assign = stmt.namedChildren[0];
        if (assign?.type !== 'assignment') break;
        const left = assign.childForFieldName('left');
        const right = assign.childForFieldName('right');
        if ((left?.type === 'pattern_list' || left?.type === 'tuple_pattern') && (right?.type === 'expression_list' || right?.type === 'tuple')) {
          // `nz, ngf, nc = 100, 64, 3`: module-level hyperparameters.
          const names = left.namedChildren;
          const values = right.namedChildren;
          if (names.length === values.length) names.forEach((n, i) => n.type === 'identifier' && this.globals.set(n.text, knobbed(literal(values[i]), n.text)));
          break;
        }
        if (left?.type !== 'identifier' || !right) break;
        if (right.type === 'call' && this.isSequentialCall(right)) {
          this.order.push({ kind: 'value', name: left.text, node: stmt, valueNode: right });
        } else if (CONSTANTS.has(right.type)) {
          this.globals.set(left.text, knobbed(literal(right), left.text));
        }
        break;
      }
      case 'if_statement':
        // `if __name__ == "__main__":` blocks hold training scripts, not definitions.
        break;
      default:
        break;
    }
  }

  /** What the file knows of a class definition; undefined when it has no name or body yet. */
  private classInfo(node: SyntaxNode): ClassInfo | undefined {
    const parts = classParts(node);
    if (!parts) return undefined;
    const { name, bases, methods } = parts;
    return { name, node, bases, methods, ...(this.origin ? { origin: this.origin } : {}) };
  }

  private addClass(node: SyntaxNode): void {
    const cls = this.classInfo(node);
    if (!cls) return;
    const { name } = cls;
    this.classes.set(name, cls);
    this.globals.set(name, { kind: 'class', cls });
    if (this.isModuleClass(cls, 0)) this.order.push({ kind: 'class', cls });
  }

  /** The module path a dotted name refers to, through the file's imports (`nn.Linear` → `torch.nn.Linear`). */
  resolvePath(dotted: string): string {
    const [head, ...rest] = dotted.split('.');
    const bound = this.globals.get(head);
    let base: string;
    if (bound?.kind === 'module') base = bound.path;
    else if (head === 'nn') base = 'torch.nn';
    else if (head === 'F') base = 'torch.nn.functional';
    else base = head;
    return [base, ...rest].join('.');
  }

  isModuleClass(cls: ClassInfo, depth: number): boolean {
    if (depth > 16) return false;
    return cls.bases.some((base) => {
      if (TORCH_MODULE_BASES.has(this.resolvePath(base))) return true;
      if (base === 'nn.Module' || base === 'Module' || base === 'LightningModule' || base === 'nn.Sequential') return true;
      // `class TransformerModel(nn.Transformer)` (pytorch/examples' word_language_model): a built-in layer's subclass.
      const path = this.resolvePath(base);
      if (path.startsWith('torch.nn.') && TORCH_LAYERS[path.slice('torch.nn.'.length)]) return true;
      const local = this.classes.get(base);
      return local !== undefined && local !== cls && this.isModuleClass(local, depth + 1);
    });
  }

  /** The built-in layer (`torch.nn.Linear`) a class derives from, directly or through the file's classes. */
  builtinLayerBase(cls: ClassInfo, depth: number): string | undefined {
    if (depth > 16) return undefined;
    for (const base of cls.bases) {
      const path = this.resolvePath(base);
      if (path.startsWith('torch.nn.') && TORCH_LAYERS[path.slice('torch.nn.'.length)]) return path;
      const local = this.classes.get(base);
      const inherited = local !== undefined && local !== cls ? this.builtinLayerBase(local, depth + 1) : undefined;
      if (inherited) return inherited;
    }
    return undefined;
  }

  isSequentialCall(call: SyntaxNode): boolean {
    const fn = call.childForFieldName('function');
    return fn !== null && this.resolvePath(fn.text) === 'torch.nn.Sequential';
  }

  private returnsSequential(fn: SyntaxNode): boolean {
    const body = fn.childForFieldName('body');
    if (!body) return false;
    // Most functions never name Sequential (training steps, helpers): settled from the text, kept per node. Only an
    // import that renames it (`from torch.nn import Sequential as S`) makes the text say nothing.
    this.renamesSequential ??= this.root.namedChildren.some((s) => (s.type === 'import_from_statement' || s.type === 'import_statement') && /\bSequential\s+as\b/.test(s.text));
    if (!this.renamesSequential && !mentionsSequential(body)) return false;
    for (const ret of body.descendantsOfType('return_statement')) {
      const value = ret?.namedChildren[0];
      if (value?.type === 'call' && this.isSequentialCall(value)) return true;
      if (value?.type === 'identifier') {
        // `layers = [...]; return nn.Sequential(*layers)` is the common builder shape, and so is `model = nn.Sequential(...)`.
        for (const assign of body.descendantsOfType('assignment')) {
          if (assign?.childForFieldName('left')?.text === value.text) {
            const right = assign.childForFieldName('right');
            if (right?.type === 'call' && this.isSequentialCall(right)) return true;
          }
        }
      }
    }
    return false;
  }

  modelCandidates(): Candidate[] {
    return this.order;
  }

  functionalAlias(): string {
    for (const [name, v] of this.globals) if (v.kind === 'module' && v.path === 'torch.nn.functional') return name;
    for (const [name, v] of this.globals) if (v.kind === 'module' && v.path === 'torch') return name;
    return 'torch';
  }

  nnAlias(): string {
    for (const [name, v] of this.globals) if (v.kind === 'module' && v.path === 'torch.nn') return name;
    return 'torch.nn';
  }
}

/** The literals a module-level assignment records as a constant. */
const CONSTANTS = new Set(['integer', 'float', 'string', 'true', 'false']);

/** The scope of each module analysed (not imported), for the next text's `forFile` to patch. */
const fileScopes = new WeakMap<SyntaxNode, FileScope>();

/**
 * What a top-level statement defines for `FileScope`, with a key that is equal for two statements a patch can swap:
 * a class (name and bases), a function (name), or nothing at all ('inert'). Undefined for statements whose effect
 * depends on more than their own name (imports, assignments).
 */
interface Definition {
  readonly kind: 'class' | 'function' | 'inert';
  readonly name: string;
  readonly node: SyntaxNode;
  readonly key: string;
}

function definitionOf(statement: SyntaxNode, scope: FileScope): Definition | undefined {
  const def = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (!def) return undefined;
  if (def.type === 'class_definition' || def.type === 'function_definition') {
    const name = def.childForFieldName('name')?.text;
    if (!name) return undefined;
    const bases = def.type === 'class_definition' ? classParts(def)?.bases.join(',') : '';
    return bases === undefined ? undefined : { kind: def.type === 'class_definition' ? 'class' : 'function', name, node: def, key: `${def.type}:${name}(${bases})` };
  }
  if (def.type === 'import_statement' || def.type === 'import_from_statement' || def.type === 'decorated_definition') return undefined;
  if (def.type === 'expression_statement' && def.namedChildren[0]?.type === 'assignment') {
    // An assignment counts when it makes a module-level Sequential or a constant (see `scan`); others define nothing.
    const assign = def.namedChildren[0];
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (left?.type === 'pattern_list' || left?.type === 'tuple_pattern') return undefined;
    if (left?.type === 'identifier' && right && (right.type === 'call' ? scope.isSequentialCall(right) : CONSTANTS.has(right.type))) return undefined;
  }
  return { kind: 'inert', name: '', node: def, key: 'inert' };
}

const sequentialMentions = new WeakMap<SyntaxNode, boolean>();

/** Whether a function body's text names Sequential at all, once per body node. */
function mentionsSequential(body: SyntaxNode): boolean {
  let known = sequentialMentions.get(body);
  if (known === undefined) sequentialMentions.set(body, (known = body.text.includes('Sequential')));
  return known;
}

/** A boolean tagged as the default of `name`; other values, and booleans already tagged, are returned as they are. */
export function knobbed(v: Value, name: string): Value {
  if (v.kind !== 'bool' || v.knob) return v;
  return { ...v, knob: { name, value: v.value } };
}
