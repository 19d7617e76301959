// The real server over stdio, as an editor drives it: diagnostics, hover, code lens, quick fixes, versions,
// half-typed text and hostile input.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRequest,
  type Diagnostic,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  type MarkupContent,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../helpers/edits';
import { TestClient } from '../helpers/lspClient';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'mlp_missing_relu.py');
const TEXT = readFileSync(SAMPLE, 'utf8');
const URI = pathToFileURL(SAMPLE).href;

describe('language server over stdio', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
  });

  after(async () => {
    await client.stop();
  });

  it('publishes MA001 at the layer missing its activation', async () => {
    const diagnostics = await client.waitForDiagnostics(URI, (p) => p.version === 1);
    const ma001 = diagnostics.filter((d) => d.code === 'MA001');
    assert.equal(ma001.length, 1);
    assert.equal(ma001[0].range.start.line, TEXT.split('\n').findIndex((l) => l.includes('x = self.fc2(x)')));
    assert.match(messageText(ma001[0].message), /fc2 and fc3 compose into one linear map 256→10/);
    assert.equal(ma001[0].source, 'model-audit');
    assert.ok(ma001[0].relatedInformation?.some((r) => /fc3/.test(r.message)));
  });

  it('shows the equation and its collapsed form in code lenses above the class', async () => {
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } });
    const classLine = TEXT.split('\n').findIndex((l) => l.startsWith('class MissingReluMLP'));
    const titles = (lenses ?? []).filter((l) => l.range.start.line === classLine).map((l) => l.command?.title ?? '');
    assert.deepEqual(titles, [
      'y = W₃·(W₂·ReLU(W₁·flatten(x) + b₁) + b₂) + b₃',
      'collapses: y = W′·ReLU(W₁·flatten(x) + b₁) + b′, W′ = W₃W₂, b′ = W₃b₂ + b₃',
      '▶ Run probes',
      'nonlinearity',
      'overfit',
      'init-loss',
      'gradient-flow',
    ]);
  });

  it('explains the model step by step on hover, with shapes and lines', async () => {
    const lines = TEXT.split('\n');
    const line = lines.findIndex((l) => l.startsWith('class MissingReluMLP'));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: URI }, position: { line, character: 8 } });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /h₁ = ReLU\(W₁·flatten\(x\) \+ b₁\)/);
    assert.match(value, /W₁ ∈ ℝ\^\{256×784\}/);
    assert.match(value, new RegExp(`\\| fc1 \\| ${lines.findIndex((l) => l.includes('self.fc1 ='))+ 1} \\|`));
  });

  it('offers a quick fix that inserts F.relu, and the fixed text is clean', async () => {
    const diagnostics = await client.waitForDiagnostics(URI, (p) => p.version === 1);
    const ma001 = diagnostics.find((d) => d.code === 'MA001')!;
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: URI }, range: ma001.range, context: { diagnostics: [ma001] } });
    const action = (actions ?? []).find((a) => 'edit' in a && a.title.startsWith('Insert ReLU after fc2'));
    assert.ok(action && 'edit' in action && action.edit?.changes, 'an Insert ReLU action with edits');
    const edits = action.edit!.changes![URI] as TextEdit[];
    const fixed = applyEdits(TEXT, edits);
    assert.match(fixed, /x = F\.relu\(self\.fc2\(x\)\)/);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 2 }, contentChanges: [{ text: fixed }] });
    const after = await client.waitForDiagnostics(URI, (p) => p.version === 2);
    assert.deepEqual(after.filter((d) => d.code === 'MA001'), []);
  });

  it('keeps findings (marked stale) while a line is half typed, and never publishes an old version after a new one', async () => {
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 3 }, contentChanges: [{ text: TEXT }] });
    const broken = TEXT.replace('self.fc2 = nn.Linear(hidden, 128)', 'self.fc2 = nn.Linear(hidden,');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 4 }, contentChanges: [{ text: broken }] });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: 5 }, contentChanges: [{ text: broken + '\n' }] });
    const latest = await client.waitForDiagnostics(URI, (p) => p.version === 5);
    assert.ok(latest.some((d) => d.code === 'MA001' && /last version that parsed/.test(messageText(d.message))), 'MA001 stays, marked stale');
    const versions = client.history(URI).map((p) => p.version ?? 0);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'versions are published in order');
  });

  it('keeps training-loop findings (marked stale) while a line is half typed elsewhere, fresh ones once it parses', async () => {
    const file = join(__dirname, '..', 'fixtures', 'rules', 'MT002', 'pos_no_zero_grad.py');
    const text = readFileSync(file, 'utf8');
    const uri = pathToFileURL(file).href;
    const lines = text.split('\n');
    const stepLine = lines.findIndex((l) => l.includes('optimizer.step()'));
    const mt002 = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code === 'MT002');
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    const parsed = mt002(await client.waitForDiagnostics(uri, (p) => p.version === 1));
    assert.deepEqual(parsed.map((d) => [d.range.start.line, messageText(d.message).includes('last version that parsed')]), [[stepLine, false]]);

    // Typing `, momentum=` into the optimizer's arguments, as an editor sends it: the text no longer parses.
    const optLine = lines.findIndex((l) => l.includes('lr=0.01)'));
    const at = { line: optLine, character: lines[optLine].indexOf('lr=0.01)') + 'lr=0.01'.length };
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: at, end: at }, text: ', momentum=' }] });
    const halfTyped = mt002(await client.waitForDiagnostics(uri, (p) => p.version === 2));
    assert.equal(halfTyped.length, 1, 'MT002 is still shown');
    assert.equal(halfTyped[0].range.start.line, stepLine);
    assert.match(messageText(halfTyped[0].message), /never calls zero_grad\(\).*\(kept from the last version that parsed\)$/);
    const staleActions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: halfTyped[0].range, context: { diagnostics: halfTyped } });
    assert.deepEqual(staleActions, [], 'no quick fix computed for another text');

    // `0.9`: the text parses again, and the finding is a fresh one, with its quick fix.
    const after = { line: at.line, character: at.character + ', momentum='.length };
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: after, end: after }, text: '0.9' }] });
    const fresh = mt002(await client.waitForDiagnostics(uri, (p) => p.version === 3));
    assert.deepEqual(fresh.map((d) => [d.range.start.line, messageText(d.message).includes('last version that parsed')]), [[stepLine, false]]);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: fresh[0].range, context: { diagnostics: fresh } })) ?? [];
    const clear = actions.find((a) => 'edit' in a && /zero_grad/.test(a.title));
    assert.ok(clear && 'edit' in clear && clear.edit?.changes, 'a quick fix that clears the gradients');

    // Applying it fixes the bug: MT002 goes.
    const fixedText = applyEdits(text.replace('lr=0.01)', 'lr=0.01, momentum=0.9)'), clear.edit!.changes![uri] as TextEdit[]);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 4 }, contentChanges: [{ text: fixedText }] });
    assert.deepEqual(mt002(await client.waitForDiagnostics(uri, (p) => p.version === 4)), []);
  });

  it("reads the project's .model-audit.json: a rule turned off publishes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-audit-lsp-'));
    writeFileSync(join(dir, '.model-audit.json'), JSON.stringify({ rules: { MA001: 'off' } }));
    const file = join(dir, 'mlp.py');
    writeFileSync(file, TEXT);
    const uri = pathToFileURL(file).href;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: TEXT } });
    const diagnostics = await client.waitForDiagnostics(uri, (p) => p.version === 1);
    assert.deepEqual(diagnostics.filter((d) => d.code === 'MA001'), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives hostile input: binary noise, deep nesting and a huge line', async () => {
    const uri = 'file:///tmp/model-audit-noise.py';
    const noise = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const deep = `${'('.repeat(3000)}x${')'.repeat(3000)}`;
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: noise } });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: `import torch.nn as nn\nclass A(nn.Module):\n    def forward(self, x):\n        return ${deep}\n` }] });
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: `x = ${'1+'.repeat(50000)}1\n` }] });
    await client.waitForDiagnostics(uri, (p) => p.version === 3);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(hover, null);
    assert.ok(client.isAlive, 'the server is still running');
  });
});

/** LSP 3.18 lets a diagnostic message be markup; Model Audit sends plain strings. */
function messageText(message: string | MarkupContent): string {
  return typeof message === 'string' ? message : message.value;
}
