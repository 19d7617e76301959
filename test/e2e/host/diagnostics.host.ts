// The server's findings reach VS Code's diagnostics for the file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticCode, openSample, sampleUri, waitFor } from './helpers';

describe('diagnostics', () => {
  it('reports MA001 (linear collapse) as a warning in mlp_missing_relu.py', async () => {
    await openSample('mlp_missing_relu.py');
    const uri = sampleUri('mlp_missing_relu.py');
    const collapse = await waitFor(
      () => vscode.languages.getDiagnostics(uri).find((d) => diagnosticCode(d) === 'MA001'),
      'an MA001 diagnostic on mlp_missing_relu.py',
    );
    assert.equal(collapse.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(collapse.message.length > 10, `MA001 message is too thin: ${JSON.stringify(collapse.message)}`);
  });
});
