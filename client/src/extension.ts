// The VS Code extension: starts the Model Audit language server (the same bundle as the CLI, run as
// `model-audit lsp --stdio`), shows its state in the status bar and wires the extension's commands.

import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { registerEquationPanel } from './equationPanel';
import { registerProbeReport } from './probeReport';
import { registerSpecCommands } from './specCommands';
import { WorkspaceTrust } from '../../server/src/shared/customMessages';

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'model-spec' },
  { scheme: 'untitled', language: 'python' },
  { scheme: 'untitled', language: 'model-spec' },
  // Python cells of Jupyter notebooks: the server declares notebook sync, so the client sends whole notebooks
  // (notebookDocument/*) and asks hover, code lens and code actions of each cell.
  { notebook: '*', language: 'python' },
];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Model Audit', { log: true });
  context.subscriptions.push(output);

  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'Model Audit';
  statusItem.command = 'modelAudit.showOutput';
  setStatus('starting');
  statusItem.show();
  context.subscriptions.push(statusItem);

  const serverModule = context.asAbsolutePath('dist/cli.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, args: ['lsp'], transport: TransportKind.stdio },
    debug: { module: serverModule, args: ['lsp'], transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    synchronize: {
      configurationSection: 'modelAudit',
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.{py,mspec,js,ts,mjs,cjs}'),
        vscode.workspace.createFileSystemWatcher('**/{.model-audit.json,pyproject.toml}'),
      ],
    },
    // Read at each start, so a restart after trust was granted starts trusted.
    initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
  };

  client = new LanguageClient('modelAudit', 'Model Audit', serverOptions, clientOptions);
  context.subscriptions.push(
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) setStatus('running');
      else if (event.newState === State.Starting) setStatus('starting');
      else setStatus('stopped');
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('modelAudit.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('modelAudit.restartServer', async () => {
      await client?.restart();
    }),
    // The code lens's "probe sizes … set…": the sizes the code leaves open, as `probe --set` takes them.
    vscode.commands.registerCommand('modelAudit.setProbeSizes', async (args?: { uri: string; model: string; sizes: Record<string, number> }) => {
      if (!args || !client) return;
      const value = await vscode.window.showInputBox({
        title: `Probe sizes for ${args.model}`,
        prompt: 'Sizes the code leaves open, as name=value pairs; the probes run with them',
        value: Object.entries(args.sizes).map(([k, v]) => `${k}=${v}`).join(', '),
        validateInput: (text) => (text.split(',').map((t) => t.trim()).filter(Boolean).every((t) => /^[A-Za-z_][\w.]*=\d+$/.test(t)) ? undefined : 'name=value pairs with positive integers, separated by commas'),
      });
      if (value === undefined) return;
      const sizes = Object.fromEntries(value.split(',').map((t) => t.trim()).filter(Boolean).map((t) => [t.split('=')[0]!, Number(t.split('=')[1])]));
      await client.sendRequest('workspace/executeCommand', { command: 'modelAudit.runProbes', arguments: [{ uri: args.uri, model: args.model, sizes }] });
    }),
  );
  // Trust granted while the server runs reaches it at once: probes are no longer refused, without a restart.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const params: WorkspaceTrust.Params = { trusted: true };
      client?.sendNotification(WorkspaceTrust.method, params).catch(() => undefined);
    }),
  );
  registerSpecCommands(context, () => client);

  registerEquationPanel(context, () => client);
  registerProbeReport(context, () => client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function setStatus(state: 'starting' | 'running' | 'stopped'): void {
  if (!statusItem) return;
  const icon = state === 'running' ? '$(check)' : state === 'starting' ? '$(sync~spin)' : '$(error)';
  statusItem.text = `${icon} Model Audit`;
  statusItem.tooltip = `Model Audit language server: ${state}`;
}
