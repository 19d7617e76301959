// Repeated structure in equations: what is folded into a named block and what stays inline.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, renderModelEquation, type ModelAnalysis } from '../../server/src/core/analyze';
import { nameFromPath } from '../../server/src/core/render/blocks';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');

async function model(text: string, name: string): Promise<ModelAnalysis> {
  const analysis = analyzeSource({ file: { path: 'x.py', language: 'python', text }, parsers: await parsers() });
  return analysis.models.find((m) => m.graph.name === name)!;
}

const SHARED = `import torch.nn as nn
import torch.nn.functional as F


class Refine(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return x + F.gelu(self.fc(self.norm(x)))


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.step = Refine()
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        for _ in range(4):
            x = self.step(x)
        return self.out(x)
`;

describe('repeated blocks in equations', () => {
  it('folds one layer applied four times into a power, its parameters marked shared', async () => {
    const m = await model(SHARED, 'Recurrent');
    assert.equal(m.equation.text, 'y = W₂·Refine⁴(x) + b₂; Refine(z) = z + GELU(W₁·LN(z) + b₁)');
    const w1 = m.equation.symbols.find((s) => s.name === 'W_1')!;
    assert.equal(w1.block, 'Refine');
    assert.equal(w1.applications, 4);
    assert.equal(w1.shared, true);
  });

  it('keeps blocks with their own weights unshared', async () => {
    const text = readFileSync(join(ROOT, 'samples', 'small_resnet.py'), 'utf8');
    const w1 = (await model(text, 'SmallResNet')).equation.symbols.find((s) => s.name === 'W_1')!;
    assert.equal(w1.block, 'BasicBlock');
    assert.equal(w1.shared, undefined);
  });

  it('does not merge two classes of the same shape (an encoder and a decoder)', async () => {
    const text = readFileSync(join(ROOT, 'samples', 'autoencoder.py'), 'utf8');
    const m = await model(text, 'AutoEncoder');
    assert.doesNotMatch(m.equation.text, /\(z\) =/);
    assert.match(m.equation.text, /^y = σ\(W₄·ReLU\(W₃·\(W₂·ReLU\(W₁x \+ b₁\) \+ b₂\) \+ b₃\) \+ b₄\)$/);
  });

  it('leaves a loop of single layers inline, so each weight keeps its subscript', async () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'pytorch', 'modulelist_relu_loop.py'), 'utf8');
    assert.equal((await model(text, 'FourLayers')).equation.text, 'y = ReLU(W₄·ReLU(W₃·ReLU(W₂·ReLU(W₁x + b₁) + b₂) + b₃) + b₄)');
  });

  it('names a block after its attribute path when the file does not define its class', async () => {
    const text = readFileSync(join(ROOT, 'samples', 'transformer_encoder.py'), 'utf8');
    const graph = (await model(text, 'TransformerClassifier')).graph;
    const alone = renderModelEquation(graph);
    assert.match(alone.text, /^y = W₇·mean\(LN\(Block¹²\(E\(x\)\)\)\) \+ b₇; Block\(z\) = .*; Attn\(z\) = /);
    assert.deepEqual(['blocks.3', 'encoder.layers.0', 'layer2.1', 'attn', 'stem'].map(nameFromPath), ['Block', 'Layer', 'Layer', 'Attn', 'Stem']);
  });
});
