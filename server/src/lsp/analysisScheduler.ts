// Runs analyses for open documents and publishes their diagnostics. Each open document has one state (its last
// snapshot, what was published, the queued run, probe results, its syntax tree). Changes are coalesced (a burst of
// keystrokes in one event-loop turn is analysed once), a version already replaced by changes read from the client is
// not analysed, work for an old version is dropped, and a version's diagnostics are never published after a newer
// version's.

import type { Connection } from 'vscode-languageserver/node';
import type { Parser, Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImportResolver } from '../core/imports';
import { createImportResolver } from '../workspace/pythonImports';
import { type AnalysisOptions, analyzeSource, type FileAnalysis, ModuleMirrors, type ParserSet, parserFor, releaseIncrementalState } from '../core/analyze';
import { mergeRuleSettings } from '../core/config';
import { describeConfigProblems, ProjectConfigs } from '../workspace/projectConfig';
import { DocumentTree } from '../parsing/incrementalTrees';
import { AnalysisSnapshot } from './analysisSnapshot';
import { languageOfPath } from '../core/languages';
import type { Finding } from '../core/findings';
import type { Language, ModelGraph } from '../core/graph';
import { toDiagnostic } from './convert';
import type { Settings, SettingsCache } from './settings';
import { DependencyTracker, lspSpecHost } from './specHost';

export function languageOfDocument(doc: TextDocument): Language | undefined {
  switch (doc.languageId) {
    case 'python':
      return 'python';
    case 'javascript':
      return 'javascript';
    case 'typescript':
      return 'typescript';
    case 'model-spec':
    case 'mspec':
      return 'model-spec';
    default:
      return languageOfPath(doc.uri);
  }
}

/** How many documents keep their syntax tree and mirror for incremental re-analysis: the ones edited last. */
const INCREMENTAL_DOCUMENTS = 8;
/** How many skipped versions' texts a document keeps (for a half-typed line, the newest that parses is wanted). */
const MAX_SKIPPED = 4;

/** Everything the scheduler keeps for one document, in one place. */
interface DocumentState {
  /** The last analysis and the version it is for; what handlers and the publisher read. */
  snapshot?: AnalysisSnapshot;
  /** The newest version whose diagnostics were published; an older one is never published after it. */
  published?: number;
  /** The queued run: a burst of changes read in one event-loop turn is analysed once. */
  pending?: NodeJS.Immediate;
  /** Whether the queued run re-checks the documents bound to this one (its spec or its code) afterwards. */
  cascade: boolean;
  /** A document bound to this one changed: the snapshot is out of date although the version is not. */
  dirty: boolean;
  /** Failed probes by model, shown with the diagnostics until the code changes or probes run again. */
  readonly probeFindings: Map<string, Finding[]>;
  /** The syntax tree, reparsed incrementally; given up (with the mirror) when the document is not among the last edited. */
  readonly tree: DocumentTree;
  /** When the document was last analysed (a counter), to keep incremental state for the few analysed last. */
  analysed: number;
  /** Texts of versions skipped since the last analysis (newest last), read only if the next text does not parse. */
  skipped: string[];
}

export class AnalysisScheduler {
  private readonly documents = new Map<string, DocumentState>();
  private analyses = 0;
  private readonly configs = new ProjectConfigs();
  /** Imported modules' mirrors, shared by every document's analyses: editing a file does not re-read its imports. */
  private readonly modules = new ModuleMirrors();
  private readonly reportedConfigs = new Set<string>();
  /** Spec ↔ code bindings between documents. */
  private readonly dependencies = new DependencyTracker();
  private readonly specHost = lspSpecHost(
    (uri) => this.getDocument(uri),
    // An open code document's current analysis, which keeps the last models that parsed while a line is half typed.
    (uri) => {
      const state = this.documents.get(uri);
      const snapshot = state && !state.dirty ? state.snapshot : undefined;
      return AnalysisSnapshot.isFor(snapshot, this.getDocument(uri)?.version) && snapshot.analysis.language !== 'model-spec' ? snapshot.analysis : undefined;
    },
  );
  /** Called after each publish; the benchmark and tests hook in here. */
  onPublished?: (uri: string, version: number) => void;

  constructor(
    private readonly connection: Connection,
    private readonly parsers: Promise<ParserSet>,
    private readonly settings: SettingsCache,
    private readonly getDocument: (uri: string) => TextDocument | undefined,
    private readonly log: (message: string) => void,
    /** Whether changes to a document were read and wait to be applied: its current version is already stale. */
    private readonly changesWaiting: (uri: string) => boolean = () => false,
  ) {}

  private state(uri: string): DocumentState {
    let state = this.documents.get(uri);
    if (!state) this.documents.set(uri, (state = { cascade: false, dirty: false, probeFindings: new Map(), tree: new DocumentTree(), analysed: 0, skipped: [] }));
    return state;
  }

  /** `cascade`: also re-check the documents bound to this one (a spec and its code) after this run. */
  schedule(uri: string, cascade = true): void {
    const state = this.state(uri);
    if (cascade) state.cascade = true;
    if (state.pending) clearImmediate(state.pending);
    state.pending = setImmediate(() => {
      state.pending = undefined;
      const related = state.cascade;
      state.cascade = false;
      this.runAndPublish(uri, related).catch((error) => this.log(`analysis of ${uri} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
    });
  }

  private async runAndPublish(uri: string, related = false): Promise<void> {
    const doc = this.getDocument(uri);
    if (!doc) return;
    const version = doc.version;
    const snapshot = await this.analyze(doc);
    // A newer version arrived while this one waited: its own run will publish.
    const state = this.documents.get(uri);
    if (!snapshot || !state || this.getDocument(uri)?.version !== version) return;
    if (state.published !== undefined && state.published > version) return;
    state.published = version;
    const probed = [...state.probeFindings.values()].flat();
    await this.connection.sendDiagnostics({ uri, version, diagnostics: [...snapshot.analysis.findings, ...probed].map((f) => toDiagnostic(f, uri)) });
    this.onPublished?.(uri, version);
    if (related) this.recheckRelated(uri);
  }

  /** Re-checks the open documents bound to `uri` (its spec or its code), without cascading further. */
  private recheckRelated(uri: string): void {
    for (const other of this.dependencies.related(uri)) {
      if (!this.getDocument(other)) continue;
      this.state(other).dirty = true;
      this.schedule(other, false);
    }
  }

  /** The snapshot of the document's current version, computed now if needed. */
  async current(uri: string): Promise<AnalysisSnapshot | undefined> {
    const doc = this.getDocument(uri);
    if (!doc) return undefined;
    const state = this.documents.get(uri);
    if (state && !state.dirty && AnalysisSnapshot.isFor(state.snapshot, doc.version)) return state.snapshot;
    return this.analyze(doc, true);
  }

  /**
   * The snapshot of `doc`'s version, or undefined when that version is no longer current. `asked`: a request waits
   * for it, so it is computed even when newer changes are already read (the request is about this version).
   */
  private async analyze(doc: TextDocument, asked = false): Promise<AnalysisSnapshot | undefined> {
    const language = languageOfDocument(doc);
    if (!language) return undefined;
    const [parsers, settings] = await Promise.all([this.parsers, this.settings.get(doc.uri)]);
    const latest = this.getDocument(doc.uri);
    if (!latest || latest.version !== doc.version) return undefined;
    const state = this.state(doc.uri);
    const previous = state.snapshot;
    if (!state.dirty && AnalysisSnapshot.isFor(previous, doc.version)) return previous;
    // Edits came in faster than analysis: this version is replaced by changes already read, whose run publishes.
    if (!asked && this.changesWaiting(doc.uri)) {
      state.skipped = [...state.skipped.slice(1 - MAX_SKIPPED), doc.getText()];
      return undefined;
    }
    state.dirty = false;
    if (!settings.enable) return this.keep(state, AnalysisSnapshot.of(doc.uri, doc.version, { path: doc.uri, language, models: [], findings: [] }));
    const started = Date.now();
    const text = doc.getText();
    const parser = parserFor(parsers, language);
    const options = this.optionsFor(doc.uri, settings);
    const analyzeText = (text: string, tree: Tree | (() => Tree | undefined) | undefined, previous: FileAnalysis | undefined) =>
      analyzeSource({ tree, file: { path: doc.uri, language, text }, parsers, options, previous, specHost: this.specHost, specs: this.dependencies.specsNaming(doc.uri), resolveImport: this.freshImportResolver(), modules: this.modules, incremental: true });
    const skipped = state.skipped;
    state.skipped = [];
    // Reparsed incrementally from this document's last tree; the state owns the tree, analysis only reads it. With
    // no skipped version to fall back on, the tree is parsed only if analysis asks (an edit inside one statement
    // reparses just that statement); the next full parse then starts from the last tree parsed.
    const reparse = () => (parser ? state.tree.parse(parser, text) : undefined);
    const tree = skipped.length > 0 ? reparse() : parser ? reparse : undefined;
    // A half-typed line keeps the models of the last version that parsed; when that version was skipped, it is
    // analysed now (not published), so skipping changes what is shown by nothing but the versions in between.
    const base = parser && typeof tree === 'object' && tree.rootNode.hasError ? this.lastThatParses(skipped, parser, (text, tree) => analyzeText(text, tree, previous?.analysis)) : undefined;
    const analysis = analyzeText(text, tree, base ?? previous?.analysis);
    this.dependencies.record(doc.uri, analysis.dependencies);
    if (settings.logLevel === 'debug') this.log(`analysed ${doc.uri} v${doc.version} in ${Date.now() - started} ms: ${analysis.models.length} models, ${analysis.findings.length} findings`);
    const snapshot = this.keep(state, AnalysisSnapshot.of(doc.uri, doc.version, analysis));
    this.releaseOldest();
    return snapshot;
  }

  /** The analysis of the newest of `texts` that parses, if any. */
  private lastThatParses(texts: readonly string[], parser: Parser, analyzeText: (text: string, tree: Tree) => FileAnalysis): FileAnalysis | undefined {
    for (const text of [...texts].reverse()) {
      const tree = parser.parse(text);
      try {
        if (tree && !tree.rootNode.hasError) return analyzeText(text, tree);
      } finally {
        tree?.delete();
      }
    }
    return undefined;
  }

  private keep(state: DocumentState, snapshot: AnalysisSnapshot): AnalysisSnapshot {
    state.snapshot = snapshot;
    state.analysed = ++this.analyses;
    return snapshot;
  }

  /**
   * Keeps incremental state (a tree-sitter tree, a syntax mirror) only for the documents analysed last: with 200
   * files open, the few being edited re-analyse incrementally and the rest cost only their results in memory.
   */
  private releaseOldest(): void {
    const holding = [...this.documents.values()].filter((s) => s.analysed > 0);
    if (holding.length <= INCREMENTAL_DOCUMENTS) return;
    const oldest = holding.reduce((a, b) => (b.analysed < a.analysed ? b : a));
    oldest.analysed = 0;
    oldest.tree.dispose();
    if (oldest.snapshot) releaseIncrementalState(oldest.snapshot.analysis);
  }

  private importRoots: string[] = [];

  /** Workspace folders (as URIs) to resolve absolute Python imports from; relative imports need none. */
  setWorkspaceRoots(uris: readonly string[]): void {
    this.importRoots = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  }

  /**
   * Follows `from .blocks import ResBlock` into the workspace: open documents first (unsaved edits count), then the
   * disk. Documents are named by URI here and by path on disk, so the resolver translates both ways.
   */
  private freshImportResolver(): ImportResolver {
    // One resolver per analysis: its cache of file texts must not outlive an edit to an open document.
    const resolver = createImportResolver(this.importRoots, this.importRoots[0] ?? process.cwd(), (path) => this.getDocument(pathToFileURL(path).href)?.getText());
    return (moduleName, fromPath) => {
      const from = fromPath.startsWith('file:') ? fileURLToPath(fromPath) : fromPath;
      const found = resolver(moduleName, from);
      return found ? { ...found, path: pathToFileURL(found.path).href } : undefined;
    };
  }

  /** The project file's rule settings, overridden by the editor's `modelAudit.rules`. */
  private optionsFor(uri: string, settings: Settings): AnalysisOptions {
    let project: AnalysisOptions = {};
    if (uri.startsWith('file:')) {
      try {
        const found = this.configs.forFile(fileURLToPath(uri));
        project = found.config.options;
        if (found.path && !this.reportedConfigs.has(found.path)) {
          this.reportedConfigs.add(found.path);
          for (const line of describeConfigProblems(found)) this.log(`configuration problem: ${line}`);
        }
      } catch (error) {
        this.log(`cannot read the project configuration for ${uri}: ${String(error)}`);
      }
    }
    return { ...project, rules: mergeRuleSettings(project.rules, settings.rules), maxFileSize: settings.maxFileSize };
  }

  /** Forgets cached project configurations (a configuration file changed). */
  clearProjectConfigs(): void {
    this.configs.clear();
    this.reportedConfigs.clear();
  }

  /** Failed probes of one model, shown with the document's diagnostics until the code changes or probes run again. */
  setProbeFindings(uri: string, model: string, findings: Finding[]): void {
    const state = this.state(uri);
    state.probeFindings.set(model, findings);
    state.published = undefined;
    this.schedule(uri, false);
  }

  /** The spec model bound to a code model, from the open specs that name this document, for spec-bakeoff. */
  async boundSpec(uri: string, model: string): Promise<ModelGraph | undefined> {
    for (const spec of this.dependencies.specsNaming(uri)) {
      const snapshot = await this.current(spec);
      const binding = snapshot?.analysis.specBindings?.find((b) => b.code?.name === model);
      if (binding) return binding.spec;
    }
    return undefined;
  }

  /** Probe results describe the code they ran on; an edit makes them stale, so they go. */
  clearProbeFindings(uri: string): void {
    this.documents.get(uri)?.probeFindings.clear();
  }

  forget(uri: string): void {
    const state = this.documents.get(uri);
    if (state?.pending) clearImmediate(state.pending);
    state?.tree.dispose();
    this.documents.delete(uri);
    // A closed spec no longer binds its code (unless the code names it): re-check what it was bound to.
    const related = this.dependencies.related(uri);
    this.dependencies.forget(uri);
    for (const other of related) {
      if (!this.getDocument(other) || other === uri) continue;
      this.state(other).dirty = true;
      this.schedule(other, false);
    }
  }

  rescheduleAll(uris: Iterable<string>): void {
    for (const uri of uris) {
      const state = this.state(uri);
      state.snapshot = undefined;
      this.schedule(uri);
    }
  }
}
