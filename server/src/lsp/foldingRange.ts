// textDocument/foldingRange in spec files: each `model` block folds from its `model` line to its last statement,
// and an expression written over several lines folds to its first line.

import type { FoldingRange } from 'vscode-languageserver/node';
import { parseSpec } from '../core/spec/parseSpec';

export function specFoldingRanges(text: string): FoldingRange[] {
  const doc = parseSpec(text);
  const ranges: FoldingRange[] = [];
  for (const model of doc.models) {
    if (model.range.end.line > model.range.start.line) ranges.push({ startLine: model.range.start.line, endLine: model.range.end.line, kind: 'region' });
    for (const s of model.statements) if (s.range.end.line > s.range.start.line) ranges.push({ startLine: s.range.start.line, endLine: s.range.end.line });
  }
  for (const b of doc.blocks) if (b.range.end.line > b.range.start.line) ranges.push({ startLine: b.range.start.line, endLine: b.range.end.line });
  return ranges;
}
