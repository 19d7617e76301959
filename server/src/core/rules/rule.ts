// The shape of a rule: its stable code and name, its documentation (from which docs/rules/*.md is generated) and
// its check over one model graph. One rule per file; the registry lists them.

import type { FrameworkIdioms, ModelGraph, Severity } from '../graph';
import type { Finding } from '../findings';
import type { TrainingFacts } from '../training';

export interface RuleDocs {
  /** One sentence: what the rule flags. */
  readonly summary: string;
  /** Why it hurts training although nothing crashes. */
  readonly why: string;
  /** Code that triggers the rule. */
  readonly bad: string;
  /** The same code, fixed. */
  readonly good: string;
  /** Whether the quick fix is safe to apply without thought, and why (or why not). */
  readonly fix: string;
  /**
   * How safe the fix is, when `fix` does not say it in the usual words (core/codes.ts reads "No automatic fix…" as
   * none, "Safe" as safe, anything else as review).
   */
  readonly fixSafety?: 'safe' | 'review' | 'none';
}

export interface RuleContext {
  readonly graph: ModelGraph;
  /** The severity the user configured for this rule (or its default). */
  readonly severity: Severity;
}

/** What every rule has, whatever it reads: the metadata docs, SARIF and configuration are built from. */
export interface RuleInfo {
  readonly code: string;
  readonly name: string;
  readonly defaultSeverity: Severity;
  readonly docs: RuleDocs;
}

/** A rule over one model graph (the MA rules). */
export interface ModelRule extends RuleInfo {
  readonly kind?: 'model';
  check(context: RuleContext): Finding[];
}

export interface FileRuleContext {
  /** What the file's training code does, as a frontend extracted it. */
  readonly facts: TrainingFacts;
  /** The models defined in the same file, for rules that depend on what a model contains. */
  readonly graphs: readonly ModelGraph[];
  readonly severity: Severity;
}

/** A rule over a whole file's training code (the MT rules): it reads training facts, not a model graph. */
export interface FileRule extends RuleInfo {
  readonly kind: 'file';
  check(context: FileRuleContext): Finding[];
}

export type Rule = ModelRule | FileRule;

/** Max pooling (of any rank, adaptive or not): it keeps the largest value of each window, piecewise linear. */
export function isMaxPool(node: { category: string; op: string }): boolean {
  return node.category === 'pooling' && /^(adaptive_)?max_pool|^max$/.test(node.op);
}

/** A short, readable name for the layer behind a node: its module path, else its op. */
export function layerName(node: { module?: string; op: string; label?: string }): string {
  // An unnamed Sequential entry is shown by its index, as PyTorch prints it: `linear[2]`.
  if (node.module !== undefined && /^\d+$/.test(node.module)) return `${node.op}[${node.module}]`;
  return node.module ?? node.label ?? node.op;
}

/** PyTorch's spellings, for graphs whose frontend writes none. */
const PYTORCH_IDIOMS: Required<FrameworkIdioms> = {
  flatten: 'torch.flatten(x, 1) or nn.Flatten()',
  dense: 'a Linear',
  noBias: 'bias=False',
  axis: 'dim',
  buildSite: 'the constructor',
  applySite: 'forward',
  channelsFirst: "data_format='channels_first'",
};

/** How a graph's framework spells the fixes a message suggests (the frontend's idioms over PyTorch's). */
export function idiomsOf(graph: ModelGraph): Required<FrameworkIdioms> {
  return { ...PYTORCH_IDIOMS, ...(graph.idioms ?? {}) };
}
