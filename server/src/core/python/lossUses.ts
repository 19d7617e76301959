// Which losses a PyTorch file feeds each model's outputs into: `criterion = nn.CrossEntropyLoss()` and
// `loss = criterion(model(x), y)`, `F.nll_loss(self(x), y)` in a LightningModule, a loss applied to an output that
// went through `torch.sigmoid` on the way. The model rules read the result from ModelGraph.lossUses.

import type { SyntaxNode } from '../syntax';
import type { LossInput, LossTask, LossUse, NodeEdits, OpEdit, Range } from '../graph';
import { type ModelRef, findModelRefs } from './modelRefs';
import { PyScopes, callArguments, paramName, rangeOfNode } from './pyScope';
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

interface Trace {
  readonly model: string;
  readonly output?: number;
  readonly transforms: { op: string; range: Range; edits?: NodeEdits }[];
}

/** Links model names to the losses their outputs go into. */
export function findLossUses(root: SyntaxNode, models: readonly { name: string }[], scopes = PyScopes.of(root)): Map<string, LossUse[]> {
  const linker = new LossLinker(scopes, models, root);
  const result = new Map<string, LossUse[]>();
  // Most callees (`self.fc1`, `F.relu`, `x.view`) can never be a loss; each distinct callee of a statement is
  // judged once, and only the calls through a possible one are followed.
  const candidates: SyntaxNode[] = [];
  const judged = new Map<string, boolean>();
  for (const statement of root.type === 'module' ? root.children : [root]) {
    for (const [callee, calls] of callIndex(statement).byCallee) {
      let maybe = judged.get(callee);
      if (maybe === undefined) judged.set(callee, (maybe = linker.mayBeLoss(callee, calls[0])));
      if (maybe) for (const call of calls) candidates.push(call);
    }
  }
  candidates.sort((a, b) => a.startIndex - b.startIndex);
  for (const call of candidates) {
    const loss = linker.lossOf(call);
    if (!loss) continue;
    const { args, kwargs } = callArguments(call);
    const input = args[0] ?? kwargs.get('input');
    if (!input) continue;
    const trace = linker.trace(input, call, 0);
    if (!trace) continue;
    const use: LossUse = {
      name: loss.name,
      expects: loss.kind.expects,
      applies: loss.kind.applies,
      range: loss.range,
      output: trace.output,
      transforms: trace.transforms.length > 0 ? [...trace.transforms].reverse() : undefined,
      expectLogits: loss.expectLogits,
      task: loss.kind.task,
    };
    const list = result.get(trace.model) ?? [];
    const key = JSON.stringify(use);
    if (!list.some((u) => JSON.stringify(u) === key)) list.push(use);
    result.set(trace.model, list);
  }
  return result;
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
  private mayHoldLoss?: ReadonlySet<string>;
  /** The file's calls by callee text, merged the first time a loss is looked for at a function's callers. */
  private callsByCallee?: Map<string, SyntaxNode[]>;

  constructor(private readonly scopes: PyScopes, models: readonly { name: string }[], private readonly root: SyntaxNode) {
    this.refs = findModelRefs(models);
  }

  /**
   * Names (`criterion`, `self.loss_fn`) that some assignment binds to a loss module or to another name (an alias that
   * may lead to one). A call through any other name cannot be a loss, so it is not looked up: most calls in a file
   * (`self.fc1(x)`, `model(x)`) are settled without a scope lookup.
   */
  private canHoldLoss(name: string): boolean {
    this.mayHoldLoss ??= this.scopes.namesBound((value) => {
      if (value.type === 'identifier' || value.type === 'attribute') return true;
      // A loss built by a helper: `criterion = make_criterion()`.
      if (value.type === 'call' && this.scopes.functions.has(value.childForFieldName('function')?.text ?? '')) return true;
      return value.type === 'call' && lossModule(this.scopes.resolvePath(value.childForFieldName('function')?.text ?? '')) !== undefined;
    });
    return this.mayHoldLoss.has(name);
  }

  /** Whether calls written with this callee can be losses (a superset of the calls lossOf accepts). */
  mayBeLoss(callee: string, sample: SyntaxNode): boolean {
    const fn = sample.childForFieldName('function');
    if (!fn) return false;
    // A functional loss by any spelling (`F.cross_entropy`, `cross_entropy` imported from torch.nn.functional).
    const path = this.scopes.resolvePath(callee);
    if (path.startsWith('torch.nn.functional.') && LOSS_FUNCTIONS[path.slice('torch.nn.functional.'.length)] !== undefined) return true;
    // A loss module called at once (`nn.MSELoss()(…)`), or a name bound to one; any other callee is not a loss.
    if (fn.type === 'call') return true;
    if (fn.type === 'identifier' && this.scopes.isParameter(callee, sample)) return true;
    return (fn.type === 'identifier' || (fn.type === 'attribute' && fn.childForFieldName('object')?.text === 'self')) && this.canHoldLoss(callee);
  }

  /** The loss a call applies, when it is one: `criterion(...)`, `nn.MSELoss()(...)`, `F.cross_entropy(...)`. */
  lossOf(call: SyntaxNode): { name: string; kind: LossKind; range: Range; expectLogits?: OpEdit } | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const path = this.scopes.resolvePath(fn.text);
    if (path.startsWith('torch.nn.functional.')) {
      const name = path.slice('torch.nn.functional.'.length);
      const kind = LOSS_FUNCTIONS[name];
      if (!kind) return undefined;
      return { name: `F.${name}`, kind, range: rangeOfNode(fn), expectLogits: this.rename(fn, kind) };
    }
    const ctor = this.constructorOf(fn, call, 0);
    if (!ctor) return undefined;
    const ctorFn = ctor.childForFieldName('function')!;
    const name = this.scopes.resolvePath(ctorFn.text).slice('torch.nn.'.length);
    return { name, kind: LOSS_MODULES[name], range: rangeOfNode(ctor), expectLogits: this.rename(ctorFn, LOSS_MODULES[name]) };
  }

  /** The `nn.<Loss>(...)` call an expression evaluates to. */
  private constructorOf(expr: SyntaxNode, at: SyntaxNode, depth: number): SyntaxNode | undefined {
    if (depth > 8) return undefined;
    if (expr.type === 'call') {
      const fn = expr.childForFieldName('function');
      if (!fn) return undefined;
      if (lossModule(this.scopes.resolvePath(fn.text))) return expr;
      // A helper that builds the loss: what its returns evaluate to.
      for (const def of fn.type === 'identifier' ? this.scopes.functions.get(fn.text) ?? [] : []) {
        for (const ret of def.descendantsOfType('return_statement')) {
          const value = ret.namedChildren[0];
          const found = value ? this.constructorOf(value, value, depth + 1) : undefined;
          if (found) return found;
        }
      }
      return undefined;
    }
    if (expr.type === 'identifier') {
      const b = this.scopes.lookup(expr.text, at);
      if (b) return b.index === undefined && !b.loop ? this.constructorOf(b.value, b.value, depth + 1) : undefined;
      return this.constructorFromCallers(expr.text, at, depth);
    }
    if (expr.type === 'attribute' && expr.childForFieldName('object')?.text === 'self') {
      const b = this.scopes.lookupSelf(expr.childForFieldName('attribute')?.text ?? '', at);
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
    for (const call of this.callsByCallee.get(defName) ?? []) {
      const { args, kwargs } = callArguments(call);
      const arg = kwargs.get(name) ?? args[index];
      const found = arg ? this.constructorOf(arg, call, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  private rename(fn: SyntaxNode, kind: LossKind | undefined): OpEdit | undefined {
    if (!kind?.logitsVariant || fn.type !== 'attribute') return undefined;
    const attr = fn.childForFieldName('attribute');
    if (!attr) return undefined;
    return {
      description: `use ${kind.logitsVariant}, which takes logits`,
      edits: [{ range: rangeOfNode(attr), newText: kind.logitsVariant }],
    };
  }

  /** Follows an expression back to a model's output, collecting the activations applied on the way. */
  trace(expr: SyntaxNode, at: SyntaxNode, depth: number): Trace | undefined {
    if (depth > 12) return undefined;
    switch (expr.type) {
      case 'parenthesized_expression': {
        const inner = expr.namedChildren[0];
        return inner ? this.trace(inner, at, depth + 1) : undefined;
      }
      case 'identifier': {
        const b = this.scopes.lookup(expr.text, at);
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
        const remove = unwrapCall(expr, isFunction);
        inner.transforms.push({ op: op ?? 'opaque', range: rangeOfNode(expr), edits: remove ? { remove } : undefined });
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
      return object ? this.refs.resolve(object, at, this.scopes) : undefined;
    }
    if (fn.type !== 'identifier' && fn.type !== 'attribute') return undefined;
    return this.refs.resolve(fn, at, this.scopes);
  }
}
