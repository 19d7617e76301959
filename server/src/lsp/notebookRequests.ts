// Requests on a notebook cell: hover, code lens and the equation panel's modelAudit/equation are answered for the
// notebook's program (one analysis of all its code cells) at the program position, and the answer's ranges, lines
// and URIs are mapped back into cells. A request on any other document passes through unchanged.

import type { CodeLens, CodeLensParams, Hover, HoverParams } from 'vscode-languageserver/node';
import type { ModelEquationRequest } from '../shared/customMessages';
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

/** The notebook program a cell URI's request is about (probes, the probe report), or the URI itself. */
export function programUri(notebooks: NotebookPrograms, uri: string): string {
  return notebooks.cell(uri)?.notebookUri ?? uri;
}

/**
 * modelAudit/equation on a cell: the model at the program position, answered under the URI of the cell that defines
 * it, with each line (parameters, values, configurations) relative to that cell. A line in another cell (a layer
 * built in an earlier cell) has no line here, since the panel reveals lines of one document.
 */
export async function equationInCell(
  notebooks: NotebookPrograms,
  params: ModelEquationRequest.Params,
  inner: (params: ModelEquationRequest.Params) => Promise<ModelEquationRequest.Result>,
): Promise<ModelEquationRequest.Result> {
  const target = notebooks.cell(params.uri);
  if (!target) return inner(params);
  const position = params.position ? target.toProgram(params.position) : undefined;
  const result = await inner({ ...params, uri: target.notebookUri, ...(position ? { position } : {}) });
  const model = result.model;
  if (!model) return result;
  const home = notebooks.locate(target.notebookUri, { start: { line: model.line, character: 0 }, end: { line: model.line, character: 0 } });
  if (!home) return result;
  const lineIn = (line: number | undefined) => {
    if (line === undefined) return undefined;
    const at = notebooks.locate(target.notebookUri, { start: { line, character: 0 }, end: { line, character: 0 } });
    return at?.uri === home.uri ? at.range.start.line : undefined;
  };
  const withLine = <T extends { readonly line?: number }>(item: T): T => {
    const { line: _programLine, ...rest } = item;
    const line = lineIn(item.line);
    return (line === undefined ? rest : { ...rest, line }) as T;
  };
  return {
    ...result,
    model: {
      ...model,
      uri: home.uri,
      line: home.range.start.line,
      parameters: model.parameters.map(withLine),
      values: model.values.map(withLine),
      ...(model.alternatives ? { alternatives: model.alternatives.map((a) => ({ ...a, line: lineIn(a.line) ?? home.range.start.line })) } : {}),
    },
  };
}
