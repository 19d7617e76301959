// The probe worker's entry: a child process (child_process.fork) that receives one ProbeRequest, chooses and
// initialises the backend, runs the probes and sends back progress and one result or error, then exits. Training
// never runs in the language server's or the CLI's process; the parent enforces the time and memory limits and
// cancels by killing this process.

import { estimateParameters, describeError, runProbes } from './runProbes';
import { initBackend } from './backends';
import { resolveSizes } from './sizes';
import type { WorkerMessage, WorkerRequestMessage } from './workerProtocol';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

process.on('message', (message: WorkerRequestMessage) => {
  if (message?.type !== 'run') return;
  void (async () => {
    try {
      const request = message.request;
      const convolutional = [request.graph, request.spec].some((g) => g?.nodes.some((n) => /^conv/.test(n.op)));
      const backend = await initBackend(request.backend, estimateParameters(resolveSizes(request.graph, request.sizes).graph), convolutional);
      await send({ type: 'backend', backend: backend.backend, reason: backend.reason });
      // process.send writes to the IPC pipe at once when it can, so each verdict leaves while the next probe trains.
      const run = runProbes(backend.tf, backend, request, {
        onProgress: (progress) => void send({ type: 'progress', progress }),
        onResult: (result, header) => void send({ type: 'probe-result', result, header }),
      });
      await send({ type: 'result', run });
    } catch (error) {
      await send({ type: 'error', ...describeError(error) });
    } finally {
      process.disconnect?.();
      process.exit(0);
    }
  })();
});

if (!process.send) {
  process.stderr.write('the probe worker runs as a child process of Model Audit (child_process.fork), not on its own\n');
  process.exit(2);
}
