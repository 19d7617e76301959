// modelAudit/equation: the model under the cursor with its equation in every form the equation panel shows and
// the "Copy as LaTeX / Markdown" commands copy, and the model in its other configurations where the code branches
// on one. Converts core values to the shared protocol's plain data.

import type { FileAnalysis, ModelAnalysis } from '../core/analyze';
import { type ModelGraph, type Position, Range } from '../core/graph';
import { buildEquation, type EquationLine } from '../core/render/equation';
import { blockLatex, symbolToLatex } from '../core/render/latex';
import { blockToUnicode, symbolToUnicode } from '../core/render/unicode';
import { alternativeLabel } from '../core/render/alternatives';
import { latexDocument, markdownDocument } from '../core/render/documents';
import { Shapes } from '../core/shapes';
import { ModelEquationRequest } from '../shared/customMessages';

export { ModelEquationRequest };

/** The model at `params.position` (or named `params.model`) in an analysed file. */
/** `lineOf` names source positions in the Markdown (`cell 3 line 5` in a notebook). */
export function modelEquation(analysis: FileAnalysis | undefined, params: ModelEquationRequest.Params, displayPath = fileName(params.uri), lineOf?: (pos: Position) => string): ModelEquationRequest.Result {
  if (!analysis) return { models: [] };
  const models = analysis.models.map((m) => m.graph.name);
  const model = pickModel(analysis.models, params);
  return model ? { model: answerFor(model, params.uri, displayPath, analysis.models, lineOf), models } : { models };
}

/**
 * Each model's answer, kept beside the model analysis it was made from: the panel asks again whenever the cursor
 * rests, and an unchanged model keeps its analysis object across edits, so the equation is built again (for the
 * values' node ids) and the documents printed once per analysis, not once per cursor move.
 */
const answers = new WeakMap<ModelAnalysis, { readonly key: string; readonly model: ModelEquationRequest.Model }>();

function answerFor(model: ModelAnalysis, uri: string, displayPath: string, models: readonly ModelAnalysis[], lineOf?: (pos: Position) => string): ModelEquationRequest.Model {
  const key = `${uri}\n${displayPath}`;
  const kept = answers.get(model);
  if (kept?.key === key) return kept.model;
  const answer = toProtocol(model, uri, displayPath, models.map((m) => m.graph), lineOf);
  answers.set(model, { key, model: answer });
  return answer;
}

/** The file's name, for the Markdown's caption: a pull request reader knows the repository, not the local path. */
function fileName(uri: string): string {
  return decodeURIComponent(uri.replace(/[?#].*$/, '').split('/').pop() ?? uri);
}

function pickModel(models: readonly ModelAnalysis[], params: ModelEquationRequest.Params): ModelAnalysis | undefined {
  if (params.model !== undefined) return models.find((m) => m.graph.name === params.model);
  const pos = params.position;
  if (!pos) return models[0];
  // The innermost definition containing the position; else the closest one that starts above it; else the first.
  const containing = models.filter((m) => Range.contains(m.graph.range, pos));
  if (containing.length > 0) return containing.reduce((a, b) => (Range.contains(a.graph.range, b.graph.range.start) ? b : a));
  const above = models.filter((m) => m.graph.range.start.line <= pos.line);
  return above.length > 0 ? above.reduce((a, b) => (b.graph.range.start.line > a.graph.range.start.line ? b : a)) : models[0];
}

/** The steps' named values with their shapes and lines: the same equation the analysis printed, built again with node ids. */
function valuesOf(graph: ModelGraph, library: readonly ModelGraph[]): ModelEquationRequest.Value[] {
  const eq = buildEquation(graph, { library });
  const inDefinition = new Set(eq.definitions.flatMap((d) => d.steps));
  const lines: EquationLine[] = [...eq.definitions.flatMap((d) => d.steps), ...eq.steps, ...eq.outputs];
  return lines.map((line) => {
    const node = line.nodeId === undefined ? undefined : graph.nodes.find((n) => n.id === line.nodeId);
    // The model's own steps point at its forward (the call that runs a block), a block's steps inside the block.
    const range = node && !inDefinition.has(line) ? node.site?.range ?? node.range : node?.range;
    const params = line.params ? `(${line.params.join(', ')})` : '';
    return {
      display: line.params ? `${blockToUnicode(`block:${line.name}`)}${params}` : symbolToUnicode(line.name),
      latex: line.params ? `${blockLatex(`block:${line.name}`)}\\left${params.replace(')', '\\right)')}` : symbolToLatex(line.name),
      ...(node?.shape ? { shape: Shapes.format(node.shape) } : {}),
      ...(range ? { line: range.start.line } : {}),
    };
  });
}

function toProtocol(model: ModelAnalysis, uri: string, displayPath: string, library: readonly ModelGraph[], lineOf?: (pos: Position) => string): ModelEquationRequest.Model {
  const eq = model.equation;
  return {
    name: model.graph.name,
    framework: model.graph.framework,
    uri,
    line: model.graph.nameRange.start.line,
    unicode: eq.text,
    latexLines: eq.latexLines,
    latexSteps: eq.latexSteps,
    ...(eq.latexCollapsed ? { latexCollapsed: eq.latexCollapsed } : {}),
    parameters: eq.symbols.map((s) => ({
      display: s.display,
      latex: s.latex,
      kind: s.kind,
      ...(s.shape ? { shape: Shapes.format(s.shape) } : {}),
      ...(s.module ? { module: s.module } : {}),
      ...(s.range ? { line: s.range.start.line } : {}),
      ...(s.block ? { block: s.block, applications: s.applications ?? 1, ...(s.shared ? { shared: true } : {}) } : {}),
    })),
    values: valuesOf(model.graph, library),
    latexDocument: latexDocument(model),
    markdown: markdownDocument(model, displayPath, lineOf),
    ...(model.stale ? { stale: true } : {}),
    ...(eq.alternatives && eq.alternatives.length > 0
      ? {
          alternatives: eq.alternatives.map((a) => ({
            condition: a.condition,
            assumed: a.assumed,
            when: a.when,
            known: a.known,
            label: alternativeLabel(a),
            line: a.range.start.line,
            unicode: a.text,
            latexLines: a.latexLines,
          })),
        }
      : {}),
  };
}
