// The PyTorch frontend: finds the models in a Python syntax tree (nn.Module subclasses, module-level
// nn.Sequential values and functions that return one) and interprets their constructors and forward passes
// abstractly into model graphs. It never throws: what it does not understand becomes an opaque op and a hint.

import type { SyntaxNode } from '../syntax';
import type {
  ActivationInsertion,
  AttrValue,
  BranchAlternative,
  FrontendProblem,
  GraphNode,
  LayerDecl,
  LossUse,
  ModelGraph,
  Range,
  TextEdit,
} from '../graph';
import { MAX_ALTERNATIVES } from '../graph';
import { arithmetic, pythonLiteral } from '../abstractValues';
import { type MutableNode, type NodeDraft } from '../mutableNode';
import { Ops } from '../ops';
import { hashText } from '../hash';
import { type ImportContext, KNOWN_LIBRARIES, MODEL_LIBRARIES, ModuleLoader } from '../imports';
import { annotatePytorchGraph } from './annotateGraph';
import { findLossUses } from './lossUses';
import { type Env as EnvOf, type Flow as FlowOf, MAX_UNROLL, PythonInterpreter, classParts, fullLines, rangeOf, referencedOutsideInit } from './interpreter';
import { PyScopes } from './pyScope';
import { ModuleDependencies, topStatement } from './statementDeps';
import { clip } from '../text';
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
  type Knob,
  type Layer,
  type ScalarForm,
  type SequentialLayer,
  Value,
} from './values';

/** Nested constructor and call depth; self-referencing modules stop here. */
const MAX_DEPTH = 24;
/** Ops per model; past this the interpretation stops with a hint. */
const MAX_NODES = 5000;
/** Statements and calls interpreted per model: bounds the work on any input, however it branches. */
const MAX_STEPS = 200_000;

export interface PythonExtraction {
  readonly models: ModelGraph[];
  readonly problems: FrontendProblem[];
}

/**
 * Graphs of the last analysis of the same document by dependency key (see statementDeps.ts), and the map this
 * analysis fills for the next one. A model whose key is unchanged is not interpreted again.
 */
export interface ExtractionMemo {
  readonly previous: ReadonlyMap<string, ModelGraph>;
  readonly next: Map<string, ModelGraph>;
}

/** Extracts every PyTorch model in a parsed Python module. */
export function extractPytorch(root: SyntaxNode, imports?: ImportContext, memo?: ExtractionMemo): PythonExtraction {
  const modules = new ImportedModules(imports);
  try {
    return extractWith(root, modules, memo);
  } finally {
    modules.dispose();
  }
}

function candidateNode(candidate: Candidate): SyntaxNode {
  return candidate.kind === 'class' ? candidate.cls.node : candidate.node;
}

function extractWith(root: SyntaxNode, modules: ImportedModules, memo?: ExtractionMemo): PythonExtraction {
  const file = new FileScope(root, modules);
  // A file that looked into the workspace for its imports is read afresh: those files may have changed.
  const deps = memo && !modules.consulted ? new ModuleDependencies(root) : undefined;
  const keys: (string | undefined)[] = [];
  const reused: boolean[] = [];
  const models: ModelGraph[] = [];
  for (const candidate of file.modelCandidates()) {
    // The candidate itself heads the key: two models can read the very same statements (classes that mention
    // each other through module-level code) and must still not share a graph.
    const closure = deps?.keyFor(topStatement(candidateNode(candidate)));
    const key = closure === undefined ? undefined : `${candidateNode(candidate).id}|${closure}`;
    const known = key !== undefined ? memo?.previous.get(key) : undefined;
    keys.push(key);
    reused.push(known !== undefined);
    models.push(known ?? interpretWithAlternatives(file, candidate));
  }
  if (models.length === 0) return { models, problems: [] };
  try {
    // How each op is written (for the rules and their fixes), and which losses the training code feeds.
    const scopes = PyScopes.of(root);
    const losses = findLossUses(root, models, scopes);
    const annotated = models.map((m, i) => (reused[i] ? m : annotatePytorchGraph(root, m, scopes)));
    keys.forEach((key, i) => key !== undefined && memo?.next.set(key, annotated[i]));
    return { models: annotated.map((m) => (losses.has(m.name) ? withLosses(m, losses.get(m.name)!) : m)), problems: [] };
  } catch {
    return { models, problems: [] };
  }
}

/** A graph with the losses its outputs feed; the same object again while graph and losses are unchanged. */
const lossesAdded = new WeakMap<ModelGraph, { readonly key: string; readonly graph: ModelGraph }>();

function withLosses(graph: ModelGraph, uses: LossUse[]): ModelGraph {
  const key = JSON.stringify(uses);
  const known = lossesAdded.get(graph);
  if (known?.key === key) return known.graph;
  const result = { ...graph, losses: uses.map((u) => u.name), lossUses: uses };
  lossesAdded.set(graph, { key, graph: result });
  return result;
}

type Candidate =
  | { kind: 'class'; cls: ClassInfo }
  | { kind: 'value'; name: string; node: SyntaxNode; valueNode: SyntaxNode }
  | { kind: 'function'; name: string; node: SyntaxNode };

const TORCH_MODULE_BASES = new Set(['torch.nn.Module', 'torch.nn.modules.module.Module', 'pytorch_lightning.LightningModule', 'lightning.LightningModule', 'lightning.pytorch.LightningModule']);

/**
 * The workspace modules one extraction follows through imports, loaded by the loader Keras and TF.js use too, and
 * which file each of their roots is, so ops written there can be shown at the call that runs them.
 */
/** Tensor methods that are an arithmetic operator spelt as a call (`a.mul(b)` is `a * b`), by their operator. */
const ARITHMETIC_METHODS: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/' };

class ImportedModules {
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
class FileScope {
  readonly globals = new Map<string, Value>();
  readonly classes = new Map<string, ClassInfo>();
  readonly functions = new Map<string, SyntaxNode>();
  private readonly order: Candidate[] = [];

  /** Names imported from modules Model Audit cannot see, with the module they come from. */
  readonly external = new Map<string, string>();

  constructor(
    readonly root: SyntaxNode,
    readonly modules: ImportedModules = new ImportedModules(undefined),
    /** The file's path when it is an imported module, not the file being analysed. */
    readonly origin?: string,
  ) {
    for (const stmt of root.namedChildren) this.scan(stmt);
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
    // The module's own classes and aliases, so its code can name its base classes and `nn` as it does at home.
    for (const [name, cls] of scope.classes) if (!this.classes.has(name)) this.classes.set(name, cls);
    for (const [name, value] of scope.globals) if (!this.globals.has(name) && value.kind === 'module') this.globals.set(name, value);
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
        } else if (right.type === 'integer' || right.type === 'float' || right.type === 'string' || right.type === 'true' || right.type === 'false') {
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

  private addClass(node: SyntaxNode): void {
    const parts = classParts(node);
    if (!parts) return;
    const { name, bases, methods } = parts;
    const cls: ClassInfo = { name, node, bases, methods, ...(this.origin ? { origin: this.origin } : {}) };
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
      const local = this.classes.get(base);
      return local !== undefined && local !== cls && this.isModuleClass(local, depth + 1);
    });
  }

  isSequentialCall(call: SyntaxNode): boolean {
    const fn = call.childForFieldName('function');
    return fn !== null && this.resolvePath(fn.text) === 'torch.nn.Sequential';
  }

  private returnsSequential(fn: SyntaxNode): boolean {
    const body = fn.childForFieldName('body');
    if (!body) return false;
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

const literal: (node: SyntaxNode) => Value = pythonLiteral;

type Env = EnvOf<Value>;
type Flow = FlowOf<Value>;

class StopInterpretation extends Error {}

/** Interprets one model: its constructor, then its forward pass. */
class ModelInterpreter extends PythonInterpreter<Value> {
  protected readonly unknown = Value.unknown;
  protected readonly none = Value.none;
  readonly nodes: MutableNode[] = [];
  readonly problems: FrontendProblem[] = [];
  private depth = 0;
  /** Set while interpreting a call made directly from the model's own forward. */
  private site: MutableNode['site'];
  private forwardDepth = 0;
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
  private knob(v: Value, name: string): Value {
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
  private foreign?: { readonly path: string; readonly site: Range };

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
  private readonly constructing = new Set<ClassInfo>();

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
        if (attr === 'T' || attr === 'mT') {
          return { kind: 'tensor', node: this.emit({ op: 'transpose', inputs: [owner.node], attrs: {}, range: rangeOf(node) }) };
        }
        return Value.unknown;
      default:
        return Value.unknown;
    }
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

  private findMethod(cls: ClassInfo, name: string, depth: number): SyntaxNode | undefined {
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

  /** Python slice bounds `a:b:c` over a sequence of `length`, or undefined when one is not a known number. */
  private sliceBounds(slice: SyntaxNode, env: Env, length: number): { start: number; stop: number; step: number } | undefined {
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
    if (a === undefined || b === undefined || c === undefined) return undefined;
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
    if (tensor && other.kind === 'param') return this.matmul(a, b, range);
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
  private scalarSqrt(arg: Value, argNode: SyntaxNode | undefined): Value {
    if (arg.kind !== 'num' && arg.kind !== 'sym') return Value.unknown;
    const form = arg.form ?? (scalarName(argNode, arg) !== undefined ? { base: scalarName(argNode, arg)!, exponent: 1 } : undefined);
    const value = arg.kind === 'num' && arg.value >= 0 ? Math.sqrt(arg.value) : undefined;
    if (!form) return value === undefined ? Value.unknown : { kind: 'num', value };
    return withForm(value, { base: form.base, exponent: form.exponent * 0.5 });
  }

  private matmul(a: Value, b: Value, range: Range): Value {
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
        if (v.kind === 'list' || v.kind === 'tuple') args.push(...v.items);
        else args.push(Value.unknown);
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
      case 'class':
        return this.instantiate(callee.cls, args, kwargs, range);
      case 'function':
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
    if (!baseInit || this.depth >= MAX_DEPTH) return;
    const call = first.namedChildren[0];
    const { args, kwargs } = this.evalArguments(call?.childForFieldName('arguments') ?? null, env);
    this.depth++;
    try {
      this.invoke(baseInit, args, kwargs, self);
    } finally {
      this.depth--;
    }
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
    if (layer.tiedTo?.path) attrs.tied_to = layer.tiedTo.path;
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

/** A branch on a configuration value, met while interpreting the model with its defaults. */
type BranchPoint =
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
interface Overrides {
  /** The knob (by name) whose defaults are set to this value where they are written. */
  readonly knob?: { readonly name: string; readonly value: boolean };
  /** Conditions whose value is not known (by their text, `cfg.residual`), given a truth. */
  readonly truths?: ReadonlyMap<string, boolean>;
}

/** A boolean tagged as the default of `name`; other values, and booleans already tagged, are returned as they are. */
function knobbed(v: Value, name: string): Value {
  if (v.kind !== 'bool' || v.knob) return v;
  return { ...v, knob: { name, value: v.value } };
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

/** Square roots of a scalar, as the common libraries spell them. */
const SCALAR_SQRT = new Set(['math.sqrt', 'numpy.sqrt', 'torch.sqrt', 'np.sqrt']);

function firstArgument(call: SyntaxNode): SyntaxNode | undefined {
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


function fnOwner(fn: SyntaxNode): string | undefined {
  let node: SyntaxNode | null = fn.parent;
  while (node && node.type !== 'class_definition') node = node.parent;
  return node?.childForFieldName('name')?.text;
}

function dimAttr(v: AttrValue | undefined): AttrValue {
  return v === undefined ? '?' : v;
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


/** Assigns attribute paths to every layer reachable from the root instance, breadth first, first path wins. */
function assignPaths(root: Layer): void {
  const queue: [Layer, string][] = [[root, '']];
  const seen = new Set<Layer>();
  while (queue.length > 0) {
    const [layer, path] = queue.shift()!;
    if (seen.has(layer)) continue;
    seen.add(layer);
    if (path && layer.path === undefined) layer.path = path;
    const prefix = path ? `${path}.` : '';
    switch (layer.kind) {
      case 'instance':
        for (const [name, v] of layer.attrs) {
          if (v.kind === 'layer') queue.push([v.layer, `${prefix}${name}`]);
          else if (v.kind === 'param' && !v.name) layer.attrs.set(name, { ...v, name: `${prefix}${name}` });
          else if (v.kind === 'list' || v.kind === 'tuple') v.items.forEach((item, i) => item.kind === 'layer' && queue.push([item.layer, `${prefix}${name}.${i}`]));
        }
        break;
      case 'sequential':
        layer.items.forEach((item, i) => queue.push([item, `${prefix}${layer.keys[i] ?? i}`]));
        break;
      case 'modulelist':
        layer.items.forEach((item, i) => queue.push([item, `${prefix}${i}`]));
        break;
      case 'moduledict':
        for (const [k, item] of layer.entries) queue.push([item, `${prefix}${k}`]);
        break;
      default:
        break;
    }
  }
}

/** The layers built in constructors (`self.x = nn.Linear(...)`), with where each was assigned. */
function collectDecls(root: Layer): LayerDecl[] {
  const decls: LayerDecl[] = [];
  const seen = new Set<Layer>();
  const visit = (layer: Layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.kind === 'instance') {
      for (const [name, v] of layer.attrs) {
        if (v.kind !== 'layer') continue;
        const where = layer.assignRanges.get(name);
        const child = v.layer;
        if (where && child.path && !seen.has(child)) {
          decls.push({
            layerId: child.path,
            module: child.path,
            op: child.kind === 'builtin' ? child.op : child.kind === 'instance' ? child.cls.name : child.kind,
            category: child.kind === 'builtin' ? Ops.category(child.op) : 'other',
            range: where.range,
            removal: { range: fullLines(where.lineRange), newText: '' },
            referenced: referencedOutsideInit(layer.cls, name),
          });
        }
        visit(child);
      }
    } else if (layer.kind === 'sequential' || layer.kind === 'modulelist') {
      layer.items.forEach(visit);
    } else if (layer.kind === 'moduledict') {
      for (const item of layer.entries.values()) visit(item);
    }
  };
  visit(root);
  return decls;
}

/**
 * The model with its defaults (the graph every rule reads), plus the model in each other configuration its code
 * branches on: a boolean default flipped (`use_bn=False`), or, for a condition whose value is not known, each branch
 * the default run did not take. An alternative that computes the same ops as the default is left out.
 */
function interpretWithAlternatives(file: FileScope, candidate: Candidate): ModelGraph {
  const { graph, branches } = interpretModel(file, candidate);
  if (branches.length === 0 || graph.outputs.length === 0) return graph;
  const ordered = [...branches.filter((b) => b.kind === 'knob'), ...branches.filter((b) => b.kind === 'unknown')].slice(0, MAX_ALTERNATIVES);
  const main = structureKey(graph);
  const alternatives: BranchAlternative[] = [];
  for (const branch of ordered) {
    const alt = interpretModel(file, candidate, branch.kind === 'knob' ? { knob: { name: branch.knob.name, value: !branch.knob.value } } : { truths: branch.truths }).graph;
    if (alt.outputs.length === 0 || structureKey(alt) === main) continue;
    const py = (b: boolean) => (b ? 'True' : 'False');
    const labels = branch.kind === 'knob'
      ? { assumed: `${branch.name}=${py(branch.knob.value)}`, when: `${branch.name}=${py(!branch.knob.value)}`, known: true }
      : { assumed: branch.assumed, when: branch.when, known: false };
    alternatives.push({ condition: branch.condition, ...labels, range: branch.range, nodes: alt.nodes, outputs: alt.outputs });
  }
  return alternatives.length > 0 ? { ...graph, alternatives } : graph;
}

/** What an equation is built from: ops, wiring, hyperparameters and modules, without source positions. */
function structureKey(graph: ModelGraph): string {
  return JSON.stringify([graph.outputs, graph.nodes.map((n) => [n.op, n.inputs, n.attrs, n.module ?? '', n.label ?? ''])]);
}

function interpretModel(file: FileScope, candidate: Candidate, overrides?: Overrides): { graph: ModelGraph; branches: readonly BranchPoint[] } {
  const interp = new ModelInterpreter(file, overrides);
  let name: string;
  let defNode: SyntaxNode;
  let nameNode: SyntaxNode | null;
  let outputs: number[] = [];
  let layers: LayerDecl[] = [];
  switch (candidate.kind) {
    case 'class':
      name = candidate.cls.name;
      defNode = candidate.cls.node;
      nameNode = defNode.childForFieldName('name');
      break;
    case 'value':
      name = candidate.name;
      defNode = candidate.node;
      nameNode = candidate.node.namedChildren[0]?.childForFieldName('left') ?? null;
      break;
    case 'function':
      name = candidate.name;
      defNode = candidate.node;
      nameNode = defNode.childForFieldName('name');
      break;
  }
  const nameRange = nameNode ? rangeOf(nameNode) : rangeOf(defNode);
  try {
    let root: Value;
    if (candidate.kind === 'class') {
      root = interp.instantiate(candidate.cls, [], new Map(), nameRange);
    } else if (candidate.kind === 'value') {
      root = interp.eval(candidate.valueNode, new Map());
    } else {
      interp.rootFunction = candidate.node;
      root = interp.invoke(candidate.node, [], new Map(), undefined);
    }
    if (root.kind === 'layer') {
      assignPaths(root.layer);
      if (root.layer.kind === 'instance') layers = collectDecls(root.layer);
      const out = interp.runForward(root.layer, root.layer.kind === 'instance' ? root.layer : undefined, nameRange);
      outputs = tensorsOf(out);
    } else {
      interp.hint(`Model Audit could not build \`${name}\`.`, nameRange);
    }
  } catch (error) {
    const message = error instanceof StopInterpretation ? error.message : `the extractor stopped early (${error instanceof Error ? error.message : String(error)})`;
    interp.hint(`\`${name}\`: ${message}.`, nameRange);
  }
  const nodes = interp.nodes as GraphNode[];
  const graph: ModelGraph = {
    name,
    framework: 'pytorch',
    range: rangeOf(defNode),
    nameRange,
    nodes,
    inputs: nodes.filter((n) => n.category === 'input').map((n) => n.id),
    outputs,
    layers,
    problems: dedupeProblems(interp.problems),
    textKey: hashText(defNode.text),
  };
  return { graph, branches: interp.branches };
}

function tensorsOf(v: Value): number[] {
  if (v.kind === 'tensor') return [v.node];
  if (v.kind === 'tuple' || v.kind === 'list') return v.items.flatMap(tensorsOf);
  if (v.kind === 'dict') return [...v.entries.values()].flatMap(tensorsOf);
  return [];
}

function dedupeProblems(problems: FrontendProblem[]): FrontendProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.range.start.line}:${p.range.start.character}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
