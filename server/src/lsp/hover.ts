// textDocument/hover: over a model's name, its equation step by step with each symbol's shape and source line,
// and where the code branches on its configuration, the model in each other configuration, marked as not the
// default; over a layer's application, the op, its widths and its output shape.

import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { MarkupKind } from 'vscode-languageserver/node';
import type { FileAnalysis, ModelAnalysis } from '../core/analyze';
import { MAX_ALTERNATIVES, ModelGraph, type Position, Range } from '../core/graph';
import type { AlternativeRendering } from '../core/render/alternatives';
import { Shapes } from '../core/shapes';

const FRAMEWORK_NAMES: Record<string, string> = { pytorch: 'PyTorch', keras: 'Keras', tfjs: 'TensorFlow.js', spec: 'spec' };

/**
 * Other configurations a hover lists, at most: the PyTorch frontend's cap (how many it interprets per model), so
 * the hover shows every alternative the core keeps, and no more should a frontend ever keep more.
 */
export const MAX_HOVER_ALTERNATIVES = MAX_ALTERNATIVES;

/** How a source position is named: `line 12`, or in a notebook `cell 3 line 5`. */
export type LineLabel = (pos: Position) => string;
const plainLine: LineLabel = (pos) => `line ${pos.line + 1}`;

export function modelHoverMarkdown(model: ModelAnalysis, lineOf: LineLabel = plainLine): string {
  const { graph, equation } = model;
  const stepLines = equation.steps;
  const parts: string[] = [];
  parts.push(`**${graph.name}** · ${FRAMEWORK_NAMES[graph.framework] ?? graph.framework} model${model.stale ? ' · *kept from the last version that parsed*' : ''}`);
  const alternatives = equation.alternatives ?? [];
  if (alternatives.length > 0) parts.push(defaultLabel(alternatives));
  parts.push('```text\n' + equation.text + '\n```');
  if (alternatives.length > 0) parts.push(alternativesMarkdown(alternatives));
  // With other configurations listed above, the steps and the collapse say which one they belong to.
  const ofDefault = alternatives.length > 0 ? ' in the default configuration' : '';
  if (stepLines.length > 1) parts.push(`Step by step${ofDefault}:\n\n\`\`\`text\n` + stepLines.join('\n') + '\n```');
  if (equation.collapsed) parts.push(`Affine layers collapse${ofDefault} (no activation between them):\n\n\`\`\`text\n` + equation.collapsed + '\n```');
  const symbols = equation.symbols.filter((s) => s.kind === 'weight' || s.shape);
  if (symbols.length > 0) {
    parts.push(
      ['| symbol | layer | line |', '| --- | --- | --- |', ...symbols.map((s) => {
        const shape = s.shape ? ` ∈ ℝ^{${s.shape.join('×')}}` : '';
        const block = s.block ? ` (in ${s.block}, ×${s.applications ?? 1}${s.shared ? ', shared' : ''})` : '';
        return `| \`${s.display}${shape}\` | ${s.module ?? ''}${block} | ${s.range ? lineOf(s.range.start).replace(/^line /, '') : ''} |`;
      })].join('\n'),
    );
  }
  const coverage = ModelGraph.coverage(graph);
  if (coverage.known < coverage.total) parts.push(`*${coverage.total - coverage.known} of ${coverage.total} steps not understood (shown as ‹…›).*`);
  return parts.join('\n\n');
}

/** What the equation assumes: `Default configuration (use_bn=True, cfg.residual=True):`, naming assumptions the file does not fix. */
function defaultLabel(alternatives: readonly AlternativeRendering[]): string {
  const unique = (values: string[]) => [...new Set(values)].map((v) => `\`${v}\``);
  const defaults = unique(alternatives.filter((a) => a.known).map((a) => a.assumed));
  const assumed = unique(alternatives.filter((a) => !a.known).map((a) => a.assumed));
  const notKnown = assumed.length > 0 ? `assuming ${assumed.join(', ')}, ${assumed.length === 1 ? 'whose value is' : 'whose values are'} not known` : '';
  return `**Default configuration** (${[defaults.join(', '), notKnown].filter((p) => p !== '').join('; ')}):`;
}

/** Each other configuration, labelled with its case and the default it departs from, one Unicode line each. */
function alternativesMarkdown(alternatives: readonly AlternativeRendering[]): string {
  const shown = alternatives.slice(0, MAX_HOVER_ALTERNATIVES);
  const blocks = shown.map((a) => {
    const label = a.known ? `*With \`${a.when}\`* (the default is \`${a.assumed}\`):` : `*If \`${a.when}\`* (its value is not known; the default equation assumes \`${a.assumed}\`):`;
    return `${label}\n\n\`\`\`text\n${a.text}\n\`\`\``;
  });
  const more = alternatives.length - shown.length;
  const heading = `**Other configurations**, not the default (findings follow the default):`;
  return [heading, ...blocks, ...(more > 0 ? [`*…and ${more} more (\`model-audit render\` prints them all).*`] : [])].join('\n\n');
}

export function hover(analysis: FileAnalysis | undefined, params: HoverParams, lineOf: LineLabel = plainLine): Hover | null {
  if (!analysis) return null;
  const pos = params.position;
  for (const model of analysis.models) {
    if (Range.contains(model.graph.nameRange, pos)) {
      return { contents: { kind: MarkupKind.Markdown, value: modelHoverMarkdown(model, lineOf) }, range: model.graph.nameRange };
    }
  }
  for (const model of analysis.models) {
    if (!Range.contains(model.graph.range, pos)) continue;
    const node = model.graph.nodes.find((n) => n.category !== 'input' && Range.contains(n.range, pos) && n.range.start.line === n.range.end.line);
    if (node) {
      const widths = node.attrs.in !== undefined || node.attrs.out !== undefined ? ` ${String(node.attrs.in ?? '?')}→${String(node.attrs.out ?? '?')}` : '';
      const text = `\`${node.module ?? node.op}\` · ${node.op}${widths} · output ${Shapes.format(node.shape)} per sample${node.reason ? `\n\nNot understood: ${node.reason}` : ''}`;
      return { contents: { kind: MarkupKind.Markdown, value: text }, range: node.range };
    }
  }
  return null;
}
