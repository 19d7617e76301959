// Training scripts that import their model from another workspace file (pytorch/examples' super_resolution:
// `from model import Net` in main.py): the training-code rules read the imported model's graph to know what is
// being trained. Without it MT003 cannot tell whether the evaluated model has dropout or batch norm at all.

import { strict as assert } from 'node:assert';
import { analyzeSource } from '../../server/src/core/analyze';
import type { ImportResolver } from '../../server/src/core/imports';
import { parsers } from '../helpers/parsers';

const MAIN = [
  'import torch',
  'from model import Net',
  '',
  'model = Net(upscale_factor=3)',
  'optimizer = torch.optim.Adam(model.parameters(), lr=0.01)',
  '',
  'def test(loader):',
  '    with torch.no_grad():',
  '        for x, y in loader:',
  '            print(model(x).mean())',
  '',
].join('\n');

const model = (body: string) =>
  ['import torch.nn as nn', '', 'class Net(nn.Module):', '    def __init__(self, upscale_factor):', '        super().__init__()', body, '', '    def forward(self, x):', '        return self.body(x)', ''].join('\n');

const PLAIN = model('        self.body = nn.Sequential(nn.Conv2d(1, 64, 5, padding=2), nn.ReLU(), nn.Conv2d(64, upscale_factor ** 2, 3, padding=1), nn.PixelShuffle(upscale_factor))');
const WITH_DROPOUT = model('        self.body = nn.Sequential(nn.Conv2d(1, 64, 5, padding=2), nn.ReLU(), nn.Dropout(0.3), nn.Conv2d(64, upscale_factor ** 2, 3, padding=1))');

const resolverFor = (text: string): ImportResolver => (name) => (name === 'model' ? { path: '/virtual/model.py', text } : undefined);

async function codes(resolveImport?: ImportResolver): Promise<string[]> {
  const analysis = analyzeSource({ file: { path: '/virtual/main.py', language: 'python', text: MAIN }, parsers: await parsers(), resolveImport });
  return analysis.findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
}

describe('models imported by a training script', () => {
  it('MT003 stays silent when the imported model has neither dropout nor batch norm', async () => {
    assert.deepEqual((await codes(resolverFor(PLAIN))).filter((c) => c.endsWith('MT003')), []);
  });

  it('MT003 warns when the imported model has dropout', async () => {
    assert.deepEqual((await codes(resolverFor(WITH_DROPOUT))).filter((c) => c.endsWith('MT003')), ['8:MT003']);
  });

  it('without a resolver the model is unknown and MT003 warns, as it always has', async () => {
    assert.deepEqual((await codes(undefined)).filter((c) => c.endsWith('MT003')), ['8:MT003']);
  });

  it('the imported model is not reported as a model of the script', async () => {
    const analysis = analyzeSource({ file: { path: '/virtual/main.py', language: 'python', text: MAIN }, parsers: await parsers(), resolveImport: resolverFor(WITH_DROPOUT) });
    assert.deepEqual(analysis.models.map((m) => m.graph.name), []);
  });
});
