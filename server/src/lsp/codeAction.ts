// textDocument/codeAction: the quick fixes carried by Model Audit's own diagnostics.

import type { CodeAction, CodeActionParams } from 'vscode-languageserver/node';
import { SOURCE, toCodeActions } from './convert';

export function codeActions(params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((kind) => kind === 'quickfix' || kind.startsWith('quickfix'))) return [];
  return params.context.diagnostics.filter((d) => d.source === SOURCE).flatMap((d) => toCodeActions(d, params.textDocument.uri));
}
