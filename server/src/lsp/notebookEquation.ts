// modelAudit/equation on a notebook cell: the model at the program position of the notebook's program, answered
// under the URI of the cell that defines it. Any other document passes through unchanged.

import type { ModelEquationRequest } from '../shared/customMessages';
import type { NotebookPrograms } from './notebookSync';

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
