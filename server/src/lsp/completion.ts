// textDocument/completion in spec files: operation names (and the file's named blocks and values) in expressions,
// and after `model `, the names of models Model Audit finds in the bound file, the open documents and the
// workspace.

import { type CompletionItem, CompletionItemKind, type CompletionParams } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import { parseSpec } from '../core/spec/parseSpec';
import { specOpNames } from '../core/spec/specOps';

export interface CompletionContext {
  readonly text: string;
  /** The analysis of this spec (for value and block names). */
  readonly analysis?: FileAnalysis;
  /**
   * Model names found elsewhere: the bound code file's, open documents', the workspace's. Asked only after `model `,
   * so other keystrokes neither wait for the open documents' analyses nor scan the workspace.
   */
  modelNames(codePath: string | undefined): Promise<string[]>;
}

export async function completion(params: CompletionParams, context: CompletionContext): Promise<CompletionItem[]> {
  const line = context.text.split('\n')[params.position.line] ?? '';
  const before = line.slice(0, params.position.character);
  if (/^\s*#/.test(before)) return [];
  const model = /^\s*model\s+([A-Za-z_][\w.]*)?$/.exec(before);
  if (model) {
    const path = /\bin\s+"([^"]*)"/.exec(line.slice(params.position.character))?.[1];
    return [...new Set(await context.modelNames(path))].sort().map((name) => ({ label: name, kind: CompletionItemKind.Class, detail: 'model' }));
  }
  if (/^\s*[A-Za-z_]\w*\s*(\([^)]*\))?\s*(:\s*\[[^\]]*\])?\s*=/.test(before) || /^\s*$/.test(before) === false && /[(,=+*\-·]\s*[A-Za-z_]*$/.test(before)) {
    const items: CompletionItem[] = specOpNames().map((name) => ({ label: name, kind: CompletionItemKind.Function, detail: 'operation' }));
    const doc = parseSpec(context.text);
    const blocks = [...doc.blocks, ...doc.models.flatMap((m) => m.statements)].filter((s) => s.kind === 'block').map((s) => s.name);
    for (const name of new Set(blocks)) items.push({ label: name, kind: CompletionItemKind.Module, detail: 'named block' });
    const current = doc.models.find((m) => m.range.start.line <= params.position.line && params.position.line <= m.range.end.line + 1) ?? doc.models[doc.models.length - 1];
    const values = (current?.statements ?? []).filter((s) => (s.kind === 'assign' || s.kind === 'input') && s.range.start.line < params.position.line).map((s) => s.name);
    for (const name of new Set(values)) items.push({ label: name, kind: CompletionItemKind.Variable, detail: 'value' });
    return items;
  }
  const keywords = ['model', 'input', 'output'];
  if (/^\s*[a-z]*$/.test(before)) return keywords.map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
  return [];
}
