// The spec commands of the VS Code extension. "Model Audit: Compare with Spec" opens VS Code's own diff editor on
// two virtual documents, the spec's rendering and the code's rendering in the same notation, so a reviewer gets
// the diff view they know. "Model Audit: Generate Spec from Code" writes a new `.mspec` where the user picks.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GenerateSpec, SpecRenderings } from '../../server/src/shared/customMessages';

const SCHEME = 'model-audit-spec';

/** Registers the spec commands and the provider of their virtual documents. */
export function registerSpecCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  const contents = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => contents.get(uri.toString()) ?? '' }),
    vscode.commands.registerCommand('modelAudit.compareWithSpec', async (target?: vscode.Uri) => {
      const client = getClient();
      const uri = target ?? vscode.window.activeTextEditor?.document.uri;
      if (!client || !uri) return;
      const result = await client.sendRequest<SpecRenderings.Result>(SpecRenderings.method, { uri: uri.toString() } satisfies SpecRenderings.Params);
      if (result.pairs.length === 0) {
        void vscode.window.showInformationMessage('Model Audit: this file has no spec bound to code (a spec binds with `model NAME in "path"`; code can name its spec with `# model-spec: path.mspec`).');
        return;
      }
      const pair = result.pairs.length === 1 ? result.pairs[0] : (await vscode.window.showQuickPick(result.pairs.map((p) => ({ label: p.model, description: path.basename(vscode.Uri.parse(p.codeUri).fsPath), pair: p })), { placeHolder: 'Which model?' }))?.pair;
      if (!pair) return;
      const left = vscode.Uri.from({ scheme: SCHEME, path: `/${pair.model}.spec.mspec`, query: pair.specUri });
      const right = vscode.Uri.from({ scheme: SCHEME, path: `/${pair.model}.code.mspec`, query: pair.codeUri });
      contents.set(left.toString(), pair.specText);
      contents.set(right.toString(), pair.codeText);
      changed.fire(left);
      changed.fire(right);
      const specName = path.basename(vscode.Uri.parse(pair.specUri).fsPath);
      const codeName = path.basename(vscode.Uri.parse(pair.codeUri).fsPath);
      await vscode.commands.executeCommand('vscode.diff', left, right, `${pair.model}: spec (${specName}) ↔ code (${codeName})`);
    }),
    // `destination` (for keybindings, other extensions and tests) skips the save dialog.
    vscode.commands.registerCommand('modelAudit.generateSpec', async (target?: vscode.Uri, destination?: vscode.Uri) => {
      const client = getClient();
      const code = target ?? vscode.window.activeTextEditor?.document.uri;
      if (!client || !code) return;
      const suggested = vscode.Uri.file(code.fsPath.replace(/\.[^./\\]+$/, '') + '.mspec');
      const where = destination ?? (await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { 'Model spec': ['mspec'] }, saveLabel: 'Write spec' }));
      if (!where) return;
      const codePath = path.relative(path.dirname(where.fsPath), code.fsPath).split(path.sep).join('/');
      const result = await client.sendRequest<GenerateSpec.Result>(GenerateSpec.method, { uri: code.toString(), codePath } satisfies GenerateSpec.Params);
      if (result.models.length === 0) {
        void vscode.window.showInformationMessage('Model Audit: no model found in this file to write a spec for.');
        return;
      }
      await vscode.workspace.fs.writeFile(where, new TextEncoder().encode(result.text));
      await vscode.window.showTextDocument(where);
    }),
  );
}
