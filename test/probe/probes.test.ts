// Probe verdicts on the samples: each planted soft bug fails the probe that measures it, and its fixed version
// passes. Run in-process on the pure-JS backend (small models) or WASM (the MNIST-sized ones), with fixed seeds.

import { strict as assert } from 'node:assert';
import type { GraphNode, ModelGraph } from '../../server/src/core/graph';
import { Range } from '../../server/src/core/graph';
import { probe, result, sampleGraph } from './helpers';

describe('probes on the samples', () => {
  describe('nonlinearity', () => {
    it('fails a model whose only two layers collapse, naming them', async () => {
      const run = await probe(await sampleGraph('probe_xor_mlp.py', 'XorMLPNoActivation'), ['nonlinearity']);
      const r = result(run, 'nonlinearity');
      assert.equal(r.verdict, 'fail');
      assert.match(r.summary, /fc1 → fc2 does no better than the best linear fit/);
      assert.ok((r.metrics.final_loss as number) >= 0.9 * (r.metrics.linear_baseline_loss as number));
      assert.deepEqual(r.lines, [25]);
    });

    it('passes the same model with its ReLU', async () => {
      const r = result(await probe(await sampleGraph('probe_xor_mlp.py', 'XorMLP'), ['nonlinearity']), 'nonlinearity');
      assert.equal(r.verdict, 'pass');
      assert.ok((r.metrics.final_loss as number) < 0.6 * (r.metrics.linear_baseline_loss as number));
    });

    it('fails the Sequential classifier whose second hidden layer has no activation', async () => {
      const r = result(await probe(await sampleGraph('sequential_missing_activation.py', 'TabularNet'), ['nonlinearity']), 'nonlinearity');
      assert.equal(r.verdict, 'fail');
      assert.match(r.summary, /collapse into one linear map/);
    });

    it('fails MissingReluMLP at fc2 → fc3 though the whole model is nonlinear, and passes the fixed MnistMLP', async () => {
      const bad = result(await probe(await sampleGraph('mlp_missing_relu.py', 'MissingReluMLP'), ['nonlinearity'], 'wasm'), 'nonlinearity');
      assert.equal(bad.verdict, 'fail');
      assert.equal(bad.metrics.stage, 'fc2 → fc3');
      assert.match(bad.summary, /whole model is nonlinear elsewhere/);
      const good = result(await probe(await sampleGraph('mnist_mlp.py', 'MnistMLP'), ['nonlinearity'], 'wasm'), 'nonlinearity');
      assert.equal(good.verdict, 'pass');
    });
  });

  describe('overfit', () => {
    it('fails the double-softmax classifier at the ln(1 + (C−1)/e) floor, with the explanation', async () => {
      const r = result(await probe(await sampleGraph('probe_double_softmax.py', 'DoubleSoftmaxClassifier'), ['overfit']), 'overfit');
      assert.equal(r.verdict, 'fail');
      const floor = Math.log(1 + 9 / Math.E);
      assert.ok(Math.abs((r.metrics.floor as number) - floor) < 1e-4);
      assert.ok((r.metrics.final_loss as number) >= floor - 1e-3, 'the loss cannot go below the floor');
      assert.match(r.summary, /ln\(1 \+ \(C−1\)\/e\)/);
      assert.match(r.summary, /softmax again/);
    });

    it('passes the fixed classifier that returns logits', async () => {
      const r = result(await probe(await sampleGraph('probe_logits_classifier.py', 'LogitsClassifier'), ['overfit']), 'overfit');
      assert.equal(r.verdict, 'pass');
      assert.ok((r.metrics.final_loss as number) < 0.12);
    });
  });

  describe('init-loss', () => {
    it('starts a 10-class classifier near ln 10', async () => {
      const r = result(await probe(await sampleGraph('probe_logits_classifier.py', 'LogitsClassifier'), ['init-loss']), 'init-loss');
      assert.equal(r.verdict, 'pass');
      assert.ok(Math.abs((r.metrics.expected_loss as number) - Math.log(10)) < 1e-4);
    });

    it('fails a classifier whose initial logits are far too large', async () => {
      // A Linear followed by a ×100 scale: the logits start huge and the loss starts far above ln C.
      const n = (id: number, op: string, category: GraphNode['category'], inputs: number[], attrs: GraphNode['attrs'] = {}): GraphNode => ({ id, op, category, inputs, attrs, range: Range.create(id, 0, id, 1) });
      const g: ModelGraph = {
        name: 'Hot', framework: 'pytorch', range: Range.empty, nameRange: Range.empty, layers: [], problems: [], inputs: [0], outputs: [3],
        nodes: [{ ...n(0, 'input', 'input', []), shape: [32] }, n(1, 'linear', 'affine', [0], { in: 32, out: 64 }), n(2, 'relu', 'activation', [1]), n(3, 'scale', 'other', [2], { factor: 100 })],
      };
      const r = result(await probe(g, ['init-loss']), 'init-loss');
      assert.equal(r.verdict, 'fail');
      assert.match(r.summary, /too large/);
    });
  });

  describe('gradient-flow', () => {
    it('fails the regressor whose hidden2 is never applied, at its line', async () => {
      const r = result(await probe(await sampleGraph('probe_unused_layer.py', 'SkippedLayerRegressor'), ['gradient-flow']), 'gradient-flow');
      assert.equal(r.verdict, 'fail');
      assert.match(r.summary, /hidden2 \(line 12\) is never applied/);
      assert.deepEqual(r.lines, [12]);
      assert.equal(r.metrics.layers_without_gradient, 1);
    });

    it('passes a model where every layer is applied', async () => {
      const r = result(await probe(await sampleGraph('probe_logits_classifier.py', 'LogitsClassifier'), ['gradient-flow']), 'gradient-flow');
      assert.equal(r.verdict, 'pass');
    });
  });

  describe('spec-bakeoff', () => {
    it('fails code that lost its activation against the spec that has it, and passes the code that matches', async () => {
      const spec = await sampleGraph('probe_xor_mlp.py', 'XorMLP');
      const bad = result(await probe(await sampleGraph('probe_xor_mlp.py', 'XorMLPNoActivation'), ['spec-bakeoff'], 'cpu', { spec }), 'spec-bakeoff');
      assert.equal(bad.verdict, 'fail');
      assert.ok((bad.metrics.final_loss as number) > (bad.metrics.spec_loss as number));
      assert.deepEqual(bad.series?.map((s) => s.label), ['code', 'spec']);
      const good = result(await probe(await sampleGraph('probe_xor_mlp.py', 'XorMLP'), ['spec-bakeoff'], 'cpu', { spec }), 'spec-bakeoff');
      assert.equal(good.verdict, 'pass');
    });
  });

  it('gives the same numbers for the same seed', async () => {
    const g = await sampleGraph('probe_double_softmax.py', 'DoubleSoftmaxClassifier');
    const a = result(await probe(g, ['overfit'], 'cpu', { seed: 5 }), 'overfit');
    const b = result(await probe(g, ['overfit'], 'cpu', { seed: 5 }), 'overfit');
    assert.deepEqual(a.curve, b.curve);
    assert.deepEqual(a.metrics, b.metrics);
  });
});
