// textDocument/codeLens on a notebook cell: the lenses of the notebook's program that sit in this cell, at cell
// positions, their commands naming the cell. Any other document passes through unchanged.

import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import type { NotebookPrograms } from './notebookSync';

interface LensArgs {
  readonly uri?: string;
  readonly position?: { line: number; character: number };
}

/**
 * textDocument/codeLens on a cell: the program's lenses that sit in this cell, at their cell positions; their
 * commands (show the equation, run probes) name the cell, so the panel and the probes come back through a cell.
 */
export async function codeLensesInCell(notebooks: NotebookPrograms, params: CodeLensParams, inner: (uri: string) => Promise<CodeLens[]>): Promise<CodeLens[]> {
  const uri = params.textDocument.uri;
  const target = notebooks.cell(uri);
  if (!target) return inner(uri);
  const lenses: CodeLens[] = [];
  for (const lens of await inner(target.notebookUri)) {
    const range = target.toCell(lens.range);
    if (!range) continue;
    const args = lens.command?.arguments?.map((a: LensArgs) => {
      if (typeof a !== 'object' || a === null || a.uri !== target.notebookUri) return a;
      const position = a.position ? target.toCell({ start: a.position, end: a.position })?.start : undefined;
      return { ...a, uri, ...(position ? { position } : {}) };
    });
    lenses.push({ ...lens, range, ...(lens.command ? { command: { ...lens.command, ...(args ? { arguments: args } : {}) } } : {}) });
  }
  return lenses;
}
