// What goes into each loss a model feeds: the last op that shapes the values of the model's output (a softmax, a
// ReLU, a raw affine map), after any activation the training code applies on the way. Shared by the rules about
// outputs and losses (MA003, MA005, MA006).

import { type GraphNode, type LossUse, ModelGraph, type NodeEdits, type Range } from '../graph';

/**
 * What a loss receives: `clipping` is a ReLU-like activation (0 to ∞), `signed` one whose values are −1 to 1 (tanh,
 * softsign); neither is a probability.
 */
export type FinalKind = 'softmax' | 'log_softmax' | 'sigmoid' | 'clipping' | 'signed' | 'raw' | 'log_of_probabilities' | 'unknown';

export interface LossInputInfo {
  readonly loss: LossUse;
  readonly kind: FinalKind;
  /** The op that decides `kind` (the model's or the training code's), with where it is and how to remove it. */
  readonly op: string;
  readonly range: Range;
  readonly edits?: NodeEdits;
  /** The model's node, when the op is in the model. */
  readonly node?: GraphNode;
}

/** Ops that do not change the values a loss sees, only their layout. */
function keepsValues(node: GraphNode): boolean {
  return node.category === 'reshape' || (node.category === 'regularization' && node.op.includes('dropout'));
}

const CLIPPING = new Set(['relu', 'relu6', 'softplus']);
const SIGNED = new Set(['tanh', 'softsign', 'hardtanh']);

function kindOf(op: string, category: string): FinalKind {
  if (op === 'softmax' || op === 'softmin') return 'softmax';
  if (op === 'log_softmax') return 'log_softmax';
  if (op === 'sigmoid' || op === 'hardsigmoid') return 'sigmoid';
  if (CLIPPING.has(op)) return 'clipping';
  if (SIGNED.has(op)) return 'signed';
  if (category === 'affine') return 'raw';
  return 'unknown';
}

/** The last value-shaping op of an output, skipping reshapes, dropout and ops that run only at evaluation. */
export function finalOp(graph: ModelGraph, outputId: number): GraphNode | undefined {
  let node = ModelGraph.node(graph, outputId);
  for (let hops = 0; hops < 64; hops++) {
    const skip = keepsValues(node) || node.onlyIn === 'eval';
    if (!skip || node.inputs.length !== 1) return node;
    node = ModelGraph.node(graph, node.inputs[0]);
  }
  return undefined;
}

/** For each loss the model's output goes into, what that loss receives. */
export function lossInputs(graph: ModelGraph): LossInputInfo[] {
  const result: LossInputInfo[] = [];
  for (const loss of graph.lossUses ?? []) {
    const index = loss.output ?? (graph.outputs.length === 1 ? 0 : undefined);
    if (index === undefined || graph.outputs[index] === undefined) continue;
    const transforms = loss.transforms ?? [];
    if (transforms.some((t) => t.op === 'opaque')) continue;
    const last = transforms[transforms.length - 1];
    if (last) {
      // An activation applied by the training code decides; `log` after a softmax gives log-probabilities.
      const previous = transforms[transforms.length - 2];
      const inModel = finalOp(graph, graph.outputs[index]);
      const beforeLog = previous?.op ?? inModel?.op ?? '';
      const kind: FinalKind = last.op === 'log'
        ? (kindOf(beforeLog, '') === 'softmax' || kindOf(beforeLog, '') === 'sigmoid' ? 'log_of_probabilities' : 'unknown')
        : kindOf(last.op, '');
      result.push({ loss, kind, op: last.op, range: last.range, edits: last.edits });
      continue;
    }
    const node = finalOp(graph, graph.outputs[index]);
    if (!node || node.category === 'input') continue;
    // An op written once but run many times (in a loop over layers) cannot be removed for the last run alone.
    const repeated = graph.nodes.some((n) => n.id !== node.id && n.range.start.line === node.range.start.line && n.range.start.character === node.range.start.character);
    result.push({ loss, kind: kindOf(node.op, node.category), op: node.op, range: node.site?.range ?? node.range, edits: node.site || repeated ? undefined : node.edits, node });
  }
  return result;
}

/** How a loss is shown in messages. */
export function lossLabel(loss: LossUse): string {
  return loss.name;
}
