// Which TensorFlow.js backend a probe runs on. Pure: what is installed and which devices exist are handed in, so the
// choice (and the GPU path, which cannot run on a machine without CUDA) is unit-tested with injected availability.

export const BACKENDS = ['cpu', 'wasm', 'tensorflow', 'tensorflow-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export namespace BackendName {
  export function is(value: string): value is BackendName | 'auto' {
    return value === 'auto' || (BACKENDS as readonly string[]).includes(value);
  }
}

export interface BackendAvailability {
  /** `@tensorflow/tfjs-node-gpu` loads. */
  readonly tfjsNodeGpu: boolean;
  /** A CUDA device is visible (an NVIDIA driver with at least one GPU, not hidden by CUDA_VISIBLE_DEVICES). */
  readonly cudaDevice: boolean;
  /** `@tensorflow/tfjs-node` loads. */
  readonly tfjsNode: boolean;
  /** `@tensorflow/tfjs-backend-wasm` and its .wasm files are present. */
  readonly wasm: boolean;
}

export interface BackendChoice {
  readonly backend: BackendName;
  readonly reason: string;
}

/**
 * From this many parameters on the WASM backend beats the pure-JS one (scripts/bench-probes.mjs on 2 cores: a
 * 65-parameter MLP trains faster on cpu, a 2 800-parameter one already 1.5–2.5× faster on WASM, and a 235 000-parameter
 * MLP takes minutes on cpu against seconds on WASM).
 */
export const WASM_MIN_PARAMETERS = 2_000;

/** The backend to use, or an error message when a forced backend is not available. */
export function chooseBackend(requested: BackendName | 'auto', available: BackendAvailability, parameters: number, convolutional = false): BackendChoice | { readonly error: string } {
  switch (requested) {
    case 'tensorflow-gpu':
      if (!available.tfjsNodeGpu) return { error: 'backend tensorflow-gpu needs @tensorflow/tfjs-node-gpu, which is not installed (see docs/probes.md)' };
      if (!available.cudaDevice) return { error: 'backend tensorflow-gpu needs a CUDA device, and none is visible' };
      return { backend: 'tensorflow-gpu', reason: 'requested with --backend' };
    case 'tensorflow':
      if (!available.tfjsNode) return { error: 'backend tensorflow needs @tensorflow/tfjs-node, which is not installed (see docs/probes.md)' };
      return { backend: 'tensorflow', reason: 'requested with --backend' };
    case 'wasm':
      if (!available.wasm) return { error: 'backend wasm needs the @tensorflow/tfjs-backend-wasm .wasm files, which were not found' };
      return { backend: 'wasm', reason: 'requested with --backend' };
    case 'cpu':
      return { backend: 'cpu', reason: 'requested with --backend' };
    case 'auto':
      break;
  }
  if (available.tfjsNodeGpu && available.cudaDevice) return { backend: 'tensorflow-gpu', reason: 'auto: @tensorflow/tfjs-node-gpu is installed and a CUDA device is visible' };
  const gpuNote = available.tfjsNodeGpu ? ' (tfjs-node-gpu is installed but no CUDA device is visible)' : '';
  if (available.tfjsNode) return { backend: 'tensorflow', reason: `auto: @tensorflow/tfjs-node is installed${gpuNote}` };
  const count = parameters.toLocaleString('en-US');
  if (available.wasm && convolutional) {
    return { backend: 'wasm', reason: `auto: no native TensorFlow${gpuNote}; convolutions train far faster on WASM than on the pure-JS backend` };
  }
  if (available.wasm && parameters >= WASM_MIN_PARAMETERS) {
    return { backend: 'wasm', reason: `auto: no native TensorFlow${gpuNote}; ${count} parameters, at or above ${WASM_MIN_PARAMETERS.toLocaleString('en-US')}, run faster on WASM` };
  }
  if (!available.wasm) return { backend: 'cpu', reason: `auto: no native TensorFlow and no WASM files${gpuNote}` };
  return { backend: 'cpu', reason: `auto: no native TensorFlow${gpuNote}; ${count} parameters, below ${WASM_MIN_PARAMETERS.toLocaleString('en-US')}, run faster on the pure-JS backend (WASM's per-op overhead dominates tiny nets)` };
}
