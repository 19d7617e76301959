// The probe registry: every quick-train probe, one entry each, with its id (`--probe ID`), its finding code
// (MP0xx, reported when it fails), what it checks and why that matters, and the function that runs it. The CLI's
// probe list, the runner, the finding codes and their docs (core/codes.ts's table) all read from here, so adding
// a probe is writing its runner in probes/ and one entry below.

import type { FindingCode } from '../core/codes';
import type { ProbeContext, ProbeOutcome } from './probes/context';
import { runGradientFlow } from './probes/gradientFlow';
import { runInitLoss } from './probes/initLoss';
import { runNonlinearity } from './probes/nonlinearity';
import { runOverfit } from './probes/overfit';
import { runSpecBakeoff } from './probes/specBakeoff';

export interface ProbeEntry {
  readonly id: string;
  readonly code: string;
  /** One sentence: what a failure of this probe reports. */
  readonly summary: string;
  /** Why the failure matters although training runs. */
  readonly why: string;
  run(ctx: ProbeContext): ProbeOutcome;
}

/** In the order `--probe all` runs them (the spec bake-off only with a spec). */
export const PROBES = [
  {
    id: 'nonlinearity',
    code: 'MP001',
    summary: 'A stage between two affine layers (or the whole model) fits a nonlinear target no better than the best linear map: its layers collapse into one.',
    why: 'A network whose layers compose into one linear map has the capacity of a single layer, however deep it is written; it trains, its loss just stalls where a linear model would.',
    run: runNonlinearity,
  },
  {
    id: 'overfit',
    code: 'MP002',
    summary: 'The model cannot memorise one small batch of random labels within the step budget.',
    why: 'Any healthy model memorises 16 samples; one that cannot has something throttling its gradients (a softmax before a loss that applies one, clipped outputs, a dead layer) and will underfit real data too.',
    run: runOverfit,
  },
  {
    id: 'init-loss',
    code: 'MP003',
    summary: 'The loss at initialisation is far from what a model that knows nothing should score (ln C for C classes).',
    why: 'An initial loss far above chance means over-confident initial outputs (a scaled-up last layer, a missing normalisation), which wastes the first epochs or diverges; far below means the loss is computed on something other than the outputs.',
    run: runInitLoss,
  },
  {
    id: 'gradient-flow',
    code: 'MP004',
    summary: 'A layer\'s parameters receive no gradient, at initialisation or after a few training steps.',
    why: 'A layer without gradient never learns: built in the constructor and never applied, or cut off behind a detach or a dead activation; its parameters count towards the model and do nothing.',
    run: runGradientFlow,
  },
  {
    id: 'spec-bakeoff',
    code: 'MP005',
    summary: 'The code\'s architecture fits a teacher with the spec\'s architecture clearly worse than a student built from the spec.',
    why: 'Where the code departs from its spec (a missing activation, a narrower layer), the difference is only a diff until it costs accuracy; the bake-off shows whether it does.',
    run: runSpecBakeoff,
  },
] as const satisfies readonly ProbeEntry[];

/** The probes' rows in the table of finding codes. A failed probe is a warning on the model; it has no quick fix. */
export const PROBE_CODE_TABLE: readonly FindingCode[] = PROBES.map((p) => ({
  code: p.code,
  name: p.id,
  kind: 'probe',
  defaultSeverity: 'warning',
  summary: p.summary,
  why: p.why,
  fix: `No automatic fix: the probe measures what a bug costs; the static findings on the same model (and \`model-audit probe --probe ${p.id}\`) say where.`,
  fixSafety: 'none',
}));
