// Cross-file extraction: a model that imports its blocks from sibling modules is resolved through the workspace
// resolver, with every op reported in the model's own file; names from outside the workspace become named opaque
// blocks with a hint, never a crash.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import type { ImportResolver } from '../../server/src/core/imports';
import { createImportResolver } from '../../server/src/workspace/pythonImports';
import { parsers } from '../helpers/parsers';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const NET = join(WORKSPACE, 'models', 'net.py');

async function analyze(resolveImport?: ImportResolver): Promise<FileAnalysis> {
  return analyzeSource({ file: { path: NET, language: 'python', text: readFileSync(NET, 'utf8') }, parsers: await parsers(), resolveImport });
}

describe('imports across files', () => {
  it('inlines a class imported with `from .blocks import ResBlock` and a helper function returning a Sequential', async () => {
    const analysis = await analyze(createImportResolver([WORKSPACE]));
    const net = analysis.models.find((m) => m.graph.name === 'TinyResNet')!;
    assert.equal(net.graph.nodes.filter((n) => n.op === 'opaque').length, 0);
    assert.deepEqual(net.graph.nodes.filter((n) => n.op === 'conv2d').map((n) => n.module), ['stem', 'block1.conv1', 'block1.conv2', 'block2.conv1', 'block2.conv2']);
    assert.deepEqual(net.graph.nodes.filter((n) => n.op === 'linear').map((n) => n.module), ['head.1', 'head.3']);
    assert.deepEqual(net.graph.nodes[net.graph.nodes.length - 1].shape, [10]);
  });

  it('reports ops of imported code at the call in the model file, with no edits into the other file', async () => {
    const analysis = await analyze(createImportResolver([WORKSPACE]));
    const lines = readFileSync(NET, 'utf8').split('\n').length;
    for (const m of analysis.models) {
      for (const n of m.graph.nodes) {
        assert.ok(n.range.end.line < lines, `${m.graph.name} #${n.id} points outside net.py`);
        if (n.module?.startsWith('block1.')) assert.equal(n.range.start.line, 19, 'block ops sit at `self.block1(x)`');
      }
    }
    const collapse = analysis.findings.find((f) => f.code === 'MA001')!;
    assert.equal(collapse.range.start.line, 30, 'the wildcard-imported Projection pair is reported at `self.inp(x)`');
    for (const fix of collapse.fixes ?? []) for (const e of fix.edits) assert.ok(e.range.start.line < lines);
  });

  it('resolves `from models.layers import *` from the workspace root', async () => {
    const analysis = await analyze(createImportResolver([WORKSPACE]));
    const encoder = analysis.models.find((m) => m.graph.name === 'ProjectedEncoder')!;
    assert.deepEqual(encoder.graph.nodes.filter((n) => n.category !== 'input').map((n) => `${n.op} ${n.module}`), ['linear inp.proj', 'linear out.proj']);
  });

  it('shows a torchvision backbone as one named opaque block with a hint', async () => {
    const analysis = await analyze(createImportResolver([WORKSPACE]));
    const model = analysis.models.find((m) => m.graph.name === 'PretrainedClassifier')!;
    const opaque = model.graph.nodes.filter((n) => n.op === 'opaque');
    assert.equal(opaque.length, 1);
    assert.equal(opaque[0].label, 'resnet18(weights=None)');
    assert.match(opaque[0].reason ?? '', /torchvision\.models/);
    assert.ok(model.graph.problems.some((p) => /resnet18/.test(p.message) && p.severity === 'hint'));
  });

  it('follows a chain of three files: a class that an imported module imports is built, not opaque', async () => {
    const root = join(__dirname, '..', 'fixtures', 'import_chain');
    const file = join(root, 'transformer', 'models.py');
    const analysis = await analyzeSource({ file: { path: file, language: 'python', text: readFileSync(file, 'utf8') }, parsers: await parsers(), resolveImport: createImportResolver([root]) });
    const encoder = analysis.models.find((m) => m.graph.name === 'Encoder')!;
    assert.deepEqual(encoder.graph.nodes.filter((n) => n.op === 'opaque').map((n) => n.label), []);
    assert.deepEqual(encoder.graph.nodes.filter((n) => n.op === 'linear').map((n) => n.module), ['layer_stack.0.pos_ffn.w_1', 'layer_stack.0.pos_ffn.w_2', 'layer_stack.1.pos_ffn.w_1', 'layer_stack.1.pos_ffn.w_2']);
  });

  it('without a resolver, workspace imports become named opaque blocks and nothing throws', async () => {
    const analysis = await analyze(undefined);
    const net = analysis.models.find((m) => m.graph.name === 'TinyResNet')!;
    assert.deepEqual(net.graph.nodes.filter((n) => n.op === 'opaque').map((n) => n.label), ['ResBlock(32)', 'ResBlock(32)', 'mlp_head(32 * 4 * 4, classes)']);
    assert.ok(net.graph.nodes.filter((n) => n.op === 'opaque').every((n) => /`\.blocks`/.test(n.reason ?? '')));
  });

  it('survives an import cycle and a resolver that throws', async () => {
    const cyclic: ImportResolver = (name) => (name === '.blocks' ? { path: '/virtual/blocks.py', text: 'from .net import TinyResNet\nfrom .blocks import ResBlock\nimport torch.nn as nn\nclass ResBlock(nn.Module):\n    def forward(self, x):\n        return x\n' } : undefined);
    const analysis = await analyze(cyclic);
    assert.ok(analysis.models.some((m) => m.graph.name === 'TinyResNet'));
    const throwing: ImportResolver = () => {
      throw new Error('disk on fire');
    };
    assert.ok((await analyze(throwing)).models.length >= 3);
  });

  it('follows a chain of re-exports as deep as the Keras frontend does (8 files), no deeper', async () => {
    // m1 re-exports from m2, and so on; the last file defines the block; the model file imports it from m1.
    const chain = (depth: number, name: string, block: string): ImportResolver => (moduleName) => {
      const i = Number(moduleName.replace(/^m/, ''));
      if (!(i >= 1 && i <= depth)) return undefined;
      return { path: `/virtual/m${i}.py`, text: i < depth ? `from m${i + 1} import ${name}\n` : block };
    };
    const torchBlock = 'import torch.nn as nn\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 4)\n    def forward(self, x):\n        return self.fc(x)\n';
    const torchModel = 'import torch.nn as nn\nfrom m1 import Block\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.block = Block()\n    def forward(self, x):\n        return self.block(x)\n';
    const kerasBlock = 'from tensorflow.keras import layers\ndef block(x):\n    return layers.Dense(4)(x)\n';
    const kerasModel = 'from tensorflow import keras\nfrom m1 import block\ninp = keras.Input(shape=(4,))\nmodel = keras.Model(inp, block(inp))\n';
    const ops = async (text: string, resolveImport: ImportResolver) => {
      const analysis = analyzeSource({ file: { path: '/virtual/net.py', language: 'python', text }, parsers: await parsers(), resolveImport });
      return analysis.models[0].graph.nodes.filter((n) => n.category !== 'input').map((n) => n.op);
    };
    for (const [depth, expected] of [[8, 'linear'], [9, 'opaque']] as const) {
      assert.deepEqual(await ops(torchModel, chain(depth, 'Block', torchBlock)), [expected], `PyTorch, ${depth} files`);
      assert.deepEqual(await ops(kerasModel, chain(depth, 'block', kerasBlock)), [expected], `Keras, ${depth} files`);
    }
  });
});
