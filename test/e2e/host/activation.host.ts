// The extension activates on a Python file and registers its commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, openSample, waitFor } from './helpers';

describe('activation', () => {
  it('activates on a Python file and registers its commands', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await openSample('mnist_mlp.py');
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate`);
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['modelAudit.restartServer', 'modelAudit.showOutput']) {
      assert.ok(commands.includes(command), `command ${command} is not registered`);
    }
  });
});
