// The values the analysis pipeline takes and returns (`analyzeSource` in analyze.ts): a source file and the parsers,
// options and edge services an analysis is handed, and the file's models, equations and findings it gives back.
// Types only, apart from `parserFor`, so the pipeline's parts (the spec analysis, the renderers' documents) and the
// edges can name them without importing the pipeline itself, which imports those parts.

import type { Parser, Tree } from 'web-tree-sitter';
import type { Finding } from './findings';
import type { Language, ModelGraph, Severity } from './graph';
import type { ImportResolver } from './imports';
import type { ModuleMirrors } from './moduleMirrors';
import type { AlternativeRendering } from './render/alternatives';
import type { EquationSymbol } from './render/equation';

export interface SourceFile {
  readonly path: string;
  readonly language: Language;
  readonly text: string;
}

/** Tree-sitter parsers by language, created once by the edge that loads the grammars. */
export interface ParserSet {
  readonly python?: Parser;
  readonly javascript?: Parser;
  readonly typescript?: Parser;
}

export type RuleSetting = Severity | 'off';

/** The parser for a language, when it has one (specs are not tree-sitter languages). */
export function parserFor(parsers: ParserSet, language: Language | undefined): Parser | undefined {
  return language === 'python' || language === 'javascript' || language === 'typescript' ? parsers[language] : undefined;
}

export interface AnalysisOptions {
  /** Per-code severity overrides; `off` disables a rule. */
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /** Files longer than this many characters are skipped with one information finding. */
  readonly maxFileSize?: number;
}

export interface RenderedSymbol extends EquationSymbol {
  /** The symbol as printed: W₁. */
  readonly display: string;
  /** The symbol in LaTeX: W_{1}. */
  readonly latex: string;
}

export interface ModelEquation {
  /** The closed form in Unicode: y = W₂·ReLU(W₁x + b₁) + b₂. */
  readonly text: string;
  readonly latex: string;
  readonly steps: readonly string[];
  readonly latexSteps: readonly string[];
  /** The closed form in LaTeX as display lines: block definitions, outputs, named values. */
  readonly latexLines: readonly string[];
  /** The collapsed form, when affine maps compose with nothing between them. */
  readonly collapsed?: string;
  /** The collapsed form in LaTeX, one line per equation. */
  readonly latexCollapsed?: readonly string[];
  readonly symbols: readonly RenderedSymbol[];
  /** The model in its other configurations (`if use_bn=False: …`), when the code branches on a configuration value. */
  readonly alternatives?: readonly AlternativeRendering[];
}

export interface ModelAnalysis {
  readonly graph: ModelGraph;
  readonly equation: ModelEquation;
  readonly findings: readonly Finding[];
  /** True when this model is kept from an earlier version of the text because the current one does not parse. */
  readonly stale?: boolean;
  /** Identifies the inputs the results were computed from, so an unchanged model can reuse them. */
  readonly cacheKey?: string;
}

export interface FileAnalysis {
  readonly path: string;
  readonly language: Language;
  readonly models: readonly ModelAnalysis[];
  /** Every finding in the file: the models' and the file's own. */
  readonly findings: readonly Finding[];
  /** Other files this analysis read (a spec's code, a code file's specs); editing one re-checks this file. */
  readonly dependencies?: readonly string[];
  /** For a spec file: each spec model and the code model it is bound to. */
  readonly specBindings?: readonly SpecBinding[];
}

export interface AnalysisInput {
  readonly file: SourceFile;
  readonly parsers: ParserSet;
  readonly options?: AnalysisOptions;
  /** The last analysis of this file, for keeping models whose text does not parse right now. */
  readonly previous?: FileAnalysis;
  /**
   * An already (incrementally) parsed tree for the text, when the caller keeps one; or a function that parses it on
   * demand, called only when the previous analysis's mirror cannot be updated by reparsing the one edited statement.
   * Either way the tree stays the caller's.
   */
  readonly tree?: Tree | (() => Tree | undefined);
  /** Reads the other side of a spec binding; without it, specs are parsed but not diffed. */
  readonly specHost?: SpecHost;
  /** Specs (keys for specHost) that name this code file, known to the edge (open spec documents, checked files). */
  readonly specs?: readonly string[];
  /** Finds imported workspace modules (`from .blocks import ResBlock`); without it, imports stay opaque. */
  readonly resolveImport?: ImportResolver;
  /** Mirrors of imported modules kept across analyses by the edge; without it, each import is parsed every time. */
  readonly modules?: ModuleMirrors;
  /**
   * Keep, beside the result, what the next analysis of this document can reuse (its syntax mirror, its models'
   * graphs), for callers that re-analyse as the text changes and pass the result back as `previous`. Costs memory
   * for as long as the result lives; the CLI leaves it off.
   */
  readonly incremental?: boolean;
  /** Called after each pass of a code file's analysis (pipeline.ts) with its name and wall time, for benchmarks. */
  readonly timing?: (pass: string, ms: number) => void;
}

/** How the core reaches other files; supplied by the edge. */
export interface SpecHost {
  /** The key of the file `relative` names, written in the file `from` (both keys as `read` takes them). */
  resolve(from: string, relative: string): string;
  /** A file's text, or undefined when there is no such file. */
  read(path: string): string | undefined;
  /**
   * The edge's current analysis of a code file, when it keeps one (the server does for open documents): a
   * half-typed line then keeps the models of the last version that parsed instead of unbinding the spec.
   */
  analysis?(path: string): FileAnalysis | undefined;
}

/** One spec model and what it is bound to, for hovers, go-to-definition and `model-audit diff`. */
export interface SpecBinding {
  readonly specPath: string;
  readonly spec: ModelGraph;
  readonly codePath?: string;
  readonly code?: ModelGraph;
  /** Spec node id → code node id. */
  readonly pairs: ReadonlyMap<number, number>;
}
