// Branches on configuration values (`if self.use_bn:`, `if self.cfg.residual:`, `if use_dropout:`): the equation
// and every rule follow the default branch, and the model in each other configuration is printed after it, labelled
// with the case and the default (or, for a value the code does not fix, with what the equation assumed).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = 'test/fixtures/models/pt_config_branches.py';

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { cwd: ROOT, out: (s) => (out += s), err: () => undefined });
  return { code, out };
}

async function analyze(text: string) {
  return analyzeSource({ file: { path: 'model.py', language: 'python', text }, parsers: await parsers() });
}

describe('PyTorch configuration branches', () => {
  it('check prints the default equation, then each other configuration labelled with its default', async () => {
    const { code, out } = await cli(['check', FIXTURE]);
    assert.equal(code, 0, 'the fixture is clean: a layer used only in another configuration is not unused');
    const lines = out.split('\n').map((l) => l.trim());
    const block = lines.slice(lines.indexOf('ConvBlock (pytorch, line 12)'));
    assert.equal(block[1], 'y = ReLU(BN(W₁∗x))');
    // `bias=not use_bn` follows the flag, so the convolution gets its bias back where batch norm goes.
    assert.equal(block[2], 'if use_bn=False (default: use_bn=True): y = ReLU(W₁∗x + b₁)');
    const small = lines.slice(lines.indexOf('SmallNet (pytorch, line 32)'));
    assert.match(small[1], /^y = W₅·ReLU\(h₂ \+ W₄·ReLU\(W₃h₂ \+ b₃\) \+ b₄\) \+ b₅, where h₂ = flatten\(avgpool\(ReLU\(BN\(W₂∗ReLU\(BN\(W₁∗x\)\)\)\)\)\)$/);
    assert.ok(!small[1].includes('dropout') && !small[1].includes('W₆'), 'the default equation has neither the dropout nor the projection');
    // The submodule's default reaches the model that builds it without passing it.
    assert.match(small[2], /^if use_bn=False \(default: use_bn=True\): y = .*ReLU\(W₂∗ReLU\(W₁∗x \+ b₁\) \+ b₂\)/);
    // A layer only the other branch applies takes the next free index; the others keep theirs.
    assert.equal(small[3], 'if cfg.residual=False (default: cfg.residual=True): y = W₅·ReLU(W₆·ReLU(W₄·ReLU(W₃·flatten(avgpool(ReLU(BN(W₂∗ReLU(BN(W₁∗x)))))) + b₃) + b₄) + b₆) + b₅');
    assert.match(small[4], /^if use_dropout=True \(default: use_dropout=False\): y = W₅·ReLU\(dropout\(h₆ \+ W₄·ReLU\(W₃h₆ \+ b₃\) \+ b₄\)\) \+ b₅/);
    const mlp = lines.slice(lines.indexOf('PreNormMLP (pytorch, line 58)'));
    assert.equal(mlp[1], 'y = x + W₂·GELU(W₁·LN(x) + b₁) + b₂');
    assert.equal(mlp[2], 'if not config.pre_norm (not known; the equation assumes config.pre_norm): y = x + W₂·GELU(W₁x + b₁) + b₂');
  });

  it('the JSON report lists the alternatives beside the ops of the default configuration', async () => {
    const { out } = await cli(['check', FIXTURE, '--format', 'json']);
    const models = JSON.parse(out).files[0].models as { name: string; ops: { module?: string }[]; alternatives?: Record<string, unknown>[] }[];
    const small = models.find((m) => m.name === 'SmallNet')!;
    assert.deepEqual(
      small.alternatives!.map((a) => [a.condition, a.assumed, a.when, a.known]),
      [
        ['self.use_bn', 'use_bn=True', 'use_bn=False', true],
        ['self.cfg.residual', 'cfg.residual=True', 'cfg.residual=False', true],
        ['use_dropout', 'use_dropout=False', 'use_dropout=True', true],
      ],
    );
    assert.match((small.alternatives![2].equation as { text: string }).text, /dropout\(/);
    // The ops are the default configuration's: what every rule reads.
    const modules = small.ops.map((o) => o.module);
    assert.ok(modules.includes('block1.bn') && !modules.includes('proj') && !modules.includes('dropout'));
    const mlp = models.find((m) => m.name === 'PreNormMLP')!;
    assert.deepEqual(mlp.alternatives!.map((a) => [a.assumed, a.when, a.known]), [['config.pre_norm', 'not config.pre_norm', false]]);
    const clean = models.find((m) => m.name === 'ConvBlock')!;
    assert.equal(clean.alternatives!.length, 1);
  });

  it('render prints the alternatives after the steps, in Markdown with the default named', async () => {
    const { out } = await cli(['render', FIXTURE, '--model', 'ConvBlock']);
    assert.equal(out, 'ConvBlock (pytorch)\n  y = ReLU(BN(W₁∗x))\n    y = ReLU(BN(W₁∗x))\n  if use_bn=False (default: use_bn=True): y = ReLU(W₁∗x + b₁)\n');
    const markdown = (await cli(['render', FIXTURE, '--model', 'ConvBlock', '--format', 'markdown'])).out;
    assert.match(markdown, /With `use_bn=False` \(the default is `use_bn=True`\):\n\n\$\$\n\\begin\{aligned\}\ny &= \\operatorname\{ReLU\}\\left\(W_\{1\} \\ast x \+ b_\{1\}\\right\)\n\\end\{aligned\}\n\$\$/);
  });

  it('rules read the default branch only: a missing activation in another configuration is not reported', async () => {
    const source = (useProj: 'True' | 'False') => `import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, use_proj=${useProj}):
        super().__init__()
        self.use_proj = use_proj
        self.fc = nn.Linear(64, 64)
        self.proj = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        h = self.fc(x)
        if self.use_proj:
            h = self.proj(h)
        return self.out(F.relu(h))
`;
    const off = await analyze(source('False'));
    assert.deepEqual(off.findings.map((f) => f.code), [], 'proj is neither unused nor collapsing while use_proj is off');
    assert.equal(off.models[0].equation.text, 'y = W₂·ReLU(W₁x + b₁) + b₂');
    assert.equal(off.models[0].equation.alternatives![0].text, 'y = W₂·ReLU(W₃·(W₁x + b₁) + b₃) + b₂');
    const on = await analyze(source('True'));
    assert.deepEqual(on.findings.map((f) => [f.code, f.range.start.line + 1]), [['MA001', 14]], 'with the default on, fc and proj collapse');
  });

  it('one alternative per name: two classes that both default use_bn=True switch together', async () => {
    const { models } = await analyze(`import torch.nn as nn
import torch.nn.functional as F


class Stem(nn.Module):
    def __init__(self, use_bn=True):
        super().__init__()
        self.use_bn = use_bn
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)

    def forward(self, x):
        x = self.conv(x)
        return F.relu(self.bn(x) if self.use_bn else x)


class Body(nn.Module):
    def __init__(self, use_bn=True):
        super().__init__()
        self.stem = Stem()
        self.conv = nn.Conv2d(16, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16) if use_bn else nn.Identity()

    def forward(self, x):
        return F.relu(self.norm(self.conv(self.stem(x))))
`);
    const body = models.find((m) => m.graph.name === 'Body')!.equation;
    assert.equal(body.text, 'y = ReLU(BN(W₂∗ReLU(BN(W₁∗x + b₁)) + b₂))');
    assert.deepEqual(body.alternatives!.map((a) => `${a.when} | ${a.text}`), ['use_bn=False | y = ReLU(W₂∗ReLU(W₁∗x + b₁) + b₂)']);
  });

  it('an elif chain on a value the code does not fix takes the first branch and lists the others', async () => {
    const { models } = await analyze(`import torch.nn as nn


class Norm(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.bn = nn.BatchNorm1d(64)
        self.ln = nn.LayerNorm(64)
        self.fc = nn.Linear(64, 64)

    def forward(self, x):
        if self.cfg.norm == "batch":
            x = self.bn(x)
        elif self.cfg.norm == "layer":
            x = self.ln(x)
        return self.fc(x)
`);
    const eq = models[0].equation;
    assert.equal(eq.text, 'y = W₁·BN(x) + b₁');
    assert.deepEqual(eq.alternatives!.map((a) => [a.when, a.assumed, a.known, a.text]), [
      ['cfg.norm == "layer"', 'cfg.norm == "batch"', false, 'y = W₁·LN(x) + b₁'],
      ['not (cfg.norm == "batch" or cfg.norm == "layer")', 'cfg.norm == "batch"', false, 'y = W₁x + b₁'],
    ]);
  });

  it('leaves models without configuration branches, and `if self.training:`, as they were', async () => {
    const { models } = await analyze(`import torch
import torch.nn as nn


class Noisy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        if self.training:
            x = x + torch.randn_like(x)
        return self.fc(x)
`);
    assert.equal(models[0].graph.alternatives, undefined);
    assert.equal(models[0].equation.alternatives, undefined);
  });
});
