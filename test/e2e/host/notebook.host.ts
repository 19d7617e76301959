// Jupyter notebooks in the real editor: VS Code's built-in ipynb serializer opens the notebook, the client syncs it
// to the server as a notebook (LSP notebook document sync), and the findings, code lens and equation come back on
// the cells: the model's MA001 on its cell, the training loop's MT002 (for an optimizer made in another cell) on its.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticCode, sampleUri, waitFor } from './helpers';

const lines = (text: string) => text.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
const code = (text: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: lines(text) });

const NOTEBOOK = {
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# A model in one cell, its training in another'] },
    code('!pip install torch\nimport torch\nimport torch.nn as nn\n\nclass TwoLayer(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(784, 256)\n        self.fc2 = nn.Linear(256, 10)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x))'),
    code('model = TwoLayer()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\ncriterion = nn.CrossEntropyLoss()'),
    code('for x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()'),
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
};

describe('Jupyter notebooks', () => {
  let notebook: vscode.NotebookDocument;
  const cell = (i: number) => notebook.cellAt(i).document.uri;

  before(async () => {
    const uri = sampleUri('notebook_split_model.ipynb');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(NOTEBOOK, null, 1)));
    notebook = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(notebook);
  });

  it('opens the .ipynb as a notebook whose code cells are Python', () => {
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    assert.deepEqual(notebook.getCells().map((c) => c.document.languageId), ['markdown', 'python', 'python', 'python']);
  });

  it('shows MA001 on the model cell and MT002 on the training cell', async () => {
    const collapse = await waitFor(() => vscode.languages.getDiagnostics(cell(1)).find((d) => diagnosticCode(d) === 'MA001'), 'MA001 on the model cell');
    assert.equal(collapse.range.start.line, 11, 'at the forward line, counted within the cell');
    const zeroGrad = await waitFor(() => vscode.languages.getDiagnostics(cell(3)).find((d) => diagnosticCode(d) === 'MT002'), 'MT002 on the training cell');
    assert.equal(zeroGrad.range.start.line, 3);
    assert.deepEqual(vscode.languages.getDiagnostics(cell(2)).filter((d) => d.source === 'model-audit'), []);
  });

  it('puts the equation and ▶ Run probes lenses above the class in its cell', async () => {
    const titles = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cell(1), 100);
      const found = (lenses ?? []).filter((l) => l.range.start.line === 4).map((l) => l.command?.title ?? '');
      return found.some((t) => t.startsWith('y = ')) ? found : undefined;
    }, 'an equation code lens on the model cell');
    assert.equal(titles[0], 'y = W₂·(W₁x + b₁) + b₂');
    assert.ok(titles.includes('▶ Run probes'), JSON.stringify(titles));
  });

  it('hovers the class name in its cell with the equation', async () => {
    const hovers = await waitFor(async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell(1), new vscode.Position(4, 8));
      return found?.find((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('W₂·(W₁x + b₁) + b₂')));
    }, 'a hover with the equation');
    assert.ok(hovers);
  });

  it('offers the MA001 quick fix as an edit of the model cell', async () => {
    const collapse = vscode.languages.getDiagnostics(cell(1)).find((d) => diagnosticCode(d) === 'MA001')!;
    const fix = await waitFor(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cell(1), collapse.range);
      return found?.find((a) => a.title.startsWith('Insert ReLU after') && a.edit);
    }, 'the "Insert ReLU after …" quick fix for MA001');
    assert.deepEqual(fix.edit!.entries().map(([uri]) => uri.toString()), [cell(1).toString()]);
  });
});
