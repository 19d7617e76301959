// Probes on models written the way public code writes them: sizes left to the constructor or a config object, a
// VAE's exp and noise, a language model (embedding with its vocabulary from an argument, LSTM), a critic with two
// inputs joined by torch.cat, written-out causal self-attention, a ModuleDict of embeddings, and a 1.2-million-
// parameter conv net that the time budget has to scale. Each fixture reproduces a failure reported on real models.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../server/src/core/analyze';
import type { ModelGraph } from '../../server/src/core/graph';
import { initBackend } from '../../server/src/probe/backends';
import { runProbes } from '../../server/src/probe/runProbes';
import { evaluateSize, resolveSizes } from '../../server/src/probe/sizes';
import type { ProbeId, ProbeRequest, ProbeRun } from '../../server/src/probe/types';
import { parsers } from '../helpers/parsers';
import { result } from './helpers';

const FIXTURES = join(__dirname, 'fixtures', 'real');

async function fixture(file: string, model: string): Promise<ModelGraph> {
  const path = join(FIXTURES, file);
  const analysis = analyzeSource({ file: { path, language: 'python', text: readFileSync(path, 'utf8') }, parsers: await parsers() });
  const found = analysis.models.find((m) => m.graph.name === model);
  if (!found) throw new Error(`${file} has no model ${model}`);
  return found.graph;
}

async function probe(graph: ModelGraph, probes: ProbeId[], extra: Partial<ProbeRequest> = {}): Promise<ProbeRun> {
  const backend = extra.backend === 'wasm' ? 'wasm' : 'cpu';
  const ready = await initBackend(backend, 0);
  return runProbes(ready.tf, ready, { graph, probes, seed: 0, steps: 40, ...extra, backend });
}

describe('probes on real-world model code', () => {
  it('gives constructor arguments without defaults small stated values, and --set values win', async () => {
    const graph = await fixture('ctor_args.py', 'TabularClassifier');
    const assumed = await probe(graph, ['init-loss']);
    assert.ok(assumed.notes.some((n) => /^n_features taken as 32 .*--set n_features=N/.test(n)), assumed.notes.join('\n'));
    assert.ok(assumed.notes.includes('n_classes taken as 10 (the code leaves it open; --set n_classes=N to choose)'));
    assert.match(result(assumed, 'init-loss').summary, /ln 10/);
    assert.deepEqual(assumed.assumptions.map((a) => [a.name, a.value, a.source]), [['n_features', 32, 'assumed'], ['n_classes', 10, 'assumed']]);
    const set = await probe(graph, ['init-loss'], { sizes: { n_classes: 3, n_features: 7 } });
    assert.ok(set.notes.includes('n_classes set to 3'));
    assert.match(result(set, 'init-loss').summary, /ln 3 = 1\.099/);
    assert.ok(result(set, 'init-loss').details?.some((d) => /input `x` taken as 7/.test(d)));
  });

  it('evaluates size expressions as the frontend writes them, with a config object', () => {
    const sizes: Record<string, number> = { 'config.n_embd': 48, 'config.n_head': 4, C: 48 };
    assert.equal(evaluateSize('3·config.n_embd', (n) => sizes[n]), 144);
    assert.equal(evaluateSize('C//config.n_head', (n) => sizes[n]), 12);
    assert.equal(evaluateSize('config.n_embd+2*(config.n_head-1)', (n) => sizes[n]), 54);
    assert.equal(evaluateSize('x.size', () => undefined), undefined);
    const { assumptions } = resolveSizes({ name: 'G', nodes: [{ id: 0, op: 'linear', category: 'affine', inputs: [], attrs: { in: 'config.n_embd', out: 'config.vocab_size' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }] } as unknown as ModelGraph, { vocab_size: 100 });
    assert.deepEqual(assumptions.map((a) => `${a.name}=${a.value} ${a.source}`), ['config.n_embd=32 assumed', 'config.vocab_size=100 set']);
  });

  it('builds a VAE whose reparameterisation uses exp and noise, and the gradient reaches the log-variance', async () => {
    const run = await probe(await fixture('vae.py', 'TinyVAE'), ['init-loss', 'gradient-flow']);
    const flow = result(run, 'gradient-flow');
    assert.equal(flow.verdict, 'pass', flow.summary);
    assert.ok(flow.details?.some((d) => /^logvar \(line \d+\): ‖∇‖ [0-9.e-]+ at init/.test(d) && !/‖∇‖ 0\.0000 at init/.test(d)), flow.details?.join('\n'));
  });

  it('builds a language model: embedding sized by a constructor argument, LSTM, decoder over the vocabulary', async () => {
    const run = await probe(await fixture('lm.py', 'WordLM'), ['init-loss', 'nonlinearity'], { steps: 8, backend: 'wasm' });
    assert.ok(run.notes.some((n) => n.startsWith('ntoken taken as 64')));
    assert.match(result(run, 'init-loss').summary, /ln 64/);
    const nl = result(run, 'nonlinearity');
    assert.ok(nl.details?.includes('whole model probed from its embeddings on: its input is token ids, and any function of a token is a lookup'));
    assert.ok((nl.metrics.stages_probed as number) >= 1);
  });

  it('feeds a two-input critic joined by torch.cat: the widths add up to what fc1 reads', async () => {
    const run = await probe(await fixture('critic.py', 'Critic'), ['init-loss', 'nonlinearity']);
    const details = result(run, 'init-loss').details ?? [];
    assert.ok(details.includes('input `obs` taken as 12 (`fc1` takes 23 features from their concatenation)'), details.join('\n'));
    assert.ok(details.includes('input `act` taken as 11 (`fc1` takes 23 features from their concatenation)'));
    assert.ok(result(run, 'nonlinearity').details?.some((d) => d.startsWith('whole model: loss')));
  });

  it('builds written-out causal self-attention (split, view, transpose, matmul, scale, softmax) inside a block', async () => {
    const run = await probe(await fixture('gpt.py', 'Block'), ['gradient-flow'], { steps: 10, backend: 'wasm' });
    const flow = result(run, 'gradient-flow');
    assert.equal(flow.verdict, 'pass', flow.summary);
    for (const layer of ['ln_1', 'attn.c_attn', 'attn.c_proj', 'fc', 'proj']) assert.ok(flow.details?.some((d) => d.startsWith(`${layer} (line`)), `${layer}: ${flow.details?.join('\n')}`);
    assert.ok(run.notes.some((n) => n.startsWith('config.n_embd taken as 32')) && run.notes.some((n) => n.startsWith('config.n_head taken as 4')));
  });

  it('builds a GPT whose embeddings and blocks sit in a ModuleDict, with the vocabulary size the user set', async () => {
    const graph = await fixture('gpt.py', 'TinyGPT');
    assert.deepEqual(graph.nodes.filter((n) => n.op === 'opaque').map((n) => n.label), []);
    const run = await probe(graph, ['init-loss'], { sizes: { vocab_size: 50 } });
    assert.match(result(run, 'init-loss').summary, /ln 50/);
  });

  it('gives every verdict for a 1.2M-parameter conv net within its budget, saying what it scaled', async function () {
    this.timeout(240_000);
    const ready = await initBackend('wasm', 0);
    const graph = await fixture('conv_net.py', 'DigitNet');
    const run = runProbes(ready.tf, ready, { graph, probes: ['nonlinearity', 'overfit', 'init-loss', 'gradient-flow'], backend: 'wasm', seed: 0, budgetSeconds: 12 });
    assert.ok(run.parameters > 1_000_000);
    assert.ok(run.notes.some((n) => /^hidden widths scaled by 0\.\d+.* to give every verdict within the 12 s budget/.test(n)), run.notes.join('\n'));
    assert.deepEqual(run.results.map((r) => r.probe), ['nonlinearity', 'overfit', 'init-loss', 'gradient-flow']);
    assert.equal(result(run, 'init-loss').verdict, 'pass');
    assert.equal(result(run, 'gradient-flow').verdict, 'pass');
    assert.notEqual(result(run, 'nonlinearity').verdict, 'fail');
  });
});
