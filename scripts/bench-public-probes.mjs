// `npm run bench:probes [-- --json] [--timed N] [--planted N]`: the probes on public model code, read from the
// fetched snapshots (scripts/bench/mirror.mjs; nothing is copied into the repository). Prints
//  - the build rate: of the models the frontends extract (two or more affine layers), how many every probe can
//    build (sizes left open get the probes' stated values), and for the others the op and message that stopped them;
//  - time per probe and the `--probe all` total on a sample of built models, in-process on WASM with the default
//    30 s budget (what the budget scaled is listed);
//  - verdict agreement on planted bugs: every activation removed from a model whose remaining ops are all linear
//    (the whole model collapses to one linear map), so the nonlinearity probe should turn from not-fail to fail.
// Runs the TypeScript sources through tsx. A benchmark, not a test: it prints figures and never fails.
import { loadSource as load } from './bench/loadSources.mjs';
import { readRepoFiles } from './bench/mirror.mjs';

const { analyzeSource } = load('server/src/core/analyze.ts');
const { loadParsers } = load('server/src/parsing/loadParsers.ts');
const { languageOfPath } = load('server/src/core/languages.ts');
const { initBackend } = load('server/src/probe/backends.ts');
const { buildProbeModel } = load('server/src/probe/buildModel.ts');
const { runProbes, estimateParameters, describeError } = load('server/src/probe/runProbes.ts');
const { resolveSizes } = load('server/src/probe/sizes.ts');
const { createImportResolver } = load('server/src/workspace/pythonImports.ts');
const { ModuleMirrors } = load('server/src/core/analyze.ts');

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const TIMED = option('--timed', 8);
const PLANTED = option('--planted', 12);
const PROBES = ['nonlinearity', 'overfit', 'init-loss', 'gradient-flow'];
const MAX_PARAMETERS = 5_000_000;

const REPOS = [
  ['pytorch/examples', (p) => p.endsWith('.py')],
  ['karpathy/nanoGPT', (p) => p.endsWith('.py')],
  ['codertimo/BERT-pytorch', (p) => p.endsWith('.py')],
  ['jadore801120/attention-is-all-you-need-pytorch', (p) => p.endsWith('.py')],
  ['eriklindernoren/PyTorch-GAN', (p) => p.endsWith('.py')],
  ['huggingface/pytorch-openai-transformer-lm', (p) => p.endsWith('.py')],
  ['keras-team/keras', (p) => p.startsWith('examples/') && p.endsWith('.py')],
  ['tensorflow/tfjs-examples', (p) => /\.(js|ts)$/.test(p) && !p.includes('node_modules') && !/dist\/|\.min\./.test(p)],
];

const log = (line) => { if (!json) console.log(line); };
const parsers = await loadParsers();
const models = [];
const missing = [];
for (const [repo, keep] of REPOS) {
  const files = readRepoFiles(repo, keep, { maxBytes: 300_000 });
  if (!files) {
    missing.push(repo);
    continue;
  }
  // Imports within the repository are followed, as `model-audit probe` follows them in a checkout.
  const root = `/bench/${repo.replace('/', '+')}`;
  const texts = new Map(files.map((f) => [`${root}/${f.path}`, f.text]));
  const resolveImport = createImportResolver([root], root, (absolute) => texts.get(absolute));
  const modules = new ModuleMirrors();
  for (const file of files) {
    const language = languageOfPath(file.path);
    if (!language) continue;
    let analysis;
    try {
      analysis = analyzeSource({ file: { path: `${root}/${file.path}`, language, text: file.text }, parsers, resolveImport, modules });
    } catch {
      continue;
    }
    for (const m of analysis.models) {
      const affine = m.graph.nodes.filter((n) => n.category === 'affine').length;
      if (affine < 2) continue;
      const graph = resolveSizes(m.graph).graph;
      const parameters = estimateParameters(graph);
      if (parameters > MAX_PARAMETERS) continue;
      models.push({ repo, path: file.path, name: m.graph.name, graph: m.graph, parameters });
    }
  }
}

const ready = await initBackend('wasm', 0);
const { tf } = ready;
const failures = new Map();
const built = [];
for (const m of models) {
  tf.engine().startScope();
  try {
    const model = buildProbeModel(tf, resolveSizes(m.graph).graph, { seed: 0 });
    model.dispose();
    built.push(m);
  } catch (error) {
    const { message, op } = describeError(error);
    const key = op ?? message.slice(0, 60);
    const entry = failures.get(key) ?? { count: 0, example: `${m.repo}/${m.path} ${m.name}: ${message}` };
    entry.count++;
    failures.set(key, entry);
  } finally {
    tf.engine().endScope();
  }
}
const rate = models.length ? built.length / models.length : 0;
log(`public models with two or more affine layers, up to ${MAX_PARAMETERS.toLocaleString('en-US')} parameters: ${models.length}${missing.length ? ` (not fetched: ${missing.join(', ')})` : ''}`);
log(`build rate: ${built.length}/${models.length} = ${(rate * 100).toFixed(1)} %`);
for (const [repo] of REPOS) {
  const all = models.filter((m) => m.repo === repo).length;
  if (all) log(`  ${repo.padEnd(48)} ${built.filter((m) => m.repo === repo).length}/${all}`);
}
if (failures.size) log('what stopped the others (op: count, one example):');
for (const [op, { count, example }] of [...failures].sort((a, b) => b[1].count - a[1].count)) log(`  ${op}: ${count}  e.g. ${example.slice(0, 220)}`);

// Time per probe on a spread of sizes: the built models sorted by parameters, TIMED of them evenly spaced.
const bySize = [...built].sort((a, b) => a.parameters - b.parameters);
const timed = Array.from({ length: Math.min(TIMED, bySize.length) }, (_, i) => bySize[Math.floor((i * (bySize.length - 1)) / Math.max(1, TIMED - 1))]);
const timings = [];
log('\n--probe all in-process on WASM with the 30 s budget (seconds per probe):');
for (const m of [...new Set(timed)]) {
  try {
    const run = runProbes(tf, ready, { graph: m.graph, probes: PROBES, backend: 'wasm', seed: 0 });
    const row = { model: `${m.repo}/${m.path}:${m.name}`, parameters: m.parameters, total: run.seconds, probes: Object.fromEntries(run.results.map((r) => [r.probe, { seconds: r.seconds, verdict: r.verdict }])), scaled: run.notes.find((n) => n.startsWith('hidden widths scaled')) ?? null };
    timings.push(row);
    log(`  ${row.model.slice(0, 70).padEnd(70)} ${String(m.parameters).padStart(8)}  ${PROBES.map((p) => `${p} ${row.probes[p]?.seconds.toFixed(1)} ${row.probes[p]?.verdict}`).join(', ')}; total ${run.seconds.toFixed(1)} s${row.scaled ? ` [${row.scaled.split(' to give')[0]}]` : ''}`);
  } catch (error) {
    log(`  ${m.repo}/${m.path}:${m.name}: ${describeError(error).message}`);
  }
}

// Planted bugs: drop every activation from models whose other ops are all linear, so the whole model collapses.
const LINEAR_OPS = new Set(['input', 'flatten', 'view', 'reshape', 'permute', 'transpose', 'squeeze', 'unsqueeze', 'identity', 'contiguous', 'dropout', 'alpha_dropout', 'add', 'sub', 'concat', 'scale', 'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'mean', 'sum', 'pad', 'slice']);
const withoutActivations = (graph) => {
  const replaced = new Map();
  const resolve = (id) => (replaced.has(id) ? resolve(replaced.get(id)) : id);
  for (const n of graph.nodes) if (n.category === 'activation' && n.inputs.length === 1) replaced.set(n.id, n.inputs[0]);
  const nodes = graph.nodes.filter((n) => !replaced.has(n.id)).map((n) => ({ ...n, inputs: n.inputs.map(resolve) }));
  return { ...graph, name: `${graph.name} without activations`, nodes, outputs: graph.outputs.map(resolve) };
};
const eligible = built.filter((m) => m.graph.nodes.some((n) => n.category === 'activation') && m.graph.nodes.every((n) => n.category === 'activation' || n.category === 'affine' && n.op !== 'bilinear' || LINEAR_OPS.has(n.op)) && m.graph.inputs.length === 1);
const agreement = [];
log(`\nplanted bugs (every activation removed; ${eligible.length} models collapse to linear without them; ${Math.min(PLANTED, eligible.length)} probed, nonlinearity only, 15 s budget each):`);
for (const m of eligible.slice(0, PLANTED)) {
  try {
    const before = runProbes(tf, ready, { graph: m.graph, probes: ['nonlinearity'], backend: 'wasm', seed: 0, budgetSeconds: 15 }).results[0];
    const after = runProbes(tf, ready, { graph: withoutActivations(m.graph), probes: ['nonlinearity'], backend: 'wasm', seed: 0, budgetSeconds: 15 }).results[0];
    const agrees = before.verdict !== 'fail' && after.verdict === 'fail';
    agreement.push({ model: `${m.repo}/${m.path}:${m.name}`, before: before.verdict, after: after.verdict, agrees });
    log(`  ${agrees ? '✓' : '✗'} ${`${m.repo}/${m.path}:${m.name}`.slice(0, 80).padEnd(80)} healthy ${before.verdict}, planted ${after.verdict}`);
  } catch (error) {
    log(`  ${m.repo}/${m.path}:${m.name}: ${describeError(error).message}`);
  }
}
const agreed = agreement.filter((a) => a.agrees).length;
log(`verdict agreement on planted bugs: ${agreed}/${agreement.length}${agreement.length ? ` = ${((agreed / agreement.length) * 100).toFixed(0)} %` : ''}`);
const perProbe = Object.fromEntries(PROBES.map((p) => {
  const xs = timings.map((t) => t.probes[p]?.seconds).filter((x) => x !== undefined).sort((a, b) => a - b);
  return [p, xs.length ? { median: xs[Math.floor(xs.length / 2)], max: xs[xs.length - 1] } : null];
}));
log(`per probe (median / max s): ${PROBES.map((p) => `${p} ${perProbe[p]?.median.toFixed(1)} / ${perProbe[p]?.max.toFixed(1)}`).join(', ')}; --probe all max ${Math.max(0, ...timings.map((t) => t.total)).toFixed(1)} s`);
if (json) console.log(JSON.stringify({ models: models.length, built: built.length, rate, failures: Object.fromEntries([...failures].map(([k, v]) => [k, v.count])), timings, perProbe, agreement }, null, 2));
