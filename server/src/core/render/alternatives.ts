// The model in its other configurations, rendered: where the code branches on a configuration value (`if
// self.use_bn:`), the model's equation shows the default (or, for a value that is not known, the first branch) and
// each other case gets its own closed form, labelled with the case and the default it departs from. The CLI, the
// JSON report and the documents print these after the model's own equation.

import type { Range } from '../graph';
import type { Equation } from './equation';
import { closedFormLinesToLatex, closedFormToLatex } from './latex';
import { closedFormToUnicode } from './unicode';

export interface AlternativeRendering {
  /** The condition as written where the code first branches on it: `self.use_bn`. */
  readonly condition: string;
  /** What the model's own equation assumes: `use_bn=True` (a default), or `cfg.residual` (not known: the first branch). */
  readonly assumed: string;
  /** The case this equation shows: `use_bn=False`, `not cfg.residual`. */
  readonly when: string;
  /** True when `assumed` is a default the code writes; false when the value is not known. */
  readonly known: boolean;
  readonly range: Range;
  /** The closed form in that case, in Unicode: y = ReLU(W₁∗x + b₁). */
  readonly text: string;
  /** The same, as LaTeX on one line and as display lines. */
  readonly latex: string;
  readonly latexLines: readonly string[];
}

export function renderAlternatives(eq: Equation): AlternativeRendering[] {
  return (eq.alternatives ?? []).map(({ branch, equation }) => ({
    condition: branch.condition,
    assumed: branch.assumed,
    when: branch.when,
    known: branch.known,
    range: branch.range,
    text: closedFormToUnicode(equation),
    latex: closedFormToLatex(equation),
    latexLines: closedFormLinesToLatex(equation),
  }));
}

/**
 * The case as a reader meets it before the equation: `if use_bn=False (default: use_bn=True)`, or for a value the
 * code does not fix, `if not cfg.residual (not known; the equation assumes cfg.residual)`.
 */
export function alternativeLabel(alt: Pick<AlternativeRendering, 'when' | 'assumed' | 'known'>): string {
  return alt.known ? `if ${alt.when} (default: ${alt.assumed})` : `if ${alt.when} (not known; the equation assumes ${alt.assumed})`;
}
