// "Model Audit: Show Equation": a side panel with the equation of the model under the cursor, typeset by KaTeX
// (bundled, so it works offline), following the cursor and the theme, with the model's other configurations below
// it where the code branches on one; each parameter links to the line that builds it. Also the "Copy Equation as LaTeX / Markdown" commands. The data comes from the server's modelAudit/equation.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { renderEquationBody, renderEquationPanelHtml } from './equationHtml';

const LANGUAGES = new Set(['python', 'javascript', 'typescript']);
/** How long the cursor rests before the panel follows it. */
const FOLLOW_DELAY_MS = 250;

/** A position the code lens passes: the document and the model's name position. */
interface ShowEquationArgs {
  readonly uri: string;
  readonly position: { readonly line: number; readonly character: number };
}

export function registerEquationPanel(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  let panel: vscode.WebviewPanel | undefined;
  let shownUri: string | undefined;
  let last: ModelEquationRequest.Result | undefined;
  let followTimer: NodeJS.Timeout | undefined;
  let generation = 0;
  /** Until the page has loaded once, a message could arrive before its script listens: set the whole page instead. */
  let pageLoaded = false;
  /** The line a click in the panel revealed: the panel keeps its model while the cursor stays there. */
  let revealed: { uri: string; line: number } | undefined;

  const request = async (params: ModelEquationRequest.Params): Promise<ModelEquationRequest.Result | undefined> => {
    const client = getClient();
    if (!client || !client.isRunning()) return undefined;
    return client.sendRequest<ModelEquationRequest.Result>(ModelEquationRequest.method, params);
  };

  /** Asks for the model at a position and shows it; answers to older questions are dropped. */
  const update = async (params: ModelEquationRequest.Params): Promise<void> => {
    const mine = ++generation;
    const result = await request(params).catch(() => undefined);
    if (!result || mine !== generation || !panel) return;
    last = result;
    shownUri = params.uri;
    panel.title = result.model ? `Equation: ${result.model.name}` : 'Model Equation';
    if (pageLoaded) await panel.webview.postMessage({ type: 'update', html: renderEquationBody(result) });
    else setPage(panel, result);
  };

  const createPanel = (): vscode.WebviewPanel => {
    const katexRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'katex');
    const created = vscode.window.createWebviewPanel('modelAudit.equation', 'Model Equation', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [katexRoot],
      retainContextWhenHidden: false,
    });
    created.iconPath = vscode.Uri.joinPath(context.extensionUri, 'images', 'icon.png');
    pageLoaded = false;
    setPage(created, last ?? { models: [] });
    created.webview.onDidReceiveMessage(async (message: { type?: string; line?: number }) => {
      if (message.type === 'ready') pageLoaded = true;
      else if (message.type === 'reveal' && typeof message.line === 'number' && shownUri) {
        revealed = { uri: shownUri, line: message.line };
        await reveal(shownUri, message.line);
      }
      else if (message.type === 'copyLatex') await copy('latex');
      else if (message.type === 'copyMarkdown') await copy('markdown');
    }, undefined, context.subscriptions);
    created.onDidDispose(() => {
      panel = undefined;
      generation++;
    }, undefined, context.subscriptions);
    return created;
  };

  const setPage = (target: vscode.WebviewPanel, result: ModelEquationRequest.Result): void => {
    const katexCss = vscode.Uri.joinPath(context.extensionUri, 'dist', 'katex', 'katex.min.css');
    target.webview.html = renderEquationPanelHtml(result, {
      cspSource: target.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      katexCssUri: target.webview.asWebviewUri(katexCss).toString(),
    });
  };

  const copy = async (format: 'latex' | 'markdown', args?: ShowEquationArgs): Promise<void> => {
    const params = args ? { uri: args.uri, position: args.position } : paramsAtCursor();
    const result = params ? await request(params).catch(() => undefined) : last;
    const model = result?.model ?? last?.model;
    if (!model) {
      void vscode.window.showInformationMessage('Model Audit: put the cursor in a model to copy its equation.');
      return;
    }
    await vscode.env.clipboard.writeText(format === 'latex' ? model.latexDocument : model.markdown);
    vscode.window.setStatusBarMessage(`Model Audit: copied the equation of ${model.name} as ${format === 'latex' ? 'LaTeX' : 'Markdown'}`, 3000);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('modelAudit.showEquation', async (args?: ShowEquationArgs) => {
      const params = args && typeof args.uri === 'string' ? { uri: args.uri, position: args.position } : paramsAtCursor();
      if (!params) {
        void vscode.window.showInformationMessage('Model Audit: open a model file (Python, JavaScript or TypeScript) to show its equation.');
        return;
      }
      if (!panel) panel = createPanel();
      else panel.reveal(undefined, true);
      await update(params);
    }),
    vscode.commands.registerCommand('modelAudit.copyEquationLatex', (args?: ShowEquationArgs) => copy('latex', args)),
    vscode.commands.registerCommand('modelAudit.copyEquationMarkdown', (args?: ShowEquationArgs) => copy('markdown', args)),
    // Follow the cursor: the panel shows the model the cursor is in, after the cursor rests for a moment.
    vscode.window.onDidChangeTextEditorSelection((event) => {
      if (!panel || !LANGUAGES.has(event.textEditor.document.languageId)) return;
      if (followTimer) clearTimeout(followTimer);
      const uri = event.textEditor.document.uri.toString();
      const active = event.selections[0].active;
      // A parameter the panel revealed may sit in another class (a block's layer): stay on the model that was shown.
      if (revealed && revealed.uri === uri && revealed.line === active.line) return;
      revealed = undefined;
      followTimer = setTimeout(() => void update({ uri, position: { line: active.line, character: active.character } }), FOLLOW_DELAY_MS);
    }),
    { dispose: () => followTimer && clearTimeout(followTimer) },
  );
}

function paramsAtCursor(): ModelEquationRequest.Params | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !LANGUAGES.has(editor.document.languageId)) return undefined;
  const active = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line: active.line, character: active.character } };
}

async function reveal(uri: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const target = Math.min(line, document.lineCount - 1);
  const position = new vscode.Position(target, document.lineAt(target).firstNonWhitespaceCharacterIndex);
  // Reveal in the editor that already shows the file, not in the panel's column.
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
