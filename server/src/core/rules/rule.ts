// The shape of a rule: its stable code and name, its documentation (from which docs/rules/*.md is generated) and
// its check over one model graph. One rule per file; the registry lists them.

import type { ModelGraph, Severity } from '../graph';
import type { Finding } from '../findings';

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
}

export interface RuleContext {
  readonly graph: ModelGraph;
  /** The severity the user configured for this rule (or its default). */
  readonly severity: Severity;
}

export interface ModelRule {
  readonly code: string;
  readonly name: string;
  readonly defaultSeverity: Severity;
  readonly docs: RuleDocs;
  check(context: RuleContext): Finding[];
}

/** A short, readable name for the layer behind a node: its module path, else its op. */
export function layerName(node: { module?: string; op: string; label?: string }): string {
  return node.module ?? node.label ?? node.op;
}
