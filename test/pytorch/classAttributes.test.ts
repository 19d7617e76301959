// Class attributes (`expansion = 4` in a block's class body) read as `self.expansion`, `block.expansion` or
// `Bottleneck.expansion`, so ResNet-style widths (`planes * block.expansion`) are numbers and shapes connect.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import { parsers } from '../helpers/parsers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'models', 'pt_resnet_bottleneck_expansion.py');

describe('PyTorch class attributes', () => {
  it('resolves expansion through self, a class bound to a parameter and the class name', async () => {
    const analysis = analyzeSource({ file: { path: 'resnet.py', language: 'python', text: readFileSync(FIXTURE, 'utf8') }, parsers: await parsers() });
    const widths = (model: string) =>
      analysis.models.find((m) => m.graph.name === model)!.graph.nodes.filter((n) => n.category === 'affine').map((n) => `${n.module} ${String(n.attrs.in)}→${String(n.attrs.out)}`);
    // `planes * self.expansion` in the block on its own: a named width times four.
    assert.deepEqual(widths('Bottleneck'), ['conv1 inplanes→planes', 'conv2 planes→planes', 'conv3 planes→planes·4']);
    // In the network every width is a number: 64·4 = 256 out of the first stage, 128·4 = 512 into the classifier.
    assert.deepEqual(widths('ResNet'), [
      'conv1 3→64',
      'layer1.0.conv1 64→64', 'layer1.0.conv2 64→64', 'layer1.0.conv3 64→256', 'layer1.0.downsample.0 64→256',
      'layer1.1.conv1 256→64', 'layer1.1.conv2 64→64', 'layer1.1.conv3 64→256',
      'layer2.0.conv1 256→128', 'layer2.0.conv2 128→128', 'layer2.0.conv3 128→512', 'layer2.0.downsample.0 256→512',
      'fc 512→100',
    ]);
    const resnet = analysis.models.find((m) => m.graph.name === 'ResNet')!;
    assert.deepEqual(resnet.graph.nodes.find((n) => n.module === 'fc')!.shape, [100]);
    assert.deepEqual(analysis.findings.map((f) => f.code), [], 'no width is left unknown, so nothing is reported');
  });

  it('follows a class attribute to a base class and lets the instance override it', async () => {
    const { models } = analyzeSource({
      file: {
        path: 'blocks.py',
        language: 'python',
        text: `import torch.nn as nn


class Base(nn.Module):
    expansion = 2
    width = 16


class Wide(Base):
    def __init__(self):
        super().__init__()
        self.width = 32
        self.fc = nn.Linear(self.width, self.width * self.expansion)

    def forward(self, x):
        return self.fc(x)
`,
      },
      parsers: await parsers(),
    });
    const fc = models.find((m) => m.graph.name === 'Wide')!.graph.nodes.find((n) => n.op === 'linear')!;
    assert.deepEqual([fc.attrs.in, fc.attrs.out], [32, 64]);
  });
});
