// Hovering a model's class name explains its equation step by step.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hoverText, openSample, sampleUri, waitFor } from './helpers';

describe('hover', () => {
  it('shows the step-by-step equation on the class name MissingReluMLP', async () => {
    const editor = await openSample('mlp_missing_relu.py');
    const uri = sampleUri('mlp_missing_relu.py');
    const lines = editor.document.getText().split('\n');
    const line = lines.findIndex((text) => text.startsWith('class MissingReluMLP'));
    assert.ok(line >= 0, 'the sample has no class MissingReluMLP line');
    const position = new vscode.Position(line, lines[line].indexOf('MissingReluMLP') + 3);
    await waitFor(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      const joined = (hovers ?? []).map(hoverText).join('\n');
      return /h₁|ReLU/.test(joined) ? joined : undefined;
    }, 'a hover on MissingReluMLP mentioning h₁ or ReLU');
  });
});

describe('hover on a model configured by flags', () => {
  it('marks the default configuration and lists the model with each flag flipped', async () => {
    const editor = await openSample('configurable_cnn.py');
    const uri = sampleUri('configurable_cnn.py');
    const lines = editor.document.getText().split('\n');
    const line = lines.findIndex((text) => text.startsWith('class ConfigurableCNN'));
    assert.ok(line >= 0, 'the sample has no class ConfigurableCNN line');
    const position = new vscode.Position(line, lines[line].indexOf('ConfigurableCNN') + 3);
    const joined = await waitFor(async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      const text = (hovers ?? []).map(hoverText).join('\n');
      return /Other configurations/.test(text) ? text : undefined;
    }, 'a hover on ConfigurableCNN listing other configurations');
    assert.match(joined, /Default configuration/);
    assert.match(joined, /use_bn=False/);
    assert.match(joined, /dropout=True/);
  });
});
