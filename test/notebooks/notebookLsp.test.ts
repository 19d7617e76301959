// The real server over stdio with LSP 3.17 notebook sync: a notebook's code cells are one program, so a training loop
// in one cell is checked against the optimizer and model of earlier cells; diagnostics, hover, code lens, quick fixes
// and the equation request all speak in cell URIs and cell positions.

import { strict as assert } from 'node:assert';
import {
  CodeActionRequest,
  CodeLensRequest,
  type Diagnostic,
  DidChangeNotebookDocumentNotification,
  DidCloseNotebookDocumentNotification,
  DidOpenNotebookDocumentNotification,
  HoverRequest,
  type MarkupContent,
  NotebookCellKind,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { ModelEquationRequest } from '../../server/src/shared/customMessages';
import { applyEdits } from '../helpers/edits';
import { TestClient } from '../helpers/lspClient';

const NOTEBOOK = 'file:///work/notebooks/train.ipynb';
const cellUri = (i: number) => `vscode-notebook-cell:/work/notebooks/train.ipynb#cell${i}`;

const CELLS = [
  { kind: NotebookCellKind.Markup, language: 'markdown', text: '# Training a small MLP' },
  {
    kind: NotebookCellKind.Code,
    language: 'python',
    text: ['%matplotlib inline', 'import torch', 'import torch.nn as nn', '', 'class TwoLayer(nn.Module):', '    def __init__(self):', '        super().__init__()', '        self.fc1 = nn.Linear(784, 256)', '        self.fc2 = nn.Linear(256, 10)', '', '    def forward(self, x):', '        return self.fc2(self.fc1(x))'].join('\n'),
  },
  { kind: NotebookCellKind.Code, language: 'python', text: 'model = TwoLayer()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\ncriterion = nn.CrossEntropyLoss()' },
  { kind: NotebookCellKind.Code, language: 'python', text: '!nvidia-smi\nfor x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()' },
];

const codes = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code).sort();

describe('language server: Jupyter notebooks (notebook document sync)', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    client = await TestClient.start();
    await client.connection.sendNotification(DidOpenNotebookDocumentNotification.type, {
      notebookDocument: { uri: NOTEBOOK, notebookType: 'jupyter-notebook', version: 1, cells: CELLS.map((c, i) => ({ kind: c.kind, document: cellUri(i) })) },
      cellTextDocuments: CELLS.map((c, i) => ({ uri: cellUri(i), languageId: c.language, version: 1, text: c.text })),
    });
  });

  after(async () => {
    await client.stop();
  });

  it('publishes MA001 on the model cell and MT002 on the training cell, at positions within each cell', async () => {
    const model = await client.waitForDiagnostics(cellUri(1), (p) => p.diagnostics.some((d) => d.code === 'MA001'));
    const ma001 = model.find((d) => d.code === 'MA001')!;
    assert.equal(ma001.range.start.line, 11, 'the forward line of cell 1');
    assert.ok(ma001.relatedInformation?.every((r) => r.location.uri === cellUri(1)), 'related locations name the cell');
    const training = await client.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length > 0);
    assert.deepEqual(codes(training), ['MT002']);
    assert.deepEqual(training[0]!.range, { start: { line: 4, character: 4 }, end: { line: 4, character: 20 } });
    assert.deepEqual(client.history(NOTEBOOK), [], 'nothing is published under the notebook URI itself');
    assert.deepEqual(client.history(cellUri(0)), [], 'nor on the markdown cell');
  });

  it('hovers the model name in its cell with the equation', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: cellUri(1) }, position: { line: 4, character: 8 } });
    const text = (hover?.contents as MarkupContent).value;
    assert.match(text, /y = W₂·\(W₁x \+ b₁\) \+ b₂/);
    assert.match(text, /\| fc1 \| cell 2 line 8 \|/, 'each layer named by its cell (counting the markdown cell) and its line there');
  });

  it('shows the equation and ▶ Run probes lenses on the model cell only, their commands naming the cell', async () => {
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: cellUri(1) } })) ?? [];
    const titles = lenses.map((l) => l.command?.title);
    assert.deepEqual(titles.slice(0, 3), ['y = W₂·(W₁x + b₁) + b₂', 'collapses: y = W′x + b′, W′ = W₂W₁, b′ = W₂b₁ + b₂', '▶ Run probes']);
    assert.ok(lenses.every((l) => l.range.start.line === 4));
    assert.deepEqual(lenses[0]!.command?.arguments, [{ uri: cellUri(1), position: { line: 4, character: 6 } }]);
    assert.deepEqual(lenses[2]!.command?.arguments, [{ uri: cellUri(1), model: 'TwoLayer' }]);
    assert.deepEqual(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: cellUri(3) } }), []);
  });

  it('offers the quick fix for MA001 as an edit of the model cell', async () => {
    const [ma001] = (await client.waitForDiagnostics(cellUri(1), (p) => p.diagnostics.length > 0)).filter((d) => d.code === 'MA001');
    const actions = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: cellUri(1) }, range: ma001!.range, context: { diagnostics: [ma001!] } });
    const fix = actions?.find((a) => 'edit' in a && a.edit);
    assert.ok(fix && 'edit' in fix, JSON.stringify(actions));
    assert.match(fix.title, /^Insert ReLU after fc1/);
    const changes = fix.edit!.changes!;
    assert.deepEqual(Object.keys(changes), [cellUri(1)]);
    const edits: TextEdit[] = changes[cellUri(1)]!;
    const fixed = applyEdits(CELLS[1]!.text, edits).split('\n');
    assert.equal(fixed[11], '        return self.fc2(torch.relu(self.fc1(x)))', 'the activation inserted in the cell, at cell positions');
  });

  it('answers the equation request from the training cell with the model of the cell above', async () => {
    const result = await client.connection.sendRequest<ModelEquationRequest.Result>(ModelEquationRequest.method, { uri: cellUri(3), position: { line: 2, character: 0 } });
    assert.equal(result.model?.name, 'TwoLayer');
    assert.equal(result.model?.uri, cellUri(1));
    assert.equal(result.model?.line, 4);
    assert.deepEqual(result.model?.parameters.map((p) => p.line), [7, 7, 8, 8], 'each layer at its line in the model cell');
    assert.match(result.model?.markdown ?? '', /`train\.ipynb` cell 2 line 5\*/, 'Copy as Markdown names the cell');
  });

  it('re-analyses on a cell edit: adding zero_grad() clears MT002 from the training cell', async () => {
    await client.connection.sendNotification(DidChangeNotebookDocumentNotification.type, {
      notebookDocument: { uri: NOTEBOOK, version: 2 },
      change: { cells: { textContent: [{ document: { uri: cellUri(3), version: 2 }, changes: [{ range: { start: { line: 1, character: 19 }, end: { line: 1, character: 19 } }, text: '\n    optimizer.zero_grad()' }] }] } },
    });
    await client.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length === 0);
    const model = await client.waitForDiagnostics(cellUri(1), () => true);
    assert.deepEqual(codes(model), ['MA001'], 'the model cell keeps its finding');
  });

  it('a removed cell and a closed notebook get their diagnostics cleared', async () => {
    await client.connection.sendNotification(DidChangeNotebookDocumentNotification.type, {
      notebookDocument: { uri: NOTEBOOK, version: 3 },
      change: { cells: { structure: { array: { start: 1, deleteCount: 1, cells: [] }, didClose: [{ uri: cellUri(1) }] } } },
    });
    // Without the model's cell, the rest still analyses (and no model means no MA001 anywhere).
    await client.waitForDiagnostics(cellUri(1), (p) => p.diagnostics.length === 0);
    await client.connection.sendNotification(DidCloseNotebookDocumentNotification.type, { notebookDocument: { uri: NOTEBOOK }, cellTextDocuments: [{ uri: cellUri(0) }, { uri: cellUri(2) }, { uri: cellUri(3) }] });
    await client.waitForDiagnostics(cellUri(3), (p) => p.diagnostics.length === 0);
    assert.ok(client.isAlive);
  });

  it('survives hostile notebook input: empty cells, a cell in another language, unknown cells', async () => {
    const uri = 'file:///work/notebooks/odd.ipynb';
    const cell = (i: number) => `vscode-notebook-cell:/work/notebooks/odd.ipynb#c${i}`;
    await client.connection.sendNotification(DidOpenNotebookDocumentNotification.type, {
      notebookDocument: { uri, notebookType: 'jupyter-notebook', version: 1, cells: [{ kind: NotebookCellKind.Code, document: cell(0) }, { kind: NotebookCellKind.Code, document: cell(1) }, { kind: NotebookCellKind.Code, document: cell(2) }] },
      cellTextDocuments: [{ uri: cell(0), languageId: 'python', version: 1, text: '' }, { uri: cell(1), languageId: 'r', version: 1, text: 'library(keras)' }, { uri: cell(2), languageId: 'python', version: 1, text: 'class (' }],
    });
    await client.waitForDiagnostics(cell(0), () => true);
    assert.deepEqual(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: cell(1) }, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: 'vscode-notebook-cell:/nowhere#x' } }), []);
    assert.ok(client.isAlive);
  });
});
