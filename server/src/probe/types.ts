// The values that cross the worker boundary: what to probe (a request) and what came out (a run), both plain JSON.
// The run's shape is the contract's `probe --format json`.

import type { ModelGraph } from '../core/graph';
import type { BackendChoice, BackendName } from './backendChoice';
import { PROBES } from './registry';
import type { SizeAssumption } from './sizes';

/** A probe's id, as `--probe` takes it; the probes are listed in registry.ts. */
export type ProbeId = (typeof PROBES)[number]['id'];
export const PROBE_IDS: readonly ProbeId[] = PROBES.map((p) => p.id);

export namespace ProbeId {
  export function is(value: string): value is ProbeId {
    return (PROBE_IDS as readonly string[]).includes(value);
  }
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** How a verdict is marked in text: the CLI's lines, the code lens, the HTML report. */
export const VERDICT_MARKS: Readonly<Record<Verdict, string>> = { pass: '✓', fail: '✗', inconclusive: '?' };

/** Finding codes for failed probes, reported on the model (`MP0xx` in the contract), from the registry. */
export const PROBE_CODES = Object.fromEntries(PROBES.map((p) => [p.id, p.code])) as Readonly<Record<ProbeId, string>>;

/** A named loss curve: `[step, loss]` points. */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface ProbeResult {
  readonly probe: ProbeId;
  readonly verdict: Verdict;
  /** One sentence. */
  readonly summary: string;
  readonly metrics: Readonly<Record<string, number | string | null>>;
  /** The main loss curve (the code's model). */
  readonly curve: readonly (readonly [number, number])[];
  /** Further curves for the report: the spec's student, other segments. */
  readonly series?: readonly Series[];
  /** Horizontal reference lines for the report: the linear baseline, ln C, a floor. */
  readonly references?: readonly { readonly label: string; readonly value: number }[];
  /** Details beyond the summary, one per line: per-layer gradient norms, the segments probed. */
  readonly details?: readonly string[];
  /** 1-based source lines the result is about (the collapsing layers, the unused layer). */
  readonly lines?: readonly number[];
  readonly seconds: number;
}

export interface ProbeRequest {
  readonly graph: ModelGraph;
  /** The spec's model, for `spec-bakeoff`. */
  readonly spec?: ModelGraph;
  readonly probes: readonly ProbeId[];
  readonly backend: BackendName | 'auto';
  /** Training steps; each probe has its own default. */
  readonly steps?: number;
  readonly seed: number;
  /** Scales hidden widths for speed (0 < s ≤ 1); stated in the result. Absent: the budget may choose a scale. */
  readonly widthScale?: number;
  /** Values for sizes the code leaves open (`--set name=value`), by name or by the name's last part. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** Seconds the whole run aims to give its verdicts in (default 30); each probe gets a share. */
  readonly budgetSeconds?: number;
}

export interface ProbeRun {
  readonly version: 1;
  readonly model: string;
  readonly backend: BackendName;
  /** Why this backend ran. */
  readonly backendReason: string;
  readonly parameters: number;
  readonly notes: readonly string[];
  /** The sizes the code leaves open and the values the probes used (chosen, or given with `--set`). */
  readonly assumptions: readonly SizeAssumption[];
  readonly results: readonly ProbeResult[];
  readonly seconds: number;
}

/** Progress from a running probe, for a progress bar with the live loss. */
export interface ProbeProgress {
  readonly probe: ProbeId;
  readonly message: string;
  readonly step?: number;
  readonly steps?: number;
  readonly loss?: number;
}

export type { BackendChoice, BackendName, SizeAssumption };
