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
    const dir = mkdtempSync(join(tmpdir(), 'probe-conv3d-'));
    writeFileSync(join(dir, 'vol.py'), 'import torch.nn as nn\n\nclass Volume(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv3d(1, 4, 3)\n        self.out = nn.Linear(4, 4)\n\n    def forward(self, x):\n        h = self.conv(x)\n        return self.out(h.mean(dim=(2, 3, 4)))\n');
    const unbuildable = await run({ file: 'vol.py', probe: ['init-loss'] }, dir);
    assert.equal(unbuildable.code, 2);
    assert.match(unbuildable.err, /vol\.py:\d+: cannot build `conv3d` \(line \d+\)/);
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

describe('model-audit probe on sizes the code leaves open, and streaming', () => {
  const CTOR = 'test/probe/fixtures/real/ctor_args.py';

  it('states the sizes it chose, takes --set values, and rejects a malformed --set', async () => {
    const assumed = await run({ file: CTOR, probe: ['init-loss'], backend: 'cpu' });
    assert.equal(assumed.code, 0, assumed.err);
    assert.match(assumed.out, /note: n_classes taken as 10 \(the code leaves it open; --set n_classes=N to choose\)/);
    const set = await run({ file: CTOR, probe: ['init-loss'], backend: 'cpu', set: ['n_classes=4', 'n_features=12'], format: 'json' });
    assert.equal(set.code, 0, set.err);
    const json = JSON.parse(set.out);
    assert.deepEqual(json.assumptions, [{ name: 'n_features', value: 12, source: 'set' }, { name: 'n_classes', value: 4, source: 'set' }]);
    assert.match(json.results[0].summary, /ln 4 = 1\.386/);
    const bad = await run({ file: CTOR, set: ['n_classes=many'] });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--set expects name=value with a positive integer, not `n_classes=many`/);
  });

  it('prints each verdict as its probe finishes, before the run ends', async function () {
    this.timeout(180_000);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'model-audit.js'), 'probe', CTOR, '--probe', 'init-loss,overfit', '--steps', '2000', '--backend', 'cpu', '--set', 'n_classes=400'], { cwd: ROOT });
    let out = '';
    let firstVerdictWhileRunning: string | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      // The first verdict arrives while the overfit probe (2000 steps over 400 classes) still trains.
      if (firstVerdictWhileRunning === undefined && /init-loss/.test(out) && child.exitCode === null) firstVerdictWhileRunning = out;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.ok(firstVerdictWhileRunning, `no verdict before exit; stdout:\n${out}`);
    assert.match(firstVerdictWhileRunning, /✓ init-loss/);
    assert.doesNotMatch(firstVerdictWhileRunning, /overfit {2,}(pass|fail|inconclusive)/);
    assert.match(out, /overfit {2,}(pass|fail|inconclusive)/);
    assert.ok(code === 0 || code === 1);
  });
});
