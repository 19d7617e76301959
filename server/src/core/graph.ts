// The model graph: the one value every frontend produces and every consumer (renderer, rules, spec diff, probes)
// reads. It is plain, readonly, serializable data with source ranges and no parser handles, so it can be cached,
// snapshotted in golden files and compared across frameworks.

/** A 0-based position, as in LSP. */
export interface Position {
  readonly line: number;
  readonly character: number;
}

/** A 0-based half-open range, as in LSP. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export namespace Range {
  export function create(startLine: number, startChar: number, endLine: number, endChar: number): Range {
    return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
  }
  export const empty: Range = create(0, 0, 0, 0);
  export function contains(outer: Range, pos: Position): boolean {
    const afterStart = pos.line > outer.start.line || (pos.line === outer.start.line && pos.character >= outer.start.character);
    const beforeEnd = pos.line < outer.end.line || (pos.line === outer.end.line && pos.character <= outer.end.character);
    return afterStart && beforeEnd;
  }
  export function equals(a: Range, b: Range): boolean {
    return a.start.line === b.start.line && a.start.character === b.start.character &&
      a.end.line === b.end.line && a.end.character === b.end.character;
  }
}

/** `tf1` (TensorFlow 1 graph code) is beyond the contract's list. */
export type Framework = 'pytorch' | 'keras' | 'tfjs' | 'tf1' | 'spec';
export type Language = 'python' | 'javascript' | 'typescript' | 'model-spec';

export type OpCategory =
  | 'input'
  | 'affine'
  | 'activation'
  | 'normalization'
  | 'regularization'
  | 'pooling'
  | 'reshape'
  | 'merge'
  | 'recurrent'
  | 'attention'
  | 'other';

/** A dimension: a number when known, a symbol (`B`, `in_features`, `?`) when not. */
export type Dim = number | string;

/** A per-sample shape (the batch dimension is left out). `undefined` means unknown. */
export type Shape = readonly Dim[];

export type AttrValue = Dim | boolean | null | readonly Dim[];

/** A text edit against the model's own source file. */
export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

/**
 * How to insert an activation right after this node's output, written by the frontend because only the frontend
 * knows the idiom (`F.relu(...)` in a forward, `nn.ReLU()` in a Sequential, `activation='relu'` in Keras).
 */
export interface ActivationInsertion {
  /** A short description of the edit, e.g. "wrap self.fc2(x) in F.relu(...)". */
  readonly description: string;
  readonly edits: readonly TextEdit[];
}

export interface GraphNode {
  readonly id: number;
  /** Canonical lower-case op name: input, linear, conv2d, relu, add, concat, flatten, opaque, … */
  readonly op: string;
  readonly category: OpCategory;
  /** Ids of the nodes whose outputs this node consumes, in argument order. */
  readonly inputs: readonly number[];
  /** Hyperparameters: in, out, kernel, stride, padding, dim, p, … */
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The attribute path of the module that computes this node (`fc1`, `layers.2`, `encoder.block.0`). */
  readonly module?: string;
  /** Identity of the layer instance; equal for two applications of one layer (weight sharing). */
  readonly layerId?: string;
  /** Where the op is applied (the call in forward, or the entry in a Sequential). */
  readonly range: Range;
  /** Where the layer was constructed, when that is elsewhere. */
  readonly defRange?: Range;
  /** Output shape per sample, when inferred. */
  readonly shape?: Shape;
  /** For opaque ops: the call as written. */
  readonly label?: string;
  /** For opaque ops: why the extractor did not understand it. */
  readonly reason?: string;
  /** How to insert an activation after this node, when the frontend knows a safe edit. */
  readonly insertActivation?: ActivationInsertion;
  /**
   * For an op computed inside a submodule: the call in the model's own forward that runs it. A finding that spans
   * two submodules is reported (and fixed) there rather than inside a class other models may share.
   */
  readonly site?: CallSite;
  /** Edits on this op the frontend knows how to make in its framework's idiom; rules offer them as quick fixes. */
  readonly edits?: NodeEdits;
  /**
   * For dropout-like ops: what switches them off at evaluation. `model` follows the model's train/eval mode (a
   * dropout layer, `training=self.training`); `default` is a functional call left at its default, which is always
   * on; `constant` is hard-coded (Monte Carlo dropout); `unknown` is any other expression.
   */
  readonly modeSwitch?: 'model' | 'default' | 'constant' | 'unknown';
  /** For softmax-family ops: no dimension was given, so the framework picks one from the input's rank. */
  readonly implicitDim?: boolean;
  /** Set when the op runs in one mode only (inside `if self.training:` or `if not self.training:`). */
  readonly onlyIn?: 'train' | 'eval';
  /**
   * The file the op is written in, when it is not the model's own (code reached through an import). Its range is
   * then the call in the model's file that runs it, so frontends attach no edits and rules read nothing from there.
   */
  readonly origin?: string;
  /** For affine ops: a constant initialisation of the weights written in the code (`kernel_initializer='zeros'`, `nn.init.constant_(fc.weight, 0.1)`). */
  readonly init?: WeightInit;
}

/** A weight initialisation that gives every weight of a layer the same value. */
export interface WeightInit {
  readonly kind: 'zeros' | 'ones' | 'constant';
  /** The initializer as written. */
  readonly text: string;
  /** Where it is written. */
  readonly range: Range;
  /** The edit that puts the framework's default initializer back, when the frontend knows one. */
  readonly reset?: OpEdit;
}

/** An edit a rule can offer as a quick fix, written by a frontend in its framework's idiom. */
export interface OpEdit {
  /** A short description of the edit, e.g. "replace `F.softmax(x, dim=1)` with `x`". */
  readonly description: string;
  readonly edits: readonly TextEdit[];
}

/** Edits on one op; each is offered by the rule that needs it. */
export interface NodeEdits {
  /** Removes the op and keeps its input: `F.softmax(x, dim=1)` becomes `x`; an `nn.Softmax()` leaves a Sequential. */
  readonly remove?: OpEdit;
  /** Makes functional dropout follow the model's mode (`training=self.training`). */
  readonly followTrainingMode?: OpEdit;
  /** Turns the layer's bias off where it is constructed (`bias=False`, `use_bias=False`, `useBias: false`). */
  readonly disableBias?: OpEdit;
  /** Gives a softmax an explicit dimension, the last one. */
  readonly setLastDim?: OpEdit;
}

/** What a loss expects its first argument to be. */
export type LossInput = 'logits' | 'probabilities' | 'log_probabilities' | 'values';

/** A loss that one of the model's outputs goes into, as the training code in the file says. */
export interface LossUse {
  /** The loss as the framework names it: `CrossEntropyLoss`, `F.nll_loss`, `categorical_crossentropy`. */
  readonly name: string;
  readonly expects: LossInput;
  /** The activation the loss applies itself: softmax (CrossEntropyLoss, `from_logits=True`) or sigmoid (BCEWithLogitsLoss). */
  readonly applies?: 'softmax' | 'sigmoid';
  /** Where the loss is named: its constructor, its functional call, the `loss=` argument. */
  readonly range: Range;
  /** Which of the model's outputs goes in, when it returns several. */
  readonly output?: number;
  /** Ops applied to the output on its way into the loss, innermost first (`torch.log(F.softmax(out))` → softmax, log); `opaque` for any not understood. */
  readonly transforms?: readonly { readonly op: string; readonly range: Range; readonly edits?: NodeEdits }[];
  /** Switches to the variant of the loss that takes logits (NLLLoss → CrossEntropyLoss, `from_logits=True`). */
  readonly expectLogits?: OpEdit;
  /**
   * The targets the loss is made for: one class out of several per sample (`categorical_crossentropy`,
   * CrossEntropyLoss), independent yes/no per output unit (`binary_crossentropy`, BCELoss), or real values (MSE, MAE).
   */
  readonly task?: LossTask;
  /**
   * Where the training code asks for accuracy as a metric with this loss (Keras `metrics=['accuracy']`), with the
   * metric's literal rewritten as `'mae'` in the same quotes, for a fix.
   */
  readonly accuracyMetric?: AccuracyMetric;
}

/** An accuracy metric named beside a loss, and its literal rewritten as `'mae'` in the same quotes. */
export interface AccuracyMetric {
  readonly range: Range;
  readonly asMae: string;
}

/** What a loss's targets are; see LossUse.task. */
export type LossTask = 'classes' | 'binary' | 'regression';

export interface CallSite {
  readonly range: Range;
  readonly module?: string;
  readonly insertActivation?: ActivationInsertion;
}

/** A layer built in the constructor, whether or not it is applied. */
export interface LayerDecl {
  readonly layerId: string;
  readonly module: string;
  readonly op: string;
  readonly category: OpCategory;
  readonly range: Range;
  /** An edit that removes the declaration, when the frontend knows a safe one. */
  readonly removal?: TextEdit;
  /**
   * True when the layer's name appears elsewhere in the model's methods though the extractor did not see it
   * applied (a branch not taken by default, a dynamic lookup): the unused-layer rule stays silent then.
   */
  readonly referenced?: boolean;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export namespace Severity {
  const order: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };
  /** True when `a` is at least as severe as `b`. */
  export function atLeast(a: Severity, b: Severity): boolean {
    return order[a] <= order[b];
  }
}

/** Something the frontend could not understand; reported as a hint so coverage gaps are visible. */
export interface FrontendProblem {
  readonly message: string;
  readonly range: Range;
  readonly severity: Severity;
}

/**
 * How the model's framework spells what a finding suggests, written by the frontend, since a rule never asks which
 * framework a graph came from. A field left out reads as PyTorch's spelling.
 */
export interface FrameworkIdioms {
  /** Flattening a feature map before a dense layer: `torch.flatten(x, 1) or nn.Flatten()`, `layers.Flatten()`, `tf.layers.flatten()`. */
  readonly flatten?: string;
  /** A dense layer, in prose: `a Linear`, `a Dense layer`. */
  readonly dense?: string;
  /** The constructor argument that turns a layer's bias off: `bias=False`, `use_bias=False`, `useBias: false`. */
  readonly noBias?: string;
  /** The keyword that names the dimension a softmax normalizes over: `dim`, `axis`. */
  readonly axis?: string;
  /** Where layers are built, in prose: `the constructor`, `__init__`. */
  readonly buildSite?: string;
  /** Where layers are applied, in prose: `forward`, `call`. */
  readonly applySite?: string;
  /** The argument that makes a layer read channels first: `data_format='channels_first'`, `dataFormat: 'channelsFirst'`. */
  readonly channelsFirst?: string;
}

export interface ModelGraph {
  readonly name: string;
  readonly framework: Framework;
  /** The whole definition (class, assignment or function). */
  readonly range: Range;
  /** The name as written in the definition; code lenses and hovers anchor here. */
  readonly nameRange: Range;
  /** Nodes in evaluation order; inputs first. */
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly layers: readonly LayerDecl[];
  readonly problems: readonly FrontendProblem[];
  /** Names of losses the model's outputs go into (e.g. `CrossEntropyLoss`), when the file says. */
  readonly losses?: readonly string[];
  /** The losses the model's outputs go into, with what each expects; filled by the frontend from the file's training code. */
  readonly lossUses?: readonly LossUse[];
  /** A hash of the model's own source text, so unchanged models can reuse earlier results. */
  readonly textKey?: string;
  /** How the framework spells the fixes findings suggest; absent for PyTorch. */
  readonly idioms?: FrameworkIdioms;
  /**
   * The model in other configurations: where the code branches on a configuration value (`if self.use_bn:`), the
   * nodes above follow the default (or, for a value that is not known, the first branch) and each alternative holds
   * the model as it computes in another case. Rules, shapes and the spec diff read `nodes` only.
   */
  readonly alternatives?: readonly BranchAlternative[];
}

/**
 * Alternative configurations a frontend interprets per model, at most: each is one more run of the whole model, and
 * the hover lists as many. A graph fact rather than a PyTorch one, so the edges read it without a frontend import.
 */
export const MAX_ALTERNATIVES = 6;

/** The model in another configuration than the one its equation shows. */
export interface BranchAlternative {
  /** The condition as written where the code first branches on it: `self.use_bn`. */
  readonly condition: string;
  /** What the model's own equation assumes: a default (`use_bn=True`), or the first branch's condition (`cfg.residual`). */
  readonly assumed: string;
  /** The case this alternative shows: `use_bn=False`, `not cfg.residual`. */
  readonly when: string;
  /** True when `assumed` is a default the code writes; false when the value is not known and the first branch was taken. */
  readonly known: boolean;
  /** The condition, in the model's file. */
  readonly range: Range;
  /** The model's ops in that case, in evaluation order, and its outputs (ids local to this list). */
  readonly nodes: readonly GraphNode[];
  readonly outputs: readonly number[];
}

export namespace ModelGraph {
  export function node(graph: ModelGraph, id: number): GraphNode {
    const n = graph.nodes[id];
    if (!n || n.id !== id) {
      const found = graph.nodes.find((candidate) => candidate.id === id);
      if (!found) throw new Error(`node ${id} is not in graph ${graph.name}`);
      return found;
    }
    return n;
  }

  /** For each node id, the ids of the nodes that consume its output. */
  export function consumers(graph: ModelGraph): Map<number, number[]> {
    const result = new Map<number, number[]>();
    for (const n of graph.nodes) result.set(n.id, []);
    for (const n of graph.nodes) for (const i of n.inputs) result.get(i)?.push(n.id);
    return result;
  }

  /**
   * The first node after `id` along single consumers that `through` does not pass (a dropout's next op past any
   * reshapes); undefined where the output fans out or ends, or after `maxHops`.
   */
  export function nextThrough(graph: ModelGraph, consumers: Map<number, number[]>, id: number, through: (node: GraphNode) => boolean, maxHops = 16): GraphNode | undefined {
    let current = id;
    for (let hops = 0; hops < maxHops; hops++) {
      const next = consumers.get(current) ?? [];
      if (next.length !== 1) return undefined;
      const n = node(graph, next[0]);
      if (!through(n)) return n;
      current = n.id;
    }
    return undefined;
  }

  /** The ids of the nodes `of` depends on, itself included. */
  export function ancestors(graph: ModelGraph, of: number): Set<number> {
    const seen = new Set<number>();
    const stack = [of];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...node(graph, id).inputs);
    }
    return seen;
  }

  /** Whether node `of` depends on node `ancestor` (or is it). */
  export function isAncestor(graph: ModelGraph, ancestor: number, of: number): boolean {
    const seen = new Set<number>();
    const stack = [of];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === ancestor) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...node(graph, id).inputs);
    }
    return false;
  }

  /** The share of non-input ops that are understood (not opaque), between 0 and 1. */
  export function coverage(graph: ModelGraph): { known: number; total: number } {
    const ops = graph.nodes.filter((n) => n.category !== 'input');
    return { known: ops.filter((n) => n.op !== 'opaque').length, total: ops.length };
  }
}
