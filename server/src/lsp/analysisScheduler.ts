// Runs analyses for open documents and publishes their diagnostics. Changes are coalesced (a burst of keystrokes
// in one event-loop turn is analysed once), work for an old version is dropped, and a version's diagnostics are
// never published after a newer version's.

import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImportResolver } from '../core/imports';
import { createImportResolver } from '../workspace/pythonImports';
import { type AnalysisOptions, analyzeSource, type FileAnalysis, ModuleMirrors, type ParserSet, parserFor, releaseIncrementalState } from '../core/analyze';
import { mergeRuleSettings } from '../core/config';
import { describeConfigProblems, ProjectConfigs } from '../workspace/projectConfig';
import { IncrementalTrees } from '../parsing/incrementalTrees';
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

interface Entry {
  readonly version: number;
  readonly analysis: FileAnalysis;
}

/** How many documents keep their syntax tree and mirror for incremental re-analysis: the ones edited last. */
const INCREMENTAL_DOCUMENTS = 8;

export class AnalysisScheduler {
  private readonly results = new Map<string, Entry>();
  /** Documents by last analysis, oldest first; beyond INCREMENTAL_DOCUMENTS they give up their incremental state. */
  private readonly recent = new Set<string>();
  private readonly pending = new Map<string, NodeJS.Immediate>();
  private readonly published = new Map<string, number>();
  private readonly configs = new ProjectConfigs();
  private readonly trees = new IncrementalTrees();
  /** Imported modules' mirrors, shared by every document's analyses: editing a file does not re-read its imports. */
  private readonly modules = new ModuleMirrors();
  private readonly probeFindings = new Map<string, Map<string, Finding[]>>();
  private readonly reportedConfigs = new Set<string>();
  /** Spec ↔ code bindings between documents, and documents whose next run must also re-check those. */
  private readonly dependencies = new DependencyTracker();
  private readonly cascade = new Set<string>();
  /** Documents whose cached analysis is out of date because a document bound to them changed. */
  private readonly dirty = new Set<string>();
  private readonly specHost = lspSpecHost(
    (uri) => this.getDocument(uri),
    // An open code document's current analysis, which keeps the last models that parsed while a line is half typed.
    (uri) => {
      const entry = this.results.get(uri);
      return entry && entry.version === this.getDocument(uri)?.version && !this.dirty.has(uri) && entry.analysis.language !== 'model-spec' ? entry.analysis : undefined;
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
  ) {}

  /** `cascade`: also re-check the documents bound to this one (a spec and its code) after this run. */
  schedule(uri: string, cascade = true): void {
    if (cascade) this.cascade.add(uri);
    const existing = this.pending.get(uri);
    if (existing) clearImmediate(existing);
    this.pending.set(
      uri,
      setImmediate(() => {
        this.pending.delete(uri);
        const related = this.cascade.delete(uri);
        this.runAndPublish(uri, related).catch((error) => this.log(`analysis of ${uri} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
      }),
    );
  }

  private async runAndPublish(uri: string, related = false): Promise<void> {
    const doc = this.getDocument(uri);
    if (!doc) return;
    const version = doc.version;
    const entry = await this.analyze(doc);
    // A newer version arrived while this one waited: its own run will publish.
    if (!entry || this.getDocument(uri)?.version !== version) return;
    const last = this.published.get(uri);
    if (last !== undefined && last > version) return;
    this.published.set(uri, version);
    const probed = [...(this.probeFindings.get(uri)?.values() ?? [])].flat();
    await this.connection.sendDiagnostics({ uri, version, diagnostics: [...entry.analysis.findings, ...probed].map((f) => toDiagnostic(f, uri)) });
    this.onPublished?.(uri, version);
    if (related) this.recheckRelated(uri);
  }

  /** Re-checks the open documents bound to `uri` (its spec or its code), without cascading further. */
  private recheckRelated(uri: string): void {
    for (const other of this.dependencies.related(uri)) {
      if (!this.getDocument(other)) continue;
      this.dirty.add(other);
      this.schedule(other, false);
    }
  }

  /** The analysis of the document's current version, computed now if needed. */
  async current(uri: string): Promise<FileAnalysis | undefined> {
    const doc = this.getDocument(uri);
    if (!doc) return undefined;
    const cached = this.results.get(uri);
    if (cached && cached.version === doc.version && !this.dirty.has(uri)) return cached.analysis;
    return (await this.analyze(doc))?.analysis;
  }

  private async analyze(doc: TextDocument): Promise<Entry | undefined> {
    const language = languageOfDocument(doc);
    if (!language) return undefined;
    const [parsers, settings] = await Promise.all([this.parsers, this.settings.get(doc.uri)]);
    const latest = this.getDocument(doc.uri);
    if (!latest || latest.version !== doc.version) return undefined;
    const cached = this.results.get(doc.uri);
    if (cached && cached.version === doc.version && !this.dirty.has(doc.uri)) return cached;
    this.dirty.delete(doc.uri);
    if (!settings.enable) {
      const entry = { version: doc.version, analysis: { path: doc.uri, language, models: [], findings: [] } };
      this.results.set(doc.uri, entry);
      return entry;
    }
    const started = Date.now();
    const text = doc.getText();
    const parser = parserFor(parsers, language);
    // Reparsed incrementally from this document's last tree; the cache owns the tree, analysis only reads it.
    const tree = parser ? this.trees.parse(doc.uri, parser, text) : undefined;
    const analysis = analyzeSource({
      tree,
      file: { path: doc.uri, language, text },
      parsers,
      options: this.optionsFor(doc.uri, settings),
      previous: cached?.analysis,
      specHost: this.specHost,
      specs: this.dependencies.specsNaming(doc.uri),
      resolveImport: this.freshImportResolver(),
      modules: this.modules,
      incremental: true,
    });
    this.dependencies.record(doc.uri, analysis.dependencies);
    if (settings.logLevel === 'debug') this.log(`analysed ${doc.uri} v${doc.version} in ${Date.now() - started} ms: ${analysis.models.length} models, ${analysis.findings.length} findings`);
    const entry = { version: doc.version, analysis };
    this.results.set(doc.uri, entry);
    this.touch(doc.uri);
    return entry;
  }

  /**
   * Keeps incremental state (a tree-sitter tree, a syntax mirror) only for the documents analysed last: with 200
   * files open, the few being edited re-analyse incrementally and the rest cost only their results in memory.
   */
  private touch(uri: string): void {
    this.recent.delete(uri);
    this.recent.add(uri);
    if (this.recent.size <= INCREMENTAL_DOCUMENTS) return;
    const oldest = this.recent.values().next().value as string;
    this.recent.delete(oldest);
    this.trees.forget(oldest);
    const entry = this.results.get(oldest);
    if (entry) releaseIncrementalState(entry.analysis);
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
    const byModel = this.probeFindings.get(uri) ?? new Map<string, Finding[]>();
    byModel.set(model, findings);
    this.probeFindings.set(uri, byModel);
    this.published.delete(uri);
    this.schedule(uri, false);
  }

  /** The spec model bound to a code model, from the open specs that name this document, for spec-bakeoff. */
  async boundSpec(uri: string, model: string): Promise<ModelGraph | undefined> {
    for (const spec of this.dependencies.specsNaming(uri)) {
      const analysis = await this.current(spec);
      const binding = analysis?.specBindings?.find((b) => b.code?.name === model);
      if (binding) return binding.spec;
    }
    return undefined;
  }

  /** Probe results describe the code they ran on; an edit makes them stale, so they go. */
  clearProbeFindings(uri: string): void {
    this.probeFindings.delete(uri);
  }

  forget(uri: string): void {
    this.probeFindings.delete(uri);
    this.trees.forget(uri);
    this.recent.delete(uri);
    // A closed spec no longer binds its code (unless the code names it): re-check what it was bound to.
    const related = this.dependencies.related(uri);
    this.dependencies.forget(uri);
    this.cascade.delete(uri);
    for (const other of related) {
      if (!this.getDocument(other) || other === uri) continue;
      this.dirty.add(other);
      this.schedule(other, false);
    }
    const pending = this.pending.get(uri);
    if (pending) clearImmediate(pending);
    this.pending.delete(uri);
    this.results.delete(uri);
    this.published.delete(uri);
  }

  rescheduleAll(uris: Iterable<string>): void {
    for (const uri of uris) {
      this.results.delete(uri);
      this.schedule(uri);
    }
  }
}
