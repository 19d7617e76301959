// The analysis of a code file as a list of named passes over one state (`CODE_PASSES`), each saying what it reads,
// what it writes and what it reuses from the previous analysis of the same document. `analyzeSource` (analyze.ts)
// runs them in order; `AnalysisInput.timing` reports each pass's wall time (npm run bench prints them). Pure: the
// parsers come in with the input, nothing touches files or processes.

import type { Parser, Tree } from 'web-tree-sitter';
import { mirrorTree, remirrorStatement, type SyntaxNode } from './syntax';
import { hashText } from './hash';
import { dedupeFindings, type Finding } from './findings';
import { type Language, type ModelGraph, Range } from './graph';
import { type ExtractionMemo, extractModels } from './frontends';
import { languageOfImport } from './languages';
import type { ImportContext } from './imports';
import { extractTrainingFacts } from './python/trainingFacts';
import { extractTfjsTrainingFacts } from './tfjs/trainingFacts';
import { FILE_RULES } from './rules/registry';
import { suppressionFilter } from './suppressions';
import { specFindingsForCode } from './spec/analyzeSpec';
import { analyzeModel, runFileRules, severityOf } from './modelAnalysis';
import { type AnalysisInput, type AnalysisOptions, type FileAnalysis, type ModelAnalysis, parserFor } from './fileAnalysis';

/**
 * What an analysis leaves for the next analysis of the same document, beside its results: the syntax mirror, whose
 * unchanged statements the next mirror reuses, and the models' graphs and analyses. Kept out of FileAnalysis so
 * results stay plain data.
 */
export interface Carry {
  readonly language: Language;
  readonly root: SyntaxNode;
  /** Extracted graphs by dependency key, for the frontend to reuse. */
  readonly graphs: Map<string, ModelGraph>;
  /** Each extracted graph's analysis; a frontend that returns the very same graph object gets the same analysis. */
  readonly analyses: Map<ModelGraph, ModelAnalysis>;
}

/** The values a code file's analysis builds up; each pass fills in its part. */
export interface CodeState {
  readonly input: AnalysisInput;
  readonly options: AnalysisOptions;
  readonly parser: Parser | undefined;
  /** What the previous analysis of this document left, when it was of the same language. */
  readonly carry: Carry | undefined;
  /** Graphs by dependency key: the previous analysis's, and this one's as the frontend makes them. */
  readonly memo: ExtractionMemo & { readonly next: Map<string, ModelGraph> };
  /** Each graph's analysis, for the next analysis to find by graph identity. */
  readonly analyses: Map<ModelGraph, ModelAnalysis>;
  tree?: Tree;
  /** Whether `tree` was parsed here (and is deleted once mirrored), not handed in. */
  ownsTree?: boolean;
  root?: SyntaxNode;
  /** The file's models, and the models its training code builds from imported classes. */
  graphs: ModelGraph[];
  imported: ModelGraph[];
  models: ModelAnalysis[];
  /** Findings of the file-level (MT) rules. */
  fileFindings: readonly Finding[];
  /** Drops the findings that suppression comments silence. */
  suppress: (findings: readonly Finding[]) => readonly Finding[];
  /** The code side of a spec diff: MS findings and the specs read. */
  bound?: { readonly findings: readonly Finding[]; readonly dependencies: readonly string[] };
  findings: Finding[];
}

export interface AnalysisPass {
  readonly name: string;
  run(state: CodeState): void;
}

/** The passes of a code file's analysis, in the order they run. */
export const CODE_PASSES: readonly AnalysisPass[] = [
  {
    // Reads the text; writes `tree`, or `root` directly. Uses the caller's tree when it hands one in. With the
    // previous mirror of a Python document and an edit inside one top-level statement, only that statement is
    // parsed again and spliced into the mirror (`remirrorStatement`, syntax.ts); otherwise the whole text is
    // parsed, incrementally when the caller keeps the document's tree (its function is called only then).
    name: 'parse',
    run(state) {
      const { input, parser, carry } = state;
      if (!parser) return;
      if (typeof input.tree === 'object') {
        state.tree = input.tree;
        return;
      }
      if (carry && input.file.language === 'python') {
        state.root = remirrorStatement(carry.root, input.file.text, (region) => parser.parse(region) ?? undefined);
        if (state.root) return;
      }
      state.tree = input.tree?.();
      if (state.tree) return;
      state.tree = parser.parse(input.file.text) ?? undefined;
      state.ownsTree = true;
    },
  },
  {
    // Reads `tree`; writes `root`. One pass copies the tree into plain objects, so every walk after it stays out of
    // WASM; statements unchanged since the previous analysis keep their mirrored subtrees (syntax.ts).
    name: 'mirror',
    run(state) {
      if (state.tree && !state.root) state.root = mirrorTree(state.tree, state.input.file.text, state.carry?.root);
      if (state.ownsTree) state.tree?.delete();
    },
  },
  {
    // Reads `root`; writes `graphs` and `imported`. The frontend returns the previous graph object for a model
    // whose dependency key (its statements and the ones they name) is unchanged.
    name: 'extract',
    run(state) {
      if (!state.root || !state.parser) return;
      const { file } = state.input;
      ({ models: state.graphs, trained: state.imported } = extractModels(file.language, state.root, file.text, importContext(state.input, state.parser), state.memo));
    },
  },
  {
    // Reads `graphs`; writes `models`. A graph the frontend reused keeps its analysis (by identity), another with
    // the same content finds it by hash; a model whose code is half-typed keeps its last analysis, marked stale.
    name: 'models',
    run: analyzeModels,
  },
  {
    // Reads `models` and the previous analysis; adds to `models`. A half-typed line can swallow a whole class into
    // an ERROR node; the models it hides are kept, marked stale.
    name: 'hidden-models',
    run(state) {
      const previous = state.input.previous;
      if (!state.root?.hasError || !previous) return;
      for (const kept of previous.models) {
        if (!state.models.some((m) => m.graph.name === kept.graph.name)) state.models.push(staleCopy(kept));
      }
    },
  },
  {
    // Reads `root` and the graphs; writes `fileFindings`. The training-loop rules read the file's training code,
    // not a model graph; models the training code builds from imported classes count as the file's. While the text
    // does not parse, the last analysis's findings of these rules are kept, marked stale, where their code is intact.
    name: 'file-rules',
    run(state) {
      const { root, input, options } = state;
      if (!root) return;
      if (root.hasError) {
        state.fileFindings = input.previous?.language === input.file.language ? keptFileFindings(input.previous, root, options) : [];
        return;
      }
      const facts = input.file.language === 'python' ? extractTrainingFacts(root, [...state.graphs, ...state.imported]) : extractTfjsTrainingFacts(root);
      state.fileFindings = runFileRules(facts, [...state.models.map((m) => m.graph), ...state.imported], options);
    },
  },
  {
    // Reads `models` and `fileFindings`; writes both and `suppress`. Suppression comments
    // (`# model-audit: ignore[MA001]`) apply to every finding, the models' own included.
    name: 'suppress',
    run(state) {
      const suppress = suppressionFilter(state.input.file.text, state.models.map((m) => m.graph));
      state.suppress = suppress;
      // A model none of whose findings is suppressed stays the same object, so a reused analysis stays reused.
      state.models = state.models.map((m) => {
        const kept = suppress(m.findings);
        return kept === m.findings ? m : { ...m, findings: kept };
      });
      state.fileFindings = suppress(state.fileFindings);
    },
  },
  {
    // Reads `models`; writes `bound`. The code side of the spec diff (MS001–MS005), when a spec names this file.
    name: 'spec-binding',
    run(state) {
      const { input } = state;
      if (!input.specHost) return;
      const bound = specFindingsForCode(input.file, state.models, input.specHost, input.specs);
      // Spec findings are suppressed like any other.
      state.bound = { findings: state.suppress(bound.findings), dependencies: bound.dependencies };
    },
  },
  {
    // Reads every finding; writes `findings`: one list, duplicates merged.
    name: 'merge',
    run(state) {
      state.findings = dedupeFindings([...state.models.flatMap((m) => m.findings), ...state.fileFindings, ...(state.bound?.findings ?? [])]);
    },
  },
];

/** The first state of a code file's analysis. */
export function codeState(input: AnalysisInput, previousCarry: Carry | undefined): CodeState {
  const carry = previousCarry?.language === input.file.language ? previousCarry : undefined;
  return {
    input,
    options: input.options ?? {},
    parser: parserFor(input.parsers, input.file.language),
    carry,
    memo: { previous: carry?.graphs ?? new Map<string, ModelGraph>(), next: new Map<string, ModelGraph>() },
    analyses: new Map(),
    graphs: [],
    imported: [],
    models: [],
    fileFindings: [],
    suppress: (findings) => [...findings],
    findings: [],
  };
}

/** Runs `passes` over `state` in order, reporting each one's wall time to `timing` when given. */
export function runPasses(passes: readonly AnalysisPass[], state: CodeState, timing?: (pass: string, ms: number) => void): CodeState {
  for (const pass of passes) {
    if (!timing) {
      pass.run(state);
      continue;
    }
    const started = performance.now();
    pass.run(state);
    timing(pass.name, performance.now() - started);
  }
  return state;
}

/** The result of the passes, and what the next analysis of the document may reuse. */
export function resultOf(state: CodeState): { readonly analysis: FileAnalysis; readonly carry?: Carry } {
  const { input } = state;
  const analysis: FileAnalysis = {
    path: input.file.path,
    language: input.file.language,
    models: state.models,
    findings: state.findings,
    ...(state.bound ? { dependencies: state.bound.dependencies } : {}),
  };
  const carry = state.root && input.incremental ? { language: input.file.language, root: state.root, graphs: state.memo.next, analyses: state.analyses } : undefined;
  return { analysis, carry };
}

function analyzeModels(state: CodeState): void {
  const { root, graphs, carry, options, analyses } = state;
  const previous = state.input.previous;
  // Neighbours matter only by name (a repeated block is named after the file's class that computes it); their
  // structure reaches this model's own graph when it uses them, so it is in that graph's hash already.
  const libraryKey = hashText(graphs.map((g) => g.name).join('|'));
  const optionsKey = hashText(JSON.stringify(options.rules ?? {}));
  const analyzed = (graph: ModelGraph): ModelAnalysis => {
    const cacheKey = `${hashText(JSON.stringify(graph))}:${libraryKey}:${optionsKey}`;
    const cached = previous?.models.find((m) => m.cacheKey === cacheKey && !m.stale);
    return cached ?? { ...analyzeModel(graph, options, graphs), cacheKey };
  };
  state.models = graphs.map((graph) => {
    const broken = root !== undefined && root.hasError && rangeHasError(root, graph.range);
    const kept = broken ? previous?.models.find((m) => m.graph.name === graph.name && !m.stale) ?? previous?.models.find((m) => m.graph.name === graph.name) : undefined;
    if (kept) return staleCopy(kept);
    // A model whose graph, neighbours and options are unchanged since the last analysis reuses its results: found
    // by identity when the frontend reused the graph, else by a hash of the graph.
    const same = carry?.analyses.get(graph);
    const result = same?.cacheKey?.endsWith(`:${libraryKey}:${optionsKey}`) ? same : analyzed(graph);
    analyses.set(graph, result);
    return result;
  });
}

/** A model's analysis kept from an earlier text while the current one does not parse there: it and its findings, stale. */
function staleCopy(kept: ModelAnalysis): ModelAnalysis {
  return { ...kept, stale: true, findings: kept.findings.map((f) => ({ ...f, stale: true })) };
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

/** Whether the smallest node spanning the model has an error anywhere inside: its text is half-typed. */
function rangeHasError(root: SyntaxNode, range: Range): boolean {
  const node = root.descendantForPosition({ row: range.start.line, column: range.start.character }, { row: range.end.line, column: range.end.character });
  return node?.hasError ?? false;
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
