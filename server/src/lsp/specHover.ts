// textDocument/hover in spec files: over a model name, the spec's and the code's equations; over an operation, the
// code it is bound to (the layer, its widths, the line of code), or that the code has no such operation.

import { type Hover, type HoverParams, MarkupKind } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import { renderModelEquation } from '../core/analyze';
import type { GraphNode } from '../core/graph';
import { baseName } from '../core/spec/analyzeSpec';
import { describeCodeOp, describeSpecOp } from '../core/spec/specFindings';
import { Shapes } from '../core/shapes';
import { codeRangeOf, specTargetAt } from './specNavigation';

export function specHover(analysis: FileAnalysis | undefined, params: HoverParams, readText: (uri: string) => string | undefined): Hover | null {
  const target = specTargetAt(analysis, params.position);
  if (!target) return null;
  const { binding } = target;
  const codeName = binding.codePath ? baseName(binding.codePath) : undefined;
  const parts: string[] = [];
  if (!target.node) {
    parts.push(`**${binding.spec.name}** · spec${codeName ? ` of \`${binding.code?.name ?? binding.spec.name}\` in \`${codeName}\`` : ' (not bound to code)'}`);
    // The spec's equation is in the analysis already; the code's graph comes from the other file, so it is rendered here.
    const specEquation = analysis?.models.find((m) => m.graph === binding.spec)?.equation ?? renderModelEquation(binding.spec);
    parts.push('spec:\n```text\n' + specEquation.text + '\n```');
    if (binding.code) parts.push('code:\n```text\n' + renderModelEquation(binding.code).text + '\n```');
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, range: target.range };
  }
  const node = target.node;
  parts.push(`\`${describeSpecOp(node)}\` · ${node.op}${widths(node)} · output ${Shapes.format(node.shape)} per sample`);
  if (!binding.code || !binding.codePath) {
    parts.push('*This spec model is not bound to code.*');
  } else if (!target.codeNode) {
    parts.push(`*The code (\`${codeName}\`, model \`${binding.code.name}\`) has no operation here.*`);
  } else {
    const code = target.codeNode;
    const range = codeRangeOf(code);
    const line = readText(binding.codePath)?.split('\n')[range.start.line]?.trim();
    parts.push(`code: \`${describeCodeOp(code)}\` · ${code.op}${widths(code)} · ${codeName} line ${range.start.line + 1}`);
    if (line) parts.push('```' + fence(codeName ?? '') + '\n' + line + '\n```');
  }
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, range: target.range };
}

function widths(node: GraphNode): string {
  const a = node.attrs;
  return a.in !== undefined || a.out !== undefined ? ` ${String(a.in ?? '?')}→${String(a.out ?? '?')}` : '';
}

function fence(name: string): string {
  if (name.endsWith('.py')) return 'python';
  if (name.endsWith('.ts')) return 'typescript';
  return 'javascript';
}
