// The golden rendering of a file's models: name, framework, Unicode equation and steps, and every op with its
// inputs, hyperparameters, shape and line. Goldens are reviewed like code, so the format is meant for reading.

import type { FileAnalysis } from '../../server/src/core/analyze';
import type { AttrValue, GraphNode } from '../../server/src/core/graph';
import { alternativeLabel } from '../../server/src/core/render/alternatives';
import { Shapes } from '../../server/src/core/shapes';

const SHOWN_ATTRS = ['in', 'out', 'kernel', 'stride', 'padding', 'dim', 'p', 'bias', 'return_sequences', 'bidirectional', 'global', 'channels_last', 'same_padding', 'shape', 'factor', 'equation', 'tied_to'];

function attr(v: AttrValue): string {
  return Array.isArray(v) ? `(${v.join(', ')})` : String(v);
}

function describeNode(n: GraphNode): string {
  const parts = [`#${n.id}`, n.op];
  if (n.module) parts.push(n.module);
  const attrs = SHOWN_ATTRS.filter((k) => n.attrs[k] !== undefined).map((k) => `${k}=${attr(n.attrs[k])}`);
  if (n.op === 'input' && typeof n.attrs.name === 'string') attrs.unshift(`name=${n.attrs.name}`);
  if (attrs.length > 0) parts.push(`{${attrs.join(', ')}}`);
  if (n.inputs.length > 0) parts.push(`← ${n.inputs.map((i) => `#${i}`).join(' ')}`);
  parts.push(`: ${Shapes.format(n.shape)}`);
  if (n.op === 'opaque') parts.push(`«${n.label ?? ''}»`);
  if (n.onlyIn) parts.push(`[${n.onlyIn} only]`);
  if (n.site) parts.push(`via L${n.site.range.start.line + 1}`);
  parts.push(`L${n.range.start.line + 1}`);
  return parts.join(' ');
}

export function renderGolden(analysis: FileAnalysis): string {
  const lines: string[] = [];
  for (const m of analysis.models) {
    const g = m.graph;
    lines.push(`model ${g.name} (${g.framework}) L${g.nameRange.start.line + 1}`);
    lines.push(`  equation: ${m.equation.text}`);
    if (m.equation.steps.length > 0) {
      lines.push('  steps:');
      for (const s of m.equation.steps) lines.push(`    ${s}`);
    }
    if (m.equation.collapsed) lines.push(`  collapsed: ${m.equation.collapsed}`);
    for (const alt of m.equation.alternatives ?? []) lines.push(`  ${alternativeLabel(alt)}: ${alt.text}`);
    if (g.losses && g.losses.length > 0) lines.push(`  losses: ${g.losses.join(', ')}`);
    lines.push(`  outputs: ${g.outputs.map((o) => `#${o}`).join(' ') || '(none)'}`);
    lines.push('  ops:');
    for (const n of g.nodes) lines.push(`    ${describeNode(n)}`);
    lines.push('');
  }
  return lines.join('\n');
}
