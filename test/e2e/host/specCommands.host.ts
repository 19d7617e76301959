// The spec commands in the real extension host: a spec bound to a sample shows its finding in both files, "Compare
// with Spec" opens VS Code's diff editor on the two renderings, and "Generate Spec from Code" writes a spec that
// matches the code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticCode, openSample, sampleUri, waitFor } from './helpers';

const SPEC = `# What MissingReluMLP must compute: the code forgot the second ReLU.
model MissingReluMLP in "mlp_missing_relu.py"

input x: [784]
h1 = relu(Linear(flatten(x), 256))
h2 = relu(Linear(h1, 128))
y = Linear(h2, 10)
output y
`;

describe('spec commands', () => {
  it('a spec finds the missing ReLU in both files, and Compare with Spec opens the diff editor', async () => {
    const specUri = sampleUri('missing_relu_host.mspec');
    await vscode.workspace.fs.writeFile(specUri, new TextEncoder().encode(SPEC));
    await openSample('mlp_missing_relu.py');
    const spec = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(specUri));
    assert.equal(spec.document.languageId, 'model-spec');
    const codeUri = sampleUri('mlp_missing_relu.py');
    await waitFor(() => vscode.languages.getDiagnostics(specUri).some((d) => diagnosticCode(d) === 'MS001'), 'MS001 in the spec');
    await waitFor(() => vscode.languages.getDiagnostics(codeUri).some((d) => diagnosticCode(d) === 'MS001'), 'MS001 in the code');

    await vscode.commands.executeCommand('modelAudit.compareWithSpec', specUri);
    const tab = await waitFor(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    }, 'a diff editor');
    assert.equal(tab.original.scheme, 'model-audit-spec');
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(tab.original), vscode.workspace.openTextDocument(tab.modified)]);
    assert.match(left.getText(), /^h2 = relu\(Linear\(h1, 128\)\)$/m);
    assert.match(right.getText(), /Linear\(Linear\(h1, 128\), 10\)/);
  });

  it('Generate Spec from Code writes a spec that matches the code', async () => {
    const codeUri = sampleUri('mnist_mlp.py');
    const target = sampleUri('generated_host.mspec');
    await vscode.commands.executeCommand('modelAudit.generateSpec', codeUri, target);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    assert.match(text, /^model MnistMLP in "mnist_mlp.py"$/m);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
    // The generated spec binds and matches: the server reports nothing for it.
    await waitFor(async () => {
      const diagnostics = vscode.languages.getDiagnostics(target);
      const definitions = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', target, new vscode.Position(text.split('\n').findIndex((l) => l.startsWith('y = ')), 5));
      return diagnostics.length === 0 && (definitions ?? []).some((d) => d.uri.fsPath === codeUri.fsPath);
    }, 'a generated spec with no findings whose lines lead to the code');
  });
});
