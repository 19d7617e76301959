// Idioms of real public PyTorch code (nanoGPT, pytorch/examples, the GAN and transformer ports that bench:corpus
// reads), each written here as a minimal model of our own: what the user sees (equation, ops, findings) when the
// code uses them.

import { strict as assert } from 'node:assert';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

async function analyze(text: string) {
  return analyzeSource({ file: { path: 'model.py', language: 'python', text }, parsers: await parsers() });
}

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('PyTorch idioms of real code', () => {
  it('nn.parallel.data_parallel(module, input, …) and checkpoint(module, x) apply the module (pytorch/examples dcgan)', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'from torch.utils.checkpoint import checkpoint',
      'class Generator(nn.Module):',
      '    def __init__(self, ngpu):',
      '        super().__init__()',
      '        self.ngpu = ngpu',
      '        self.main = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))',
      '        self.head = nn.Linear(4, 2)',
      '    def forward(self, input):',
      '        if input.is_cuda and self.ngpu > 1:',
      '            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))',
      '        else:',
      '            output = self.main(input)',
      '        return checkpoint(self.head, output, use_reentrant=False)',
    ));
    assert.equal(a.models[0].equation.text, 'y = W₃·(W₂·ReLU(W₁x + b₁) + b₂) + b₃');
    assert.deepEqual(a.models[0].graph.nodes.filter((n) => n.op === 'opaque').map((n) => n.label), []);
  });

  it('a subclass of nn.Embedding that only calls super().__init__ is that embedding (BERT-pytorch TokenEmbedding)', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'class TokenEmbedding(nn.Embedding):',
      '    def __init__(self, vocab_size, embed_size=512):',
      '        super().__init__(vocab_size, embed_size, padding_idx=0)',
      'class BERTEmbedding(nn.Module):',
      '    def __init__(self, vocab_size, embed_size, dropout=0.1):',
      '        super().__init__()',
      '        self.token = TokenEmbedding(vocab_size=vocab_size, embed_size=embed_size)',
      '        self.dropout = nn.Dropout(p=dropout)',
      '    def forward(self, sequence):',
      '        return self.dropout(self.token(sequence))',
    ));
    const model = a.models.find((m) => m.graph.name === 'BERTEmbedding')!;
    assert.equal(model.equation.text, 'y = dropout(E(x))');
    assert.deepEqual(model.graph.nodes.filter((n) => n.op === 'embedding').map((n) => [n.attrs.in, n.attrs.out]), [['vocab_size', 'embed_size']]);
  });

  it('a subclass of nn.Transformer is a model, and its self.encoder is the encoder stack super().__init__ built (word_language_model)', async () => {
    const a = await analyze(lines(
      'import math',
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'class TransformerModel(nn.Transformer):',
      '    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):',
      '        super(TransformerModel, self).__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers)',
      '        self.src_mask = None',
      '        self.input_emb = nn.Embedding(ntoken, ninp)',
      '        self.ninp = ninp',
      '        self.decoder = nn.Linear(ninp, ntoken)',
      '    def forward(self, src, has_mask=True):',
      '        src = self.input_emb(src) * math.sqrt(self.ninp)',
      '        output = self.encoder(src, mask=self.src_mask)',
      '        output = self.decoder(output)',
      '        return F.log_softmax(output, dim=-1)',
    ));
    const model = a.models.find((m) => m.graph.name === 'TransformerModel');
    assert.ok(model, `models found: ${a.models.map((m) => m.graph.name).join(', ')}`);
    assert.equal(model.equation.text, 'y = log_softmax(W₁·TransformerEncoder(√ninp·E(x)) + b₁)');
    const encoder = model.graph.nodes.find((n) => n.op === 'transformer_encoder');
    assert.equal(encoder?.attrs.num_layers, 'nlayers');
  });

  it('a batch object\'s fields are inputs, and a subclass of nn.Linear is a Linear (pytorch/examples snli): the dropout in its Sequential is applied', async () => {
    const a = await analyze(lines(
      'import torch',
      'import torch.nn as nn',
      'class Bottle(nn.Module):',
      '    def forward(self, input):',
      '        if len(input.size()) <= 2:',
      '            return super(Bottle, self).forward(input)',
      '        size = input.size()[:2]',
      '        out = super(Bottle, self).forward(input.view(size[0]*size[1], -1))',
      '        return out.view(size[0], size[1], -1)',
      'class Linear(Bottle, nn.Linear):',
      '    pass',
      'class Classifier(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.embed = nn.Embedding(100, 16)',
      '        self.dropout = nn.Dropout(p=0.2)',
      '        self.relu = nn.ReLU()',
      '        self.out = nn.Sequential(Linear(32, 32), self.relu, self.dropout, Linear(32, 3))',
      '    def forward(self, batch):',
      '        prem = self.embed(batch.premise)',
      '        hypo = self.embed(batch.hypothesis)',
      '        return self.out(torch.cat([prem, hypo], 1))',
    ));
    const model = a.models.find((m) => m.graph.name === 'Classifier')!;
    const inputs = model.graph.inputs.map((id) => model.graph.nodes[id].attrs.name);
    assert.deepEqual(inputs, ['batch', 'batch.premise', 'batch.hypothesis']);
    assert.deepEqual(model.graph.nodes.filter((n) => n.op === 'linear').map((n) => [n.attrs.in, n.attrs.out]), [[32, 32], [32, 3]]);
    assert.deepEqual(a.findings.filter((f) => f.code === 'MA002').map((f) => f.message), []);
  });

  it('a hand-written LayerNorm or RMSNorm scales by its gain elementwise: no linear map, no MA001 into the next Linear', async () => {
    const a = await analyze(lines(
      'import torch',
      'import torch.nn as nn',
      'class LayerNorm(nn.Module):',
      '    def __init__(self, n_state, e=1e-5):',
      '        super().__init__()',
      '        self.g = nn.Parameter(torch.ones(n_state))',
      '        self.b = nn.Parameter(torch.zeros(n_state))',
      '        self.e = e',
      '    def forward(self, x):',
      '        u = x.mean(-1, keepdim=True)',
      '        s = (x - u).pow(2).mean(-1, keepdim=True)',
      '        x = (x - u) / torch.sqrt(s + self.e)',
      '        return self.g * x + self.b',
      'class RMSNorm(nn.Module):',
      '    def __init__(self, dim, eps=1e-6):',
      '        super().__init__()',
      '        self.eps = eps',
      '        self.weight = nn.Parameter(torch.ones(dim))',
      '    def forward(self, x):',
      '        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight',
      'class Block(nn.Module):',
      '    def __init__(self, d):',
      '        super().__init__()',
      '        self.ln = LayerNorm(d)',
      '        self.rms = RMSNorm(d)',
      '        self.fc = nn.Linear(d, d)',
      '        self.out = nn.Linear(d, 4)',
      '    def forward(self, x):',
      '        return self.out(torch.relu(self.fc(self.rms(self.ln(x)))))',
    ));
    const byName = new Map(a.models.map((m) => [m.graph.name, m]));
    assert.equal(byName.get('LayerNorm')?.equation.text, 'y = g·((x − h₁)/√mean(pow(x − h₁))), where h₁ = mean(x)');
    const block = byName.get('Block')!;
    assert.deepEqual(block.graph.nodes.filter((n) => n.category === 'affine').map((n) => n.module), ['fc', 'out'], 'only the two Linears are affine maps');
    assert.deepEqual(a.findings.filter((f) => f.code === 'MA001').map((f) => f.message), []);
  });

  it('nn.Identity() is a layer, not an activation: MA001 points at where it is built', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'class Head(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc1 = nn.Linear(10, 10)',
      '        self.act = nn.Identity()',
      '        self.fc2 = nn.Linear(10, 5)',
      '    def forward(self, x):',
      '        return self.fc2(self.act(self.fc1(x)))',
    ));
    assert.equal(a.models[0].equation.text, 'y = W₂·(W₁x + b₁) + b₂');
    const collapse = a.findings.find((f) => f.code === 'MA001');
    assert.ok(collapse, 'the identity between two Linears is a missing activation');
    const at = collapse.related?.find((r) => /act is an identity/.test(r.message));
    assert.equal(at?.range.start.line, 5, 'a related location is the nn.Identity() constructor');
  });

  it('MA001 inside a Sequential built by a block helper points at where the second map is built', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'def block(n_in, n_out):',
      '    layers = [nn.Linear(n_in, n_out)]',
      '    layers.append(nn.Identity())',
      '    return layers',
      'class Gen(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.model = nn.Sequential(*block(8, 16), *block(16, 32), nn.Linear(32, 4))',
      '    def forward(self, z):',
      '        return self.model(z)',
    ));
    const collapse = a.findings.find((f) => f.code === 'MA001');
    assert.ok(collapse);
    assert.equal(collapse.range.start.line, 10, 'reported at the call that runs the Sequential');
    const lines2 = (collapse.related ?? []).map((r) => r.range.start.line);
    assert.ok(lines2.includes(2), `a related location is the Linear built in the helper (got lines ${lines2.join(', ')})`);
    assert.ok(!lines2.includes(10), 'no related location repeats the finding\'s own range');
  });

  it('MT002 in a trainer method called from the epoch loop points at the backward() the missing zero_grad belongs before', async () => {
    const a = await analyze(lines(
      'import torch.nn.functional as F',
      'class Trainer:',
      '    def _run_batch(self, x, y):',
      '        out = self.model(x)',
      '        F.mse_loss(out, y).backward()',
      '        self.optimizer.step()',
      '    def run(self):',
      '        for x, y in self.data:',
      '            self._run_batch(x, y)',
    ));
    const missing = a.findings.find((f) => f.code === 'MT002');
    assert.equal(missing?.range.start.line, 5, 'reported at the step');
    const related = (missing?.related ?? []).map((r) => [r.range.start.line, r.message]);
    assert.ok(related.some(([line, m]) => line === 4 && /zero_grad\(\) belongs before it/.test(String(m))), JSON.stringify(related));
    assert.ok(related.some(([line]) => line === 7), 'and at the loop that repeats it');
  });

  it('a ModuleDict built with dict(...) is read through attributes, and a ModuleList in it is looped over', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'class Blk(nn.Module):',
      '    def __init__(self, d):',
      '        super().__init__()',
      '        self.fc = nn.Linear(d, d)',
      '    def forward(self, x):',
      '        return x + F.gelu(self.fc(x))',
      'class LM(nn.Module):',
      '    def __init__(self, vocab=50, d=8):',
      '        super().__init__()',
      '        self.body = nn.ModuleDict(dict(emb=nn.Embedding(vocab, d), hs=nn.ModuleList([Blk(d) for _ in range(2)]), norm=nn.LayerNorm(d)))',
      '        self.head = nn.Linear(d, vocab, bias=False)',
      '    def forward(self, idx):',
      '        x = self.body.emb(idx)',
      '        for blk in self.body.hs:',
      '            x = blk(x)',
      '        return self.head(self.body.norm(x))',
    ));
    const lm = a.models.find((m) => m.graph.name === 'LM')!;
    assert.equal(lm.graph.nodes.filter((n) => n.op === 'opaque').length, 0, lm.equation.text);
    assert.equal(lm.graph.nodes.filter((n) => n.op === 'linear').length, 3, 'two blocks and the head');
    assert.match(lm.equation.text, /LN/);
  });

  it('F.scaled_dot_product_attention is one attention op over query, key and value', async () => {
    const a = await analyze(lines(
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'class Attn(nn.Module):',
      '    def __init__(self, d=8):',
      '        super().__init__()',
      '        self.qkv = nn.Linear(d, 3 * d)',
      '        self.out = nn.Linear(d, d)',
      '    def forward(self, x):',
      '        q, k, v = self.qkv(x).split(8, dim=2)',
      '        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True))',
    ));
    const sdpa = a.models[0].graph.nodes.find((n) => n.op === 'scaled_dot_product_attention');
    assert.ok(sdpa, a.models[0].equation.text);
    assert.equal(sdpa.inputs.length, 3);
    assert.equal(sdpa.attrs.causal, true);
    assert.ok(!a.findings.some((f) => f.code === 'MA001'), 'attention separates the two projections');
  });
});
