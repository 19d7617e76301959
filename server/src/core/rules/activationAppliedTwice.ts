// MA003 activation-applied-twice: a softmax, log_softmax or sigmoid on outputs that go into a loss that applies
// one itself (CrossEntropyLoss, BCEWithLogitsLoss, `from_logits=True`), or on the output of another such activation.

import type { Finding, Fix } from '../findings';
import { type GraphNode, ModelGraph, type Severity } from '../graph';
import { type LossInputInfo, lossInputs } from './lossInputs';
import type { ModelRule } from './rule';

const NAMES: Readonly<Record<string, string>> = { softmax: 'softmax', log_softmax: 'log_softmax', sigmoid: 'sigmoid' };

function message(info: LossInputInfo): string | undefined {
  const applies = info.loss.applies;
  const loss = info.loss.name;
  if (!applies) return undefined;
  switch (info.kind) {
    case 'softmax':
      return applies === 'softmax'
        ? `${info.op} is applied to the outputs, and ${loss} applies softmax again: the loss sees squashed probabilities as logits, its gradients shrink as the model grows confident, and training stalls short of a good optimum. Return the logits and let the loss apply the softmax.`
        : `${info.op} is applied to the outputs, and ${loss} applies a sigmoid on top: probabilities squashed twice barely move, so the gradients are tiny. Return the logits.`;
    case 'sigmoid':
      return applies === 'sigmoid'
        ? `sigmoid is applied to the outputs, and ${loss} applies sigmoid again: the loss sees values in (0, 1) as logits, so its predictions stay between 0.5 and 0.73 and the gradients vanish. Return the logits.`
        : `sigmoid is applied to the outputs, and ${loss} applies softmax on top: logits squashed into (0, 1) give a nearly uniform distribution, so the loss can hardly fall. Return the logits.`;
    case 'log_softmax':
      return applies === 'softmax'
        ? `log_softmax is applied to the outputs, and ${loss} applies log_softmax again. That is harmless (log_softmax is idempotent) but redundant; use NLLLoss with log-probabilities, or return logits.`
        : `log_softmax is applied to the outputs, and ${loss} applies a sigmoid to them: log-probabilities are not logits. Return the logits.`;
    default:
      return undefined;
  }
}

export const activationAppliedTwice: ModelRule = {
  code: 'MA003',
  name: 'activation-applied-twice',
  defaultSeverity: 'warning',
  docs: {
    summary: 'A softmax, log_softmax or sigmoid is applied to outputs that go into a loss that applies it again (CrossEntropyLoss, BCEWithLogitsLoss, `from_logits=True`), or to the output of another such activation in the model.',
    why:
      'CrossEntropyLoss computes log_softmax of its input itself, and BCEWithLogitsLoss a sigmoid. Feeding them ' +
      'probabilities squashes twice: the loss can no longer reach zero, its gradients shrink as predictions improve, ' +
      'and the model trains slowly to a worse optimum. Nothing fails; accuracy is just a few points lower. ' +
      'The same holds inside the model: softmax(softmax(x)), a Dense with activation=\'softmax\' followed by tf.nn.softmax, ' +
      'or log_softmax of a softmax layer squash twice before any loss sees them. ' +
      '(log_softmax into CrossEntropyLoss, or log_softmax twice, is harmless and reported as information.)',
    bad: 'def forward(self, x):\n    return F.softmax(self.fc(x), dim=1)\n\ncriterion = nn.CrossEntropyLoss()\nloss = criterion(model(x), y)',
    good: 'def forward(self, x):\n    return self.fc(x)          # logits\n\ncriterion = nn.CrossEntropyLoss()\nloss = criterion(model(x), y)',
    fix: 'Removes the activation (F.softmax(x, dim=1) becomes x; nn.Softmax leaves the Sequential). Safe for training; code that reads probabilities from the model at inference must then apply softmax itself.',
  },
  check({ graph, severity }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const info of lossInputs(graph)) {
      if (!NAMES[info.kind]) continue;
      const text = message(info);
      if (!text) continue;
      const key = `${info.range.start.line}:${info.range.start.character}:${info.loss.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const harmless = info.kind === 'log_softmax' && info.loss.applies === 'softmax';
      const fixes: Fix[] = info.edits?.remove
        ? [{ title: `Remove the ${info.op}: ${info.edits.remove.description}`, edits: info.edits.remove.edits, isPreferred: !harmless }]
        : [];
      findings.push({
        code: 'MA003',
        severity: harmless ? 'information' : severity,
        message: text,
        range: info.range,
        related: [{ range: info.loss.range, message: `${info.loss.name} applies ${info.loss.applies} to its input itself` }],
        fixes,
        model: graph.name,
      });
    }
    findings.push(...squashedTwice(graph, severity));
    return findings;
  },
};

const SQUASHES = new Set(['softmax', 'log_softmax', 'sigmoid']);

/**
 * A squashing activation applied to the output of another inside the model (`softmax(softmax(x))`, a Dense with
 * `activation='softmax'` followed by `tf.nn.softmax`, `log_softmax` of a softmax layer), with only reshapes or
 * dropout between them. The inner one's output is already a probability; squashing it again flattens it.
 */
function squashedTwice(graph: ModelGraph, severity: Severity): Finding[] {
  const findings: Finding[] = [];
  for (const outer of graph.nodes) {
    if (!SQUASHES.has(outer.op) || outer.origin !== undefined) continue;
    let inner: GraphNode | undefined = outer.inputs.length === 1 ? ModelGraph.node(graph, outer.inputs[0]) : undefined;
    while (inner && inner.inputs.length === 1 && (inner.category === 'reshape' || inner.category === 'regularization')) inner = ModelGraph.node(graph, inner.inputs[0]);
    if (!inner || !SQUASHES.has(inner.op)) continue;
    // log_softmax of a log_softmax is the same values again (it is idempotent): harmless, as MA003 says of losses.
    const harmless = inner.op === 'log_softmax' && outer.op === 'log_softmax';
    const remove = outer.edits?.remove;
    findings.push({
      code: 'MA003',
      severity: harmless ? 'information' : severity,
      message: harmless
        ? `${outer.op} is applied to the output of ${inner.op}: harmless (log_softmax is idempotent) but redundant.`
        : `${outer.op} is applied to the output of ${inner.op}, which is already ${inner.op === 'log_softmax' ? 'a log-probability' : 'a probability'}: squashing it again flattens the outputs towards uniform, so the loss can hardly fall and the gradients shrink. Apply one of them.`,
      range: outer.range,
      related: [{ range: inner.range, message: `${inner.op} is applied first here` }],
      fixes: remove ? [{ title: `Remove the second ${outer.op}: ${remove.description}`, edits: remove.edits, isPreferred: !harmless }] : [],
      model: graph.name,
    });
  }
  return findings;
}
