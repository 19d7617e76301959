// modelAudit/equation over stdio, as the equation panel asks for it: the model under the cursor with its LaTeX,
// parameters and the documents the copy commands copy; and the code lens that opens the panel.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest, DidOpenTextDocumentNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { TestClient } from '../helpers/lspClient';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'transformer_encoder.py');
const TEXT = readFileSync(SAMPLE, 'utf8');
const URI = pathToFileURL(SAMPLE).href;
const LINES = TEXT.split('\n');

describe('modelAudit/equation over stdio', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
  });

  after(async () => {
    await client.stop();
  });

  const ask = (params: ModelEquationRequest.Params) => client.connection.sendRequest<ModelEquationRequest.Result>(ModelEquationRequest.method, params);

  it('answers with the model whose definition holds the cursor, in LaTeX, with parameters linked to their lines', async () => {
    const forwardLine = LINES.findIndex((l) => l.includes('for block in self.blocks:'));
    const result = await ask({ uri: URI, position: { line: forwardLine, character: 8 } });
    assert.deepEqual(result.models, ['SelfAttention', 'FeedForward', 'EncoderBlock', 'TransformerClassifier']);
    const model = result.model!;
    assert.equal(model.name, 'TransformerClassifier');
    assert.equal(model.line, LINES.findIndex((l) => l.startsWith('class TransformerClassifier')));
    assert.match(model.unicode, /EncoderBlock¹²/);
    assert.ok(model.latexLines.some((l) => l.startsWith('\\operatorname{EncoderBlock}\\left(z\\right) = ')), model.latexLines.join('\n'));
    const query = model.parameters.find((p) => p.module === 'blocks.0.attn.query' && p.kind === 'weight')!;
    assert.equal(query.shape, '768×768');
    assert.equal(query.block, 'SelfAttention');
    assert.equal(query.applications, 12);
    assert.equal(query.line, LINES.findIndex((l) => l.includes('self.query = nn.Linear')));
    const blocks = model.values.find((v) => v.display === 'h₉')!;
    assert.deepEqual(blocks, { display: 'h₉', latex: 'h_{9}', shape: 'T×768', line: LINES.findIndex((l) => l.includes('x = block(x)')) });
    assert.equal(model.values.find((v) => v.display === 'EncoderBlock(z)')?.line, LINES.findIndex((l) => l.includes('return x + self.ffn(self.norm2(x))')));
    assert.match(model.latexDocument, /^% TransformerClassifier \(pytorch\)\n\\begin\{aligned\}/);
    assert.match(model.markdown, /^### TransformerClassifier\n/);
    assert.match(model.markdown, /\n\$\$\n\\begin\{aligned\}\n/);
  });

  it('answers with a model by name, and with the model list alone where there is none', async () => {
    const byName = await ask({ uri: URI, model: 'SelfAttention' });
    assert.equal(byName.model?.name, 'SelfAttention');
    assert.ok(byName.model!.latexLines[0].includes('^{\\top}'), 'the attention scores read QKᵀ');
    const top = await ask({ uri: URI, position: { line: 0, character: 0 } });
    assert.equal(top.model?.name, 'SelfAttention', 'above every model, the first one');
    const none = await ask({ uri: 'file:///nowhere/missing.py', position: { line: 0, character: 0 } });
    assert.deepEqual(none, { models: [] });
  });

  it('hovers with the Unicode form: block definitions among the steps, block parameters marked with their block', async () => {
    const line = LINES.findIndex((l) => l.startsWith('class TransformerClassifier'));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: URI }, position: { line, character: 8 } });
    const text = (hover!.contents as MarkupContent).value;
    assert.match(text, /EncoderBlock\(z\) = h₅ \+ dropout\(W₆h₇ \+ b₆\)/);
    assert.match(text, /h₉ = EncoderBlock¹²\(h₈\)/);
    assert.match(text, /\| `W₁ ∈ ℝ\^\{768×768\}` \| blocks\.0\.attn\.query \(in SelfAttention, ×12\) \| 18 \|/);
  });

  it('puts the show-equation command with the model position on the equation code lens, title unchanged', async () => {
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } })) ?? [];
    const classLine = LINES.findIndex((l) => l.startsWith('class TransformerClassifier'));
    const lens = lenses.find((l) => l.range.start.line === classLine)!;
    assert.equal(lens.command?.command, 'modelAudit.showEquation');
    assert.deepEqual(lens.command?.arguments, [{ uri: URI, position: lens.range.start }]);
    assert.match(lens.command!.title, /^y = W₇·mean\(LN\(EncoderBlock¹²\(E\(x\)\)\)\) \+ b₇; EncoderBlock\(z\) = /);
  });
});
