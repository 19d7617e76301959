// Runs the requested probes on an initialised backend and collects the contract's ProbeRun. Used by the worker; a
// test may call it directly with the pure-JS backend.

import type { GraphNode, ModelGraph } from '../core/graph';
import { ProbeBuildError, type TF } from './buildModel';
import type { BackendChoice } from './backendChoice';
import type { ProbeContext, ProbeOutcome } from './probes/context';
import { PROBES } from './registry';
import type { ProbeId, ProbeProgress, ProbeRequest, ProbeResult, ProbeRun } from './types';

const RUNNERS = Object.fromEntries(PROBES.map((p) => [p.id, p.run])) as Readonly<Record<ProbeId, (ctx: ProbeContext) => ProbeOutcome>>;

export function runProbes(tf: TF, backend: BackendChoice, request: ProbeRequest, onProgress: (p: ProbeProgress) => void = () => undefined): ProbeRun {
  const started = performance.now();
  const results: ProbeResult[] = [];
  const notes: string[] = [];
  if (request.widthScale !== undefined && request.widthScale !== 1) notes.push(`hidden widths scaled by ${request.widthScale} for speed; the numbers are for the scaled model`);
  for (const probe of request.probes) {
    const t0 = performance.now();
    onProgress({ probe, message: 'starting' });
    const ctx: ProbeContext = {
      tf, graph: request.graph, spec: request.spec, seed: request.seed, steps: request.steps, widthScale: request.widthScale,
      progress: onProgress,
    };
    // Each probe runs in its own scope so a failing one leaves no tensors behind for the next.
    tf.engine().startScope();
    try {
      results.push({ ...RUNNERS[probe](ctx), seconds: round2((performance.now() - t0) / 1000) });
    } finally {
      tf.engine().endScope();
    }
  }
  return {
    version: 1,
    model: request.graph.name,
    backend: backend.backend,
    backendReason: backend.reason,
    parameters: estimateParameters(request.graph),
    notes,
    results,
    seconds: round2((performance.now() - started) / 1000),
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Parameters of the applied layers, from the graph's numbers (shared layers counted once). */
export function estimateParameters(graph: ModelGraph): number {
  const seen = new Set<string>();
  let total = 0;
  for (const node of graph.nodes) {
    const key = node.layerId ?? node.module ?? `#${node.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += parametersOf(node);
  }
  return total;
}

function parametersOf(node: GraphNode): number {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const a = node.attrs;
  const bias = a.bias === false ? 0 : n(a.out);
  if (node.op === 'linear' || node.op === 'matmul') return n(a.in) * n(a.out) + bias;
  if (node.category === 'affine') {
    const k = Array.isArray(a.kernel) ? a.kernel.reduce((p: number, q) => p * n(q), 1) : n(a.kernel) ** (node.op.endsWith('1d') ? 1 : node.op.endsWith('3d') ? 3 : 2);
    return n(a.in) * n(a.out) * k + bias;
  }
  if (node.op === 'embedding') return n(a.in) * n(a.out);
  if (node.category === 'normalization') return 2 * n(Array.isArray(a.features) ? a.features[0] : a.features);
  return 0;
}

/** A probe build error as the one-line message users see: which op, which line. */
export function describeError(error: unknown): { message: string; op?: string; line?: number } {
  if (error instanceof ProbeBuildError) return { message: error.message, op: error.op, line: error.line };
  return { message: error instanceof Error ? error.message : String(error) };
}
