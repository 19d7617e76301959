// Reads the training code of a Python file (PyTorch loops, Keras fit calls) into training facts: data loaders and
// their shuffling, optimizer steps and whether their loop clears gradients, evaluation blocks and whether the model
// was put in eval mode, eval() calls inside training loops and whether train() follows. Pure and never throws.

import { statementDelta, type SyntaxNode } from '../syntax';
import type { ModelGraph } from '../graph';
import type { DataPipelineFact, EvaluationFact, ModeSwitchFact, OptimizerStepFact, TrainingFacts } from '../training';
import { type ModelRef, findModelRefs } from './modelRefs';
import { type CallIndex, callIndex, mergeIndexes } from './callIndex';
import { extractInputFacts } from './inputFacts';
import { type Binding, PyScopes, appendArgument, callArguments, enclosingStatement, insertLineBefore, rangeOfNode } from './pyScope';
import { type AddedStatements, addedAmong, addedBy, internKey, ModuleResults, ReadIndex, StatementReads } from './statementReads';

const LOOPS = new Set(['for_statement', 'while_statement']);
const EVAL_WORD = /^(val|valid|validation|test|testing|eval|evaluation|dev|holdout|pred|predict|inference|calib|calibration)$/i;

/** What a name says about a data pipeline, by its words (`train_loader`, `val_ds`, `test_set`); undefined if nothing. */
function roleOf(text: string | undefined): 'train' | 'eval' | undefined {
  if (!text) return undefined;
  const words = text.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/).filter((w) => w.length > 0);
  if (words.some((w) => EVAL_WORD.test(w) || /^(val|test|eval)(set|ds|data|dataset|loader|dl|iter)?$/i.test(w))) return 'eval';
  if (words.some((w) => /^train/i.test(w))) return 'train';
  return undefined;
}

export function extractTrainingFacts(root: SyntaxNode, graphs: readonly Pick<ModelGraph, 'name'>[] = [], scopes?: PyScopes): TrainingFacts {
  try {
    return { ...new FactReader(root, scopes ?? PyScopes.of(root), findModelRefs(graphs)).read(), ...extractInputFacts(root) };
  } catch {
    return { pipelines: [], steps: [], evaluations: [], modeSwitches: [] };
  }
}

function calls(node: SyntaxNode): SyntaxNode[] {
  return node.descendantsOfType('call');
}

function methodName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}

function receiver(call: SyntaxNode): SyntaxNode | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('object') ?? undefined : undefined;
}

function isBefore(a: SyntaxNode, b: SyntaxNode): boolean {
  return a.startIndex < b.startIndex;
}

function within(inner: SyntaxNode, outer: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** The enclosing loops of a node, innermost first, up to its function. */
function loopsAround(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== 'function_definition' && n.type !== 'class_definition') {
    if (LOOPS.has(n.type)) out.push(n);
    n = n.parent;
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function loopBody(loop: SyntaxNode): SyntaxNode {
  return loop.childForFieldName('body') ?? loop;
}

interface FunctionSummary {
  readonly clears: boolean;
  readonly endsInEval: boolean;
  readonly trains: boolean;
}

// Facts about one function or loop body that depend on its syntax only. Mirrored statements are reused while their
// text is unchanged (syntax.ts), so these survive edits elsewhere in the file.
const summaries = new WeakMap<SyntaxNode, FunctionSummary>();

const backwards = new WeakMap<SyntaxNode, boolean>();

/** The facts whose anchor (loader, step, evaluation block, loop) lies in one top-level statement. */
interface StatementFacts {
  readonly pipelines: DataPipelineFact[];
  readonly steps: OptimizerStepFact[];
  readonly evaluations: EvaluationFact[];
  /** With each switch, the length of its loop: switches are reported innermost loop first across the file. */
  readonly modeSwitches: { readonly fact: ModeSwitchFact; readonly loopLength: number }[];
}

interface FactEntry {
  readonly reads: StatementReads;
  readonly facts: StatementFacts;
  /** The row each statement read started on, for moving the facts' ranges with the statements. */
  readonly rows: ReadonlyMap<SyntaxNode, number>;
  /** Whether the statement holds no facts at all (most statements). */
  readonly empty: boolean;
}

/** Each module's counts of what its functions do (see `FactReader.modes`), for the next text to move. */
const moduleModes = new WeakMap<SyntaxNode, Map<string, [number, number, number]>>();

/** Each module's facts, for the next text to keep (see `ModuleResults`). */
const moduleFacts = new ModuleResults<TrainingFacts>();

/** Each top-level statement's facts; reused (moved with their statements) while what they read is unchanged. */
const statementFacts = new WeakMap<SyntaxNode, FactEntry>();

/** A copy of `value` with every position (`{ line, character }`) moved down by `lines`. */
function shiftRows<T>(value: T, lines: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftRows(v, lines)) as T;
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.line === 'number' && typeof object.character === 'number') return { ...object, line: object.line + lines } as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) out[k] = shiftRows(v, lines);
  return out as T;
}

class FactReader {
  /** Functions in the file whose body clears gradients, calls eval(), or calls train(). */
  private readonly zeroing = new Set<string>();
  private readonly evaluating = new Set<string>();
  private readonly training = new Set<string>();
  /** Each top-level statement's calls by callee and receiver; the file's calls are their union. */
  private indexes$?: readonly CallIndex[];
  private everyCall?: SyntaxNode[];
  /** The statements' indexes merged, built on first use. */
  private byCallee?: Map<string, SyntaxNode[]>;
  private byReceiver?: Map<string, SyntaxNode[]>;
  /** The statement being read and what reading it looked at outside it. */
  private statement!: SyntaxNode;
  private reads!: StatementReads;

  constructor(private readonly root: SyntaxNode, private readonly scopes: PyScopes, private readonly models: ModelRef) {
    const modes = this.modes();
    for (const [name, [clears, evaluates, trains]] of modes) {
      if (clears > 0) this.zeroing.add(name);
      if (evaluates > 0) this.evaluating.add(name);
      if (trains > 0) this.training.add(name);
    }
  }

  /**
   * For each function name, how many of its definitions clear gradients, end in eval() and call train(): counted
   * over the module's functions, or after an edit the previous text's counts moved by the edited statements' own.
   */
  private modes(): Map<string, [number, number, number]> {
    const known = moduleModes.get(this.root);
    if (known) return known;
    const count = (counts: Map<string, [number, number, number]>, name: string, def: SyntaxNode, sign: number) => {
      const summary = this.summary(def);
      const entry = counts.get(name) ?? [0, 0, 0];
      if (summary.clears) entry[0] += sign;
      if (summary.endsInEval) entry[1] += sign;
      if (summary.trains) entry[2] += sign;
      counts.set(name, entry);
    };
    // The definitions counted are the scopes' (`PyScopes.functions`), statement by statement after an edit.
    const delta = this.root.type === 'module' ? statementDelta(this.root) : undefined;
    const before = delta ? moduleModes.get(delta.previous) : undefined;
    const removed = delta?.removed.map((s) => PyScopes.functionsOf(s));
    const added = delta?.added.map((s) => PyScopes.functionsOf(s));
    let counts: Map<string, [number, number, number]>;
    if (delta && before && removed && added && [...removed, ...added].every((defs) => defs !== undefined)) {
      // The previous text's counts are not read again: they move here.
      moduleModes.delete(delta.previous);
      counts = before;
      for (const defs of removed) for (const [name, def] of defs!) count(counts, name, def, -1);
      for (const defs of added) for (const [name, def] of defs!) count(counts, name, def, 1);
    } else {
      counts = new Map();
      for (const [name, defs] of this.scopes.functions) for (const def of defs) count(counts, name, def, 1);
    }
    if (this.root.type === 'module') moduleModes.set(this.root, counts);
    return counts;
  }

  /** What a function's own body does, read from its syntax alone; kept while the function's statement is unchanged. */
  private summary(def: SyntaxNode): FunctionSummary {
    let known = summaries.get(def);
    if (!known) {
      const body = def.childForFieldName('body');
      const modeCalls = body ? calls(body).filter((c) => this.isEvalCall(c) || this.isTrainCall(c)) : [];
      const lastMode = modeCalls[modeCalls.length - 1];
      known = {
        clears: body !== null && this.clearsGradients(body, false),
        endsInEval: lastMode !== undefined && this.isEvalCall(lastMode),
        trains: modeCalls.some((c) => this.isTrainCall(c)),
      };
      summaries.set(def, known);
    }
    return known;
  }

  /** Notes that reading the statement looked at `node`'s statement, when that is another one. */
  private note(node: SyntaxNode): void {
    this.reads.note(node);
  }

  private lookup(name: string, at: SyntaxNode): Binding | undefined {
    return this.reads.lookup(name, at);
  }

  private get indexes(): readonly CallIndex[] {
    this.indexes$ ??= (this.root.type === 'module' ? this.root.children : [this.root]).map(callIndex);
    return this.indexes$;
  }

  /** Every call in the file, in source order. */
  private get allCalls(): SyntaxNode[] {
    this.everyCall ??= calls(this.root);
    return this.everyCall;
  }

  /** The calls whose callee is written `callee` (`train_step`, `self.evaluate`), in source order. */
  private callsTo(callee: string): SyntaxNode[] {
    this.byCallee ??= mergeIndexes(this.indexes.map((index) => index.byCallee));
    this.reads.noteCallee(callee);
    const found = this.byCallee.get(callee) ?? [];
    for (const call of found) this.note(call);
    return found;
  }

  /** The method calls on `receiver` (`model.eval()`), in source order. */
  private callsOn(receiver: string): SyntaxNode[] {
    this.byReceiver ??= mergeIndexes(this.indexes.map((index) => index.byReceiver));
    this.reads.noteReceiver(receiver);
    const found = this.byReceiver.get(receiver) ?? [];
    for (const call of found) this.note(call);
    return found;
  }

  /** The statement's calls whose callee's text passes `test`, in source order; each distinct callee is tested once. */
  private callsWhere(test: (callee: string) => boolean): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const [callee, list] of callIndex(this.statement).byCallee) if (test(callee)) out.push(...list);
    return out.sort((a, b) => a.startIndex - b.startIndex);
  }

  read(): TrainingFacts {
    const statements = this.root.type === 'module' ? this.root.children : [this.root];
    const sorted = (names: Set<string>) => [...names].sort();
    const key = internKey([this.scopes.importsKey, [...this.scopes.functions.keys()], [...this.scopes.classes.keys()], [...this.models.classes], sorted(this.zeroing), sorted(this.evaluating), sorted(this.training)].join('|'));
    const patched = this.root.type === 'module' ? moduleFacts.patched(this.root, key, (s) => statementFacts.get(s)?.empty === true, (s) => {
      this.readStatement(s, key);
      return statementFacts.get(s)!;
    }) : undefined;
    if (patched) return patched;
    // What the statements new since the last analysis bind, call and loop over; on a first analysis nothing is kept.
    const added = this.root.type === 'module' ? addedAmong(statements, statementFacts) : addedBy([]);
    const out = { pipelines: [] as DataPipelineFact[], steps: [] as OptimizerStepFact[], evaluations: [] as EvaluationFact[], modeSwitches: [] as StatementFacts['modeSwitches'] };
    const index = new ReadIndex();
    for (const statement of statements) {
      const facts = this.root.type === 'module' ? this.reused(statement, key, added) ?? this.readStatement(statement, key) : this.readStatement(statement, key);
      if (this.root.type === 'module') statementFacts.get(statement)!.reads.addTo(index);
      out.pipelines.push(...facts.pipelines);
      out.steps.push(...facts.steps);
      out.evaluations.push(...facts.evaluations);
      out.modeSwitches.push(...facts.modeSwitches);
    }
    // Innermost loops first across the file (a stable sort keeps source order among loops of one length).
    out.modeSwitches.sort((a, b) => a.loopLength - b.loopLength);
    const result = { pipelines: out.pipelines, steps: out.steps, evaluations: out.evaluations, modeSwitches: out.modeSwitches.map((m) => m.fact) };
    if (this.root.type === 'module') moduleFacts.keep(this.root, key, index, result);
    return result;
  }

  /** The statement's facts from the last analysis, moved with it, when nothing they read has changed. */
  private reused(statement: SyntaxNode, key: string, added: AddedStatements): StatementFacts | undefined {
    const entry = statementFacts.get(statement);
    if (!entry) return undefined;
    const { reads } = entry;
    if (!reads.unchanged(this.root, key, added)) return undefined;
    // No facts: nothing to move. Otherwise all the statements read must have moved by the same number of lines.
    if (entry.empty) return entry.facts;
    let shift: number | undefined;
    for (const [node, row] of entry.rows) {
      const moved = node.startPosition.row - row;
      if (shift !== undefined && moved !== shift) return undefined;
      shift = moved;
    }
    if (!shift) return entry.facts;
    const facts = shiftRows(entry.facts, shift);
    statementFacts.set(statement, { reads, facts, rows: new Map([...entry.rows].map(([node, row]) => [node, row + shift!])), empty: false });
    return facts;
  }

  private readStatement(statement: SyntaxNode, key: string): StatementFacts {
    this.statement = statement;
    this.reads = new StatementReads(this.scopes, statement, key);
    const facts: StatementFacts = { pipelines: this.pipelines(), steps: this.steps(), evaluations: this.evaluations(), modeSwitches: this.modeSwitches() };
    const rows = new Map<SyntaxNode, number>([[statement, statement.startPosition.row]]);
    for (const node of this.reads.statements) rows.set(node, node.startPosition.row);
    const empty = facts.pipelines.length + facts.steps.length + facts.evaluations.length + facts.modeSwitches.length === 0;
    if (this.root.type === 'module') statementFacts.set(statement, { reads: this.reads, facts, rows, empty });
    return facts;
  }

  // ----- shared predicates -----

  private calledFunction(call: SyntaxNode): string | undefined {
    const fn = call.childForFieldName('function');
    return fn?.type === 'identifier' && this.scopes.functions.has(fn.text) ? fn.text : undefined;
  }

  private isEvalCall(call: SyntaxNode): boolean {
    const m = methodName(call);
    if (m === 'eval') return callArguments(call).args.length === 0;
    if (m === 'train') {
      const { args, kwargs } = callArguments(call);
      const flag = args[0] ?? kwargs.get('mode');
      return flag?.type === 'false';
    }
    return false;
  }

  private isTrainCall(call: SyntaxNode): boolean {
    if (methodName(call) !== 'train') return false;
    const { args, kwargs } = callArguments(call);
    const flag = args[0] ?? kwargs.get('mode');
    return !flag || flag.type === 'true';
  }

  private clearsGradients(body: SyntaxNode, followCalls = true): boolean {
    if (/\.zero_grad\s*\(|\.grad\s*=\s*None|\.grad\.zero_\s*\(|\.grad\.(data\.)?zero_\s*\(/.test(body.text)) return true;
    return followCalls && calls(body).some((c) => {
      const f = this.calledFunction(c);
      return f !== undefined && this.zeroing.has(f);
    });
  }

  private hasBackward(body: SyntaxNode): boolean {
    let known = backwards.get(body);
    if (known === undefined) {
      known = calls(body).some((c) => methodName(c) === 'backward' || c.childForFieldName('function')?.text === 'backward');
      backwards.set(body, known);
    }
    return known;
  }

  // ----- MT001: data pipelines -----

  private pipelines(): DataPipelineFact[] {
    const out: DataPipelineFact[] = [];
    // Only a DataLoader or a `.fit(…)` can be a pipeline: each distinct callee is resolved once.
    const isLoader = (callee: string) => /(^|\.)DataLoader$/.test(this.scopes.resolvePath(callee));
    for (const call of this.callsWhere((callee) => callee.endsWith('fit') || isLoader(callee))) {
      const fnText = call.childForFieldName('function')?.text ?? '';
      if (isLoader(fnText)) out.push(this.dataLoader(call));
      else if (methodName(call) === 'fit' && callArguments(call).kwargs.has('shuffle')) out.push(this.fit(call));
      else if (methodName(call) === 'fit') {
        const dataset = this.unshuffledDataset(call);
        if (dataset) out.push(dataset);
      }
    }
    return out;
  }

  private dataLoader(call: SyntaxNode): DataPipelineFact {
    const { args, kwargs } = callArguments(call);
    const shuffleNode = kwargs.get('shuffle') ?? args[2];
    // Options passed through `**kwargs` may hold shuffle; then nothing is known.
    const splat = (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a.type === 'dictionary_splat');
    const shuffle = !shuffleNode ? (splat ? 'unknown' : 'absent') : shuffleNode.type === 'true' ? 'true' : shuffleNode.type === 'false' ? 'false' : 'unknown';
    const hasSampler = kwargs.has('sampler') || kwargs.has('batch_sampler') || args.length > 3;
    const dataset = kwargs.get('dataset') ?? args[0];
    const stmt = call.parent?.type === 'assignment' ? call.parent : undefined;
    const target = stmt?.childForFieldName('left');
    const name = target?.type === 'identifier' || target?.type === 'attribute' ? target.text : undefined;
    const iterable = dataset ? this.isIterableDataset(dataset, call) : false;
    // The loader's own name decides first (`train_eval_loader` evaluates, `trainval_loader` trains), then its dataset's.
    // A loader built in a function is named by it too: Lightning's `train_dataloader`, a `make_val_loader` helper.
    const fn = this.scopes.scopeOf(call);
    const fnName = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
    const role = roleOf(name) ?? roleOf(dataset?.text) ?? roleOf(fnName) ?? (this.feedsTraining(call, name) ? 'train' : 'unknown');
    let enableShuffle: DataPipelineFact['enableShuffle'];
    if (shuffle === 'false' && shuffleNode) {
      enableShuffle = { description: 'pass shuffle=True', edits: [{ range: rangeOfNode(shuffleNode), newText: 'True' }] };
    } else if (shuffle === 'absent') {
      const edit = appendArgument(call, 'shuffle=True');
      if (edit) enableShuffle = { description: 'pass shuffle=True', edits: [edit] };
    }
    return {
      range: rangeOfNode(call),
      kind: 'dataloader',
      name,
      shuffle,
      hasSampler,
      iterable,
      role,
      shuffleRange: shuffleNode ? rangeOfNode(shuffleNode) : undefined,
      enableShuffle,
    };
  }

  /** A tf.data pipeline passed to `fit` that batches without ever shuffling: `Dataset.from_tensor_slices(...).batch(32)`. */
  private unshuffledDataset(fit: SyntaxNode): DataPipelineFact | undefined {
    let expr: SyntaxNode | undefined = callArguments(fit).args[0] ?? callArguments(fit).kwargs.get('x');
    for (let i = 0; i < 4 && expr?.type === 'identifier'; i++) {
      const b: ReturnType<PyScopes['lookup']> = this.lookup(expr.text, fit);
      if (!b || b.loop || b.index !== undefined) return undefined;
      // A pipeline built up over several assignments (`ds = ds.shuffle(...)`) is read as one chain of text.
      const all = this.allCalls.filter((c) => c.parent?.type === 'assignment' && c.parent.childForFieldName('left')?.text === expr!.text);
      this.reads.noteName(expr.text);
      for (const c of all) this.note(c);
      if (all.some((c) => /\.shuffle\s*\(/.test(c.text))) return undefined;
      expr = b.value;
    }
    if (!expr || expr.type !== 'call') return undefined;
    const text = expr.text;
    if (!/(^|\.)Dataset\.|from_tensor_slices|from_generator|image_dataset_from_directory/.test(text) || /\.shuffle\s*\(/.test(text)) return undefined;
    // `image_dataset_from_directory` shuffles by default; only its explicit shuffle=False counts.
    if (/image_dataset_from_directory|text_dataset_from_directory/.test(text) && !/shuffle\s*=\s*False/.test(text)) return undefined;
    const batch = calls(expr).concat([expr]).find((c) => methodName(c) === 'batch');
    if (!batch) return undefined;
    const fn = batch.childForFieldName('function');
    const dot = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    const at = dot ? rangeOfNode(dot).end : undefined;
    return {
      range: rangeOfNode(batch),
      kind: 'dataset',
      shuffle: 'absent',
      hasSampler: false,
      iterable: false,
      role: roleOf(callArguments(fit).args[0]?.text) === 'eval' ? 'eval' : 'train',
      enableShuffle: at ? { description: 'shuffle before batching: .shuffle(10_000)', edits: [{ range: { start: at, end: at }, newText: '.shuffle(10_000)' }] } : undefined,
    };
  }

  private fit(call: SyntaxNode): DataPipelineFact {
    const shuffleNode = callArguments(call).kwargs.get('shuffle')!;
    const shuffle = shuffleNode.type === 'true' ? 'true' : shuffleNode.type === 'false' ? 'false' : 'unknown';
    return {
      range: rangeOfNode(call),
      kind: 'fit',
      name: receiver(call)?.text,
      shuffle,
      hasSampler: false,
      iterable: false,
      role: 'train',
      shuffleRange: rangeOfNode(shuffleNode),
      enableShuffle: shuffle === 'false' ? { description: 'pass shuffle=True', edits: [{ range: rangeOfNode(shuffleNode), newText: 'True' }] } : undefined,
    };
  }

  private isIterableDataset(dataset: SyntaxNode, at: SyntaxNode): boolean {
    let expr: SyntaxNode | undefined = dataset;
    for (let i = 0; i < 4 && expr; i++) {
      if (expr.type === 'identifier') {
        expr = this.lookup(expr.text, at)?.value;
        continue;
      }
      if (expr.type === 'call') {
        const fn = expr.childForFieldName('function')?.text ?? '';
        const cls = this.scopes.classes.get(fn);
        if (cls) this.note(cls);
        if (cls) return /IterableDataset|IterDataPipe/.test(cls.childForFieldName('superclasses')?.text ?? '');
        if (/IterableDataset|WebDataset|IterDataPipe/.test(fn)) return true;
        // torchtext's datasets (Multi30k, IMDB, WikiText2, ...) are datapipes since 0.12: iterable, shuffled in the
        // pipe (`.shuffle()`) rather than by the DataLoader's sampler, like any other IterDataPipe here.
        if (/^torchtext\.datasets\./.test(this.scopes.resolvePath(fn))) return true;
        return callArguments(expr).kwargs.get('streaming')?.type === 'true';
      }
      return false;
    }
    return false;
  }

  /** Whether the loader (by its call or variable) is iterated in a loop that calls backward. */
  private feedsTraining(call: SyntaxNode, name: string | undefined): boolean {
    // Any loop of the file may iterate the loader: a loop added anywhere can change the answer.
    this.reads.noteLoops();
    const loops = [...this.root.descendantsOfType('for_statement')].filter((l): l is SyntaxNode => l !== null);
    return loops.some((loop) => {
      const iter = loop.childForFieldName('right');
      if (!iter) return false;
      const mentions = within(call, iter) || (name !== undefined && new RegExp(`(^|[^A-Za-z0-9_.])${name.replace(/[.]/g, '\\.')}($|[^A-Za-z0-9_])`).test(iter.text));
      if (mentions) this.note(loop);
      return mentions && this.hasBackward(loopBody(loop));
    });
  }

  // ----- MT002: optimizer steps -----

  private isOptimizer(expr: SyntaxNode, at: SyntaxNode): boolean {
    const text = expr.text;
    if (/sched|lr_|warmup|env\b|environment/i.test(text)) return false;
    if (expr.type === 'identifier') {
      const b = this.lookup(text, at);
      const value = b?.value;
      if (value?.type === 'call') {
        const path = this.scopes.resolvePath(value.childForFieldName('function')?.text ?? '');
        if (/^torch\.optim\.(lr_scheduler|swa_utils)/.test(path)) return false;
        if (/^torch\.optim\.[A-Z]/.test(path)) return true;
      }
    }
    return /(^|[._])(opt|optim|optimizer|optimiser)[A-Za-z0-9_]*$/i.test(text);
  }

  private steps(): OptimizerStepFact[] {
    const out: OptimizerStepFact[] = [];
    for (const call of this.callsWhere((callee) => callee.endsWith('step'))) {
      if (methodName(call) !== 'step') continue;
      const opt = receiver(call);
      if (!opt || !this.isOptimizer(opt, call)) continue;
      const closure = callArguments(call).args.length > 0 || callArguments(call).kwargs.has('closure');
      const loop = loopsAround(call)[0] ?? this.callerLoop(call);
      if (!loop) continue;
      const body = loopBody(loop);
      const backwardCall = calls(body).find((c) => methodName(c) === 'backward');
      const fnBody = this.scopes.scopeOf(call);
      const backward = backwardCall !== undefined || (fnBody.type === 'function_definition' && this.hasBackward(fnBody));
      const zeroes = this.clearsGradientsOf(body, opt, call) || (!within(call, loop) && this.clearsGradientsOf(fnBody, opt, call));
      let insertZeroGrad: OptimizerStepFact['insertZeroGrad'];
      const stmt = backwardCall && within(backwardCall, loop) ? enclosingStatement(backwardCall) : undefined;
      if (stmt) insertZeroGrad = { description: `call ${opt.text}.zero_grad() before the backward pass`, edits: [insertLineBefore(stmt, `${opt.text}.zero_grad()`)] };
      const backwardAt = backwardCall ?? (fnBody.type === 'function_definition' ? calls(fnBody).find((c) => methodName(c) === 'backward') : undefined);
      out.push({ range: rangeOfNode(call), optimizer: opt.text, loopRange: rangeOfNode(loop), zeroesGradients: zeroes, backward, closure, insertZeroGrad, backwardRange: backwardAt ? rangeOfNode(backwardAt) : undefined });
    }
    return out;
  }

  /**
   * Whether `body` clears the gradients that `opt` steps with. A loop of a GAN steps two optimizers, each after
   * clearing its own model: `optimizer_D.zero_grad()` does nothing for `optimizer_G`, and `netD.zero_grad()` nothing
   * for an optimizer built over `netG.parameters()`. A zero_grad on something the optimizer's construction does not
   * name counts only when that construction is not known.
   */
  private clearsGradientsOf(body: SyntaxNode, opt: SyntaxNode, at: SyntaxNode): boolean {
    if (/\.grad\s*=\s*None|\.grad\.zero_\s*\(|\.grad\.(data\.)?zero_\s*\(/.test(body.text)) return true;
    const built = opt.type === 'identifier' ? this.lookup(opt.text, at)?.value : undefined;
    const params = built?.type === 'call' ? built.childForFieldName('arguments')?.text : undefined;
    for (const c of calls(body)) {
      const f = this.calledFunction(c);
      if (f !== undefined && this.zeroing.has(f)) return true;
      if (methodName(c) !== 'zero_grad') continue;
      const who = receiver(c);
      if (!who || who.text === opt.text) return true;
      if (this.isOptimizer(who, c)) continue;
      // Only a construction that names its models (`Adam(netG.parameters())`) tells which zero_grad is its own.
      if (params === undefined || !/\.parameters\s*\(/.test(params)) return true;
      const root = who.text.replace(/^self\./, '').split('.')[0];
      if (new RegExp(`(^|[^A-Za-z0-9_])${escape(root)}($|[^A-Za-z0-9_])`).test(params)) return true;
    }
    return false;
  }

  /** For a step in a helper with no loop of its own: the loop that calls the helper, when exactly one does. */
  private callerLoop(call: SyntaxNode): SyntaxNode | undefined {
    const fn = this.scopes.scopeOf(call);
    const name = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
    if (!name) return undefined;
    // A trainer's `_run_batch` method is called as `self._run_batch(...)` from its epoch loop.
    const sites = this.scopes.classOf(fn) ? this.callsTo(`self.${name}`) : this.callsTo(name);
    const loops = sites.map((s) => loopsAround(s)[0]).filter((l): l is SyntaxNode => l !== undefined);
    return loops.length === 1 && sites.length === 1 ? loops[0] : undefined;
  }

  // ----- MT003: evaluation blocks -----

  private evaluations(): EvaluationFact[] {
    const out: EvaluationFact[] = [];
    for (const item of this.statement.descendantsOfType(['with_item', 'decorator'])) {
      if (!item) continue;
      const text = item.text.replace(/\s+/g, '');
      if (!/(^@?)(torch\.)?(no_grad|inference_mode|set_grad_enabled\(False\))|\.no_grad\(|\.inference_mode\(/.test(text)) continue;
      if (/inference_mode\(False\)|inference_mode\(mode=False\)/.test(text)) continue;
      const block = item.type === 'decorator'
        ? item.parent?.childForFieldName('definition')?.childForFieldName('body')
        : item.parent?.parent?.childForFieldName('body');
      if (!block) continue;
      const fn = this.scopes.scopeOf(block.parent ?? block);
      // Inside a model class (an EMA teacher, a predict helper) the mode belongs to whoever calls it; Lightning's
      // validation_step runs in eval mode already.
      const cls = this.scopes.classOf(block);
      if (cls && (this.models.classes.has(cls.childForFieldName('name')?.text ?? '') || /LightningModule|nn\.Module|Module\b/.test(cls.childForFieldName('superclasses')?.text ?? ''))) continue;
      const modelCall = calls(block).find((c) => this.modelOfCall(c) !== undefined);
      if (!modelCall) continue;
      const ref = this.modelOfCall(modelCall)!;
      const owner = item.type === 'decorator' ? item.parent?.childForFieldName('definition') ?? fn : fn;
      // A model put in eval mode once and never switched back (a frozen teacher set up in a constructor) stays there.
      const evalModeSet = this.evalBefore(modelCall, owner, 0) || (this.modeCallsOn(ref.text, 'eval') && !this.modeCallsOn(ref.text, 'train'));
      const stmt = item.type === 'decorator' ? undefined : enclosingStatement(item);
      const insertEval = stmt && ref.text !== 'self' ? { description: `call ${ref.text}.eval() before evaluating`, edits: [insertLineBefore(stmt, `${ref.text}.eval()`)] } : undefined;
      out.push({ range: rangeOfNode(item), guard: /inference_mode/.test(text) ? 'inference_mode' : 'no_grad', callRange: rangeOfNode(modelCall), model: ref.text, modelName: ref.name, evalModeSet, insertEval });
    }
    return out;
  }

  /** The model a call runs: `model(x)`, `net(x)`, `self.model(x)`, `model.forward(x)`. */
  private modelOfCall(call: SyntaxNode): { text: string; name?: string } | undefined {
    let fn = call.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'forward') fn = fn.childForFieldName('object');
    if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) return undefined;
    const text = fn.text;
    if (fn.type === 'attribute' && fn.childForFieldName('object')?.text !== 'self') return undefined;
    const name = this.models.resolve(fn, call, this.reads.queries);
    if (name) return { text, name };
    const last = text.split('.').pop() ?? '';
    if (/^(model|net|network|classifier|encoder|student|teacher)$|_model$|_net$|^model_/i.test(last) && !this.scopes.functions.has(text)) return { text };
    return undefined;
  }

  /** Whether the file calls `<model>.eval()` (or `.train(False)`) or `<model>.train()` anywhere. */
  private modeCallsOn(model: string, mode: 'eval' | 'train'): boolean {
    return this.callsOn(model).some((c) => (mode === 'eval' ? this.isEvalCall(c) : this.isTrainCall(c)));
  }

  /** Whether eval mode is set before `call`: earlier in its function, or before every call of that function. */
  private evalBefore(call: SyntaxNode, fn: SyntaxNode, depth: number): boolean {
    const scope = fn.type === 'function_definition' ? fn.childForFieldName('body') ?? fn : fn;
    // Only an eval() that runs on the way counts: one inside another function defined earlier (`export_onnx`) does not.
    const home = this.scopes.scopeOf(call);
    if (calls(scope).some((c) => this.isEvalCall(c) && isBefore(c, call) && this.scopes.scopeOf(c) === home)) return true;
    if (fn.type !== 'function_definition' || depth > 3) return false;
    const name = fn.childForFieldName('name')?.text;
    if (!name) return false;
    const sites = [...this.callsTo(name), ...this.callsTo(`self.${name}`)];
    if (sites.length === 0) return false;
    return sites.every((site) => this.evalBefore(site, this.scopes.scopeOf(site), depth + 1));
  }

  // ----- MT004: eval() inside training loops -----

  private modeSwitches(): StatementFacts['modeSwitches'] {
    const out: StatementFacts['modeSwitches'] = [];
    const seen = new Set<number>();
    const loops = this.statement.descendantsOfType(['for_statement', 'while_statement']).filter((l): l is SyntaxNode => l !== null);
    if (LOOPS.has(this.statement.type)) loops.unshift(this.statement);
    // Innermost loops first, so a switch is reported against the tightest loop that trains around it.
    loops.sort((a, b) => (a.endIndex - a.startIndex) - (b.endIndex - b.startIndex));
    for (const loop of loops) {
      const body = loopBody(loop);
      if (!this.hasBackward(body)) continue;
      const bodyCalls = calls(body);
      const switches = bodyCalls.filter((c) => this.isEvalCall(c) || (this.calledFunction(c) !== undefined && this.evaluating.has(this.calledFunction(c)!)));
      if (switches.length === 0) continue;
      const restored = bodyCalls.some((c) => this.isTrainCall(c) || (this.calledFunction(c) !== undefined && this.training.has(this.calledFunction(c)!) && !this.evaluating.has(this.calledFunction(c)!)));
      for (const sw of switches) {
        if (seen.has(sw.id)) continue;
        seen.add(sw.id);
        const model = receiver(sw)?.text ?? callArguments(sw).args[0]?.text ?? 'model';
        const first = body.namedChildren.find((c) => c.type !== 'comment');
        const insertTrain = first && /^[A-Za-z_][A-Za-z0-9_.]*$/.test(model)
          ? { description: `call ${model}.train() at the start of each iteration`, edits: [insertLineBefore(first, `${model}.train()`)] }
          : undefined;
        // A frozen model used inside the loop (a distillation teacher) is never trained, so it never needs train():
        // a trained one is switched to train() somewhere or hands its parameters to an optimizer, `Adam(model.parameters())`.
        const trained = this.modeCallsOn(model, 'train') || this.callsOn(model).some((c) => methodName(c) === 'parameters' && c.parent?.type === 'argument_list' && c.parent.namedChildren[0] === c);
        out.push({ fact: { range: rangeOfNode(sw), model, loopRange: rangeOfNode(loop), restored, trained, insertTrain }, loopLength: loop.endIndex - loop.startIndex });
      }
    }
    return out;
  }
}
