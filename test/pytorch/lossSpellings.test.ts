// Every spelling of "this output goes into a loss" links the model to the loss, however the loss is reached:
// a functional loss imported by name, a loss module imported under an alias, a name bound to another name, a module
// called at once, and a LightningModule's `self.loss_fn`. (The loss reader judges most calls by their callee alone;
// these are the spellings that must get through.)

import { strict as assert } from 'node:assert';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

const MODEL = `import torch
import torch.nn as nn
from torch.nn.functional import cross_entropy
from torch.nn import CrossEntropyLoss as CE


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return torch.softmax(self.fc(x), dim=-1)
`;

const LIGHTNING = `import torch
import torch.nn as nn
import lightning as L


class LitNet(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        return torch.softmax(self.fc(x), dim=-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)
`;

const TRAINING: Record<string, string> = {
  'a functional loss imported by name': 'def train(model, x, y):\n    return cross_entropy(model(x), y)\n',
  'a loss module imported under an alias': 'crit = CE()\n\n\ndef train(model, x, y):\n    return crit(model(x), y)\n',
  'a name bound to the name of a loss': 'criterion = nn.CrossEntropyLoss()\n\n\ndef train(model, x, y):\n    c2 = criterion\n    return c2(model(x), y)\n',
  'a loss module called at once': 'def train(model, x, y):\n    return nn.CrossEntropyLoss()(model(x), y)\n',
};

describe('losses, however they are spelled', () => {
  for (const [spelling, training] of Object.entries(TRAINING)) {
    it(`${spelling}: the softmax output is reported as applied twice (MA003)`, async () => {
      const analysis = analyzeSource({ file: { path: 'train.py', language: 'python', text: `${MODEL}\n\n${training}` }, parsers: await parsers() });
      const [net] = analysis.models;
      assert.ok((net.graph.losses ?? []).some((l) => /cross_?entropy/i.test(l)), JSON.stringify(net.graph.losses));
      assert.equal(analysis.findings.filter((f) => f.code === 'MA003').length, 1);
    });
  }

  it("a LightningModule's self.loss_fn alone links the model to its loss", async () => {
    const analysis = analyzeSource({ file: { path: 'lit.py', language: 'python', text: LIGHTNING }, parsers: await parsers() });
    assert.deepEqual(analysis.models[0].graph.losses, ['CrossEntropyLoss']);
    assert.equal(analysis.findings.filter((f) => f.code === 'MA003').length, 1);
  });
});
