// textDocument/hover on a notebook cell: asked of the notebook's program (one analysis of all its code cells) at the
// program position, the answer's range mapped back into the cell. Any other document passes through unchanged.

import type { Hover, HoverParams } from 'vscode-languageserver/node';
import type { NotebookPrograms } from './notebookSync';

/** textDocument/hover on a cell: the program's hover at the program position, its range in the cell. */
export async function hoverInCell(notebooks: NotebookPrograms, params: HoverParams, inner: (params: HoverParams) => Promise<Hover | null>): Promise<Hover | null> {
  const target = notebooks.cell(params.textDocument.uri);
  if (!target) return inner(params);
  const position = target.toProgram(params.position);
  if (!position) return null;
  const hover = await inner({ ...params, textDocument: { uri: target.notebookUri }, position });
  if (!hover?.range) return hover;
  const range = target.toCell(hover.range);
  const { range: _programRange, ...rest } = hover;
  return range ? { ...rest, range } : rest;
}
