// PyTorch extraction fixtures: each file's findings must match its `# expect:` annotations exactly, and its models'
// renderings (equation, steps, ops with shapes) must match the golden file beside it.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, type FileAnalysis } from '../../server/src/core/analyze';
import { alternativeLabel } from '../../server/src/core/render/alternatives';
import { Shapes } from '../../server/src/core/shapes';
import { actualFindings, expectedFindings } from '../helpers/expectations';
import { applyEdits } from '../helpers/edits';
import { expectGolden } from '../helpers/golden';
import { parsers } from '../helpers/parsers';

const DIR = join(__dirname, '..', 'fixtures', 'pytorch');

export function renderingSnapshot(analysis: FileAnalysis): string {
  const lines: string[] = [];
  for (const m of analysis.models) {
    lines.push(`# ${m.graph.name} (${m.graph.framework})`);
    lines.push(m.equation.text);
    for (const s of m.equation.steps) lines.push(`  ${s}`);
    if (m.equation.collapsed) lines.push(`  collapses: ${m.equation.collapsed}`);
    for (const alt of m.equation.alternatives ?? []) lines.push(`  ${alternativeLabel(alt)}: ${alt.text}`);
    for (const n of m.graph.nodes) {
      const widths = n.attrs.in !== undefined || n.attrs.out !== undefined ? ` ${String(n.attrs.in)}→${String(n.attrs.out)}` : '';
      lines.push(`  - ${n.op}${widths}${n.module ? ` [${n.module}]` : ''} : ${Shapes.format(n.shape)}${n.op === 'opaque' ? ` (${n.label})` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

describe('PyTorch extraction fixtures', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    it(file, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const analysis = analyzeSource({ file: { path: file, language: 'python', text }, parsers: await parsers() });
      assert.deepEqual(actualFindings(analysis.findings), expectedFindings(text), 'findings differ from the # expect: annotations');
      expectGolden(join(DIR, file.replace(/\.py$/, '.golden.txt')), renderingSnapshot(analysis));
    });
  }

  it('unrolls a four-layer ModuleList loop with ReLU into four affine + ReLU steps', async () => {
    const text = readFileSync(join(DIR, 'modulelist_relu_loop.py'), 'utf8');
    const [model] = analyzeSource({ file: { path: 'x.py', language: 'python', text }, parsers: await parsers() }).models;
    assert.deepEqual(model.graph.nodes.filter((n) => n.category !== 'input').map((n) => n.op), ['linear', 'relu', 'linear', 'relu', 'linear', 'relu', 'linear', 'relu']);
    assert.deepEqual(model.graph.nodes.filter((n) => n.op === 'linear').map((n) => n.module), ['layers.0', 'layers.1', 'layers.2', 'layers.3']);
    assert.equal(model.equation.steps.length, 4);
  });

  it('offers the F.relu quick fix at the call a person would wrap', async () => {
    const text = readFileSync(join(DIR, 'forward_chain.py'), 'utf8');
    const analysis = analyzeSource({ file: { path: 'x.py', language: 'python', text }, parsers: await parsers() });
    const finding = analysis.findings.find((f) => f.code === 'MA001')!;
    const fixed = applyEdits(text, finding.fixes![0].edits);
    assert.match(fixed, /h = F\.relu\(self\.fc2\(h\)\)/);
    const after = analyzeSource({ file: { path: 'x.py', language: 'python', text: fixed }, parsers: await parsers() });
    assert.equal(after.findings.filter((f) => f.code === 'MA001').length, 0, 'the fix removes the finding');
  });

  it('keeps the last good model, marked stale, while a line is half typed', async () => {
    const good = 'import torch.nn as nn\n\n\nclass Typing(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(784, 256)\n        self.fc2 = nn.Linear(256, 10)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x))\n';
    const p = await parsers();
    const first = analyzeSource({ file: { path: 'x.py', language: 'python', text: good }, parsers: p });
    assert.equal(first.findings.filter((f) => f.code === 'MA001').length, 1);
    const broken = good.replace('nn.Linear(784, 256)', 'nn.Linear(784,');
    const second = analyzeSource({ file: { path: 'x.py', language: 'python', text: broken }, parsers: p, previous: first });
    const kept = second.findings.filter((f) => f.code === 'MA001');
    assert.equal(kept.length, 1, 'the finding does not flash off while typing');
    assert.equal(kept[0].stale, true);
    assert.equal(second.models[0].stale, true);
  });
});
