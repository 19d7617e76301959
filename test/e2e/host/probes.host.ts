// A probe run from its code lens in the real editor: the lens's command trains the model in the worker, the failed
// probe arrives as an MP001 diagnostic and the verdict replaces the lens's "Run probes" title.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticCode, openSample, sampleUri, waitFor } from './helpers';

describe('probes from the code lens', () => {
  it('runs nonlinearity on MissingReluMLP: MP001 on the model and ✗ on the lens', async () => {
    await openSample('mlp_missing_relu.py');
    const uri = sampleUri('mlp_missing_relu.py');
    const lens = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses?.find((l) => l.command?.title === '▶ Run probes');
    }, 'a "▶ Run probes" code lens');
    const args = { ...(lens.command!.arguments![0] as object), probes: ['nonlinearity'], seed: 1 };
    await vscode.commands.executeCommand(lens.command!.command, args);
    const failed = await waitFor(
      () => vscode.languages.getDiagnostics(uri).find((d) => diagnosticCode(d) === 'MP001'),
      'an MP001 diagnostic after the probe run',
    );
    assert.match(failed.message, /fc2 → fc3 does no better than the best linear fit/);
    await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses?.find((l) => (l.command?.title ?? '').startsWith('probes: nonlinearity ✗'));
    }, 'the verdict on the code lens');
    await vscode.commands.executeCommand('modelAudit.showProbeReport');
    await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Probe report'),
      'the Probe report panel',
    );
  });
});
