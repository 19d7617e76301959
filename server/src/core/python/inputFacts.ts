// Reads what a Python training script feeds `fit`: where the inputs were loaded (a Keras image dataset of raw 0–255
// pixels, a CSV or text table of raw features) and whether anything on the way scales them (`/ 255`, a scaler, a
// normalization layer in front of the model). Also reads the learning rates given to optimizer constructors and the
// validation splits taken from arrays in file order, and labels divided like pixels. The training rules MT005–MT008
// read the result; this module knows the framework spellings, the rules do not.

import { statementDelta, type SyntaxNode } from '../syntax';
import type { InputScalingFact, LabelScalingFact, LearningRateFact, ValidationSplitFact } from '../training';
import { callIndex } from './callIndex';
import { callArguments, calleeText, rangeOfNode } from './pyScope';

/** Keras datasets whose images come as integers 0–255. */
const PIXEL_DATASETS = /\b(mnist|fashion_mnist|cifar10|cifar100)\b/;
/** Calls that read a table of raw feature values. */
const TABLE_READERS = /(^|\.)(read_csv|read_excel|read_table|loadtxt|genfromtxt)$/;
/** Words in a call that scales or standardizes values. */
const SCALING_CALL =
  /(StandardScaler|MinMaxScaler|RobustScaler|MaxAbsScaler|Normalizer|QuantileTransformer|PowerTransformer|normalize|standardize|\bscale|rescale|fit_transform|transform|preprocess_input|per_image_standardization|Rescaling|Normalization|minmax_scale|robust_scale)/i;
/** File-wide ways of scaling that a data flow does not show (a generator that rescales, a scaling layer). */
const SCALING_ELSEWHERE = /ImageDataGenerator\s*\([^)]*rescale|\bRescaling\s*\(|\bNormalization\s*\(|\bBatchNormalization\s*\(\s*input_shape/;

interface Assignment {
  readonly node: SyntaxNode;
  readonly value: SyntaxNode;
}

/** The names a target binds: `x`, `(x_train, y_train), (x_test, y_test)`, `x[:, 0]` (an update of x). */
function boundNames(target: SyntaxNode): string[] {
  if (target.type === 'identifier') return [target.text];
  if (target.type === 'subscript' || target.type === 'attribute') {
    const base = target.childForFieldName(target.type === 'subscript' ? 'value' : 'object');
    return base ? boundNames(base) : [];
  }
  return target.namedChildren.flatMap(boundNames);
}

/** Whether an expression scales what it computes: a division, a scaling call, a mean/std standardization. */
function scales(expr: SyntaxNode): boolean {
  const divides = (n: SyntaxNode) => n.type === 'binary_operator' && (n.childForFieldName('operator')?.text === '/' || n.childForFieldName('operator')?.text === '//');
  if (divides(expr) || expr.descendantsOfType('binary_operator').some(divides)) return true;
  return [expr, ...expr.descendantsOfType('call')].some((c) => c.type === 'call' && SCALING_CALL.test(c.childForFieldName('function')?.text ?? ''));
}

/** The raw source an expression reads, if it is one. */
function rawSource(expr: SyntaxNode): { kind: InputScalingFact['source']; call: SyntaxNode } | undefined {
  for (const call of [expr, ...expr.descendantsOfType('call')]) {
    if (call.type !== 'call') continue;
    const callee = calleeText(call) ?? '';
    if (/(^|\.)load_data$/.test(callee) && PIXEL_DATASETS.test(callee)) return { kind: 'pixels', call };
    if (TABLE_READERS.test(callee)) return { kind: 'table', call };
  }
  return undefined;
}

/** Calls that read arrays from a file in the order they were saved (often sorted by class or by time). */
const FILE_READERS = /(^|\.)(load|read_csv|read_excel|read_table|read_parquet|loadtxt|genfromtxt|File)$/;
/** Anything in a script that puts rows in a random order before fit. */
const SHUFFLES = /\b(?:shuffle|permutation|permuted|train_test_split|StratifiedShuffleSplit|KFold|ShuffleSplit)\s*\(|\.sample\s*\(\s*frac/;

/**
 * What one top-level statement holds for this module: its assignments (and a function's returns, bound to the
 * function's name), in-place updates, calls to `fit` and to optimizer constructors, and whether its text scales data
 * elsewhere or shuffles rows. Kept per statement node: the syntax mirror reuses unchanged statements from one
 * analysis to the next, so an edit re-reads only the statement it touched.
 */
interface StatementIndex {
  readonly assignments: readonly (readonly [string, Assignment])[];
  readonly augmented: readonly SyntaxNode[];
  readonly fits: readonly SyntaxNode[];
  readonly optimizers: readonly SyntaxNode[];
  readonly scalesElsewhere: boolean;
  readonly shuffles: boolean;
}

const statementIndexes = new WeakMap<SyntaxNode, StatementIndex>();

function indexStatement(stmt: SyntaxNode): StatementIndex {
  const known = statementIndexes.get(stmt);
  if (known) return known;
  const assignments: [string, Assignment][] = [];
  const own = (type: string) => (stmt.type === type ? [stmt] : []);
  for (const a of [...own('assignment'), ...stmt.descendantsOfType('assignment')]) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left && right) for (const name of boundNames(left)) assignments.push([name, { node: a, value: right }]);
  }
  // A helper that loads the data (`x, y = load()`) is followed into what it returns.
  for (const def of [...own('function_definition'), ...stmt.descendantsOfType('function_definition')]) {
    const name = def.childForFieldName('name')?.text;
    if (!name) continue;
    for (const ret of def.descendantsOfType('return_statement')) {
      const value = ret.namedChildren[0];
      if (value) assignments.push([name, { node: ret, value }]);
    }
  }
  // Calls come from the statement's call index, by callee text (`model.fit`, `keras.optimizers.Adam`).
  const fits: SyntaxNode[] = [];
  const optimizers: SyntaxNode[] = [];
  for (const [callee, calls] of callIndex(stmt).byCallee) {
    const dot = callee.lastIndexOf('.');
    const last = callee.slice(dot + 1);
    if (dot >= 0 && last === 'fit') fits.push(...calls);
    else if (OPTIMIZERS[last] !== undefined) optimizers.push(...calls);
  }
  fits.sort((a, b) => a.startIndex - b.startIndex);
  const text = stmt.text;
  const index: StatementIndex = {
    assignments,
    augmented: [...own('augmented_assignment'), ...stmt.descendantsOfType('augmented_assignment')],
    fits,
    optimizers,
    scalesElsewhere: SCALING_ELSEWHERE.test(text),
    shuffles: SHUFFLES.test(text),
  };
  statementIndexes.set(stmt, index);
  return index;
}

class InputReader {
  /** Each statement's index; the assignments and in-place scalings are merged from them only when a fit is traced. */
  private readonly indexes: ReturnType<typeof indexStatement>[] = [];
  private assignments$?: Map<string, Assignment[]>;
  private scaledInPlace$?: Set<string>;
  private readonly augmented: SyntaxNode[] = [];
  readonly fits: SyntaxNode[] = [];
  readonly optimizers: SyntaxNode[] = [];
  private readonly scalesElsewhere: boolean;
  private readonly shuffles: boolean;

  constructor(root: SyntaxNode) {
    let scalesElsewhere = false;
    let shuffles = false;
    for (const stmt of root.namedChildren) {
      const index = indexStatement(stmt);
      this.indexes.push(index);
      for (const a of index.augmented) this.augmented.push(a);
      for (const f of index.fits) this.fits.push(f);
      for (const o of index.optimizers) this.optimizers.push(o);
      scalesElsewhere ||= index.scalesElsewhere;
      shuffles ||= index.shuffles;
    }
    this.scalesElsewhere = scalesElsewhere;
    this.shuffles = shuffles;
  }

  /** Every assignment of the file by the name it binds, in source order. */
  private get assignments(): Map<string, Assignment[]> {
    if (!this.assignments$) {
      this.assignments$ = new Map();
      for (const index of this.indexes) {
        for (const [name, a] of index.assignments) {
          const list = this.assignments$.get(name);
          if (list) list.push(a);
          else this.assignments$.set(name, [a]);
        }
      }
    }
    return this.assignments$;
  }

  /** Names scaled in place: `x /= 255`, `x[...] = x[...] / 255`. */
  private get scaledInPlace(): Set<string> {
    if (!this.scaledInPlace$) {
      this.scaledInPlace$ = new Set();
      for (const a of this.augmented) {
        const op = a.childForFieldName('operator')?.text ?? '';
        const left = a.childForFieldName('left');
        if (left && (op === '/=' || op === '//=' || op === '-=' || op === '*=')) for (const name of boundNames(left)) this.scaledInPlace$.add(name);
      }
    }
    return this.scaledInPlace$;
  }

  read(): InputScalingFact[] {
    if (this.scalesElsewhere) return [];
    const facts: InputScalingFact[] = [];
    const seen = new Set<SyntaxNode['id']>();
    for (const call of this.fits) {
      const { args, kwargs } = callArguments(call);
      const x = args[0] ?? kwargs.get('x');
      if (!x) continue;
      const found = this.trace(x);
      if (!found || found.scaled || seen.has(found.source.call.id)) continue;
      seen.add(found.source.call.id);
      facts.push({
        range: rangeOfNode(found.source.call),
        fitRange: rangeOfNode(call),
        source: found.source.kind,
        written: calleeText(found.source.call) ?? 'the data',
        variable: x.text.length <= 30 ? x.text : undefined,
      });
    }
    return facts;
  }

  /**
   * `fit(x, y, validation_split=0.2)` where x is read from a file and nothing in the script shuffles the rows: Keras
   * takes the last 20 % of the arrays as they are, before any shuffling, so on rows saved in order the validation
   * set is one class or one period.
   */
  validationSplits(): ValidationSplitFact[] {
    if (this.shuffles) return [];
    const facts: ValidationSplitFact[] = [];
    for (const call of this.fits) {
      const { args, kwargs } = callArguments(call);
      const split = kwargs.get('validation_split');
      const value = split ? numberOf(split) : undefined;
      const x = args[0] ?? kwargs.get('x');
      if (!split || value === undefined || value <= 0 || !x) continue;
      const source = this.fileSource(x);
      if (!source) continue;
      const written = calleeText(source) ?? 'a file';
      facts.push({ range: rangeOfNode(split), value, sourceRange: rangeOfNode(source), written, source: TABLE_READERS.test(written) ? 'table' : 'arrays', variable: x.text.length <= 30 ? x.text : undefined });
    }
    return facts;
  }

  /**
   * `fit(x_train, y_train)` where y_train comes from a Keras classification dataset and is divided by 255 on the way
   * (`y_train = y_train / 255`, `y_train /= 255`): the pixel scaling copied onto the labels.
   */
  scaledLabels(): LabelScalingFact[] {
    const facts: LabelScalingFact[] = [];
    const seen = new Set<string>();
    for (const call of this.fits) {
      const { args, kwargs } = callArguments(call);
      const y = args[1] ?? kwargs.get('y');
      if (y?.type !== 'identifier' || seen.has(y.text)) continue;
      const assignments = this.assignments.get(y.text) ?? [];
      const loaded = assignments.map((a) => rawSource(a.value)).find((s) => s?.kind === 'pixels');
      const division = [...assignments.map((a) => a.node), ...this.augmented.filter((a) => a.childForFieldName('left')?.text === y.text)]
        .find((a) => a.type === 'augmented_assignment' ? /^\/=\s*255(\.0*)?$/.test(`${a.childForFieldName('operator')?.text ?? ''}${a.childForFieldName('right')?.text ?? ''}`.replace(/\s+/g, '')) : /\/\s*255(\.0*)?\b/.test(a.childForFieldName('right')?.text ?? ''));
      if (!loaded || !division) continue;
      seen.add(y.text);
      facts.push({ range: rangeOfNode(division), sourceRange: rangeOfNode(loaded.call), written: calleeText(loaded.call) ?? 'load_data', variable: y.text });
    }
    return facts;
  }

  /** The file-reading call an expression's names come from, following assignments. */
  private fileSource(expr: SyntaxNode): SyntaxNode | undefined {
    const visited = new Set<string>();
    const queue: SyntaxNode[] = [expr];
    for (let steps = 0; queue.length > 0 && steps < 64; steps++) {
      const e = queue.shift()!;
      for (const call of [e, ...e.descendantsOfType('call')]) {
        if (call.type === 'call' && FILE_READERS.test(calleeText(call) ?? '') && !/(^|\.)(json|yaml|pickle|torch)\.load$/.test(calleeText(call) ?? '')) return call;
      }
      const names = e.type === 'identifier' ? [e.text] : e.descendantsOfType('identifier').map((n) => n.text);
      for (const name of names) {
        if (visited.has(name)) continue;
        visited.add(name);
        for (const a of this.assignments.get(name) ?? []) queue.push(a.value);
      }
    }
    return undefined;
  }

  /** Follows the names an expression reads back through their assignments to a raw source, noting any scaling. */
  private trace(expr: SyntaxNode): { source: { kind: InputScalingFact['source']; call: SyntaxNode }; scaled: boolean } | undefined {
    let source: ReturnType<typeof rawSource>;
    let scaled = scales(expr);
    const visited = new Set<string>();
    const queue: SyntaxNode[] = [expr];
    for (let steps = 0; queue.length > 0 && steps < 64; steps++) {
      const e = queue.shift()!;
      source ??= rawSource(e);
      const names = e.type === 'identifier' ? [e.text] : e.descendantsOfType('identifier').map((n) => n.text);
      for (const name of names) {
        if (visited.has(name)) continue;
        visited.add(name);
        if (this.scaledInPlace.has(name)) scaled = true;
        for (const a of this.assignments.get(name) ?? []) {
          if (scales(a.value)) scaled = true;
          queue.push(a.value);
        }
      }
    }
    return source ? { source, scaled } : undefined;
  }
}

/** Optimizer classes and the learning rate above which each one diverges on almost any problem. */
const OPTIMIZERS: Readonly<Record<string, number>> = {
  SGD: 10,
  Adam: 0.1,
  AdamW: 0.1,
  Adamax: 0.1,
  Nadam: 0.1,
  NAdam: 0.1,
  RMSprop: 0.1,
  Adagrad: 1,
};
/** Below this no optimizer gets anywhere in a training run of usual length. */
const TOO_SMALL = 1e-7;

/** A numeric literal's value (`0.001`, `1e-3`, `-1`), else undefined. */
function numberOf(node: SyntaxNode): number | undefined {
  const text = node.text.replace(/_/g, '');
  if (node.type !== 'float' && node.type !== 'integer' && node.type !== 'unary_operator') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function learningRates(optimizerCalls: readonly SyntaxNode[]): LearningRateFact[] {
  const facts: LearningRateFact[] = [];
  for (const call of optimizerCalls) {
    const optimizer = (calleeText(call) ?? '').split('.').pop() ?? '';
    const limit = OPTIMIZERS[optimizer];
    if (limit === undefined) continue;
    const { kwargs } = callArguments(call);
    const lr = kwargs.get('learning_rate') ?? kwargs.get('lr');
    const value = lr ? numberOf(lr) : undefined;
    if (!lr || value === undefined) continue;
    if (value > limit || value < TOO_SMALL) facts.push({ range: rangeOfNode(lr), optimizer, value, limit, problem: value > limit ? 'too-large' : 'too-small' });
  }
  return facts;
}

type InputFacts = { inputs: InputScalingFact[]; learningRates: LearningRateFact[]; validationSplits: ValidationSplitFact[]; scaledLabels: LabelScalingFact[] };

/** Each module's facts, and whether it calls fit anywhere, for the next text's `patchedInputs`. */
const moduleInputs = new WeakMap<SyntaxNode, { readonly fits: boolean; readonly facts: InputFacts }>();

/**
 * The previous text's facts, when neither text calls fit (the input, split and label facts all start from a fit
 * call) and the edited statements construct no optimizer (learning-rate facts read only those calls) and no line
 * moved: the same facts, without indexing every statement.
 */
function patchedInputs(root: SyntaxNode): InputFacts | undefined {
  const delta = statementDelta(root);
  const before = delta && delta.at !== undefined && !delta.moved ? moduleInputs.get(delta.previous) : undefined;
  if (!delta || !before || before.fits) return undefined;
  for (const statement of [...delta.removed, ...delta.added]) {
    const index = indexStatement(statement);
    if (index.fits.length > 0 || index.optimizers.length > 0) return undefined;
  }
  moduleInputs.delete(delta.previous);
  moduleInputs.set(root, before);
  return before.facts;
}

/** The input-scaling and learning-rate facts of a Python file; never throws. */
export function extractInputFacts(root: SyntaxNode): InputFacts {
  try {
    const patched = root.type === 'module' ? patchedInputs(root) : undefined;
    if (patched) return patched;
    const reader = new InputReader(root);
    const facts = { inputs: reader.read(), learningRates: learningRates(reader.optimizers), validationSplits: reader.validationSplits(), scaledLabels: reader.scaledLabels() };
    if (root.type === 'module') moduleInputs.set(root, { fits: reader.fits.length > 0, facts });
    return facts;
  } catch {
    return { inputs: [], learningRates: [], validationSplits: [], scaledLabels: [] };
  }
}
