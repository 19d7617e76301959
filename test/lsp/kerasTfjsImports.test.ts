// The server follows Keras and TF.js models into the blocks they import from the workspace, as the CLI does:
// Python imports and JavaScript `import … from './blocks.js'` alike, preferring the open (unsaved) text of an
// imported file to the disk.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { TestClient } from '../helpers/lspClient';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const KERAS_NET = join(WORKSPACE, 'keras_models', 'net.py');
const TFJS_MODEL = join(WORKSPACE, 'tfjs', 'model.js');
const TFJS_BLOCKS = join(WORKSPACE, 'tfjs', 'blocks.js');
const TYPED_MODEL = join(WORKSPACE, 'tfjs', 'typed', 'model.js');

describe('language server: Keras and TF.js imports across the workspace', function () {
  this.timeout(60000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start(pathToFileURL(WORKSPACE).href);
  });
  after(async () => client.stop());

  async function open(path: string, languageId: string, version: number, text = readFileSync(path, 'utf8')) {
    const uri = pathToFileURL(path).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
    return client.waitForDiagnostics(uri, (p) => p.version === version);
  }

  it('reports MA001 inside a Keras layer stack imported with `from .blocks import dense_stack`, at the splat in the model file', async () => {
    const diagnostics = await open(KERAS_NET, 'python', 1);
    const ma001 = diagnostics.filter((d) => d.code === 'MA001');
    assert.equal(ma001.length, 1);
    assert.equal(ma001[0].range.start.line, 21);
    assert.match(String(ma001[0].message), /dense_1 and dense_2 compose into one linear map 128→10/);
    const hints = diagnostics.filter((d) => d.code === 'MA000').map((d) => String(d.message));
    assert.ok(hints.some((m) => /tensorflow_hub/.test(m)) && hints.some((m) => /keras_cv\.models/.test(m)), hints.join('\n'));
  });

  it("reports MA001 after a projection imported from './blocks.js' in a TF.js model", async () => {
    const diagnostics = await open(TFJS_MODEL, 'javascript', 1);
    const ma001 = diagnostics.filter((d) => d.code === 'MA001');
    assert.equal(ma001.length, 1);
    assert.equal(ma001[0].range.start.line, 11);
    assert.match(String(ma001[0].message), /dense_2 and dense_3 compose into one linear map 128→10/);
  });

  it('reads a block a JavaScript model imports from a TypeScript module with type annotations', async () => {
    const diagnostics = await open(TYPED_MODEL, 'javascript', 1);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'MA000').map((d) => String(d.message)), [], 'no part of the imported block is opaque');
    const { model } = await client.connection.sendRequest<ModelEquationRequest.Result>(ModelEquationRequest.method, { uri: pathToFileURL(TYPED_MODEL).href, model: 'tabular' });
    assert.equal(model?.unicode, 'y = softmax(W₃·dropout(tanh(W₂·ReLU(W₁x + b₁) + b₂)) + b₃)');
  });

  it('uses the open, unsaved text of the imported TF.js module', async () => {
    const blocks = readFileSync(TFJS_BLOCKS, 'utf8');
    const fixed = blocks.replace("tf.layers.dense({ units })", "tf.layers.dense({ units, activation: 'relu' })");
    assert.notEqual(fixed, blocks, 'the fixture has the line this test edits');
    await open(TFJS_BLOCKS, 'javascript', 1, fixed);
    const modelUri = pathToFileURL(TFJS_MODEL).href;
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: modelUri } });
    const diagnostics = await open(TFJS_MODEL, 'javascript', 7);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'MA001'), []);
  });
});
