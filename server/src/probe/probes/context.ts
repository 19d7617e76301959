// What every probe receives: the TensorFlow.js namespace on the chosen backend, the model (and spec) graph, the
// seed and budget, and a progress callback.

import type { ModelGraph } from '../../core/graph';
import type { TF } from '../buildModel';
import type { ProbeProgress, ProbeResult } from '../types';

export interface ProbeContext {
  readonly tf: TF;
  readonly graph: ModelGraph;
  readonly spec?: ModelGraph;
  readonly seed: number;
  /** Overrides each probe's default step budget. */
  readonly steps?: number;
  readonly widthScale?: number;
  progress(p: ProbeProgress): void;
}

export type ProbeOutcome = Omit<ProbeResult, 'seconds'>;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a < 0.1 ? 4 : 3);
}

/** Replaces non-finite numbers by null, since JSON has no NaN. */
export function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
