// The gradient-flow probe: per-layer gradient norms at initialisation and after a few training steps. A layer whose
// parameters receive no gradient does not learn: it is never applied (built in the constructor, unused in
// forward), cut off from the loss, or dead (every ReLU after it off).

import { SeededRandom } from '../rng';
import { lossOf, randomInputs, randomTargets, round, train } from '../train';
import { budgetNote, fmt, type ProbeContext, type ProbeOutcome, withRandomBatch } from './context';
import type * as tfc from '@tensorflow/tfjs-core';

const PREFERRED_BATCH = 32;
const MIN_BATCH = 8;
const DEFAULT_STEPS = 20;
/** A gradient norm at or below this is none. */
const ZERO = 1e-12;

interface LayerFlow {
  readonly layer: string;
  readonly line: number;
  readonly atInit: number;
  readonly after: number;
  readonly applied: boolean;
}

export function runGradientFlow(ctx: ProbeContext): ProbeOutcome {
  const { tf, graph } = ctx;
  const steps = ctx.steps !== undefined ? Math.max(1, Math.min(ctx.steps, 100)) : DEFAULT_STEPS;
  const rng = new SeededRandom(ctx.seed).fork('gradient-flow');
  return withRandomBatch(ctx, rng, { preferred: PREFERRED_BATCH, minimum: MIN_BATCH }, ({ model, objective, size: BATCH, inputs, targets }) => {
    const allVars: tfc.Variable[] = [...model.params.map((p) => p.variable), ...model.unapplied.map((u) => u.variable)];
    // Dropout stays on here: it is part of what the gradient flows through in training.
    const forward = { training: true, dropout: true };
    // The second measurement uses a fresh batch: on the trained batch a model that memorised it has almost no gradient.
    const freshInputs = randomInputs(tf, model, BATCH, rng);
    const freshTargets = randomTargets(tf, objective, model, BATCH, rng);
    const norms = (x: typeof inputs, y: typeof targets): Map<string, number> => {
      const { value, grads } = tf.variableGrads(() => lossOf(tf, objective, model.forward(x, forward), y), allVars);
      value.dispose();
      const result = new Map<string, number>();
      for (const [name, g] of Object.entries(grads)) {
        result.set(name, tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!));
        g.dispose();
      }
      return result;
    };
    try {
      const init = norms(inputs, targets);
      const trained = train(tf, model, objective, { inputs, targets }, { steps, learningRate: 0.003, forward, deadline: ctx.deadline });
      const after = norms(freshInputs, freshTargets);
      const layers = new Map<string, { line: number; init: number; after: number }>();
      for (const p of model.params) {
        const entry = layers.get(p.layer) ?? { line: p.line, init: 0, after: 0 };
        entry.init += init.get(p.variable.name) ?? 0;
        entry.after += after.get(p.variable.name) ?? 0;
        layers.set(p.layer, entry);
      }
      const flows: LayerFlow[] = [...layers].map(([layer, e]) => ({ layer, line: e.line, atInit: Math.sqrt(e.init), after: Math.sqrt(e.after), applied: true }));
      for (const u of model.unapplied) {
        flows.push({ layer: u.decl.module, line: u.decl.range.start.line + 1, atInit: Math.sqrt(init.get(u.variable.name) ?? 0), after: Math.sqrt(after.get(u.variable.name) ?? 0), applied: false });
      }
      const dead = flows.filter((f) => !(f.atInit > ZERO) && !(f.after > ZERO));
      const unappliedFree = graph.layers.filter((d) => (d.category === 'regularization' || d.category === 'activation' || d.category === 'pooling') && !graph.nodes.some((n) => n.module === d.module || n.layerId === d.layerId));
      const details = flows.map((f) => `${f.layer} (line ${f.line}): ‖∇‖ ${fmt(f.atInit)} at init, ${fmt(f.after)} after ${trained.outOfTime ?? steps} steps (on a fresh batch)${f.applied ? '' : ' — never applied in forward'}`);
      details.push(...budgetNote(trained.outOfTime, steps));
      for (const d of unappliedFree) details.push(`${d.module} (line ${d.range.start.line + 1}): built but never applied; it has no parameters, so no gradient is lost, but the model runs without it`);
      const describe = (f: LayerFlow) => f.applied ? `${f.layer} (line ${f.line}) gets no gradient` : `${f.layer} (line ${f.line}) is never applied, so its parameters get no gradient`;
      const summary = dead.length === 0
        ? `Every layer receives gradient (${flows.length} layer${flows.length === 1 ? '' : 's'}; smallest ‖∇‖ ${fmt(Math.min(...flows.map((f) => f.atInit)))} at init).`
        : `${dead.map(describe).join('; ')}: ${dead.length === 1 ? 'it does' : 'they do'} not learn.`;
      return {
        probe: 'gradient-flow',
        verdict: dead.length === 0 ? 'pass' : 'fail',
        summary,
        metrics: {
          layers: flows.length,
          layers_without_gradient: dead.length,
          min_grad_norm_init: flows.length ? round(Math.min(...flows.map((f) => f.atInit)), 8) : null,
          max_grad_norm_init: flows.length ? round(Math.max(...flows.map((f) => f.atInit)), 8) : null,
          steps,
        },
        curve: trained.curve,
        details,
        lines: dead.map((f) => f.line),
      };
    } finally {
      freshInputs.forEach((t) => t.dispose());
      freshTargets.dispose();
    }
  });
}
