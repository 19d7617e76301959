// MT003 eval-without-eval-mode: a model evaluated under no_grad / inference_mode without model.eval().

import type { Finding, Fix } from '../findings';
import type { ModelGraph } from '../graph';
import type { FileRule } from './rule';

/** Whether a model behaves differently in training mode: dropout, batch norm. */
function modeDependent(graph: ModelGraph): boolean {
  return graph.nodes.some((n) => n.category === 'regularization' || n.op === 'batch_norm') ||
    graph.layers.some((l) => l.category === 'regularization' || l.op === 'batch_norm');
}

export const evalWithoutEvalMode: FileRule = {
  kind: 'file',
  code: 'MT003',
  name: 'eval-without-eval-mode',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A model is evaluated under torch.no_grad() or inference_mode() without model.eval() first, so dropout and batch norm stay in training mode.',
    why:
      'no_grad() only stops gradient tracking; it does not change how layers behave. In training mode dropout keeps ' +
      'dropping units and batch norm normalizes with the statistics of the evaluation batch (and updates its running ' +
      'averages with them). Validation metrics come out noisy and pessimistic, depend on the batch size, and the ' +
      'running statistics drift towards the validation data. Models with neither dropout nor batch norm are not ' +
      'reported, also when the script builds the model from a class imported from another workspace file ' +
      '(`from model import Net`), which is read for this.',
    bad: 'with torch.no_grad():\n    preds = model(x_val)',
    good: 'model.eval()\nwith torch.no_grad():\n    preds = model(x_val)',
    fix: 'Inserts model.eval() before the block. Safe for evaluation; if training continues afterwards, call model.train() again (see MT004).',
  },
  check({ facts, graphs, severity }) {
    const findings: Finding[] = [];
    for (const e of facts.evaluations) {
      if (e.evalModeSet) continue;
      const graph = e.modelName ? graphs.find((g) => g.name === e.modelName) : undefined;
      if (graph && !modeDependent(graph)) continue;
      // An unresolved model in a file whose models all lack dropout and batch norm is most likely one of them.
      if (!graph && graphs.length > 0 && graphs.every((g) => !modeDependent(g))) continue;
      const fixes: Fix[] = e.insertEval ? [{ title: `Switch to evaluation mode: ${e.insertEval.description}`, edits: e.insertEval.edits, isPreferred: true }] : [];
      findings.push({
        code: 'MT003',
        severity,
        message: `${e.model} is evaluated under ${e.guard} without ${e.model}.eval(): no_grad does not switch layers to evaluation, so dropout stays on and batch norm uses batch statistics.`,
        range: e.range,
        related: [{ range: e.callRange, message: `${e.model} is called here in training mode` }],
        fixes,
        model: e.modelName,
      });
    }
    return findings;
  },
};
