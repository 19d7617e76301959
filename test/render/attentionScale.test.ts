// The scale of scaled dot-product attention, as the code writes it: `/ math.sqrt(self.d_k)`, `* head_dim ** -0.5`,
// `* (1.0 / math.sqrt(k.size(-1)))` all print as QKᵀ/√d (Unicode) and \frac{QK^\top}{\sqrt{d}} (LaTeX), never as a
// bare constant c; the numeric factor stays on the op for the probes when the size is known.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'models', 'pt_attention_scale.py');

describe('attention scale rendering', () => {
  it('prints √d_k, √head_dim and the keys’ size, in Unicode and LaTeX', async () => {
    const analysis = analyzeSource({ file: { path: 'attention.py', language: 'python', text: readFileSync(FIXTURE, 'utf8') }, parsers: await parsers() });
    const model = (name: string) => analysis.models.find((m) => m.graph.name === name)!;

    const annotated = model('ScaledDotProductAttention');
    assert.equal(annotated.equation.text, 'y = softmax((W₁x + b₁)·(W₂x + b₂)ᵀ/√d_k)·(W₃x + b₃)');
    assert.match(annotated.equation.latex, /\\frac\{\\left\(W_\{1\} x \+ b_\{1\}\\right\) \\cdot \\left\(W_\{2\} x \+ b_\{2\}\\right\)\^\{\\top\}\}\{\\sqrt\{d_\{k\}\}\}/);
    // d_k = 512 // 8 = 64 is known, so the op carries the number the probes multiply by.
    assert.equal(annotated.graph.nodes.find((n) => n.op === 'scale')!.attrs.factor, 0.125);

    const vit = model('ViTAttention');
    assert.match(vit.equation.text, /softmax\(slice\(h₁\)·slice\(h₁\)ᵀ\/√head_dim\)/);
    assert.match(vit.equation.latex, /\\sqrt\{\\mathit\{head\\_dim\}\}/);
    assert.equal(vit.graph.nodes.find((n) => n.op === 'scale')!.attrs.factor, 0.125);

    const nano = model('KeySizedAttention');
    assert.equal(nano.equation.text, 'y = softmax((W₁x + b₁)·(W₂x + b₂)ᵀ/√d_k)·(W₃x + b₃)');

    for (const m of analysis.models) assert.ok(!/\bc·/.test(m.equation.text), `${m.graph.name} no longer shows the scale as a constant c`);
  });

  it('parenthesizes a scaled query inside the product, so the scale reads as the query’s', async () => {
    const { models } = analyzeSource({
      file: {
        path: 'timm.py',
        language: 'python',
        text: `import torch.nn as nn


class Attn(nn.Module):
    def __init__(self, dim=64, head_dim=16):
        super().__init__()
        self.scale = head_dim ** -0.5
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)

    def forward(self, x):
        q = self.q(x) * self.scale
        return (q @ self.k(x).transpose(-2, -1)).softmax(dim=-1)
`,
      },
      parsers: await parsers(),
    });
    assert.equal(models[0].equation.text, 'y = softmax(((W₁x + b₁)/√head_dim)·(W₂x + b₂)ᵀ)');
    assert.equal(models[0].equation.latex, 'y = \\operatorname{softmax}\\left(\\frac{W_{1} x + b_{1}}{\\sqrt{\\mathit{head\\_dim}}} \\cdot \\left(W_{2} x + b_{2}\\right)^{\\top}\\right)');
  });

  it('keeps a plain number as a number and an unknown factor as c', async () => {
    const { models } = analyzeSource({
      file: {
        path: 'scale.py',
        language: 'python',
        text: `import torch.nn as nn


class Scaled(nn.Module):
    def __init__(self, temperature):
        super().__init__()
        self.temperature = temperature
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        return self.fc(x) / 2 + self.fc(x) / self.temperature
`,
      },
      parsers: await parsers(),
    });
    assert.equal(models[0].equation.text, 'y = 0.5·(W₁x + b₁) + c·(W₁x + b₁)');
  });
});
