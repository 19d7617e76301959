// The language server: wiring only. Each LSP method is handled in its own file; this one connects documents,
// settings and handlers, and makes sure no exception inside a handler ever takes the server down.

import {
  type CancellationToken,
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  type InitializeResult,
  LSPErrorCodes,
  ResponseError,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadParsers } from '../parsing/loadParsers';
import { AnalysisScheduler } from './analysisScheduler';
import { ChangeInbox } from './changeInbox';
import { IdleCollector } from './idleCollector';
import { codeActions } from './codeAction';
import { codeLenses } from './codeLens';
import { ProbeReport, WorkspaceTrust } from '../shared/customMessages';
import { ProbeRuns, RUN_PROBES, type RunProbesArgs, type RunProbesResult } from './probeRuns';
import { ModelEquationRequest, modelEquation } from './equationRequest';
import { completion } from './completion';
import { definition } from './definition';
import { specFoldingRanges } from './foldingRange';
import { hover } from './hover';
import { specHover } from './specHover';
import { generateSpec, specRenderings } from './specRequests';
import { GenerateSpec, SpecRenderings } from '../shared/customMessages';
import { analyzeSource } from '../core/analyze';
import { languageOfPath } from '../core/languages';
import { lspSpecHost } from './specHost';
import { modelNames } from './workspaceModels';
import { SettingsCache } from './settings';
import { NotebookPrograms } from './notebookSync';
import { codeLensesInCell } from './notebookCodeLens';
import { equationInCell } from './notebookEquation';
import { hoverInCell } from './notebookHover';

export function startServer(): void {
  // Over stdio the reader notes each document's changes as they are read, before they are applied, so analysis of a
  // version that is already replaced can be skipped (other transports, if a client picks one, go without).
  const inbox = new ChangeInbox();
  const stdio = !process.argv.some((a) => /^--(node-ipc|socket|pipe)/.test(a));
  const connection = stdio ? createConnection(ProposedFeatures.all, inbox.reader(process.stdin), new StreamMessageWriter(process.stdout)) : createConnection(ProposedFeatures.all);
  const documents = new TextDocuments({
    create: TextDocument.create,
    update: (document, changes, version) => {
      inbox.applied(document.uri);
      return TextDocument.update(document, changes, version);
    },
  });
  // A Jupyter notebook's code cells are one program, analysed under the notebook's URI and published on its cells.
  const notebooks = new NotebookPrograms();
  const settings = new SettingsCache(connection);
  const log = (message: string) => connection.console.error(message);
  const parsers = loadParsers();
  const scheduler = new AnalysisScheduler(notebooks.publishingConnection(connection), parsers, settings, (uri) => documents.get(uri) ?? notebooks.document(uri), log, (uri) => inbox.hasWaiting(uri));
  const openUris = () => [...documents.all().map((d) => d.uri), ...notebooks.notebooks.cellTextDocuments.all().map((d) => notebooks.programUri(d.uri))];
  // Memory goes back to the system once a burst of analyses (a workspace opening) is over.
  const idle = new IdleCollector();
  scheduler.onPublished = () => idle.busy();
  idle.onCollected = (before, after) => log(`idle collection: heap ${(before / 2 ** 20).toFixed(0)} MB → ${(after / 2 ** 20).toFixed(0)} MB`);
  const specHost = lspSpecHost((uri) => documents.get(uri));
  let workspaceTrusted = true;
  const probes = new ProbeRuns(connection, {
    analysis: async (uri) => (await scheduler.current(uri))?.analysis,
    boundSpec: (uri, model) => scheduler.boundSpec(uri, model),
    setFindings: (uri, model, findings) => scheduler.setProbeFindings(uri, model, findings),
    refreshCodeLenses: () => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined),
    isTrusted: () => workspaceTrusted,
    log,
  });
  let workspaceRoots: string[] = [];

  /** Runs a handler, logging any exception and answering with a fallback instead of crashing. */
  /**
   * Runs a handler, logging any exception and answering with a fallback instead of crashing. A request the client
   * cancelled (`$/cancelRequest`, before it started or while it awaited an analysis) is answered with the LSP
   * cancellation error instead of its result, so the client never receives data it has stopped waiting for.
   */
  const guard = <P, R>(name: string, fallback: R, handler: (params: P, token?: CancellationToken) => R | Promise<R>) => async (params: P, token?: CancellationToken): Promise<R> => {
    const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
    if (token?.isCancellationRequested) throw cancelled();
    let result: R;
    try {
      result = await handler(params, token);
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      result = fallback;
    }
    if (token?.isCancellationRequested) throw cancelled();
    return result;
  };

  // Trust granted (or taken back) after initialization takes effect at once: probes read it on every run.
  connection.onNotification(WorkspaceTrust.method, guard('workspaceTrust', undefined, (params: WorkspaceTrust.Params) => {
    workspaceTrusted = params?.trusted === true;
  }));
  connection.onRequest(ProbeReport.method, guard('probeReport', null as ProbeReport.Result | null, (params: ProbeReport.Params) => probes.report(notebooks.programUri(params.uri))));
  connection.onExecuteCommand(
    guard('executeCommand', null as RunProbesResult | null, async (params, token) => {
      if (params.command !== RUN_PROBES) return null;
      const args = params.arguments?.[0] as RunProbesArgs | undefined;
      if (!args?.uri || !args.model) return { error: 'modelAudit.runProbes needs { uri, model }' };
      // Cancelling the request stops the probe worker, as cancelling its progress does.
      return probes.run({ ...args, uri: notebooks.programUri(args.uri) }, token);
    }),
  );

  connection.onInitialize((params): InitializeResult => {
    const configurable = params.capabilities.workspace?.configuration === true;
    // VS Code says whether the workspace is trusted; other clients have no such notion, and probes run there.
    workspaceTrusted = (params.initializationOptions as { workspaceTrusted?: boolean } | undefined)?.workspaceTrusted !== false;
    settings.setSupported(configurable);
    workspaceRoots = (params.workspaceFolders ?? []).map((f) => f.uri).concat(!params.workspaceFolders && params.rootUri ? [params.rootUri] : []);
    scheduler.setWorkspaceRoots(workspaceRoots);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [RUN_PROBES] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        definitionProvider: true,
        foldingRangeProvider: true,
        completionProvider: { triggerCharacters: [' ', '('] },
      },
      serverInfo: { name: 'model-audit', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    connection.client.register(DidChangeConfigurationNotification.type, { section: 'modelAudit' }).catch(() => undefined);
  });

  connection.onDidChangeConfiguration(
    guard('didChangeConfiguration', undefined, () => {
      settings.clear();
      scheduler.rescheduleAll(new Set(openUris()));
      connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }),
  );

  // The client watches .model-audit.json and pyproject.toml: a change re-reads the project configuration.
  connection.onDidChangeWatchedFiles(
    guard('didChangeWatchedFiles', undefined, (params) => {
      if (params.changes.some((c) => /(^|\/)(\.model-audit\.json|pyproject\.toml)$/.test(c.uri))) {
        scheduler.clearProjectConfigs();
        scheduler.rescheduleAll(new Set(openUris()));
      }
    }),
  );

  documents.onDidOpen((e) => {
    inbox.forget(e.document.uri);
    scheduler.schedule(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    scheduler.clearProbeFindings(e.document.uri);
    probes.forget(e.document.uri);
    scheduler.schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    inbox.forget(e.document.uri);
    scheduler.forget(e.document.uri);
    settings.forget(e.document.uri);
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }).catch(() => undefined);
  });

  notebooks.onDidChange = (uri) => {
    scheduler.clearProbeFindings(uri);
    probes.forget(uri);
    scheduler.schedule(uri);
  };
  notebooks.onDidClose = (uri) => {
    scheduler.forget(uri);
    settings.forget(uri);
  };

  connection.onHover(guard('hover', null, (params) => hoverInCell(notebooks, params, async (params) => {
    const analysis = (await scheduler.current(params.textDocument.uri))?.analysis;
    return specHover(analysis, params, (uri) => specHost.read(uri)) ?? hover(analysis, params, notebooks.lineLabel(params.textDocument.uri));
  })));
  // The spec requests may name files that are not open (a spec a comment names, code picked in the explorer).
  const analyzeAnywhere = async (uri: string) => {
    const open = (await scheduler.current(uri))?.analysis;
    if (open) return open;
    const text = specHost.read(uri);
    const language = languageOfPath(uri);
    return text === undefined || !language ? undefined : analyzeSource({ file: { path: uri, language, text }, parsers: await parsers, specHost });
  };
  connection.onRequest(SpecRenderings.method, guard('specRenderings', { pairs: [] } as SpecRenderings.Result, (params: SpecRenderings.Params) => specRenderings(params, analyzeAnywhere, analyzeAnywhere)));
  connection.onRequest(GenerateSpec.method, guard('generateSpec', { text: '', models: [] } as GenerateSpec.Result, (params: GenerateSpec.Params) => generateSpec(params, analyzeAnywhere)));
  connection.onFoldingRanges(guard('foldingRange', [], (params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc && (doc.languageId === 'model-spec' || doc.uri.endsWith('.mspec')) ? specFoldingRanges(doc.getText()) : [];
  }));
  connection.onRequest(ModelEquationRequest.method, guard('equation', { models: [] } as ModelEquationRequest.Result, (params: ModelEquationRequest.Params) => equationInCell(notebooks, params, async (params) => modelEquation((await scheduler.current(params.uri))?.analysis, params, undefined, notebooks.lineLabel(params.uri)))));
  connection.onDefinition(guard('definition', null, async (params) => definition((await scheduler.current(params.textDocument.uri))?.analysis, params)));
  connection.onCompletion(guard('completion', [], async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !doc.uri.endsWith('.mspec') && doc.languageId !== 'model-spec') return [];
    const analysis = (await scheduler.current(doc.uri))?.analysis;
    return completion(params, {
      text: doc.getText(),
      analysis,
      modelNames: async (codePath) => {
        const open = (await Promise.all(documents.all().filter((d) => d.uri !== doc.uri).map(async (d) => (await scheduler.current(d.uri))?.analysis))).filter((a) => a !== undefined);
        return modelNames({ specUri: doc.uri, codePath, host: specHost, parsers: await parsers, openAnalyses: open, workspaceRoots });
      },
    });
  }));
  connection.onCodeLens(guard('codeLens', [], (params) => codeLensesInCell(notebooks, params, async (uri) => {
    const s = await settings.get(uri);
    return s.codeLens.enable ? codeLenses((await scheduler.current(uri))?.analysis, (model) => probes.summary(uri, model), (model) => probes.sizesOf(uri, model)) : [];
  })));
  connection.onCodeAction(guard('codeAction', [], (params) => codeActions(params)));

  process.on('uncaughtException', (error) => log(`uncaught exception: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${String(reason)}`));

  documents.listen(connection);
  notebooks.listen(connection);
  connection.listen();
}
