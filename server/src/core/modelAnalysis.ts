// One model graph's analysis (shapes, the model rules, the equation) and the file-level rules over training facts:
// the parts of the pipeline that read values only, shared by the code passes (pipeline.ts) and the spec analysis.

import type { Finding } from './findings';
import type { ModelGraph, Severity } from './graph';
import { buildEquation } from './render/equation';
import { renderAlternatives } from './render/alternatives';
import { renderLatex, symbolToLatex } from './render/latex';
import { renderUnicode, symbolToUnicode } from './render/unicode';
import { FILE_RULES, MODEL_RULES } from './rules/registry';
import { inferShapes } from './shapes';
import type { TrainingFacts } from './training';
import type { AnalysisOptions, ModelAnalysis, ModelEquation, RuleSetting } from './fileAnalysis';

/** Code for hints about code the extractor did not understand (opaque steps). */
export const NOT_UNDERSTOOD = 'MA000';

/** A rule's severity under the options (set by code or by name), or `off`. */
export function severityOf(rule: { readonly code: string; readonly name: string; readonly defaultSeverity: Severity }, options: AnalysisOptions): RuleSetting {
  return options.rules?.[rule.code] ?? options.rules?.[rule.name] ?? rule.defaultSeverity;
}

/** Shapes, equation and rule findings for one model graph (from any frontend). */
/** `library`: the file's other models, whose classes name the repeated blocks in this one's equation. */
export function analyzeModel(extracted: ModelGraph, options: AnalysisOptions = {}, library: readonly ModelGraph[] = []): ModelAnalysis {
  const graph = inferShapes(extracted);
  const findings: Finding[] = [];
  for (const rule of MODEL_RULES) {
    const severity = severityOf(rule, options);
    if (severity !== 'off') findings.push(...rule.check({ graph, severity }));
  }
  const hintSetting = options.rules?.[NOT_UNDERSTOOD];
  if (hintSetting !== 'off') {
    for (const p of graph.problems) findings.push({ code: NOT_UNDERSTOOD, severity: hintSetting ?? p.severity, message: p.message, range: p.range, model: graph.name });
  }
  return { graph, equation: renderModelEquation(graph, library), findings };
}

export function renderModelEquation(graph: ModelGraph, library: readonly ModelGraph[] = []): ModelEquation {
  const eq = buildEquation(graph, { library });
  const unicode = renderUnicode(eq);
  const latex = renderLatex(eq);
  return {
    text: unicode.text,
    latex: latex.text,
    steps: unicode.steps,
    latexSteps: latex.steps,
    latexLines: latex.lines,
    collapsed: unicode.collapsed,
    ...(latex.collapsed ? { latexCollapsed: latex.collapsed } : {}),
    symbols: eq.symbols.map((s) => ({ ...s, display: symbolToUnicode(s.name), latex: symbolToLatex(s.name) })),
    ...(eq.alternatives ? { alternatives: renderAlternatives(eq) } : {}),
  };
}

/** Findings of the file-level rules (MT) over a file's training facts. */
export function runFileRules(facts: TrainingFacts, graphs: readonly ModelGraph[], options: AnalysisOptions = {}): Finding[] {
  const findings: Finding[] = [];
  for (const rule of FILE_RULES) {
    const severity = severityOf(rule, options);
    if (severity !== 'off') findings.push(...rule.check({ facts, graphs, severity }));
  }
  return findings;
}
