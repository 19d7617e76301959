// `model-audit probe` as the CLI runs it: exit codes (0 pass, 1 fail, 2 error), the contract's JSON, the text form
// and the offline HTML report.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProbeCommandOptions, probeCommand } from '../../server/src/cli/probeCommand';
import { ROOT } from './helpers';

async function run(options: ProbeCommandOptions, cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await probeCommand(options, { cwd, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('model-audit probe', () => {
  it('exits 1 with the contract JSON when a probe fails', async () => {
    const { code, out } = await run({ file: 'samples/probe_double_softmax.py', model: 'DoubleSoftmaxClassifier', probe: ['overfit', 'init-loss'], format: 'json', backend: 'cpu' });
    assert.equal(code, 1);
    const json = JSON.parse(out);
    assert.equal(json.version, 1);
    assert.equal(json.model, 'DoubleSoftmaxClassifier');
    assert.equal(json.backend, 'cpu');
    const overfit = json.results.find((r: { probe: string }) => r.probe === 'overfit');
    assert.equal(overfit.verdict, 'fail');
    assert.equal(overfit.code, 'MP002');
    assert.equal(typeof overfit.summary, 'string');
    assert.equal(typeof overfit.metrics.final_loss, 'number');
    assert.ok(Array.isArray(overfit.curve) && overfit.curve.every((p: unknown[]) => p.length === 2));
    assert.equal(typeof overfit.seconds, 'number');
  });

  it('exits 0 and prints text when every probe passes, and writes an offline HTML report with SVG curves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-report-'));
    const report = join(dir, 'report.html');
    const { code, out } = await run({ file: 'samples/probe_xor_mlp.py', model: 'XorMLP', probe: ['nonlinearity'], report, seed: 3 });
    assert.equal(code, 0, out);
    assert.match(out, /XorMLP: backend cpu \(auto: /);
    assert.match(out, /✓ nonlinearity/);
    const html = readFileSync(report, 'utf8');
    assert.match(html, /<svg[^>]*>.*<polyline/s);
    assert.match(html, /linear fit/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('prints a compiler-style line for a failed probe', async () => {
    const { code, out } = await run({ file: 'samples/probe_unused_layer.py', probe: ['gradient-flow'] });
    assert.equal(code, 1);
    assert.match(out, /^samples\/probe_unused_layer\.py:12:1: warning MP004 gradient-flow: /m);
  });

  it('exits 2 for an unknown model, an unknown probe, a missing spec and a model it cannot build', async () => {
    const noModel = await run({ file: 'samples/probe_xor_mlp.py', model: 'Nope' });
    assert.equal(noModel.code, 2);
    assert.match(noModel.err, /no model named Nope \(found XorMLP, XorMLPNoActivation\)/);
    const badProbe = await run({ file: 'samples/probe_xor_mlp.py', model: 'XorMLP', probe: ['speed'] });
    assert.equal(badProbe.code, 2);
    assert.match(badProbe.err, /unknown probe speed/);
    const noSpec = await run({ file: 'samples/probe_xor_mlp.py', model: 'XorMLP', probe: ['spec-bakeoff'] });
    assert.equal(noSpec.code, 2);
    assert.match(noSpec.err, /needs --spec/);
    const dir = mkdtempSync(join(tmpdir(), 'probe-lstm-'));
    writeFileSync(join(dir, 'rnn.py'), 'import torch.nn as nn\n\nclass Tagger(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.rnn = nn.LSTM(8, 16, batch_first=True)\n        self.out = nn.Linear(16, 4)\n\n    def forward(self, x):\n        h, _ = self.rnn(x)\n        return self.out(h)\n');
    const unbuildable = await run({ file: 'rnn.py', probe: ['init-loss'] }, dir);
    assert.equal(unbuildable.code, 2);
    assert.match(unbuildable.err, /rnn\.py:\d+: cannot build .* \(line \d+\)/);
  });

  it('bakes the code off against a second model file given as the spec', async () => {
    const { code, out } = await run({ file: 'samples/probe_xor_mlp.py', model: 'XorMLPNoActivation', spec: 'samples/probe_xor_mlp.py', specModel: 'XorMLP', probe: ['spec-bakeoff'], format: 'json' });
    assert.equal(code, 1);
    const r = JSON.parse(out).results[0];
    assert.equal(r.probe, 'spec-bakeoff');
    assert.equal(r.verdict, 'fail');
    assert.deepEqual(r.series.map((s: { label: string }) => s.label), ['code', 'spec']);
  });

  it('bakes the code off against a .mspec spec', async () => {
    const { code, out } = await run({ file: 'samples/probe_xor_mlp.py', model: 'XorMLPNoActivation', spec: 'test/probe/fixtures/xor_mlp.mspec', probe: ['spec-bakeoff'], format: 'json' });
    assert.equal(code, 1);
    const r = JSON.parse(out).results[0];
    assert.equal(r.verdict, 'fail');
    assert.ok(r.metrics.final_loss > r.metrics.spec_loss);
  });
});
