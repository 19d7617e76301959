// The server follows a model into the blocks it imports from the workspace, as the CLI does, preferring the open
// (unsaved) text of an imported file to the disk.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { TestClient } from '../helpers/lspClient';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const NET = join(WORKSPACE, 'models', 'net.py');
const LAYERS = join(WORKSPACE, 'models', 'layers.py');

describe('language server: imports across the workspace', function () {
  this.timeout(60000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start(pathToFileURL(WORKSPACE).href);
  });
  after(async () => client.stop());

  it('reports MA001 between two imported Projection blocks, at the call in the model file', async () => {
    const uri = pathToFileURL(NET).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(NET, 'utf8') } });
    const diagnostics = await client.waitForDiagnostics(uri, (p) => p.version === 1);
    const ma001 = diagnostics.filter((d) => d.code === 'MA001');
    assert.equal(ma001.length, 1);
    assert.equal(ma001[0].range.start.line, 30);
    assert.match(String(ma001[0].message), /inp\.proj and out\.proj compose into one linear map 64→16/);
  });

  it('uses the open, unsaved text of the imported file', async () => {
    const layersUri = pathToFileURL(LAYERS).href;
    const layers = readFileSync(LAYERS, 'utf8');
    assert.match(layers, /class Projection/);
    // An open editor where Projection now ends with a ReLU: the collapse is gone once the model file is re-checked.
    const fixed = layers.replace(/return self\.proj\(x\)/, 'return torch.relu(self.proj(x))').replace(/^/, 'import torch\n');
    assert.notEqual(fixed, layers, 'the fixture has the line this test edits');
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: layersUri, languageId: 'python', version: 1, text: fixed } });
    const netUri = pathToFileURL(NET).href;
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: netUri } });
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: netUri, languageId: 'python', version: 7, text: readFileSync(NET, 'utf8') } });
    const diagnostics = await client.waitForDiagnostics(netUri, (p) => p.version === 7);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'MA001'), []);
  });
});
