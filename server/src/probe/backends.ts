// Detects and initialises the TensorFlow.js backends inside the probe worker. The native packages
// (@tensorflow/tfjs-node, -node-gpu) are optional and loaded with require() at run time, from beside this file or from
// the user's working directory; each brings its own copy of tfjs-core, so the namespace it exports is the one the
// probes use. The pure-JS and WASM backends come with the extension.

import * as tfCore from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// A named import: a bare one is dropped by bundlers, as the package marks its CommonJS entry side-effect free.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TF } from './buildModel';
import { type BackendAvailability, type BackendChoice, type BackendName, chooseBackend } from './backendChoice';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Where the WASM backend's .wasm files are: dist/wasm beside the bundle, or the package in node_modules. */
export function wasmDirectory(): string | undefined {
  for (const dir of [join(__dirname, 'wasm'), join(__dirname, '..', 'dist', 'wasm'), join(__dirname, '..', '..', '..', 'dist', 'wasm')]) {
    if (existsSync(join(dir, WASM_FILES[0]!))) return dir;
  }
  try {
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  } catch {
    return undefined;
  }
}

function requireOptional(name: string): unknown {
  const bases = [__filename, join(process.cwd(), 'package.json')];
  for (const base of bases) {
    try {
      return createRequire(base)(name);
    } catch {
      // Not installed there, or its native binary failed to load; try the next place.
    }
  }
  return undefined;
}

/** A CUDA device is visible: the NVIDIA driver lists a GPU and CUDA_VISIBLE_DEVICES does not hide them all. */
export function cudaDeviceVisible(env: NodeJS.ProcessEnv = process.env): boolean {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined && (visible.trim() === '' || visible.trim() === '-1')) return false;
  try {
    return readdirSync('/proc/driver/nvidia/gpus').length > 0;
  } catch {
    return false;
  }
}

let nativeGpu: TF | null | undefined;
let native: TF | null | undefined;

/** What is installed here. Loading a native package is tried once per process. */
export function detectBackends(): BackendAvailability {
  const cuda = cudaDeviceVisible();
  // tfjs-node-gpu is only loaded when a device exists: loading it registers a backend that would shadow tfjs-node.
  if (nativeGpu === undefined) nativeGpu = cuda ? ((requireOptional('@tensorflow/tfjs-node-gpu') as TF | undefined) ?? null) : null;
  if (native === undefined) native = nativeGpu ? null : ((requireOptional('@tensorflow/tfjs-node') as TF | undefined) ?? null);
  return {
    tfjsNodeGpu: nativeGpu !== null || (!cuda && packageExists('@tensorflow/tfjs-node-gpu')),
    cudaDevice: cuda,
    tfjsNode: native !== null,
    wasm: wasmDirectory() !== undefined,
  };
}

function packageExists(name: string): boolean {
  for (const base of [__filename, join(process.cwd(), 'package.json')]) {
    try {
      createRequire(base).resolve(`${name}/package.json`);
      return true;
    } catch {
      // Not there.
    }
  }
  return false;
}

export interface ReadyBackend extends BackendChoice {
  readonly tf: TF;
}

/** Chooses and initialises the backend; throws with a clear message when a forced one is unavailable. */
export async function initBackend(requested: BackendName | 'auto', parameters: number, convolutional = false): Promise<ReadyBackend> {
  const available = detectBackends();
  const choice = chooseBackend(requested, available, parameters, convolutional);
  if ('error' in choice) throw new Error(choice.error);
  if (choice.backend === 'tensorflow-gpu') return { ...choice, tf: await ready(nativeGpu!, 'tensorflow') };
  if (choice.backend === 'tensorflow') return { ...choice, tf: await ready(native!, 'tensorflow') };
  const tf = loadJsCore();
  if (choice.backend === 'wasm') {
    setWasmPaths(`${wasmDirectory()}/`);
    // Threads need a worker script and cross-origin isolation; the SIMD build alone is what Node runs best.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  return { ...choice, tf: await ready(tf, choice.backend) };
}

/** tfjs-core with the pure-JS and WASM backends registered and gradients for every op. */
export function loadJsCore(): TF {
  if (!version_cpu) throw new Error('the TensorFlow.js CPU backend is missing');
  return tfCore;
}

async function ready(tf: TF, name: string): Promise<TF> {
  // tfjs prints advice about tfjs-node when a JS backend starts in Node; the probe result states the backend already.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
    await tf.ready();
  } finally {
    console.warn = warn;
  }
  tf.env().set('PROD', true);
  return tf;
}
