// Each model gets a code lens whose title is its equation.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openSample, sampleUri, waitFor } from './helpers';

describe('code lens', () => {
  it('puts the equation "y = …" above class MissingReluMLP', async () => {
    const editor = await openSample('mlp_missing_relu.py');
    const uri = sampleUri('mlp_missing_relu.py');
    const classLine = editor.document.getText().split('\n').findIndex((line) => line.startsWith('class MissingReluMLP'));
    assert.ok(classLine >= 0, 'the sample has no class MissingReluMLP line');
    const lens = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return lenses?.find((l) => l.command?.title.startsWith('y = '));
    }, 'a code lens titled "y = …"');
    assert.equal(lens.range.start.line, classLine, 'the equation lens is not on the class line');
  });
});
