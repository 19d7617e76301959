// The probe worker process: results come back over IPC, the time limit and cancellation kill training, a crashed
// worker and a model the probe cannot build are clear errors.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ProbeWorkerError, runProbesInWorker } from '../../server/src/probe/runInWorker';
import type { ProbeProgress } from '../../server/src/probe/types';
import { sampleGraph } from './helpers';

describe('probe worker process', () => {
  it('runs probes in a child process and reports the backend and why', async () => {
    const graph = await sampleGraph('probe_unused_layer.py', 'SkippedLayerRegressor');
    const progress: ProbeProgress[] = [];
    const run = await runProbesInWorker({ graph, probes: ['gradient-flow', 'init-loss'], backend: 'auto', seed: 0 }, { onProgress: (p) => progress.push(p) });
    assert.equal(run.version, 1);
    assert.equal(run.model, 'SkippedLayerRegressor');
    assert.equal(run.backend, 'cpu');
    assert.match(run.backendReason, /^auto: .*parameters/);
    assert.deepEqual(run.results.map((r) => [r.probe, r.verdict]), [['gradient-flow', 'fail'], ['init-loss', 'pass']]);
    assert.ok(progress.some((p) => p.probe === 'gradient-flow'));
  });

  it('stops a run that exceeds its time limit', async () => {
    const graph = await sampleGraph('probe_double_softmax.py', 'DoubleSoftmaxClassifier');
    const started = Date.now();
    await assert.rejects(
      runProbesInWorker({ graph, probes: ['overfit'], backend: 'cpu', seed: 0, steps: 10_000_000 }, { timeoutMs: 4000 }),
      (e: unknown) => e instanceof ProbeWorkerError && e.kind === 'timeout' && /did not finish within 4 s/.test(e.message),
    );
    assert.ok(Date.now() - started < 20_000);
  });

  it('cancels: aborting kills the worker while it trains', async () => {
    const graph = await sampleGraph('probe_double_softmax.py', 'DoubleSoftmaxClassifier');
    const controller = new AbortController();
    let sawTraining = false;
    await assert.rejects(
      runProbesInWorker({ graph, probes: ['overfit'], backend: 'cpu', seed: 0, steps: 10_000_000 }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.step !== undefined && !sawTraining) {
            sawTraining = true;
            controller.abort();
          }
        },
      }),
      (e: unknown) => e instanceof ProbeWorkerError && e.kind === 'cancelled',
    );
    assert.ok(sawTraining);
  });

  it('stops a worker that goes over its memory limit', async () => {
    // A Linear(20000, 20000) has 400 M parameters, 1.6 GB of weights: far over a 400 MB limit.
    const graph = await sampleGraph('probe_xor_mlp.py', 'XorMLP');
    const huge = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.op === 'input' ? { ...n, shape: [20000] } : n.op === 'linear' && n.attrs.in === 2 ? { ...n, attrs: { ...n.attrs, in: 20000, out: 20000 } } : n.op === 'linear' ? { ...n, attrs: { ...n.attrs, in: 20000 } } : n)),
    };
    await assert.rejects(
      runProbesInWorker({ graph: huge, probes: ['init-loss'], backend: 'cpu', seed: 0 }, { maxMemoryMb: 400 }),
      (e: unknown) => e instanceof ProbeWorkerError && e.kind === 'out-of-memory' && /limit of 400 MB|limit 400 MB/.test(e.message),
    );
  });

  it('reports a crashed worker with its exit code and last words', async () => {
    const graph = await sampleGraph('probe_xor_mlp.py', 'XorMLP');
    await assert.rejects(
      runProbesInWorker({ graph, probes: ['overfit'], backend: 'cpu', seed: 0 }, { workerPath: join(__dirname, 'fixtures', 'crashingWorker.ts') }),
      (e: unknown) => e instanceof ProbeWorkerError && e.kind === 'crashed' && /exit code 3/.test(e.message) && /simulated native crash/.test(e.message),
    );
  });
});
