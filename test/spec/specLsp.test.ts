// The real server over stdio with a spec and its code open: findings in both files pointing at each other, an
// edit in either re-checks the other without saving, and hover, go-to-definition and completion in the spec.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  FoldingRangeRequest,
  HoverRequest,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { GenerateSpec, SpecRenderings } from '../../server/src/shared/customMessages';
import { TestClient } from '../helpers/lspClient';

const DIR = join(__dirname, '..', 'fixtures', 'spec', 'pytorch');
const CODE = join(DIR, 'ms001_missing_activation.py');
const SPEC = join(DIR, 'ms001_missing_activation.mspec');
const CODE_URI = pathToFileURL(CODE).href;
const SPEC_URI = pathToFileURL(SPEC).href;
const CODE_TEXT = readFileSync(CODE, 'utf8');
const SPEC_TEXT = readFileSync(SPEC, 'utf8');

const text = (message: string | MarkupContent) => (typeof message === 'string' ? message : message.value);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const ms = (diagnostics: { code?: number | string }[]) => diagnostics.filter((d) => String(d.code).startsWith('MS')).map((d) => String(d.code));

describe('language server over stdio: a spec and its code', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: CODE_URI, languageId: 'python', version: 1, text: CODE_TEXT } });
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: SPEC_URI, languageId: 'model-spec', version: 1, text: SPEC_TEXT } });
  });

  after(async () => {
    await client.stop();
  });

  it('reports the missing relu in both files, each pointing at the other', async () => {
    const inSpec = await client.waitForDiagnostics(SPEC_URI, (p) => ms(p.diagnostics).includes('MS001'));
    const specFinding = inSpec.find((d) => d.code === 'MS001')!;
    assert.equal(specFinding.range.start.line, lineOf(SPEC_TEXT, 'h2 = relu(Linear(h1, 128))'));
    assert.match(text(specFinding.message), /^spec: relu after Linear\(…, 128\) \(line 6\); code applies none after fc2/);
    assert.equal(specFinding.relatedInformation?.[0].location.uri, CODE_URI);
    assert.equal(specFinding.relatedInformation?.[0].location.range.start.line, lineOf(CODE_TEXT, 'h = self.fc2(h)'));

    const inCode = await client.waitForDiagnostics(CODE_URI, (p) => ms(p.diagnostics).includes('MS001'));
    const codeFinding = inCode.find((d) => d.code === 'MS001')!;
    assert.equal(codeFinding.range.start.line, lineOf(CODE_TEXT, 'h = self.fc2(h)'));
    assert.equal(codeFinding.relatedInformation?.[0].location.uri, SPEC_URI);
  });

  it('offers quick fixes both ways: update the spec line, or change the code', async () => {
    const inSpec = await client.waitForDiagnostics(SPEC_URI, (p) => ms(p.diagnostics).includes('MS001'));
    const diagnostic = inSpec.find((d) => d.code === 'MS001')!;
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: SPEC_URI }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) ?? [];
    const edits = actions.map((a) => ('edit' in a && a.edit?.changes ? Object.entries(a.edit.changes).map(([uri, e]) => `${uri === SPEC_URI ? 'spec' : uri === CODE_URI ? 'code' : uri}: ${e.map((x) => x.newText).join(' … ')}`) : [])).flat();
    assert.deepEqual(edits, ['spec: Linear(h1, 128)', 'code: F.relu( … )']);
  });

  it('an edit in the spec re-checks the code without saving', async () => {
    const line = lineOf(SPEC_TEXT, 'h2 = relu(Linear(h1, 128))');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: SPEC_URI, version: 2 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 'h2 = relu(Linear(h1, 128))'.length } }, text: 'h2 = Linear(h1, 128)' }],
    });
    // The spec now agrees with the code: both files lose their MS001, the code at its unchanged version 1.
    await client.waitForDiagnostics(SPEC_URI, (p) => p.version === 2 && ms(p.diagnostics).length === 0);
    await client.waitForDiagnostics(CODE_URI, (p) => p.version === 1 && ms(p.diagnostics).length === 0);
  });

  it('an edit in the code re-checks the spec without saving', async () => {
    const line = lineOf(CODE_TEXT, 'h = self.fc2(h)');
    const old = '        h = self.fc2(h)';
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: CODE_URI, version: 2 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: '        h = torch.tanh(self.fc2(h))' }],
    });
    const inSpec = await client.waitForDiagnostics(SPEC_URI, (p) => p.version === 2 && ms(p.diagnostics).includes('MS002'));
    assert.match(text(inSpec.find((d) => d.code === 'MS002')!.message), /code: tanh after fc2/);
    await client.waitForDiagnostics(CODE_URI, (p) => p.version === 2 && ms(p.diagnostics).includes('MS002'));
  });

  it('a half-typed line in the code keeps the spec bound to the last version that parsed', async () => {
    const before = client.history(SPEC_URI).length;
    const line = lineOf(CODE_TEXT, 'self.fc3 = nn.Linear(128, 10)');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: CODE_URI, version: 3 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: '        self.fc3 = nn.Linear(128, 10)'.length } }, text: '        self.fc3 = nn.Linear(128,' }],
    });
    await client.waitForDiagnostics(CODE_URI, (p) => p.version === 3);
    const inSpec = await client.waitForDiagnostics(SPEC_URI, (p) => client.history(SPEC_URI).indexOf(p) >= before);
    assert.deepEqual(ms(inSpec), ['MS002'], 'no MS011 while the code is half typed');
    // Finish the line again.
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: CODE_URI, version: 4 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: '        self.fc3 = nn.Linear(128,'.length } }, text: '        self.fc3 = nn.Linear(128, 10)' }],
    });
    await client.waitForDiagnostics(CODE_URI, (p) => p.version === 4 && ms(p.diagnostics).includes('MS002'));
  });

  it('hover on a spec operation shows the code it is bound to', async () => {
    const line = lineOf(SPEC_TEXT, 'h1 = relu(Linear(x, 256))');
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: SPEC_URI }, position: { line, character: SPEC_TEXT.split('\n')[line].indexOf('Linear') + 2 } });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /code: `fc1` · linear 784→256 · ms001_missing_activation\.py line 13/);
    assert.match(value, /h = F\.relu\(self\.fc1\(x\)\)/);
  });

  it('go-to-definition jumps from a spec line to the code', async () => {
    const line = lineOf(SPEC_TEXT, 'y = Linear(h2, 10)');
    const result = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: SPEC_URI }, position: { line, character: 6 } })) as Location;
    assert.equal(result.uri, CODE_URI);
    assert.equal(result.range.start.line, lineOf(CODE_TEXT, 'return self.fc3(h)'));
  });

  it('completes operation names and the models of the bound file', async () => {
    const ops = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: SPEC_URI }, position: { line: lineOf(SPEC_TEXT, 'y = Linear(h2, 10)'), character: 4 } });
    const labels = (Array.isArray(ops) ? ops : ops?.items ?? []).map((i) => i.label);
    for (const name of ['relu', 'Linear', 'Conv2d', 'layernorm', 'h1']) assert.ok(labels.includes(name), name);
    const modelLine = lineOf(SPEC_TEXT, 'model MnistMLP');
    const models = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: SPEC_URI }, position: { line: modelLine, character: 'model '.length } });
    assert.deepEqual((Array.isArray(models) ? models : models?.items ?? []).map((i) => i.label), ['MnistMLP']);
  });

  it('folds each model block of a spec', async () => {
    const ranges = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: SPEC_URI } });
    assert.deepEqual(ranges?.map((r) => [r.startLine, r.endLine]), [[lineOf(SPEC_TEXT, 'model MnistMLP'), lineOf(SPEC_TEXT, 'output y')]]);
  });

  it('answers the requests behind "Compare with Spec" and "Generate Spec from Code"', async () => {
    for (const uri of [SPEC_URI, CODE_URI]) {
      const result = (await client.connection.sendRequest(SpecRenderings.method, { uri })) as SpecRenderings.Result;
      assert.equal(result.pairs.length, 1, uri);
      const pair = result.pairs[0];
      assert.deepEqual([pair.model, pair.specUri, pair.codeUri], ['MnistMLP', SPEC_URI, CODE_URI]);
      // Both sides in one notation, so the diff editor lines them up: the code's tanh shows against the spec.
      assert.equal(pair.specText, 'input x: [784]\nh1 = relu(Linear(x, 256))\ny = Linear(Linear(h1, 128), 10)\noutput y\n');
      assert.equal(pair.codeText, 'input x: [784]\nh1 = relu(Linear(x, 256))\nh2 = tanh(Linear(h1, 128))\ny = Linear(h2, 10)\noutput y\n');
    }
    const generated = (await client.connection.sendRequest(GenerateSpec.method, { uri: CODE_URI, codePath: 'ms001_missing_activation.py' })) as GenerateSpec.Result;
    assert.deepEqual(generated.models, ['MnistMLP']);
    assert.match(generated.text, /^model MnistMLP in "ms001_missing_activation.py"$/m);
    assert.match(generated.text, /^output y$/m);
  });

  it('stays alive', () => {
    assert.ok(client.isAlive, client.stderr.join(''));
  });
});
