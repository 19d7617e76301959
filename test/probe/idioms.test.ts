// Probes on idioms of public model code that stopped the probe builder (test/probe/fixtures/real/idioms.py): each
// model builds, every layer gets gradient, and what the probe had to choose is stated.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import type { ModelGraph } from '../../server/src/core/graph';
import { buildProbeModel } from '../../server/src/probe/buildModel';
import { initBackend } from '../../server/src/probe/backends';
import { runProbes } from '../../server/src/probe/runProbes';
import { resolveSizes } from '../../server/src/probe/sizes';
import type { ProbeRun } from '../../server/src/probe/types';
import { parsers } from '../helpers/parsers';
import { result } from './helpers';

const PATH = join(__dirname, 'fixtures', 'real', 'idioms.py');

async function graphs(): Promise<Map<string, ModelGraph>> {
  const analysis = analyzeSource({ file: { path: PATH, language: 'python', text: readFileSync(PATH, 'utf8') }, parsers: await parsers() });
  return new Map(analysis.models.map((m) => [m.graph.name, m.graph]));
}

async function flow(graph: ModelGraph): Promise<ProbeRun> {
  const ready = await initBackend('wasm', 0);
  return runProbes(ready.tf, ready, { graph, probes: ['init-loss', 'gradient-flow'], seed: 0, steps: 2, backend: 'wasm' });
}

const MODELS = ['ConvGenerator', 'PaddedResBlock', 'StemFromOptions', 'ConditionalGenerator', 'FusedAttention', 'HandNormMLP', 'PairDiscriminator', 'BatchedPolicy', 'RowRNN', 'LatentGenerator', 'SplitHeadAttention', 'LambdaSublayerBlock'];

describe('probes on idioms of public model code', () => {
  let all: Map<string, ModelGraph>;
  const runs = new Map<string, ProbeRun>();
  before(async () => {
    all = await graphs();
  });

  for (const name of MODELS) {
    it(`builds ${name}, and every layer receives gradient`, async () => {
      const graph = all.get(name);
      assert.ok(graph, `idioms.py has no model ${name}; found ${[...all.keys()].join(', ')}`);
      const run = await flow(graph);
      runs.set(name, run);
      const init = result(run, 'init-loss');
      assert.notEqual(init.verdict, 'error', init.summary);
      const grad = result(run, 'gradient-flow');
      assert.equal(grad.verdict, 'pass', `${grad.summary}\n${(grad.details ?? []).join('\n')}`);
    });
  }

  it('names the one op that stops a model it cannot build (llama-style rotary embedding through complex numbers)', async () => {
    await assert.rejects(flow(all.get('RotaryAttention')!), (e: Error) => /^cannot build `torch\.view_as_complex\(.*\(line 149\) for a probe: .*`torch\.view_as_complex` is not a known PyTorch module or function/.test(e.message));
  });

  it('reads the heads view of the input\'s own size (`x.size()[:-1] + (heads, d)`) and its merge, and the addmm weight made in a local', () => {
    const graph = all.get('SplitHeadAttention')!;
    const views = graph.nodes.filter((n) => n.op === 'view').map((n) => JSON.stringify(n.attrs.shape));
    assert.deepEqual([...new Set(views)], ['[-1,"dim-1"]', '["*shape[:-1]","width·3"]', '["*shape[:-1]","heads","dim-1//heads"]', '["*shape[:-2]","dim-2·dim-1"]', '["*shape[:-1]","width"]']);
    const projections = graph.nodes.filter((n) => n.op === 'matmul' && n.attrs.bias === true).map((n) => [n.attrs.in, n.attrs.out]);
    assert.deepEqual(projections, [['width', 'width·3'], ['width', 'width']]);
  });

  it('follows a lambda passed to a sublayer that calls it (BERT-pytorch\'s SublayerConnection), with the variables it closes over', () => {
    const ops = all.get('LambdaSublayerBlock')!.nodes.map((n) => n.op);
    assert.deepEqual(ops.filter((op) => op !== 'input'), ['layer_norm', 'multihead_attention', 'add', 'layer_norm', 'linear', 'gelu', 'linear', 'add']);
  });

  it('feeds a DCGAN-style generator a latent vector of 1×1, which its first transposed convolution grows', () => {
    const details = result(runs.get('LatentGenerator')!, 'init-loss').details ?? [];
    assert.ok(details.includes('input `input` taken as 16×1×1 (a latent vector: the transposed convolution it enters grows it from 1×1, as DCGAN generators write)'), details.join('\n'));
  });

  it('states the width it gave a linear layer whose size comes from options it cannot read', () => {
    const notes = runs.get('ConvGenerator')?.notes ?? [];
    assert.ok(notes.some((n) => /^l1\.out_features taken as 2048 .*--set l1\.out_features=N/.test(n)), notes.join('\n'));
  });

  it('scales the channels of a generator view with the widths, keeping its images square', async () => {
    const ready = await initBackend('wasm', 0);
    const graph = resolveSizes(all.get('ConvGenerator')!, {}).graph;
    const half = buildProbeModel(ready.tf, graph, { seed: 0, widthScale: 0.5 });
    try {
      // l1 holds 1,024 values at half width: viewed as 64 channels of 4×4 (128 of √8 × √8 cannot be).
      assert.deepEqual(half.params.map((p) => p.variable.shape), [[16, 1024], [1024], [4, 4, 64, 16], [16], [4, 4, 16, 3], [3]]);
    } finally {
      half.dispose();
    }
  });
});
