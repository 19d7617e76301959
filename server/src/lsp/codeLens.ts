// textDocument/codeLens: each model's equation in one line above its definition, and its collapsed form where
// affine layers compose with no activation between them.

import type { CodeLens } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../core/analyze';
import { elideMiddle } from '../core/render/unicode';
import { resolveSizes } from '../probe/sizes';

export const CODE_LENS_MAX = 140;
/** The client command that shows a model's equation in a side panel, with `{ uri, position }` of the model. */
export const SHOW_EQUATION = 'modelAudit.showEquation';

/** The server command that runs a model's quick-train probes, with `{ uri, model }`. */
export const RUN_PROBES_COMMAND = 'modelAudit.runProbes';
/**
 * The client command that asks for the sizes a model leaves open (`{ uri, model, sizes }`, the values in use) and
 * runs the probes with them; editors without it can send `modelAudit.runProbes` with `sizes` themselves.
 */
export const SET_PROBE_SIZES = 'modelAudit.setProbeSizes';
/** The probes that need no spec, each with its own lens. */
export const SINGLE_PROBES = ['nonlinearity', 'overfit', 'init-loss', 'gradient-flow'] as const;

export function codeLenses(
  analysis: FileAnalysis | undefined,
  probeSummary: (model: string) => string | undefined = () => undefined,
  probeSizes: (model: string) => Readonly<Record<string, number>> | undefined = () => undefined,
): CodeLens[] {
  if (!analysis) return [];
  const lenses: CodeLens[] = [];
  for (const model of analysis.models) {
    const range = { start: model.graph.nameRange.start, end: model.graph.nameRange.start };
    const stale = model.stale ? ' (last version that parsed)' : '';
    // Clicking the equation opens it in the equation panel (a VS Code client command; other editors ignore it).
    const show = { title: elideMiddle(model.equation.text, CODE_LENS_MAX) + stale, command: SHOW_EQUATION, arguments: [{ uri: analysis.path, position: range.start }] };
    lenses.push({ range, command: show });
    if (model.equation.collapsed) {
      lenses.push({ range, command: { title: `collapses: ${elideMiddle(model.equation.collapsed, CODE_LENS_MAX)}`, command: '' } });
    }
    if (model.graph.framework !== 'spec' && !model.stale) {
      const summary = probeSummary(model.graph.name);
      lenses.push({ range, command: { title: summary ? `probes: ${elideMiddle(summary, CODE_LENS_MAX)}` : '▶ Run probes', command: RUN_PROBES_COMMAND, arguments: [{ uri: analysis.path, model: model.graph.name }] } });
      // Sizes the code leaves open: the values the probes use (as `--set` would choose them), click to change.
      const given = probeSizes(model.graph.name) ?? {};
      const { assumptions } = resolveSizes(model.graph, given);
      if (assumptions.length > 0) {
        const sizes = Object.fromEntries(assumptions.map((a) => [a.name, a.value]));
        const shown = assumptions.map((a) => `${a.name} ${a.value}${a.source === 'set' ? '' : '?'}`).join(' · ');
        lenses.push({ range, command: { title: `probe sizes: ${elideMiddle(shown, CODE_LENS_MAX)} (? assumed) — set…`, command: SET_PROBE_SIZES, arguments: [{ uri: analysis.path, model: model.graph.name, sizes }] } });
      }
      // One lens per probe, to run just that one.
      for (const probe of SINGLE_PROBES) {
        lenses.push({ range, command: { title: probe, command: RUN_PROBES_COMMAND, arguments: [{ uri: analysis.path, model: model.graph.name, probes: [probe] }] } });
      }
    }
  }
  return lenses;
}
