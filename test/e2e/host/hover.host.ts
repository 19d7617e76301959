// Hovering a model's class name explains its equation step by step, and names the other configurations a model
// configured by flags can train in.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hoverText, openSample, sampleUri, waitFor } from './helpers';

/** The hover text on `className` in a sample, once it matches `ready`. */
async function hoverOnClass(sample: string, className: string, ready: RegExp): Promise<string> {
  const editor = await openSample(sample);
  const uri = sampleUri(sample);
  const lines = editor.document.getText().split('\n');
  const line = lines.findIndex((text) => text.startsWith(`class ${className}`));
  assert.ok(line >= 0, `the sample has no class ${className} line`);
  const position = new vscode.Position(line, lines[line].indexOf(className) + 3);
  return waitFor(async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
    const text = (hovers ?? []).map(hoverText).join('\n');
    return ready.test(text) ? text : undefined;
  }, `a hover on ${className} matching ${ready}`);
}

describe('hover', () => {
  it('shows the step-by-step equation on the class name MissingReluMLP', async () => {
    await hoverOnClass('mlp_missing_relu.py', 'MissingReluMLP', /h₁|ReLU/);
  });

  it('on a model configured by flags, marks the default configuration and lists the model with each flag flipped', async () => {
    const text = await hoverOnClass('configurable_cnn.py', 'ConfigurableCNN', /Other configurations/);
    assert.match(text, /Default configuration/);
    assert.match(text, /use_bn=False/);
    assert.match(text, /dropout=True/);
  });
});
