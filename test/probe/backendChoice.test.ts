// The backend choice, with availability injected: the GPU path is tested here because no machine in CI has CUDA.

import { strict as assert } from 'node:assert';
import { type BackendAvailability, chooseBackend, WASM_MIN_PARAMETERS } from '../../server/src/probe/backendChoice';

const none: BackendAvailability = { tfjsNodeGpu: false, cudaDevice: false, tfjsNode: false, wasm: true };

describe('probe backend choice', () => {
  it('auto prefers tensorflow-gpu when tfjs-node-gpu is installed and a CUDA device is visible', () => {
    const c = chooseBackend('auto', { ...none, tfjsNodeGpu: true, cudaDevice: true, tfjsNode: true }, 1000);
    assert.ok(!('error' in c));
    assert.equal(c.backend, 'tensorflow-gpu');
    assert.match(c.reason, /CUDA device/);
  });

  it('auto falls back to tfjs-node when the GPU package has no device, and says so', () => {
    const c = chooseBackend('auto', { ...none, tfjsNodeGpu: true, cudaDevice: false, tfjsNode: true }, 1000);
    assert.ok(!('error' in c));
    assert.equal(c.backend, 'tensorflow');
    assert.match(c.reason, /no CUDA device/);
  });

  it('auto picks tfjs-node over the JS backends whatever the size', () => {
    const c = chooseBackend('auto', { ...none, tfjsNode: true }, 10);
    assert.ok(!('error' in c) && c.backend === 'tensorflow');
  });

  it('auto picks cpu for tiny nets and wasm from the measured threshold on', () => {
    const small = chooseBackend('auto', none, WASM_MIN_PARAMETERS - 1);
    const large = chooseBackend('auto', none, WASM_MIN_PARAMETERS);
    assert.ok(!('error' in small) && small.backend === 'cpu');
    assert.ok(!('error' in large) && large.backend === 'wasm');
    assert.match(large.reason, /parameters/);
  });

  it('auto picks wasm for a small convolutional net, whose convolutions crawl on the pure-JS backend', () => {
    const c = chooseBackend('auto', none, 500, true);
    assert.ok(!('error' in c) && c.backend === 'wasm');
    assert.match(c.reason, /convolutions/);
  });

  it('auto uses cpu when the WASM files are missing', () => {
    const c = chooseBackend('auto', { ...none, wasm: false }, 10 * WASM_MIN_PARAMETERS);
    assert.ok(!('error' in c) && c.backend === 'cpu');
    assert.match(c.reason, /no WASM/);
  });

  it('a forced backend that is not available is an error naming the package', () => {
    const gpu = chooseBackend('tensorflow-gpu', none, 1);
    assert.ok('error' in gpu && /tfjs-node-gpu/.test(gpu.error));
    const noDevice = chooseBackend('tensorflow-gpu', { ...none, tfjsNodeGpu: true }, 1);
    assert.ok('error' in noDevice && /CUDA device/.test(noDevice.error));
    const node = chooseBackend('tensorflow', none, 1);
    assert.ok('error' in node && /tfjs-node/.test(node.error));
  });

  it('a forced available backend runs with that reason', () => {
    const c = chooseBackend('cpu', { ...none, tfjsNode: true }, 1e6);
    assert.ok(!('error' in c));
    assert.equal(c.backend, 'cpu');
    assert.equal(c.reason, 'requested with --backend');
  });
});
