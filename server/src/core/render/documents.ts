// Whole-model documents built from a model's rendered equation: a LaTeX `aligned` block for papers and notes, and
// Markdown with `$$` math blocks for pull requests (GitHub renders them), with a table of the parameters' shapes.
// Shared by `model-audit render`, the equation panel's "Copy as …" commands and the tests.

import type { ModelAnalysis } from '../fileAnalysis';
import type { Position } from '../graph';
import { Shapes } from '../shapes';
import { alternativeLabel } from './alternatives';

const FRAMEWORK_NAMES: Record<string, string> = { pytorch: 'PyTorch', keras: 'Keras', tfjs: 'TensorFlow.js', spec: 'spec' };

/** `a = b` lines as the rows of an `aligned` environment, aligned at the first `=`. */
export function alignedRows(lines: readonly string[], indent = ''): string[] {
  return lines.map((line, i) => `${indent}${line.replace(' = ', ' &= ')}${i < lines.length - 1 ? ' \\\\' : ''}`);
}

/** The model step by step in an `aligned` block, under a comment naming it. */
export function latexDocument(model: ModelAnalysis): string {
  const alternatives = (model.equation.alternatives ?? []).flatMap((a) => ['', `% ${alternativeLabel(a)}:`, '\\begin{aligned}', ...alignedRows(a.latexLines, '  '), '\\end{aligned}']);
  return [`% ${model.graph.name} (${model.graph.framework})`, '\\begin{aligned}', ...alignedRows(model.equation.latexSteps, '  '), '\\end{aligned}', ...alternatives].join('\n');
}

/** The LaTeX of the closed form alone (block definitions, the outputs, named values), for pasting into a paper. */
export function latexClosedForm(model: ModelAnalysis): string {
  return ['\\begin{aligned}', ...alignedRows(model.equation.latexLines, '  '), '\\end{aligned}'].join('\n');
}

/**
 * A Markdown section for a pull request: the closed form as display math, the collapse when layers collapse, the
 * steps folded away in a `<details>` block, and the parameters with their shapes and source lines.
 */
/** `lineOf`: a source position as the document names it (`line 12`; in a notebook, `cell 3 line 5`). */
export function markdownDocument(model: ModelAnalysis, path: string, lineOf: (pos: Position) => string = (pos) => `line ${pos.line + 1}`): string {
  const { graph, equation } = model;
  const parts: string[] = [
    `### ${graph.name}`,
    '',
    `*${FRAMEWORK_NAMES[graph.framework] ?? graph.framework} · \`${path}\` ${lineOf(graph.nameRange.start)}*`,
    '',
    '$$',
    '\\begin{aligned}',
    ...alignedRows(equation.latexLines),
    '\\end{aligned}',
    '$$',
  ];
  if (equation.latexCollapsed) {
    parts.push('', 'Affine layers collapse into one linear map (no activation between them):', '', '$$', '\\begin{aligned}', ...alignedRows(equation.latexCollapsed), '\\end{aligned}', '$$');
  }
  for (const alt of equation.alternatives ?? []) {
    const label = alt.known ? `With \`${alt.when}\` (the default is \`${alt.assumed}\`):` : `If \`${alt.when}\` (its value is not known; the equation above assumes \`${alt.assumed}\`):`;
    parts.push('', label, '', '$$', '\\begin{aligned}', ...alignedRows(alt.latexLines), '\\end{aligned}', '$$');
  }
  if (equation.latexSteps.length > 1) {
    parts.push('', '<details><summary>Step by step</summary>', '', '$$', '\\begin{aligned}', ...alignedRows(equation.latexSteps), '\\end{aligned}', '$$', '', '</details>');
  }
  const weights = equation.symbols.filter((s) => s.kind === 'weight');
  if (weights.length > 0) {
    parts.push('', '| parameter | shape | layer | line |', '| --- | --- | --- | --- |');
    for (const s of equation.symbols) {
      const layer = s.block ? `${s.module ?? ''} (in ${s.block}, ×${s.applications ?? 1}${s.shared ? ', shared' : ''})` : s.module ?? '';
      parts.push(`| ${s.display} | ${s.shape ? Shapes.format(s.shape) : ''} | ${layer.replace(/\|/g, '\\|')} | ${s.range ? lineOf(s.range.start).replace(/^line /, '') : ''} |`);
    }
  }
  return parts.join('\n');
}
