// textDocument/codeLens: each model's equation in one line above its definition, and its collapsed form where
// affine layers compose with no activation between them.

import type { CodeLens } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import { elideMiddle } from '../core/render/unicode';

export const CODE_LENS_MAX = 140;

export function codeLenses(analysis: FileAnalysis | undefined): CodeLens[] {
  if (!analysis) return [];
  const lenses: CodeLens[] = [];
  for (const model of analysis.models) {
    const range = { start: model.graph.nameRange.start, end: model.graph.nameRange.start };
    const stale = model.stale ? ' (last version that parsed)' : '';
    lenses.push({ range, command: { title: elideMiddle(model.equation.text, CODE_LENS_MAX) + stale, command: '' } });
    if (model.equation.collapsed) {
      lenses.push({ range, command: { title: `collapses: ${elideMiddle(model.equation.collapsed, CODE_LENS_MAX)}`, command: '' } });
    }
  }
  return lenses;
}
