// The analysis pipeline shared by the language server, the CLI and the tests: source text → frontend → model
// graphs → shapes → equations and rule findings. Pure: parsers are handed in, nothing touches files or processes.

import type { Parser, Tree } from 'web-tree-sitter';
import { mirrorTree, type SyntaxNode } from './syntax';
import { hashText } from './hash';
import { dedupeFindings, type Finding } from './findings';
import { type Language, type ModelGraph, Range, type Severity } from './graph';
import { extractModels } from './frontends';
import { languageOfImport } from './languages';
import type { ImportContext } from './imports';
import { buildEquation } from './render/equation';
import { renderAlternatives } from './render/alternatives';
import { renderLatex, symbolToLatex } from './render/latex';
import { renderUnicode, symbolToUnicode } from './render/unicode';
import { extractTrainingFacts } from './python/trainingFacts';
import { extractTfjsTrainingFacts } from './tfjs/trainingFacts';
import { FILE_RULES, MODEL_RULES } from './rules/registry';
import { suppressionFilter } from './suppressions';
import { inferShapes } from './shapes';
import { analyzeSpecSource, specFindingsForCode } from './spec/analyzeSpec';
import type { TrainingFacts } from './training';
import { type AnalysisInput, type AnalysisOptions, type FileAnalysis, type ModelAnalysis, type ModelEquation, parserFor, type RuleSetting, type SourceFile } from './fileAnalysis';

// The pipeline's values live in fileAnalysis.ts (so its parts can name them without importing the pipeline); they
// are re-exported here for the edges and tests that import them with `analyzeSource`.
export type { AnalysisInput, AnalysisOptions, FileAnalysis, ModelAnalysis, ModelEquation, ParserSet, RenderedSymbol, RuleSetting, SourceFile, SpecBinding, SpecHost } from './fileAnalysis';
export { parserFor } from './fileAnalysis';
export { ModuleMirrors } from './moduleMirrors';

export const DEFAULT_MAX_FILE_SIZE = 1_000_000;

/** Code for hints about code the extractor did not understand (opaque steps). */
export const NOT_UNDERSTOOD = 'MA000';

/**
 * What an analysis leaves for the next analysis of the same document, beside its results: the syntax mirror, whose
 * unchanged statements the next mirror reuses, and the models' graphs and analyses. Kept out of FileAnalysis so
 * results stay plain data.
 */
interface Carry {
  readonly language: Language;
  readonly root: SyntaxNode;
  /** Extracted graphs by dependency key, for the frontend to reuse. */
  readonly graphs: Map<string, ModelGraph>;
  /** Each extracted graph's analysis; a frontend that returns the very same graph object gets the same analysis. */
  readonly analyses: Map<ModelGraph, ModelAnalysis>;
}
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
  let graphs: ModelGraph[] = [];
  let imported: ModelGraph[] = [];
  let tree: Tree | undefined;
  let root: SyntaxNode | undefined;
  const carry = previous ? carried.get(previous) : undefined;
  const sameLanguage = carry?.language === file.language ? carry : undefined;
  const memo = { previous: sameLanguage?.graphs ?? new Map<string, ModelGraph>(), next: new Map<string, ModelGraph>() };
  const parser = parserFor(parsers, file.language);
  if (parser) {
    tree = input.tree ?? parser.parse(file.text) ?? undefined;
    // One pass copies the tree into plain objects; every frontend walk after that stays out of WASM.
    // Statements unchanged since the previous analysis keep their mirrored subtrees, and models whose code is
    // unchanged keep their graphs.
    if (tree) root = mirrorTree(tree, file.text, sameLanguage?.root);
    if (root) ({ models: graphs, trained: imported } = extractModels(file.language, root, file.text, importContext(input, parser), memo));
  }
  // Neighbours matter only by name (a repeated block is named after the file's class that computes it); their
  // structure reaches this model's own graph when it uses them, so it is in that graph's hash already.
  const libraryKey = hashText(graphs.map((g) => g.name).join('|'));
  const optionsKey = hashText(JSON.stringify(options.rules ?? {}));
  const analyses = new Map<ModelGraph, ModelAnalysis>();
  const models: ModelAnalysis[] = graphs.map((graph) => {
    const broken = root !== undefined && root.hasError && rangeHasError(root, graph.range);
    const kept = broken ? previous?.models.find((m) => m.graph.name === graph.name && !m.stale) ?? previous?.models.find((m) => m.graph.name === graph.name) : undefined;
    if (kept) return staleCopy(kept);
    // A model whose graph, neighbours and options are unchanged since the last analysis reuses its results: found
    // by identity when the frontend reused the graph, else by a hash of the graph.
    const same = sameLanguage?.analyses.get(graph);
    const result = same?.cacheKey?.endsWith(`:${libraryKey}:${optionsKey}`) ? same : analyzed(graph);
    analyses.set(graph, result);
    return result;
  });
  function analyzed(graph: ModelGraph): ModelAnalysis {
    const cacheKey = `${hashText(JSON.stringify(graph))}:${libraryKey}:${optionsKey}`;
    const cached = previous?.models.find((m) => m.cacheKey === cacheKey && !m.stale);
    return cached ?? { ...analyzeModel(graph, options, graphs), cacheKey };
  }
  if (root?.hasError && previous) {
    // A half-typed line can swallow a whole class into an ERROR node; keep the models it hides, marked stale.
    for (const kept of previous.models) {
      if (!models.some((m) => m.graph.name === kept.graph.name)) {
        models.push(staleCopy(kept));
      }
    }
  }
  // The training-loop rules read the file's training code, not a model graph. While the text does not parse, the
  // last analysis's findings of these rules are kept, marked stale, where their code is still in place.
  // Models the training code builds from imported classes count as the file's for these rules.
  const fileFindings = !root ? [] : !root.hasError ? runFileRules(file.language === 'python' ? extractTrainingFacts(root, [...graphs, ...imported]) : extractTfjsTrainingFacts(root), [...models.map((m) => m.graph), ...imported], options) : previous?.language === file.language ? keptFileFindings(previous, root, options) : [];
  if (input.tree === undefined && tree !== undefined) tree.delete();
  // Suppression comments (`# model-audit: ignore[MA001]`) apply to every finding, the models' own included.
  const suppress = suppressionFilter(file.text, models.map((m) => m.graph));
  const kept = models.map((m) => ({ ...m, findings: suppress(m.findings) }));
  // The code side of the spec diff (MS001–MS005), when a spec names this file.
  const bound = input.specHost ? specFindingsForCode(file, models, input.specHost, input.specs) : undefined;
  const findings = dedupeFindings([...kept.flatMap((m) => m.findings), ...suppress([...fileFindings, ...(bound?.findings ?? [])])]);
  const result: FileAnalysis = { path: file.path, language: file.language, models: kept, findings, ...(bound ? { dependencies: bound.dependencies } : {}) };
  if (root && input.incremental) carried.set(result, { language: file.language, root, graphs: memo.next, analyses });
  return result;
}

/** A rule's severity under the options (set by code or by name), or `off`. */
function severityOf(rule: { readonly code: string; readonly name: string; readonly defaultSeverity: Severity }, options: AnalysisOptions): RuleSetting {
  return options.rules?.[rule.code] ?? options.rules?.[rule.name] ?? rule.defaultSeverity;
}

/** A model's analysis kept from an earlier text while the current one does not parse there: it and its findings, stale. */
function staleCopy(kept: ModelAnalysis): ModelAnalysis {
  return { ...kept, stale: true, findings: kept.findings.map((f) => ({ ...f, stale: true })) };
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

/**
 * The file-level (MT) findings of `previous`, for a text that does not parse. The training facts they come from read
 * the whole file, so a half-typed line anywhere could hide one or invent one; instead of flashing off until the text
 * parses again, each finding is kept, marked stale, while its location is still plausible: a node of the current tree
 * spans exactly its range and has no syntax error inside, so the code it points at was neither edited nor moved by
 * lines typed above it. A finding whose own code is being edited, or that moved, is dropped until the text parses.
 * Kept findings carry no quick fixes, since their edits were computed for the last text that parsed; severities and
 * `off` follow the current options.
 */
function keptFileFindings(previous: FileAnalysis, root: SyntaxNode, options: AnalysisOptions): Finding[] {
  const kept: Finding[] = [];
  for (const finding of previous.findings) {
    const rule = FILE_RULES.find((r) => r.code === finding.code);
    const severity = rule ? severityOf(rule, options) : 'off';
    if (severity === 'off' || !spansIntactNode(root, finding.range)) continue;
    const { fixes: _computedForAnotherText, ...rest } = finding;
    kept.push({ ...rest, severity, stale: true });
  }
  return kept;
}

function spansIntactNode(root: SyntaxNode, range: Range): boolean {
  const start = { row: range.start.line, column: range.start.character };
  const end = { row: range.end.line, column: range.end.character };
  const node = root.descendantForPosition(start, end);
  if (!node || node.hasError) return false;
  const same = (a: { row: number; column: number }, b: { row: number; column: number }) => a.row === b.row && a.column === b.column;
  return same(node.startPosition, start) && same(node.endPosition, end);
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

function rangeHasError(root: SyntaxNode, range: Range): boolean {
  const node = root.descendantForPosition({ row: range.start.line, column: range.start.character }, { row: range.end.line, column: range.end.character });
  if (!node) return false;
  // The smallest node spanning the model; if it has an error anywhere inside, its text is half-typed.
  if (node.hasError) return true;
  return false;
}

/**
 * How the frontend follows imports: the edge's resolver, and for each module it returns the parser of that module's
 * own extension (the importing file's parser when the extension says nothing). Mirrors are kept by path and parser.
 */
function importContext(input: AnalysisInput, importer: Parser): ImportContext | undefined {
  const resolve = input.resolveImport;
  if (!resolve) return undefined;
  return {
    path: input.file.path,
    resolve,
    parse: (text, path = '') => {
      // An imported module is parsed in its own language (a `.js` model may import a `.ts` block, whose type
      // annotations the JavaScript grammar cannot read), else in the importing file's.
      const parser = parserFor(input.parsers, languageOfImport(path)) ?? importer;
      const known = input.modules?.get(parser, path, text);
      if (known) return { root: known, dispose: () => undefined };
      const tree = parser.parse(text);
      if (!tree) return undefined;
      const root = mirrorTree(tree, text);
      tree.delete();
      input.modules?.set(parser, path, text, root);
      return { root, dispose: () => undefined };
    },
  };
}


