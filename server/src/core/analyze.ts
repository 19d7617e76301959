// The entry of the analysis shared by the language server, the CLI and the tests: `analyzeSource` takes a file
// (code or spec) and returns its models, equations and findings. A code file goes through the passes of pipeline.ts
// (parse → mirror → extract → models → file rules → suppressions → spec binding → merge); a spec file through
// spec/analyzeSpec.ts. What an analysis leaves for the next one of the same document is kept here, beside the result.
// Pure: parsers are handed in, nothing touches files or processes.

import { analyzeSpecSource } from './spec/analyzeSpec';
import { type Carry, CODE_PASSES, codeState, resultOf, runPasses } from './pipeline';
import { renderModelEquation, NOT_UNDERSTOOD } from './modelAnalysis';
import type { AnalysisInput, FileAnalysis, SourceFile } from './fileAnalysis';
import { Range } from './graph';

// The pipeline's values live in fileAnalysis.ts (so its parts can name them without importing the pipeline); they
// are re-exported here for the edges and tests that import them with `analyzeSource`.
export type { AnalysisInput, AnalysisOptions, FileAnalysis, ModelAnalysis, ModelEquation, ParserSet, RenderedSymbol, RuleSetting, SourceFile, SpecBinding, SpecHost } from './fileAnalysis';
export { parserFor } from './fileAnalysis';
export { ModuleMirrors } from './moduleMirrors';
export { analyzeModel, NOT_UNDERSTOOD, renderModelEquation, runFileRules } from './modelAnalysis';
export { CODE_PASSES } from './pipeline';

export const DEFAULT_MAX_FILE_SIZE = 1_000_000;

const carried = new WeakMap<FileAnalysis, Carry>();

/** For a spec's analysis: the code files it read, with the text and options each was analysed with. */
interface AnalysedCode {
  readonly text: string;
  readonly optionsKey: string;
  readonly analysis: FileAnalysis;
}
const codeOfSpec = new WeakMap<FileAnalysis, ReadonlyMap<string, AnalysedCode>>();

/**
 * Drops what `analysis` keeps for re-analysing its document incrementally (its syntax mirror and graph keys); the
 * next analysis of the document then starts afresh. For editors with many documents open and few being edited.
 */
export function releaseIncrementalState(analysis: FileAnalysis): void {
  carried.delete(analysis);
  codeOfSpec.delete(analysis);
}

export function analyzeSource(input: AnalysisInput): FileAnalysis {
  const { file, parsers, options = {}, previous } = input;
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (file.text.length > maxSize) {
    return {
      path: file.path,
      language: file.language,
      models: [],
      findings: [{ code: NOT_UNDERSTOOD, severity: 'information', range: Range.empty, message: `Model Audit skipped this file: it has ${file.text.length.toLocaleString('en-US')} characters, over the limit of ${maxSize.toLocaleString('en-US')} (setting modelAudit.maxFileSize).` }],
    };
  }
  if (file.language === 'model-spec') {
    // The code a spec is bound to is analysed again only when its text changed: a keystroke in the spec must not
    // re-read a closed code file's models each time.
    const optionsKey = JSON.stringify(options);
    const known = previous ? codeOfSpec.get(previous) : undefined;
    const code = new Map<string, AnalysedCode>();
    const analyzeCode = (source: SourceFile): FileAnalysis => {
      const hit = known?.get(source.path);
      const analysis = hit && hit.text === source.text && hit.optionsKey === optionsKey ? hit.analysis : analyzeSource({ file: source, parsers, options, modules: input.modules });
      code.set(source.path, { text: source.text, optionsKey, analysis });
      return analysis;
    };
    const result = analyzeSpecSource(input, { analyzeCode, renderEquation: renderModelEquation });
    if (input.incremental) codeOfSpec.set(result, code);
    return result;
  }
  const state = runPasses(CODE_PASSES, codeState(input, previous ? carried.get(previous) : undefined), input.timing);
  const { analysis, carry } = resultOf(state);
  if (carry) carried.set(analysis, carry);
  return analysis;
}
