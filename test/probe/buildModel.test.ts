// The graph → TensorFlow.js builder: real models build with the right parameter counts and output shapes, and an op
// it cannot build is an error that names the op and its line.

import { strict as assert } from 'node:assert';
import type { GraphNode, ModelGraph } from '../../server/src/core/graph';
import { Range } from '../../server/src/core/graph';
import { initBackend } from '../../server/src/probe/backends';
import { buildProbeModel, ProbeBuildError, type TF } from '../../server/src/probe/buildModel';
import { estimateParameters } from '../../server/src/probe/runProbes';
import { resolveSizes } from '../../server/src/probe/sizes';
import { sampleGraph } from './helpers';

let tf: TF;

function node(id: number, op: string, category: GraphNode['category'], inputs: number[], attrs: GraphNode['attrs'] = {}, line = id): GraphNode {
  return { id, op, category, inputs, attrs, range: Range.create(line, 0, line, 10) };
}

function graph(name: string, nodes: GraphNode[], framework: ModelGraph['framework'] = 'pytorch'): ModelGraph {
  return { name, framework, range: Range.empty, nameRange: Range.empty, nodes, inputs: [0], outputs: [nodes[nodes.length - 1]!.id], layers: [], problems: [] };
}

describe('probe model builder', () => {
  before(async () => {
    tf = (await initBackend('cpu', 0)).tf;
  });

  it('builds the MNIST MLP with PyTorch parameter counts', async () => {
    const g = await sampleGraph('mnist_mlp.py', 'MnistMLP');
    const model = buildProbeModel(tf, g, { seed: 1 });
    try {
      assert.deepEqual(model.inputs[0]!.shape, [784]);
      assert.deepEqual(model.outputShape, [10]);
      assert.equal(model.parameterCount, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
      assert.equal(model.parameterCount, estimateParameters(g));
    } finally {
      model.dispose();
    }
  });

  it('builds LeNet-5, finding the 32×32 input size the flatten → Linear(400) needs', async () => {
    const g = await sampleGraph('lenet_cnn.py', 'LeNet5');
    const model = buildProbeModel(tf, g, { seed: 1 });
    try {
      assert.deepEqual(model.inputs[0]!.shape, [1, 32, 32]);
      assert.deepEqual(model.outputShape, [10]);
      assert.ok(model.notes.some((n) => /32×32/.test(n)));
    } finally {
      model.dispose();
    }
  });

  it('builds a residual network with batch norm', async () => {
    const g = await sampleGraph('small_resnet.py', 'SmallResNet');
    const model = buildProbeModel(tf, g, { seed: 1 });
    try {
      assert.equal(model.outputShape.length, 1);
      assert.ok(model.params.some((p) => /bn/.test(p.name)));
    } finally {
      model.dispose();
    }
  });

  it('builds a channels-last (Keras-style) convolution without transposes', () => {
    const g = graph('KerasCnn', [
      { ...node(0, 'input', 'input', []), shape: [8, 8, 3] },
      node(1, 'conv2d', 'affine', [0], { in: 3, out: 4, kernel: 3, channels_last: true, same_padding: true }),
      node(2, 'relu', 'activation', [1]),
      node(3, 'adaptive_avg_pool2d', 'pooling', [2], { channels_last: true, global: true }),
      node(4, 'linear', 'affine', [3], { in: 4, out: 2 }),
    ], 'keras');
    const model = buildProbeModel(tf, g, { seed: 1 });
    try {
      assert.deepEqual(model.nodeShapes.get(1), [8, 8, 4]);
      assert.deepEqual(model.outputShape, [2]);
    } finally {
      model.dispose();
    }
  });

  it('names the op and line of a step it cannot build', () => {
    // LSTMs build since the probes learnt sequence layers; 3-d convolutions still do not.
    const g = graph('WithConv3d', [{ ...node(0, 'input', 'input', [], {}, 3), shape: [1, 4, 4, 4] }, node(1, 'conv3d', 'affine', [0], { in: 1, out: 2, kernel: 3 }, 11), node(2, 'linear', 'affine', [1], { in: 8, out: 1 }, 12)]);
    assert.throws(() => buildProbeModel(tf, g, { seed: 1 }), (e: unknown) => e instanceof ProbeBuildError && e.op === 'conv3d' && e.line === 12 && /line 12/.test(e.message));
  });

  it('reports a width mismatch as a build error at the layer', () => {
    const g = graph('Wrong', [{ ...node(0, 'input', 'input', []), shape: [784] }, node(1, 'linear', 'affine', [0], { in: 784, out: 256 }, 5), node(2, 'linear', 'affine', [1], { in: 128, out: 10 }, 6)]);
    assert.throws(() => buildProbeModel(tf, g, { seed: 1 }), (e: unknown) => e instanceof ProbeBuildError && e.line === 7 && /128 input features but receives 256/.test(e.message));
  });

  it('names the line and input shape of a step TensorFlow.js refuses (a permute of more axes than the tensor has)', () => {
    const g = graph('SplitHeads', [{ ...node(0, 'input', 'input', []), shape: [8] }, node(1, 'linear', 'affine', [0], { in: 8, out: 8 }, 4), node(2, 'permute', 'reshape', [1], { shape: [0, 2, 1, 3] }, 9)]);
    assert.throws(() => buildProbeModel(tf, g, { seed: 1 }), (e: unknown) => e instanceof ProbeBuildError && e.op === 'permute' && e.line === 10 && /rank of input 2 .*\(input shape 8 per sample\)$/.test(e.message));
  });

  it('gives a fused projection of unread width that is unpacked into three pieces a width of three equal parts', () => {
    // `q, k, v = self.c_attn(x).view(*shape).split(n_state, dim=2)` with c_attn a custom class: 3 × 32 wide.
    const g = graph('FusedQKV', [{ ...node(0, 'input', 'input', []), shape: [32] }, node(1, 'matmul', 'affine', [0], { in: '?', out: '?' }), node(2, 'view', 'reshape', [1], { shape: ['?'] }), node(3, 'slice', 'reshape', [2], { index: 0 }), node(4, 'slice', 'reshape', [2], { index: 1 }), node(5, 'slice', 'reshape', [2], { index: 2 }), node(6, 'add', 'merge', [3, 4]), node(7, 'add', 'merge', [6, 5])]);
    const { graph: resolved, assumptions } = resolveSizes(g);
    assert.equal(resolved.nodes[1]!.attrs.out, 96);
    assert.deepEqual(assumptions.map((a) => `${a.name}=${a.value}`), ['matmul@2.out_features=96']);
    const model = buildProbeModel(tf, resolved, { seed: 1 });
    try {
      assert.deepEqual(model.forward([tf.zeros([2, 32])], { training: false, dropout: false }).shape, [2, 32]);
    } finally {
      model.dispose();
    }
  });

  it('scales hidden widths and keeps the output width', async () => {
    const g = await sampleGraph('mnist_mlp.py', 'MnistMLP');
    const model = buildProbeModel(tf, g, { seed: 1, widthScale: 0.25 });
    try {
      assert.deepEqual(model.outputShape, [10]);
      assert.equal(model.parameterCount, 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10);
      assert.ok(model.notes.some((n) => /scaled by 0.25/.test(n)));
    } finally {
      model.dispose();
    }
  });

  it('computes the same convolutions on WASM (patches × kernel, for its missing filter gradient) as on the CPU', async () => {
    const g = graph('Strided', [
      { ...node(0, 'input', 'input', []), shape: [3, 11, 9] },
      node(1, 'conv2d', 'affine', [0], { in: 3, out: 4, kernel: 3, stride: 2, padding: 1 }),
      node(2, 'relu', 'activation', [1]),
      node(3, 'conv2d', 'affine', [2], { in: 4, out: 5, kernel: [2, 3], dilation: 2 }),
      node(4, 'flatten', 'reshape', [3]),
    ]);
    const outputs: number[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      const ready = (await initBackend(backend, 0)).tf;
      const model = buildProbeModel(ready, g, { seed: 3 });
      try {
        outputs.push(ready.tidy(() => {
          const x = ready.tensor(Array.from({ length: 2 * 3 * 11 * 9 }, (_, i) => Math.sin(i)), [2, 3, 11, 9]);
          const y = model.forward([x], { training: true, dropout: false });
          const grads = ready.variableGrads(() => ready.sum(ready.square(model.forward([x], { training: true, dropout: false }))) as never, model.params.map((p) => p.variable));
          return [...Array.from(y.dataSync()), ...Object.values(grads.grads).flatMap((t) => Array.from(t.dataSync()))];
        }));
      } finally {
        model.dispose();
      }
    }
    tf = (await initBackend('cpu', 0)).tf;
    assert.equal(outputs[0]!.length, outputs[1]!.length);
    outputs[0]!.forEach((v, i) => assert.ok(Math.abs(v - outputs[1]![i]!) < 1e-3 * Math.max(1, Math.abs(v)), `value ${i}: ${v} vs ${outputs[1]![i]}`));
  });

  it('initialises the same weights for the same seed', async () => {
    const g = await sampleGraph('probe_xor_mlp.py', 'XorMLP');
    const a = buildProbeModel(tf, g, { seed: 7 });
    const b = buildProbeModel(tf, g, { seed: 7 });
    try {
      assert.deepEqual(Array.from(a.params[0]!.variable.dataSync()), Array.from(b.params[0]!.variable.dataSync()));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
