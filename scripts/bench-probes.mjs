// `node scripts/bench-probes.mjs [--json]`: each probe's wall time on an MLP and a small CNN (and a tiny net, to
// place the cpu/wasm crossover) on every backend available here, in-process so the numbers are the probes' own.
// Also times one round trip through the worker process. Runs the TypeScript sources through tsx.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSource as load, root } from './bench/loadSources.mjs';

const { analyzeSource } = load('server/src/core/analyze.ts');
const { loadParsers } = load('server/src/parsing/loadParsers.ts');
const { initBackend, detectBackends } = load('server/src/probe/backends.ts');
const { runProbes, estimateParameters } = load('server/src/probe/runProbes.ts');
const { runProbesInWorker } = load('server/src/probe/runInWorker.ts');

const MODELS = [
  ['samples/probe_xor_mlp.py', 'XorMLP', 'tiny MLP'],
  ['samples/probe_logits_classifier.py', 'LogitsClassifier', 'small MLP'],
  ['samples/sequential_missing_activation.py', 'TabularNet', 'small MLP'],
  ['samples/deep_mlp.py', 'DeepMLP', 'MLP'],
  ['samples/mnist_mlp.py', 'MnistMLP', 'MLP'],
  ['samples/lenet_cnn.py', 'LeNet5', 'CNN'],
];
const PROBES = ['nonlinearity', 'overfit', 'init-loss', 'gradient-flow'];

const parsers = await loadParsers();
const graphs = MODELS.map(([path, name, kind]) => {
  const analysis = analyzeSource({ file: { path, language: 'python', text: readFileSync(join(root, path), 'utf8') }, parsers });
  const graph = analysis.models.find((m) => m.graph.name === name).graph;
  return { graph, kind, parameters: estimateParameters(graph) };
});

const json = process.argv.includes('--json');
function print(r) {
  if (!json) console.log(`${r.backend.padEnd(8)} ${r.model.padEnd(16)} ${r.kind.padEnd(9)} ${String(r.parameters).padStart(7)}   ${r.probe.padEnd(14)} ${r.seconds === null ? '     -' : r.seconds.toFixed(2).padStart(6)}   ${r.verdict}`);
  return r;
}
const available = detectBackends();
const backends = ['cpu', ...(available.wasm ? ['wasm'] : []), ...(available.tfjsNode ? ['tensorflow'] : []), ...(available.tfjsNodeGpu && available.cudaDevice ? ['tensorflow-gpu'] : [])];
const rows = [];
if (!json) {
  console.log(`backends available: ${backends.join(', ')}`);
  console.log('backend  model            kind      params    probe          seconds  verdict');
}
for (const backend of backends) {
  const ready = await initBackend(backend, 0);
  for (const { graph, kind, parameters } of graphs) {
    // The pure-JS backend takes minutes per probe on the larger nets; its row says so instead of running.
    if (backend === 'cpu' && parameters > 20_000 && !process.argv.includes('--all')) {
      rows.push(print({ backend, model: graph.name, kind, parameters, probe: '(all)', seconds: null, verdict: 'skipped: slow on cpu, pass --all' }));
      continue;
    }
    // One warm-up so that kernel compilation is not charged to the first probe.
    runProbes(ready.tf, ready, { graph, probes: ['init-loss'], backend, seed: 0 });
    for (const probe of PROBES) {
      const run = runProbes(ready.tf, ready, { graph, probes: [probe], backend, seed: 0 });
      const r = run.results[0];
      rows.push(print({ backend, model: graph.name, kind, parameters, probe, seconds: r.seconds, verdict: r.verdict }));
    }
  }
}
const t0 = performance.now();
await runProbesInWorker({ graph: graphs[0].graph, probes: ['init-loss'], backend: 'cpu', seed: 0 });
const workerRoundTrip = Math.round(performance.now() - t0) / 1000;

if (json) console.log(JSON.stringify({ backends, rows, workerRoundTrip }, null, 2));
else console.log(`worker round trip (fork, load, init-loss on ${graphs[0].graph.name}): ${workerRoundTrip.toFixed(2)} s`);
