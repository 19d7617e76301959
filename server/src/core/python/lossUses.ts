// Which losses a PyTorch file feeds each model's outputs into: `criterion = nn.CrossEntropyLoss()` and
// `loss = criterion(model(x), y)`, `F.nll_loss(self(x), y)` in a LightningModule, a loss applied to an output that
// went through `torch.sigmoid` on the way. The model rules read the result from ModelGraph.lossUses.

import type { SyntaxNode } from '../syntax';
import type { LossInput, LossTask, LossUse, OpEdit } from '../graph';
import { type ModelRef, findModelRefs } from './modelRefs';
import { type Binding, PyScopes, callArguments, paramName, rangeOfNode } from './pyScope';
import { addedAmong, addedBy, internKey, ModuleResults, ReadIndex, StatementReads } from './statementReads';
import { clip } from '../text';
import { callIndex, mergeIndexes } from './callIndex';


interface LossKind {
  readonly expects: LossInput;
  readonly applies?: 'softmax' | 'sigmoid';
  /** The variant that takes logits, for losses that expect probabilities. */
  readonly logitsVariant?: string;
  readonly task?: LossTask;
}

/** `torch.nn.<Name>` loss modules. */
const LOSS_MODULES: Readonly<Record<string, LossKind>> = {
  CrossEntropyLoss: { task: 'classes', expects: 'logits', applies: 'softmax' },
  BCEWithLogitsLoss: { task: 'binary', expects: 'logits', applies: 'sigmoid' },
  MultiLabelSoftMarginLoss: { task: 'binary', expects: 'logits', applies: 'sigmoid' },
  NLLLoss: { task: 'classes', expects: 'log_probabilities', logitsVariant: 'CrossEntropyLoss' },
  KLDivLoss: { expects: 'log_probabilities' },
  BCELoss: { task: 'binary', expects: 'probabilities', logitsVariant: 'BCEWithLogitsLoss' },
  MSELoss: { task: 'regression', expects: 'values' },
  L1Loss: { task: 'regression', expects: 'values' },
  SmoothL1Loss: { task: 'regression', expects: 'values' },
  HuberLoss: { task: 'regression', expects: 'values' },
};

/** `torch.nn.functional.<name>` losses. */
const LOSS_FUNCTIONS: Readonly<Record<string, LossKind>> = {
  cross_entropy: { task: 'classes', expects: 'logits', applies: 'softmax' },
  binary_cross_entropy_with_logits: { task: 'binary', expects: 'logits', applies: 'sigmoid' },
  multilabel_soft_margin_loss: { task: 'binary', expects: 'logits', applies: 'sigmoid' },
  nll_loss: { task: 'classes', expects: 'log_probabilities', logitsVariant: 'cross_entropy' },
  kl_div: { expects: 'log_probabilities' },
  binary_cross_entropy: { task: 'binary', expects: 'probabilities', logitsVariant: 'binary_cross_entropy_with_logits' },
  mse_loss: { task: 'regression', expects: 'values' },
  l1_loss: { task: 'regression', expects: 'values' },
  smooth_l1_loss: { task: 'regression', expects: 'values' },
  huber_loss: { task: 'regression', expects: 'values' },
};

/** The `torch.nn` loss module a dotted path names (`torch.nn.CrossEntropyLoss`), if any. */
function lossModule(path: string): LossKind | undefined {
  return path.startsWith('torch.nn.') ? LOSS_MODULES[path.slice('torch.nn.'.length)] : undefined;
}

/** Activations the training code may apply between the model and the loss, by the function or method name. */
const TRANSFORMS: Readonly<Record<string, string>> = {
  softmax: 'softmax',
  log_softmax: 'log_softmax',
  sigmoid: 'sigmoid',
  log: 'log',
  relu: 'relu',
};

/** Methods and functions that keep the values (only the layout or dtype changes). */
const KEEPS_VALUES = new Set(['squeeze', 'unsqueeze', 'view', 'reshape', 'flatten', 'float', 'double', 'half', 'to', 'contiguous', 'cpu', 'cuda', 'permute', 'transpose', 'view_as', 'reshape_as', 'type_as', 'clone']);

/** An activation applied between the model and the loss, by the call that applies it. */
interface Transform {
  readonly op: string;
  readonly call: SyntaxNode;
  readonly functionStyle: boolean;
}

interface Trace {
  readonly model: string;
  readonly output?: number;
  readonly transforms: Transform[];
}

/** A loss a call applies, by the nodes its ranges and fix are read from when the use is reported. */
interface FoundLoss {
  readonly name: string;
  readonly kind: LossKind;
  /** The loss's callee or constructor call (its range). */
  readonly at: SyntaxNode;
  /** The callee whose last name the fix renames to the logits variant, when there is one. */
  readonly renamed?: SyntaxNode;
}

/** One loss applied to a model's output, kept as nodes so its ranges follow the statement when lines move. */
interface FoundUse {
  readonly model: string;
  readonly loss: FoundLoss;
  readonly trace: Trace;
}

/** Each top-level statement's loss uses and what they were read from; reused while those reads are unchanged. */
const statementUses = new WeakMap<SyntaxNode, { readonly reads: StatementReads; readonly uses: FoundUse[] }>();

/** Links model names to the losses their outputs go into. */
export function findLossUses(root: SyntaxNode, models: readonly { name: string }[], scopes = PyScopes.of(root)): Map<string, LossUse[]> {
  const linker = new LossLinker(scopes, models, root);
  const statements = root.type === 'module' ? root.children : [root];
  const key = internKey(`${scopes.importsKey}|${[...scopes.functions.keys()].join(',')}|${models.map((m) => m.name).join(',')}`);
  const patched = root.type === 'module' ? moduleLinks.patched(root, key, (s) => statementUses.get(s)?.uses.length === 0, (s) => {
    const known = linker.read(s, key);
    statementUses.set(s, known);
    return { reads: known.reads, empty: known.uses.length === 0 };
  }) : undefined;
  if (patched) return patched;
  // What the statements new since the last analysis bind, define and call: the reads of other statements they change.
  const added = root.type === 'module' ? addedAmong(statements, statementUses) : addedBy([]);
  const result = new Map<string, LossUse[]>();
  const keys = new Map<string, Set<string>>();
  const index = new ReadIndex();
  for (const statement of statements) {
    let known = root.type === 'module' ? statementUses.get(statement) : undefined;
    if (!known || !known.reads.unchanged(root, key, added)) {
      known = linker.read(statement, key);
      if (root.type === 'module') statementUses.set(statement, known);
    }
    known.reads.addTo(index);
    for (const found of known.uses) {
      const use = reported(found);
      const list = result.get(found.model) ?? [];
      const seen = keys.get(found.model) ?? new Set<string>();
      const text = JSON.stringify(use);
      if (!seen.has(text)) list.push(use);
      seen.add(text);
      result.set(found.model, list);
      keys.set(found.model, seen);
    }
  }
  if (root.type === 'module') moduleLinks.keep(root, key, index, result);
  return result;
}

/** Each module's links, for the next text to keep (see `ModuleResults`). */
const moduleLinks = new ModuleResults<Map<string, LossUse[]>>();

/** The use as the rules read it, with ranges and fixes read from the nodes now. */
function reported({ loss, trace }: FoundUse): LossUse {
  const transforms = trace.transforms.map((t) => {
    const remove = unwrapCall(t.call, t.functionStyle);
    return { op: t.op, range: rangeOfNode(t.call), edits: remove ? { remove } : undefined };
  });
  return {
    name: loss.name,
    expects: loss.kind.expects,
    applies: loss.kind.applies,
    range: rangeOfNode(loss.at),
    output: trace.output,
    transforms: transforms.length > 0 ? transforms.reverse() : undefined,
    expectLogits: loss.renamed ? rename(loss.renamed, loss.kind) : undefined,
    task: loss.kind.task,
  };
}

function rename(fn: SyntaxNode, kind: LossKind | undefined): OpEdit | undefined {
  if (!kind?.logitsVariant || fn.type !== 'attribute') return undefined;
  const attr = fn.childForFieldName('attribute');
  if (!attr) return undefined;
  return {
    description: `use ${kind.logitsVariant}, which takes logits`,
    edits: [{ range: rangeOfNode(attr), newText: kind.logitsVariant }],
  };
}

/**
 * Replaces a call with what it was applied to: a function or module call keeps its first argument
 * (`F.softmax(x, dim=1)` → `x`, `self.act(x)` → `x`), a tensor method keeps its receiver (`x.softmax(1)` → `x`).
 */
export function unwrapCall(call: SyntaxNode, functionStyle: boolean): OpEdit | undefined {
  const fn = call.childForFieldName('function');
  const { args } = callArguments(call);
  const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  const keep = functionStyle ? args[0] : receiver;
  if (!keep || keep.type === 'list_splat' || keep.type === 'dictionary_splat') return undefined;
  return {
    description: `replace \`${clip(call.text, 60)}\` with \`${clip(keep.text, 60)}\``,
    edits: [{ range: rangeOfNode(call), newText: keep.text }],
  };
}

class LossLinker {
  private readonly refs: ModelRef;
  /** canHoldLoss's answers: the binding that makes a name a possible loss, or null. */
  private readonly holders = new Map<string, Binding | null>();
  /** The file's calls by callee text, merged the first time a loss is looked for at a function's callers. */
  private callsByCallee?: Map<string, SyntaxNode[]>;
  /** What reading the current statement looked at outside it. */
  private reads!: StatementReads;

  constructor(private readonly scopes: PyScopes, models: readonly { name: string }[], private readonly root: SyntaxNode) {
    this.refs = findModelRefs(models);
  }

  /** The loss uses of one top-level statement's calls, in source order, and what finding them read. */
  read(statement: SyntaxNode, key: string): { readonly reads: StatementReads; readonly uses: FoundUse[] } {
    this.reads = new StatementReads(this.scopes, statement, key);
    // Most callees (`self.fc1`, `F.relu`, `x.view`) can never be a loss; each distinct callee is judged once, and
    // only the calls through a possible one are followed.
    const candidates: SyntaxNode[] = [];
    for (const [callee, calls] of callIndex(statement).byCallee) if (this.mayBeLoss(callee, calls[0])) candidates.push(...calls);
    candidates.sort((a, b) => a.startIndex - b.startIndex);
    const uses: FoundUse[] = [];
    for (const call of candidates) {
      const loss = this.lossOf(call);
      if (!loss) continue;
      const { args, kwargs } = callArguments(call);
      const input = args[0] ?? kwargs.get('input');
      const trace = input ? this.trace(input, call, 0) : undefined;
      if (trace) uses.push({ model: trace.model, loss, trace });
    }
    return { reads: this.reads, uses };
  }

  private noteNode(node: SyntaxNode): void {
    this.reads.note(node);
  }

  private lookup(name: string, at: SyntaxNode): Binding | undefined {
    return this.reads.lookup(name, at);
  }

  private lookupSelf(attr: string, at: SyntaxNode): Binding | undefined {
    return this.reads.lookupSelf(attr, at);
  }

  /**
   * Whether some assignment binds `name` (`criterion` anywhere in the module, `self.loss_fn` in the class of `at`) to
   * a loss module or to another name (an alias that may lead to one). A call through any other name cannot be a
   * loss, so it is not looked up: most calls in a file (`self.fc1(x)`, `model(x)`) are settled without a lookup.
   */
  private canHoldLoss(name: string, at: SyntaxNode): boolean {
    const test = (value: SyntaxNode) => {
      if (value.type === 'identifier' || value.type === 'attribute') return true;
      // A loss built by a helper: `criterion = make_criterion()`.
      if (value.type === 'call' && this.scopes.functions.has(value.childForFieldName('function')?.text ?? '')) return true;
      return value.type === 'call' && lossModule(this.scopes.resolvePath(value.childForFieldName('function')?.text ?? '')) !== undefined;
    };
    // `self.<attr>` is the class's own: lossOf reads it with lookupSelf, so only the class's assignments count.
    if (name.startsWith('self.')) {
      const holder = this.scopes.firstBoundSelf(name.slice('self.'.length), at, test);
      if (holder) this.noteNode(holder.value);
      return holder !== undefined;
    }
    let holder = this.holders.get(name);
    if (holder === undefined) this.holders.set(name, (holder = this.scopes.firstBound(name, test) ?? null));
    this.reads.noteName(name);
    if (holder) this.noteNode(holder.value);
    return holder !== null;
  }

  /** Whether calls written with this callee can be losses (a superset of the calls lossOf accepts). */
  private mayBeLoss(callee: string, sample: SyntaxNode): boolean {
    const fn = sample.childForFieldName('function');
    if (!fn) return false;
    // A functional loss by any spelling (`F.cross_entropy`, `cross_entropy` imported from torch.nn.functional).
    const path = this.scopes.resolvePath(callee);
    if (path.startsWith('torch.nn.functional.') && LOSS_FUNCTIONS[path.slice('torch.nn.functional.'.length)] !== undefined) return true;
    // A loss module called at once (`nn.MSELoss()(…)`), or a name bound to one; any other callee is not a loss.
    if (fn.type === 'call') return true;
    if (fn.type === 'identifier' && this.scopes.isParameter(callee, sample)) return true;
    return (fn.type === 'identifier' || (fn.type === 'attribute' && fn.childForFieldName('object')?.text === 'self')) && this.canHoldLoss(callee, sample);
  }

  /** The loss a call applies, when it is one: `criterion(...)`, `nn.MSELoss()(...)`, `F.cross_entropy(...)`. */
  private lossOf(call: SyntaxNode): FoundLoss | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const path = this.scopes.resolvePath(fn.text);
    if (path.startsWith('torch.nn.functional.')) {
      const name = path.slice('torch.nn.functional.'.length);
      const kind = LOSS_FUNCTIONS[name];
      if (!kind) return undefined;
      return { name: `F.${name}`, kind, at: fn, renamed: fn };
    }
    const ctor = this.constructorOf(fn, call, 0);
    if (!ctor) return undefined;
    const ctorFn = ctor.childForFieldName('function')!;
    const name = this.scopes.resolvePath(ctorFn.text).slice('torch.nn.'.length);
    return { name, kind: LOSS_MODULES[name], at: ctor, renamed: ctorFn };
  }

  /** The `nn.<Loss>(...)` call an expression evaluates to. */
  private constructorOf(expr: SyntaxNode, at: SyntaxNode, depth: number): SyntaxNode | undefined {
    if (depth > 8) return undefined;
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      if (!fn) return undefined;
      if (lossModule(this.scopes.resolvePath(fn.text))) return expr;
      // A helper that builds the loss: what its returns evaluate to.
      if (fn.type === 'identifier') this.reads.noteName(fn.text);
      for (const def of fn.type === 'identifier' ? this.scopes.functions.get(fn.text) ?? [] : []) {
        this.noteNode(def);
        for (const ret of def.descendantsOfType('return_statement')) {
          const value = ret.namedChildren[0];
          const found = value ? this.constructorOf(value, value, depth + 1) : undefined;
          if (found) return found;
        }
      }
      return undefined;
    }
    if (expr.type === 'identifier') {
      const b = this.lookup(expr.text, at);
      if (b) return b.index === undefined && !b.loop ? this.constructorOf(b.value, b.value, depth + 1) : undefined;
      return this.constructorFromCallers(expr.text, at, depth);
    }
    if (expr.type === 'attribute' && expr.childForFieldName('object')?.text === 'self') {
      const b = this.lookupSelf(expr.childForFieldName('attribute')?.text ?? '', at);
      return b ? this.constructorOf(b.value, b.value, depth + 1) : undefined;
    }
    return undefined;
  }

  /**
   * A loss handed in as a parameter (`def train_epoch(model, loader, criterion)`): the loss the callers of that
   * function pass in that position, when one of them passes one.
   */
  private constructorFromCallers(name: string, at: SyntaxNode, depth: number): SyntaxNode | undefined {
    const def = this.scopes.isParameter(name, at);
    const defName = def?.childForFieldName('name')?.text;
    if (!def || !defName) return undefined;
    const index = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type !== 'comment').findIndex((p) => paramName(p) === name);
    // The callers, from the statements' call indexes (kept with each statement across edits), not a walk of the file.
    this.callsByCallee ??= mergeIndexes((this.root.type === 'module' ? this.root.children : [this.root]).map((statement) => callIndex(statement).byCallee));
    this.reads.noteCallee(defName);
    for (const call of this.callsByCallee.get(defName) ?? []) {
      this.noteNode(call);
      const { args, kwargs } = callArguments(call);
      const arg = kwargs.get(name) ?? args[index];
      const found = arg ? this.constructorOf(arg, call, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** Follows an expression back to a model's output, collecting the activations applied on the way. */
  private trace(expr: SyntaxNode, at: SyntaxNode, depth: number): Trace | undefined {
    if (depth > 12) return undefined;
    switch (expr.type) {
      case 'parenthesized_expression': {
        const inner = expr.namedChildren[0];
        return inner ? this.trace(inner, at, depth + 1) : undefined;
      }
      case 'identifier': {
        const b = this.lookup(expr.text, at);
        if (!b || b.loop) return undefined;
        const inner = this.trace(b.value, b.value, depth + 1);
        if (!inner || b.index === undefined) return inner;
        return inner.output === undefined ? { ...inner, output: b.index } : undefined;
      }
      case 'subscript': {
        const value = expr.childForFieldName('value');
        const index = expr.childForFieldName('subscript');
        if (!value || !index) return undefined;
        // Slicing a tensor (`out[:, -1]`) keeps its values; an integer picks one of several outputs.
        if (index.type !== 'integer') return this.trace(value, at, depth + 1);
        const inner = this.trace(value, at, depth + 1);
        return inner && inner.output === undefined ? { ...inner, output: Number(index.text) } : undefined;
      }
      case 'call': {
        const model = this.modelCalled(expr, at);
        if (model) return { model, transforms: [] };
        const fn = expr.childForFieldName('function');
        if (!fn) return undefined;
        const { args } = callArguments(expr);
        const path = this.scopes.resolvePath(fn.text);
        const last = path.split('.').pop() ?? '';
        const isFunction = /^torch(\.nn\.functional)?\.[a-z_]+$/.test(path);
        const receiver = !isFunction && fn.type === 'attribute' ? fn.childForFieldName('object') : undefined;
        const operand = isFunction ? args[0] : receiver;
        if (!operand) return undefined;
        if (KEEPS_VALUES.has(last)) return this.trace(operand, at, depth + 1);
        const op = TRANSFORMS[last];
        const inner = this.trace(operand, at, depth + 1);
        if (!inner) return undefined;
        inner.transforms.push({ op: op ?? 'opaque', call: expr, functionStyle: isFunction });
        return inner;
      }
      default:
        return undefined;
    }
  }

  /** The model a call runs, when its callee is a model: `model(x)`, `self(x)`, `self.net(x)`, `model.forward(x)`. */
  private modelCalled(call: SyntaxNode, at: SyntaxNode): string | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'forward') {
      const object = fn.childForFieldName('object');
      return object ? this.refs.resolve(object, at, this.reads.queries) : undefined;
    }
    if (fn.type !== 'identifier' && fn.type !== 'attribute') return undefined;
    return this.refs.resolve(fn, at, this.reads.queries);
  }
}
